"""What an uploaded file is, judged by its content: the one check every upload passes
(agreement documents, task proofs, monev evidence) before the file store keeps it.

The name a user gave a file says nothing about what it holds: an executable or an HTML page
renamed ``.pdf`` must be refused. The content is identified by its signature (magic bytes)
with the maintained ``filetype`` library; DOCX and XLSX are ZIP packages, so they are also
opened as such and must carry the part that makes them a Word document or a workbook. The
file is stored under the extension of what it *is*; the display name keeps the user's name
with that extension.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Protocol

import filetype
from flask import current_app

from kerjasama_flow.errors import DomainError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str  # with the dot, what the stored file ends in
    mime: str
    label: str  # what a user calls it
    package_part: str | None = None  # for ZIP packages: the part that proves the type


DOCX = FileType(
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "DOCX",
    "word/document.xml",
)
XLSX = FileType(
    ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLSX",
    "xl/workbook.xml",
)
# The kinds of file a government's staff upload: scanned or signed letters (PDF), photos of
# an activity (JPEG, PNG), drafts (DOCX) and tables (XLSX).
ACCEPTED = {
    t.mime: t
    for t in (
        FileType(".pdf", "application/pdf", "PDF"),
        FileType(".jpg", "image/jpeg", "JPG"),
        FileType(".png", "image/png", "PNG"),
        DOCX,
        XLSX,
    )
}
ACCEPTED_LABELS = "PDF, JPG, PNG, DOCX atau XLSX"
# What the file picker offers (a hint only: the content decides).
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 200


class Upload(Protocol):
    """What the checks need of an uploaded file (werkzeug's ``FileStorage`` fits)."""

    filename: str | None
    stream: IO[bytes]


@dataclass(frozen=True)
class CheckedFile:
    display_name: str  # the user's name, ending in the extension of what the file is
    type: FileType
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    """The largest file accepted (``KERJASAMA_MAX_UPLOAD_MB``, 20 MB by default)."""
    return int(current_app.config.get("KERJASAMA_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def has_file(upload: Upload | None) -> bool:
    return upload is not None and bool(upload.filename)


def check(upload: Upload | None, field: str) -> CheckedFile:
    """The upload, read and identified; a ``DomainError`` on ``field`` saying why not
    (no file, empty, too large, or content that is none of the accepted types)."""
    if not has_file(upload):
        raise DomainError("Pilih berkas yang akan diunggah.", field)
    limit = max_bytes()
    content = upload.stream.read(limit + 1)
    if not content:
        raise DomainError("Berkas kosong: tidak ada isinya.", field)
    if len(content) > limit:
        raise DomainError(f"Berkas terlalu besar: paling besar {megabytes(limit)}.", field)
    found = identify(content)
    if found is None:
        raise DomainError(
            f"Isi berkas bukan {ACCEPTED_LABELS}, apa pun nama berkasnya. Unggah dokumen "
            "hasil pindai (PDF), foto (JPG/PNG), dokumen Word (DOCX) atau Excel (XLSX).",
            field,
        )
    return CheckedFile(display_name(upload.filename, found), found, content)


def identify(content: bytes) -> FileType | None:
    """The accepted type ``content`` is, by its signature, or None."""
    guess = filetype.guess(content)
    found = ACCEPTED.get(guess.mime) if guess is not None else None
    if found is None or found.package_part is None:
        return found
    return found if _package_holds(content, found.package_part) else None


def _package_holds(content: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and part in names


def display_name(filename: str | None, found: FileType) -> str:
    """The name to show and to download under: the user's base name (no folders, no control
    characters, at most ``MAX_NAME`` characters) with the extension of what the file is."""
    name = unicodedata.normalize("NFC", filename or "")
    name = _CONTROL.sub("", name.replace("\\", "/")).strip()
    stem = PurePosixPath(name).stem.strip(" .") or "dokumen"
    return f"{stem[: MAX_NAME - len(found.extension)]}{found.extension}"
