"""Documents on the web: upload to an agreement or one of its steps, download, replace and
delete. (A task's proof is uploaded from the task's page: ``tasks.views.upload_proof``.)

Roles per endpoint are in ``permissions.ENDPOINT_ROLES``; a document is loaded through
``queries.document_for`` (another government's is a 404, one the user may not see or change
a 403) and sent by ``queries.file_response`` (always an attachment, never shown inline: an
uploaded file is data), as the API does (``api.documents``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.documents import queries, services
from kerjasama_flow.documents.forms import DeleteForm, DocumentForm, ReplaceForm
from kerjasama_flow.documents.models import KIND_OF_STEP, Document, DocumentKind
from kerjasama_flow.permissions import can_read_agreement
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import run_service

bp = Blueprint("documents", __name__)


def _agreement_url(agreement_id: int) -> str:
    return url_for("agreements.detail", agreement_id=agreement_id, _anchor="dokumen")


def task_url(task_id: int) -> str:
    return url_for("tasks.detail", task_id=task_id, _anchor="dokumen")


def _back_url(document: Document) -> str:
    if document.task_id is not None and current_user.role == Role.OPD:
        return task_url(document.task_id)
    return _agreement_url(document.agreement_id)


def _file(form):
    return request.files.get(form.file.name)


@bp.route("/agreements/<int:agreement_id>/documents/new", methods=["GET", "POST"])
def new(agreement_id: int):
    """Bagian Pemerintahan documents the agreement or any step; an OPD head uploads proof
    of the realisations of their agency's PKS (only those steps are offered, and the
    service refuses any other)."""
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_read_agreement(current_user, agreement):
        abort(403)
    choices = queries.upload_choices(current_user, agreement)
    if not choices.allowed:
        abort(403)
    form = DocumentForm()
    form.offer_steps(choices.steps, with_agreement=choices.general)
    if request.method == "GET":
        form.step.data = request.args.get("tahapan", "" if choices.general else choices.steps[0][0])
        kind, _ = queries.parse_step(form.step.data)
        form.kind.data = KIND_OF_STEP.get(kind or "", DocumentKind.OTHER).value
        if not choices.general:
            form.kind.data = DocumentKind.PROOF.value
    if form.validate_on_submit():
        milestone_kind, milestone_id = queries.parse_step(form.step.data)
        if run_service(
            form,
            services.upload_document,
            current_user,
            agreement,
            _file(form),
            {"kind": form.kind.data, "title": form.title.data},
            services.Attachment(milestone_kind, milestone_id),
        ):
            flash("Dokumen diunggah.", "success")
            return redirect(_agreement_url(agreement.id))
    return render_template("documents/form.html", form=form, agreement=agreement)


@bp.route("/documents/<int:document_id>")
def download(document_id: int):
    return queries.file_response(queries.document_for(current_user, document_id))


@bp.route("/documents/<int:document_id>/replace", methods=["GET", "POST"])
def replace(document_id: int):
    document = queries.document_for(current_user, document_id, change=True)
    form = ReplaceForm(version=document.version)
    if form.validate_on_submit() and run_service(
        form,
        services.replace_document,
        current_user,
        document,
        _file(form),
        {},
        form.version.data,
    ):
        flash("Berkas dokumen diganti. Berkas lama tercatat di log aktivitas.", "success")
        return redirect(_back_url(document))
    return render_template(
        "documents/replace.html", form=form, document=document, back_url=_back_url(document)
    )


@bp.route("/documents/<int:document_id>/delete", methods=["POST"])
def delete(document_id: int):
    document = queries.document_for(current_user, document_id, change=True)
    back = _back_url(document)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash("Permintaan hapus tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    elif run_service(None, services.delete_document, current_user, document, form.version.data):
        flash("Dokumen dihapus.", "success")
    return redirect(back)
