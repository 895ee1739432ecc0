"""The API's marshmallow schemas: what the requests may say (validated, field by field, with
Indonesian messages) and what the answers hold. flask-smorest writes the OpenAPI document
from them. JSON conventions: ids are integers, dates ISO 8601, money whole Rupiah, enums the
code's stable keys (``penjajakan``, ``in_progress``)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from kerjasama_flow.agreements.forms import MILESTONE_FORMS
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import SECTORS
from kerjasama_flow.api.forms import record_values
from kerjasama_flow.api.messages import MESSAGES, VERSION_INVALID, RequestSchema
from kerjasama_flow.db import MAX_ID
from kerjasama_flow.tasks.models import TaskStatus

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
QUERY_LENGTH = 200


def _int(low: int, high: int, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=False,
        validate=validate.Range(low, high, error="Harus bilangan bulat {min} sampai {max}."),
        error_messages={**MESSAGES, "invalid": "Harus bilangan bulat."},
        **kwargs,
    )


def _id_filter(description: str) -> fields.Integer:
    return _int(1, MAX_ID, metadata={"description": description})


def _choice(values: list[str], description: str) -> fields.String:
    return fields.String(
        validate=validate.OneOf(values, error="Harus salah satu dari: {choices}."),
        error_messages=MESSAGES,
        metadata={"description": description},
    )


class PageQuery(RequestSchema):
    page = _int(1, MAX_PAGE, load_default=1, metadata={"description": "Halaman, mulai 1."})
    per_page = _int(
        1,
        MAX_PER_PAGE,
        load_default=20,
        metadata={"description": f"Jumlah per halaman, paling banyak {MAX_PER_PAGE}."},
    )


class VersionQuery(RequestSchema):
    """``?version=N`` of a DELETE: the version of the record the client read."""

    version = fields.Integer(
        strict=False,
        validate=validate.Range(1, MAX_ID, error=VERSION_INVALID),
        error_messages={**MESSAGES, "invalid": VERSION_INVALID},
        metadata={"description": "Versi data yang Anda baca (wajib; tanpa versi: 428)."},
    )


class AgreementQuery(PageQuery):
    stage = _choice([s.value for s in Stage], "Tahap kerja sama.")
    partner = _id_filter("Id mitra.")
    sector = _choice(list(SECTORS), "Kode bidang.")
    agency = _id_filter("Id OPD pengampu.")
    q = fields.String(
        validate=validate.Length(max=QUERY_LENGTH, error="Paling banyak {max} karakter."),
        error_messages=MESSAGES,
        metadata={"description": "Cari di judul, komoditas, asal, dan nama mitra."},
    )


class TaskQuery(PageQuery):
    agency = _id_filter("Id OPD (diabaikan untuk token OPD: selalu OPD-nya sendiri).")
    status = _choice([s.value for s in TaskStatus], "Status tugas.")
    overdue = fields.Boolean(
        error_messages={**MESSAGES, "invalid": "Harus true atau false."},
        metadata={"description": "true: hanya tugas terbuka yang lewat tenggat."},
    )
    agreement = _id_filter("Id kerja sama.")


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)
    current = fields.Dict(
        metadata={"description": "Pada 409: data sebagaimana sekarang tersimpan."},
    )


# --- answers ----------------------------------------------------------------------------------


class AgencySchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    head_name = fields.String(allow_none=True)
    is_coordinator = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class PartnerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.Function(lambda p: p.kind.value, required=True)
    region_code = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    agreement_count = fields.Integer(required=True)


class AgreementSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.Function(lambda a: a.kind.value, required=True)
    stage = fields.Enum(Stage, by_value=True, required=True)
    stage_reason = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    lead_agency_id = fields.Integer(allow_none=True)
    partner_ids = fields.Function(lambda a: [p.id for p in a.partners], required=True)
    sectors = fields.Function(lambda a: sorted(a.sectors), required=True)
    commodities = fields.String(allow_none=True)
    origin_event = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True)


def milestone_details(milestone) -> dict[str, Any]:
    """Every field of the step's form but its day, under the names a body uses: what a
    client reads is what it may send back in a PATCH."""
    return record_values(MILESTONE_FORMS[milestone.kind], milestone, milestone.date_field)


class MilestoneSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    date = fields.Date(required=True, attribute="occurred_on")
    version = fields.Integer(required=True)
    notes = fields.String(allow_none=True)
    details = fields.Function(milestone_details, required=True)


class DocumentSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.Function(lambda d: d.kind.value, required=True)
    file_name = fields.String(required=True)
    mime_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    milestone_kind = fields.String(allow_none=True)
    milestone_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime(required=True)
    version = fields.Integer(required=True)


class AgreementDetailSchema(AgreementSchema):
    description = fields.String(allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), required=True)
    documents = fields.List(fields.Nested(DocumentSchema), required=True)


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    status = fields.Enum(TaskStatus, by_value=True, required=True)
    due_on = fields.Date(required=True)
    agency_id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    assignee_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    # How it was closed, when it was: when, by whom or what, and the step that closed it.
    done_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    closure = fields.Function(lambda t: t.closure.value if t.closure else None, allow_none=True)
    closed_by_kind = fields.String(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...], "total": N, "page": P, "per_page": K}`` of ``item``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


AgencyPage = page_schema(AgencySchema, "AgencyPage")
PartnerPage = page_schema(PartnerSchema, "PartnerPage")
AgreementPage = page_schema(AgreementSchema, "AgreementPage")
TaskPage = page_schema(TaskSchema, "TaskPage")
