"""The schemas of the document endpoints (``api.documents``). The multipart bodies are
described here for the OpenAPI document only: the upload is checked by the web's own
``DocumentForm`` and ``uploads.check``, so that its rules and messages are the web's."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from kerjasama_flow import uploads
from kerjasama_flow.api import schemas
from kerjasama_flow.api.messages import RequestSchema
from kerjasama_flow.db import MAX_ID, max_length
from kerjasama_flow.documents.models import Document, DocumentKind

# What a download may be: every type an upload is accepted as (``uploads.ACCEPTED``).
FILE_TYPES = tuple(uploads.ACCEPTED)
BINARY = {"type": "string", "format": "binary"}
FILE_DESCRIPTION = (
    f"Berkasnya: {uploads.ACCEPTED_LABELS}, paling besar "
    f"{uploads.megabytes(uploads.DEFAULT_MAX_BYTES)} (bawaan). Jenisnya dinilai dari isinya, "
    "bukan dari nama berkas."
)


class DocumentDetailSchema(schemas.DocumentSchema):
    agreement_id = fields.Integer(required=True)
    file_url = fields.Function(
        lambda d: url_for("api.document_file", document_id=d.id),
        required=True,
        metadata={"description": "Alamat unduhan berkasnya."},
    )


class DocumentUploadForm(RequestSchema):
    """The body of an upload (multipart/form-data): the web upload form's fields."""

    file = Upload(required=True, metadata={"description": FILE_DESCRIPTION})
    kind = fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in DocumentKind]),
        metadata={
            "description": "Jenis dokumen. Kepala OPD hanya mengunggah bukti (`bukti`) "
            "untuk realisasi PKS yang dilaksanakan OPD-nya."
        },
    )
    step = fields.String(
        metadata={
            "description": "Tahapan yang didokumentasikan: `<kind>-<id>` dari daftar tahapan "
            "kerja sama (misalnya `mou-5`); kosong untuk kerja sama secara umum."
        },
    )
    title = fields.String(
        validate=validate.Length(max=max_length(Document.title)),
        metadata={"description": "Judul (opsional); bila kosong, nama berkas dipakai."},
    )


class DocumentReplaceForm(RequestSchema):
    """The body of a replacement (multipart/form-data): the new file and the version read."""

    file = Upload(required=True, metadata={"description": FILE_DESCRIPTION})
    version = fields.Integer(
        required=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "Versi dokumen yang Anda baca (`version`)."},
    )


def multipart(schema: type[Schema], description: str) -> dict:
    """An OpenAPI ``requestBody`` of ``schema`` as multipart/form-data (for ``bp.doc``)."""
    return {
        "required": True,
        "description": description,
        "content": {"multipart/form-data": {"schema": schema}},
    }


def file_content() -> dict:
    """The 200 answer of a download: the file's bytes, of one of the accepted types."""
    return {mime: {"schema": BINARY} for mime in FILE_TYPES}
