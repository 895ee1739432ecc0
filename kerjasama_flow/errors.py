"""Domain errors raised by services, and the texts of the HTTP error pages.

Plain Python, so that pure modules (the lifecycle) can raise them; the Flask handlers that
show the pages are registered by the app factory (``app.register_errorhandlers``).
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A change was refused. ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def field_errors(self) -> list[tuple[str | None, str]]:
        """Each (field, message) of the refusal: one here, several in ``FieldErrors``."""
        return [(self.field, self.message)]


class FieldErrors(DomainError):
    """Several rules refused the change at once, each on its field, so that a form shows
    every error in one round; ``message`` and ``field`` are the first of them."""

    def __init__(self, errors: Mapping[str, str]):
        if not errors:
            raise ValueError("FieldErrors needs at least one error")
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = dict(errors)

    def field_errors(self) -> list[tuple[str | None, str]]:
        return list(self.errors.items())


def refuse_any(errors: Mapping[str, str]) -> None:
    """Raise ``FieldErrors`` when a rule function (field -> message) found anything."""
    if errors:
        raise FieldErrors(errors)


class ConflictError(DomainError):
    """Someone else changed the record since it was loaded: never overwrite silently."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Data ini sudah diubah oleh pengguna lain sejak Anda membukanya. "
            "Muat ulang halaman, periksa perubahan terbaru, lalu simpan kembali."
        )


ERROR_PAGES = {
    400: ("Permintaan tidak valid", "Permintaan tidak dapat diproses. Periksa kembali isian Anda."),
    403: ("Akses ditolak", "Anda tidak memiliki hak untuk membuka atau mengubah halaman ini."),
    404: ("Halaman tidak ditemukan", "Data yang Anda cari tidak ada atau sudah dihapus."),
    405: ("Metode tidak diizinkan", "Tindakan ini tidak tersedia untuk halaman ini."),
    409: ("Terjadi konflik", ConflictError().message),
    413: ("Berkas terlalu besar", "Ukuran berkas melebihi batas yang diizinkan."),
    429: (
        "Terlalu banyak percobaan",
        "Terlalu banyak permintaan dalam waktu singkat. Tunggu sebentar lalu coba lagi.",
    ),
    500: ("Terjadi kesalahan", "Terjadi kesalahan pada server. Perubahan Anda tidak disimpan."),
}
