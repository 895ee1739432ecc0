"""The upload form and the job page's buttons."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired

from kerjasama_flow.forms_common import BaseForm

EXTENSIONS = ("xlsx", "csv")


class ImportForm(BaseForm):
    file = FileField(
        "Berkas XLSX atau CSV",
        validators=[
            FileRequired("Pilih berkas yang akan diimpor."),
            FileAllowed(EXTENSIONS, "Hanya berkas .xlsx atau .csv yang dapat diimpor."),
        ],
        description="Gunakan templat agar judul kolom sesuai. Ukuran paling besar 20 MB.",
    )


class JobForm(BaseForm):
    """Only the CSRF token: the job is named in the URL and checked against the user."""


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
