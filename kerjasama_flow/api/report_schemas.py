"""The schemas of the API's report endpoints (``api.reports``): the register of KB/PKS
(``/register``) and the dashboard's figures with its "perlu perhatian" list (``/summary``).

The queries take the web pages' filters, validated with Indonesian messages (the helpers of
``api.schemas``). The answers are plain fields only (no ``Function`` fields): every key is
described, ``required`` where always present and ``allow_none`` where it may be null, so the
OpenAPI document says exactly what comes back and a client (or a test) can load an answer
back through the same schema. Enums are the code's stable keys, each with an Indonesian
``label`` beside it where the web shows one; money is whole Rupiah.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.lifecycle import Stage, Standing
from kerjasama_flow.agreements.models import SECTORS
from kerjasama_flow.agreements.register import KINDS
from kerjasama_flow.api.messages import RequestSchema
from kerjasama_flow.api.schemas import MESSAGES, PageQuery, _choice, _id_filter, _int, page_schema
from kerjasama_flow.reports.attention import STALLED_REASON_KEYS
from kerjasama_flow.reports.dashboard import REALISATION_LABELS

# The years a filter may name: the realisation compares a year with the one before it.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# The register page cuts its search at 100 characters; the API refuses a longer one.
REGISTER_QUERY_LENGTH = 100

DOCUMENT_KINDS = list(KINDS)  # "kb", "pks"
MILESTONE_KINDS = {"kb": "mou", "pks": "pks"}  # the same document among the milestones


def _year(description: str) -> fields.Integer:
    return _int(FIRST_YEAR, LAST_YEAR, metadata={"description": description})


# --- queries ----------------------------------------------------------------------------------


class RegisterQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=REGISTER_QUERY_LENGTH, error="Paling banyak {max} karakter."),
        error_messages=MESSAGES,
        metadata={"description": "Cari di judul, nomor, dan nama para pihak."},
    )
    kind = _choice(
        DOCUMENT_KINDS, "Jenis dokumen: kb (Kesepakatan Bersama) atau pks (Perjanjian Kerja Sama)."
    )
    standing = _choice([s.value for s in Standing], "Status dokumen hari ini.")
    year = _year("Tahun penandatanganan.")
    partner = _id_filter("Id mitra.")


class SummaryQuery(RequestSchema):
    year = _year("Tahun pencatatan kerja sama; juga tahun realisasi (tanpa filter: tahun ini).")
    sector = _choice(list(SECTORS), "Kode bidang.")
    partner = _id_filter("Id mitra.")
    agency = _id_filter("Id OPD pengampu.")


# --- the register -----------------------------------------------------------------------------


def _key(values, description: str, **kwargs) -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(values)), metadata={"description": description}, **kwargs
    )


class RegisterRowSchema(Schema):
    kind = _key(DOCUMENT_KINDS, "kb atau pks.", required=True)
    kind_label = fields.String(required=True)
    id = fields.Integer(required=True, metadata={"description": "Id KB (MoU) atau PKS."})
    milestone_kind = _key(
        MILESTONE_KINDS.values(),
        "Jenis langkah pada /agreements/{id}: mou atau pks.",
        required=True,
    )
    title = fields.String(required=True, metadata={"description": "Judul KB/PKS."})
    agreement_id = fields.Integer(required=True)
    agreement_title = fields.String(required=True)
    number_own = fields.String(required=True, allow_none=True)
    number_partner = fields.String(required=True, allow_none=True)
    party_own = fields.String(
        required=True, metadata={"description": "Pihak Kesatu: pemda, atau OPD pelaksana PKS."}
    )
    party_partner = fields.String(required=True, metadata={"description": "Pihak Kedua."})
    partner_ids = fields.List(fields.Integer(), required=True)
    agency_ids = fields.List(
        fields.Integer(), required=True, metadata={"description": "OPD pelaksana PKS."}
    )
    signed_on = fields.Date(required=True)
    starts_on = fields.Date(required=True, allow_none=True)
    ends_on = fields.Date(required=True, allow_none=True)
    standing = _key([s.value for s in Standing], "Status dokumen hari ini.", required=True)
    standing_label = fields.String(required=True)


RegisterPage = page_schema(RegisterRowSchema, "RegisterPage")


# --- the summary ------------------------------------------------------------------------------


class SummaryFiltersSchema(Schema):
    year = fields.Integer(required=True, allow_none=True)
    sector = fields.String(required=True, allow_none=True)
    partner = fields.Integer(required=True, allow_none=True)
    agency = fields.Integer(required=True, allow_none=True)
    active_count = fields.Integer(required=True)


class SummaryScopeSchema(Schema):
    role = _key([r.value for r in Role], "Peran pemilik token.", required=True)
    agency_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "Token OPD: hanya kerja sama yang melibatkan OPD ini dan tugasnya."
        },
    )


class StageCountSchema(Schema):
    stage = _key([s.value for s in Stage], "Tahap.", required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)


class AgreementFiguresSchema(Schema):
    total = fields.Integer(required=True)
    by_stage = fields.List(fields.Nested(StageCountSchema), required=True)


class DocumentFiguresSchema(Schema):
    active_kb = fields.Integer(required=True)
    active_pks = fields.Integer(required=True)


class TaskFiguresSchema(Schema):
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    due_this_week = fields.Integer(required=True)
    done = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    done_late = fields.Integer(required=True)


class PeriodCountsSchema(Schema):
    visits = fields.Integer(required=True)
    mous = fields.Integer(required=True)
    pks = fields.Integer(required=True)
    transactions = fields.Integer(required=True)
    transaction_value = fields.Integer(
        required=True, metadata={"description": "Nilai transaksi, Rupiah."}
    )
    activities = fields.Integer(required=True)


class RealisationItemSchema(Schema):
    key = _key([key for key, _ in REALISATION_LABELS], "Angka realisasi.", required=True)
    label = fields.String(required=True)
    current = fields.Integer(required=True)
    previous = fields.Integer(required=True)


class RealisationSchema(Schema):
    year = fields.Integer(required=True)
    previous_year = fields.Integer(required=True)
    current = fields.Nested(PeriodCountsSchema, required=True)
    previous = fields.Nested(PeriodCountsSchema, required=True)
    items = fields.List(fields.Nested(RealisationItemSchema), required=True)


class AgencyFiguresSchema(Schema):
    agency_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    done = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    done_late = fields.Integer(required=True)
    due_this_week = fields.Integer(required=True)
    on_time_percent = fields.Integer(required=True, allow_none=True)
    oldest_overdue_title = fields.String(required=True, allow_none=True)
    oldest_overdue_days = fields.Integer(required=True, allow_none=True)


class StalledReasonSchema(Schema):
    key = _key(STALLED_REASON_KEYS, "Alasan mandek.", required=True)
    label = fields.String(required=True)


class StalledAgreementSchema(Schema):
    agreement_id = fields.Integer(required=True)
    title = fields.String(required=True)
    reasons = fields.List(fields.Nested(StalledReasonSchema), required=True)
    overdue_steps = fields.Integer(required=True)
    waiting_since = fields.Date(required=True, allow_none=True)


class AgencyContactSchema(Schema):
    head_name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(
        required=True, allow_none=True, metadata={"description": "Nomor untuk wa.me (628…)."}
    )


class LaggingAgencySchema(Schema):
    agency_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    overdue = fields.Integer(required=True)
    open = fields.Integer(required=True)
    oldest_overdue_title = fields.String(required=True, allow_none=True)
    oldest_overdue_days = fields.Integer(required=True, allow_none=True)
    contact = fields.Nested(
        AgencyContactSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Kontak kepala OPD untuk pengingat; null untuk token OPD."},
    )


class EndingDocumentSchema(Schema):
    document_kind = _key(DOCUMENT_KINDS, "kb atau pks.", required=True)
    document_id = fields.Integer(required=True)
    label = fields.String(required=True)
    agreement_id = fields.Integer(required=True)
    agreement_title = fields.String(required=True)
    ends_on = fields.Date(required=True)
    days_left = fields.Integer(required=True)


class UnreportedDocumentSchema(Schema):
    document_kind = _key(DOCUMENT_KINDS, "kb atau pks.", required=True)
    document_id = fields.Integer(required=True)
    label = fields.String(required=True)
    agreement_id = fields.Integer(required=True)
    agreement_title = fields.String(required=True)
    signed_on = fields.Date(required=True)
    days_since = fields.Integer(required=True)
    recipient = fields.String(required=True)


class AttentionHeadingsSchema(Schema):
    stalled = fields.String(required=True)
    agencies = fields.String(required=True)
    ending = fields.String(required=True)
    unreported = fields.String(required=True)


class AttentionSchema(Schema):
    count = fields.Integer(required=True)
    headings = fields.Nested(AttentionHeadingsSchema, required=True)
    stalled = fields.List(fields.Nested(StalledAgreementSchema), required=True)
    agencies = fields.List(fields.Nested(LaggingAgencySchema), required=True)
    ending = fields.List(fields.Nested(EndingDocumentSchema), required=True)
    unreported = fields.List(fields.Nested(UnreportedDocumentSchema), required=True)


class SummarySchema(Schema):
    as_of = fields.Date(required=True, metadata={"description": "Hari ini di zona waktu pemda."})
    filters = fields.Nested(SummaryFiltersSchema, required=True)
    scope = fields.Nested(SummaryScopeSchema, required=True)
    agreements = fields.Nested(AgreementFiguresSchema, required=True)
    documents = fields.Nested(DocumentFiguresSchema, required=True)
    tasks = fields.Nested(TaskFiguresSchema, required=True)
    realisation = fields.Nested(RealisationSchema, required=True)
    agencies = fields.List(fields.Nested(AgencyFiguresSchema), required=True)
    attention = fields.Nested(AttentionSchema, required=True)
