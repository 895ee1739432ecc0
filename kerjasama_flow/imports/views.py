"""Importing agreements from Excel/CSV: the template, the upload, the job page with the
preview and the confirmation, and cancelling (admin only).

An upload becomes an ``ImportJob``: a small file is checked and, once confirmed, imported
within the request; a large one is queued for the ``scheduler`` process and its page refreshes
itself (a meta refresh: no script) until it is done. The upload request reads no more of a
file than it takes to tell which (``imports.reading.peek_table``). The file stays on the
server between the steps; the browser only names the job, which must belong to the admin's
government, and only its uploader may confirm or cancel it.

The upload, the confirmation and the cancellation commit through ``run_service``; a small
job's step then runs through the job runner (``imports.jobs.run_now``), which commits its
result as the scheduler's would.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from kerjasama_flow.imports import jobs, queries, services
from kerjasama_flow.imports.columns import MAX_ROWS, MAX_SHEET_ROWS
from kerjasama_flow.imports.forms import ImportForm, JobForm, extension_of
from kerjasama_flow.imports.models import ImportJob, ImportStatus
from kerjasama_flow.imports.template import build_template
from kerjasama_flow.permissions import can_act_on_import
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import run_service

bp = Blueprint("imports", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFRESH_SECONDS = 2  # how often a waiting job's page reloads itself
SHOWN_ROWS = 500  # valid rows listed on the page; the refused ones are always all listed


def _job_to_act_on(job_id: int) -> ImportJob:
    """The job named in the URL, for its uploader only (another admin of the government may
    look at it, not confirm or cancel it: 403)."""
    job = get_owned_or_404(ImportJob, job_id)
    if not can_act_on_import(current_user, job):
        abort(403)
    return job


# --- views ------------------------------------------------------------------------------------


@bp.route("/agreements/import/template.xlsx")
def template():
    return Response(
        build_template(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="templat-impor-kerja-sama.xlsx"'},
    )


@bp.route("/agreements/import", methods=["GET", "POST"])
def upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        filename = upload_file.filename or ""
        job = run_service(
            form,
            services.start,
            current_user,
            filename,
            extension_of(filename),
            upload_file.read(),
            jobs.inline_rows(),
        )
        if job is not None:
            if jobs.runs_inline(job):
                jobs.run_now(job)
            return redirect(url_for("imports.job", job_id=job.id))
    return render_template(
        "imports/upload.html",
        form=form,
        max_rows=MAX_ROWS,
        max_sheet_rows=MAX_SHEET_ROWS,
        inline_rows=jobs.inline_rows(),
        recent=queries.recent(current_user.government_id),
    )


@bp.route("/agreements/import/jobs/<int:job_id>")
def job(job_id: int):
    job = get_owned_or_404(ImportJob, job_id)
    return render_template(
        "imports/job.html",
        job=job,
        form=JobForm(),
        may_act=can_act_on_import(current_user, job),
        progress=jobs.read_progress(job) if job.status.is_waiting else None,
        unclaimed=jobs.unclaimed_too_long(job),
        refresh_seconds=REFRESH_SECONDS,
        shown_rows=SHOWN_ROWS,
    )


@bp.route("/agreements/import/jobs/<int:job_id>/confirm", methods=["POST"])
def confirm(job_id: int):
    job = _job_to_act_on(job_id)
    form = JobForm()
    if not form.validate_on_submit():  # pragma: no cover - only the CSRF token can fail
        return redirect(url_for("imports.job", job_id=job.id))
    if not run_service(form, services.confirm, current_user, job):
        flash(_NOT_WAITING.get(job.status, "Impor ini tidak menunggu konfirmasi."), "warning")
    elif jobs.runs_inline(job):
        jobs.run_now(job)
    return redirect(url_for("imports.job", job_id=job.id))


@bp.route("/agreements/import/jobs/<int:job_id>/discard", methods=["POST"])
def discard(job_id: int):
    job = _job_to_act_on(job_id)
    form = JobForm()
    if not form.validate_on_submit():  # pragma: no cover - only the CSRF token can fail
        return redirect(url_for("imports.job", job_id=job.id))
    if run_service(form, services.discard, current_user, job):
        flash(f"Impor {job.filename} dibatalkan; tidak ada yang disimpan.", "info")
        return redirect(url_for("imports.upload"))
    flash(_NOT_WAITING.get(job.status, "Impor ini tidak dapat dibatalkan lagi."), "warning")
    return redirect(url_for("imports.job", job_id=job.id))


_NOT_WAITING = {
    ImportStatus.IMPORT_QUEUED: "Impor ini sudah dikonfirmasi dan menunggu diproses.",
    ImportStatus.IMPORTING: "Impor ini sedang berjalan dan tidak dapat dibatalkan lagi.",
    ImportStatus.DONE: "Impor ini sudah selesai.",
    ImportStatus.DISCARDED: "Impor ini sudah dibatalkan.",
    ImportStatus.FAILED: "Impor ini gagal; unggah ulang berkasnya.",
    ImportStatus.CHECKING: "Berkas ini sedang diperiksa; tunggu sampai pratinjau siap.",
}
