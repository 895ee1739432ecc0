"""Documents over the API: upload, read, download, replace and delete, with the web's own
form (``documents.forms``), services, loading and permission checks (``documents.queries``,
``permissions``). An upload is multipart/form-data, as the web's; anything else is a 415.
A refusal is the web's Indonesian message next to its field (422), a too large request the
app's JSON 413, a change over someone else's a 409 with the document as it now is.

The multipart bodies are described with ``bp.doc(requestBody=...)`` rather than
``bp.arguments``: flask-smorest puts only one of the ``files`` and ``form`` locations in the
request body (the other becomes an OpenAPI 2 ``formData`` parameter, invalid in 3.1), and
webargs would refuse a body before the 404 and 403 that must come first (as on the web)."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.api import document_schemas, errors, schemas, writes
from kerjasama_flow.api.blueprint import bp
from kerjasama_flow.api.forms import NO_CSRF, refuse
from kerjasama_flow.documents import queries, services
from kerjasama_flow.documents.forms import DocumentForm, ReplaceForm
from kerjasama_flow.permissions import can_read_agreement
from kerjasama_flow.tenancy import get_owned_or_404

MULTIPART = "multipart/form-data"
NOT_MULTIPART = (
    "Jenis isi permintaan tidak didukung: kirim berkas dan isiannya sebagai multipart/form-data."
)
Detail = document_schemas.DocumentDetailSchema


def _require_multipart() -> None:
    if request.mimetype != MULTIPART:
        errors.abort(415, NOT_MULTIPART)


def _form_data() -> CombinedMultiDict:
    return CombinedMultiDict((request.files, request.form))


def _version(text: str | None) -> int:
    """The version sent as text (a form field), read as ``writes.version_of`` reads JSON."""
    text = (text or "").strip()
    value: object = int(text) if text.isascii() and text.isdecimal() else text or None
    return writes.version_of({"version": value})


@bp.route("/agreements/<int:agreement_id>/documents", methods=["POST"])
@bp.doc(
    requestBody=document_schemas.multipart(
        document_schemas.DocumentUploadForm, "Berkas dan isian formulir unggah dokumen."
    ),
)
@bp.response(
    201,
    Detail,
    description="Dokumen tersimpan.",
    headers={"Location": {"description": "Alamat dokumen baru.", "schema": {"type": "string"}}},
)
def document_upload(agreement_id: int):
    """Upload a document to an agreement or one of its steps, validated by the web's form.
    Another government's agreement is a 404; an agreement the user may not read, or where
    they may upload nothing at all, a 403 (as the web's upload page)."""
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_read_agreement(current_user, agreement):
        errors.abort(403)
    choices = queries.upload_choices(current_user, agreement)
    if not choices.allowed:
        errors.abort(403)
    _require_multipart()
    form = DocumentForm(formdata=_form_data(), meta=NO_CSRF)
    form.offer_steps(choices.steps, with_agreement=choices.general)
    if not form.validate():
        refuse(form, {})
    milestone_kind, milestone_id = queries.parse_step(form.step.data)
    document = writes.commit(
        services.upload_document,
        writes.actor(),
        agreement,
        request.files.get(form.file.name),
        {"kind": form.kind.data, "title": form.title.data},
        services.Attachment(milestone_kind, milestone_id),
    )
    location = url_for("api.document", document_id=document.id)
    return document, 201, {"Location": location}


@bp.route("/documents/<int:document_id>")
@bp.response(200, Detail, description="Data dokumen.")
def document(document_id: int):
    """One document's metadata, for whoever may see it (as the web's download)."""
    return queries.document_for(current_user, document_id)


@bp.route("/documents/<int:document_id>/file")
@bp.doc(
    responses={
        "200": {
            "description": "Berkasnya.",
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=<nama berkas>",
                    "schema": {"type": "string"},
                }
            },
            "content": document_schemas.file_content(),
        }
    },
)
def document_file(document_id: int):
    """The document's file, sent exactly as the web sends it."""
    return queries.file_response(queries.document_for(current_user, document_id))


@bp.route("/documents/<int:document_id>/file", methods=["PUT"])
@bp.doc(
    requestBody=document_schemas.multipart(
        document_schemas.DocumentReplaceForm, "Berkas pengganti dan versi dokumen."
    ),
)
@bp.response(200, Detail, description="Dokumen dengan berkas barunya.")
def document_replace(document_id: int):
    """Replace a document's file, validated by the web's replace form; the version is a
    form field (missing: 428, not a whole number: 422, stale: 409)."""
    document = queries.document_for(current_user, document_id, change=True)
    _require_multipart()
    version = _version(request.form.get("version"))
    form = ReplaceForm(formdata=_form_data(), meta=NO_CSRF)
    if not form.validate():
        refuse(form, {})
    return writes.commit(
        services.replace_document,
        writes.actor(),
        document,
        request.files.get(form.file.name),
        {},
        version,
        current=lambda: Detail().dump(document),
    )


@bp.route("/documents/<int:document_id>", methods=["DELETE"])
@bp.arguments(schemas.VersionQuery, location="query")
@bp.response(204, description="Dokumen dihapus.")
def document_delete(query, document_id: int):
    """Delete a document; the version in the query string (missing: 428, stale: 409)."""
    document = queries.document_for(current_user, document_id, change=True)
    version = writes.version_of(query)
    writes.commit(
        services.delete_document,
        writes.actor(),
        document,
        version,
        current=lambda: Detail().dump(document),
    )
    return None
