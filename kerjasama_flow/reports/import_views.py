"""Importing agreements from Excel/CSV: the template, the upload with its preview, and the
confirmation that imports the valid rows in one transaction (admin only).

The uploaded file stays on the server between preview and confirmation, under
``<instance>/imports/<uuid>.<ext>``; the browser only carries the uuid, which must also be in
the uploader's (signed) session. The confirmation reads and checks the stored file again:
nothing the client sends back is trusted as data.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired

from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import BaseForm
from kerjasama_flow.reports import importer
from kerjasama_flow.reports.importer import ImportFileError

bp = Blueprint("imports", __name__)

EXTENSIONS = ("xlsx", "csv")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "import_uploads"
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is removed after a day
_TOKEN = re.compile(r"[0-9a-f]{32}")


class ImportForm(BaseForm):
    file = FileField(
        "Berkas XLSX atau CSV",
        validators=[
            FileRequired("Pilih berkas yang akan diimpor."),
            FileAllowed(EXTENSIONS, "Hanya berkas .xlsx atau .csv yang dapat diimpor."),
        ],
        description="Gunakan templat agar judul kolom sesuai. Ukuran paling besar 20 MB.",
    )


class ConfirmForm(BaseForm):
    """Only the CSRF token: the upload is named in the URL and checked against the session."""


# --- stored uploads ---------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_stale(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:  # pragma: no cover - removed concurrently
            pass


def _store(content: bytes, extension: str) -> str:
    folder = _folder()
    _remove_stale(folder)
    token = uuid.uuid4().hex
    (folder / f"{token}.{extension}").write_bytes(content)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-4:], token]
    return token


def _stored(token: str) -> Path | None:
    """The stored upload ``token`` names, if it exists and this session uploaded it."""
    if not _TOKEN.fullmatch(token) or token not in session.get(SESSION_KEY, []):
        return None
    for extension in EXTENSIONS:
        path = _folder() / f"{token}.{extension}"
        if path.is_file():
            return path
    return None


def _forget(token: str, path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _checked_rows(content: bytes, extension: str):
    """Every row parsed and run through the services (rolled back): the preview's rows."""
    table = importer.read_table(content, extension)
    rows = importer.parse_rows(current_user.government_id, table)
    importer.validate_rows(current_user._get_current_object(), rows)
    db.session.rollback()
    return rows


# --- views ------------------------------------------------------------------------------------


@bp.route("/agreements/import/template.xlsx")
def template():
    return Response(
        importer.build_template(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="templat-impor-kerja-sama.xlsx"'},
    )


@bp.route("/agreements/import", methods=["GET", "POST"])
def upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        extension = _extension(upload_file.filename or "")
        content = upload_file.read()
        try:
            rows = _checked_rows(content, extension)
        except ImportFileError as error:
            form.file.errors.append(error.message)
        else:
            token = _store(content, extension)
            valid = [row for row in rows if row.is_valid]
            return render_template(
                "imports/preview.html",
                form=ConfirmForm(),
                token=token,
                filename=upload_file.filename,
                rows=rows,
                valid=valid,
                invalid=[row for row in rows if not row.is_valid],
                creates=sum(1 for row in valid if row.action == "create"),
                updates=sum(1 for row in valid if row.action == "update"),
            )
    return render_template("imports/upload.html", form=form, max_rows=importer.MAX_ROWS)


@bp.route("/agreements/import/<upload_token>/confirm", methods=["POST"])
def confirm(upload_token: str):
    """Import the valid rows of the stored upload (not ``token``: that URL argument is the
    calendar feed's secret; and not ``upload_id``: an upload is a file, not a record)."""
    form = ConfirmForm()
    if not form.validate_on_submit():  # pragma: no cover - only the CSRF token can fail
        return redirect(url_for("imports.upload"))
    path = _stored(upload_token)
    if path is None:
        flash(
            "Berkas impor tidak ditemukan: sudah diimpor, kedaluwarsa, atau diunggah dari sesi "
            "lain. Unggah ulang berkasnya.",
            "warning",
        )
        return redirect(url_for("imports.upload"))
    extension = path.suffix.lstrip(".")
    try:
        table = importer.read_table(path.read_bytes(), extension)
    except ImportFileError as error:  # pragma: no cover - it was read for the preview
        _forget(upload_token, path)
        flash(error.message, "danger")
        return redirect(url_for("imports.upload"))
    rows = importer.parse_rows(current_user.government_id, table)
    imported = importer.import_rows(current_user._get_current_object(), rows)
    db.session.commit()
    _forget(upload_token, path)
    created = sum(1 for row in imported if row.action == "create")
    updated = len(imported) - created
    skipped = len(rows) - len(imported)
    message = f"Impor selesai: {created} kerja sama baru, {updated} diperbarui"
    if skipped:
        message += f", {skipped} baris dilewati karena bermasalah"
    flash(message + ".", "success" if not skipped else "warning")
    return redirect(url_for("agreements.index"))
