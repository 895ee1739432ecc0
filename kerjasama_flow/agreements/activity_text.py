"""The activity log in words: "Siti mengubah MoU/KB: Berakhir 1 Jan 2026 → 1 Jan 2027".

The log stores plain JSON values (codes, ISO dates, names); this module turns an entry into an
Indonesian sentence and a list of (field, before, after) in the labels users know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import (
    SECTORS,
    AgreementKind,
    AmendmentKind,
    DprdBasis,
    MouKind,
    OfferDirection,
    PartnerKind,
    TerminationReason,
    TkksdRecommendation,
    VisitDirection,
)
from kerjasama_flow.documents.models import DocumentKind
from kerjasama_flow.formatting import (
    format_file_size,
    format_number,
    format_rupiah,
    format_short_date,
)
from kerjasama_flow.tasks.models import TaskStatus

ENTITY_LABELS = {
    "agreement": "kerja sama",
    "visit": "kunjungan kerja",
    "mou": "KB/MoU",
    "pks": "PKS",
    "transaction": "transaksi",
    "activity": "realisasi kegiatan",
    "offer": "penawaran kerja sama",
    "tkksd": "pembahasan TKKSD",
    "legal_review": "telaah hukum",
    "dprd": "persetujuan DPRD",
    "report": "pelaporan",
    "amendment": "addendum/pengakhiran",
    "task": "tugas",
    "partner": "mitra",
    "evaluation": "monev",
    "document": "dokumen",
}
ACTION_VERBS = {
    "created": "mencatat",
    "updated": "mengubah",
    "deleted": "menghapus",
    "status_changed": "memperbarui status",
    "stage_changed": "mengubah tahap",
    "reopened": "membuka kembali",  # an admin took back a completion or a cancellation
    "rescheduled": "menggeser tenggat",  # a task's due date followed its step's new date
    "reassigned": "memindahkan",  # a task went to the OPD pengampu once it was set
    "uploaded": "mengunggah",
    "replaced": "mengganti berkas",
}
FIELD_LABELS = {
    # agreement
    "title": "Judul",
    "kind": "Jenis",
    "lead_agency": "OPD pengampu",
    "partners": "Mitra",
    "sectors": "Sektor",
    "commodities": "Komoditas",
    "origin_event": "Asal kerja sama",
    "description": "Uraian",
    "external_ref": "Nomor referensi",
    "visit_planned_on": "Rencana kunjungan",
    "stage": "Tahap",
    "reason": "Alasan",
    # milestones
    "visited_on": "Tanggal kunjungan",
    "place": "Tempat",
    "direction": "Arah kunjungan",
    "delegation": "Delegasi",
    "topics": "Pokok pembahasan",
    "notes": "Catatan",
    "document_kind": "Jenis dokumen",
    "number_own": "Nomor pihak kita",
    "number_partner": "Nomor pihak mitra",
    "signed_on": "Tanggal penandatanganan",
    "signatory_own": "Penanda tangan pihak kita",
    "signatory_partner": "Penanda tangan pihak mitra",
    "starts_on": "Mulai berlaku",
    "ends_on": "Berakhir",
    "mou": "KB/MoU",
    "is_direct": "PKS langsung",
    "direct_reason": "Alasan PKS langsung",
    "agencies": "OPD pelaksana",
    "partner_agency": "Pelaksana pihak mitra",
    "scope": "Ruang lingkup",
    "pks": "PKS",
    "transacted_on": "Tanggal transaksi",
    "buyer": "Pembeli",
    "seller": "Penjual",
    "commodity": "Komoditas",
    "volume": "Volume",
    "unit": "Satuan",
    "value_rp": "Nilai",
    "held_on": "Tanggal kegiatan",
    "participants": "Peserta",
    "output": "Hasil",
    "signatory_own_office": "Jabatan penanda tangan pihak kita",
    "signatory_partner_office": "Jabatan penanda tangan pihak mitra",
    "signed_by_proxy": "Dengan surat kuasa",
    "proxy_letter_number": "Nomor surat kuasa",
    "proxy_letter_on": "Tanggal surat kuasa",
    "letter_on": "Tanggal surat penawaran",
    "letter_number": "Nomor surat",
    "reply_on": "Tanggal surat jawaban",
    "reply_number": "Nomor surat jawaban",
    "proposing_agency": "OPD pengusul",
    "plan_summary": "Rencana kerja sama / kajian",
    "chaired_by": "Dipimpin oleh",
    "subject": "Yang dibahas",
    "recommendation": "Rekomendasi",
    "minutes": "Notulen",
    "reviewed_on": "Tanggal telaah",
    "draft": "Draf",
    "result": "Hasil telaah",
    "paraf_kabag_on": "Paraf Kepala Bagian",
    "paraf_asisten_on": "Paraf Asisten",
    "paraf_sekda_on": "Paraf Sekretaris Daerah",
    "requested_on": "Tanggal surat permohonan",
    "request_number": "Nomor surat permohonan",
    "approved_on": "Tanggal persetujuan DPRD",
    "decision_number": "Nomor persetujuan DPRD",
    "sent_on": "Tanggal surat laporan",
    "recipient": "Kepada",
    "amendment_kind": "Jenis",
    "number": "Nomor",
    "summary": "Pokok perubahan",
    "new_ends_on": "Tanggal berakhir baru",
    "termination_reason": "Alasan pengakhiran",
    "needs_dprd": "Memerlukan persetujuan DPRD",
    "dprd_basis": "Alasan persetujuan DPRD",
    # tasks
    "agency": "OPD",
    "assignee": "Penanggung jawab",
    "due_on": "Tenggat",
    "status": "Status",
    "note": "Catatan",
    # documents
    "file_name": "Berkas",
    "size_bytes": "Ukuran",
    "sha256": "Sidik SHA-256",
    # partners
    "name": "Nama",
    "region_code": "Kode wilayah",
    "province": "Provinsi",
    "contact": "Kontak",
}
# Fields worth repeating when something is created or deleted (the rest is on the page).
_SUMMARY_FIELDS = {
    "agreement": ("kind", "partners", "lead_agency", "stage"),
    "visit": ("visited_on", "place", "direction"),
    "mou": ("document_kind", "signed_on", "starts_on", "ends_on"),
    "pks": ("signed_on", "mou", "is_direct", "agencies", "ends_on"),
    "transaction": ("transacted_on", "commodity", "value_rp"),
    "activity": ("held_on", "place"),
    "offer": ("direction", "letter_on", "letter_number"),
    "tkksd": ("held_on", "recommendation"),
    "legal_review": ("reviewed_on", "draft"),
    "dprd": ("requested_on", "approved_on"),
    "report": ("sent_on", "recipient", "letter_number"),
    "amendment": ("amendment_kind", "signed_on", "new_ends_on", "termination_reason"),
    "task": ("agency", "due_on"),
    "document": ("kind", "file_name", "size_bytes"),
}
_ENUMS_BY_FIELD = {
    "stage": Stage,
    "document_kind": MouKind,
    "direction": VisitDirection,
    "status": TaskStatus,
    "amendment_kind": AmendmentKind,
    "termination_reason": TerminationReason,
    "dprd_basis": DprdBasis,
}
# The same field name with another meaning in one entity.
_ENUMS_BY_ENTITY_FIELD = {
    ("offer", "direction"): OfferDirection,
    ("tkksd", "recommendation"): TkksdRecommendation,
}
_LONG_TEXT = 160
EMPTY = "–"


@dataclass
class ActivityLine:
    at: datetime
    actor_name: str
    summary: str
    changes: list[tuple[str, str | None, str]] = field(default_factory=list)


def _enum_label(enum_cls, value: Any) -> str:
    try:
        return enum_cls(value).label
    except ValueError:
        return str(value)


def display(entity: str, name: str, value: Any, documents: dict[int, str] | None = None) -> str:
    """One logged value as users read it. The log keeps an MoU/KB by its id (it has no name):
    ``documents`` maps the agreement's MoU ids to their labels."""
    if value is None or value == "" or value == []:
        return EMPTY
    if name == "mou" and isinstance(value, int) and not isinstance(value, bool):
        return (documents or {}).get(value, "MoU/KB yang sudah dihapus")
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if name == "kind":
        kinds = {"partner": PartnerKind, "document": DocumentKind}
        return _enum_label(kinds.get(entity, AgreementKind), value)
    if name == "size_bytes" and isinstance(value, int):
        return format_file_size(value)
    if (entity, name) in _ENUMS_BY_ENTITY_FIELD:
        return _enum_label(_ENUMS_BY_ENTITY_FIELD[entity, name], value)
    if name in _ENUMS_BY_FIELD:
        return _enum_label(_ENUMS_BY_FIELD[name], value)
    if name == "sectors" and isinstance(value, list):
        return ", ".join(SECTORS.get(code, str(code)) for code in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if name.endswith("_on") and isinstance(value, str):
        try:
            return format_short_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if name == "value_rp":
        try:
            return format_rupiah(int(value))
        except (TypeError, ValueError):
            return str(value)
    if name == "volume":
        try:
            return format_number(Decimal(str(value)).normalize())
        except InvalidOperation:
            return str(value)
    text = str(value)
    return text if len(text) <= _LONG_TEXT else text[: _LONG_TEXT - 1] + "…"


def _item_name(entity: str, values: dict[str, Any]) -> str | None:
    """A short name of the record the entry is about, from the logged values."""
    if entity in ("agreement", "pks", "task", "document") and values.get("title"):
        return f"“{display(entity, 'title', values['title'])}”"
    if entity == "mou" and values.get("signed_on"):
        return f"tanggal {display(entity, 'signed_on', values['signed_on'])}"
    if entity == "visit" and values.get("visited_on"):
        return f"tanggal {display(entity, 'visited_on', values['visited_on'])}"
    if entity == "transaction" and values.get("commodity"):
        return display(entity, "commodity", values["commodity"])
    if entity == "activity" and values.get("name"):
        return f"“{display(entity, 'name', values['name'])}”"
    if entity == "partner" and values.get("name"):
        return values["name"]
    return None


def describe(entry: ActivityLog, documents: dict[int, str] | None = None) -> ActivityLine:
    """``entry`` in words; ``documents`` names the agreement's MoU/KB by id (see ``display``)."""
    entity = entry.entity
    before, after = entry.before or {}, entry.after or {}
    actor = entry.actor.name if entry.actor else "Sistem"
    what = ENTITY_LABELS.get(entity, entity)
    verb = ACTION_VERBS.get(entry.action, entry.action)
    changes: list[tuple[str, str | None, str]] = []

    if entry.action in ("stage_changed", "reopened"):
        summary = f"{actor} {verb} kerja sama"  # "mengubah tahap" / "membuka kembali"
        changes.append(
            (
                FIELD_LABELS["stage"],
                display(entity, "stage", before.get("stage")),
                display(entity, "stage", after.get("stage")),
            )
        )
        if after.get("reason"):
            reason = display(entity, "reason", after["reason"])
            changes.append((FIELD_LABELS["reason"], None, reason))
        return ActivityLine(entry.at, actor, summary, changes)

    if entry.action in ("created", "deleted", "uploaded"):
        values = before if entry.action == "deleted" else after
        name = _item_name(entity, values)
        summary = f"{actor} {verb} {what}" + (f" {name}" if name else "")
        for key in _SUMMARY_FIELDS.get(entity, ()):
            if values.get(key) not in (None, "", []):
                shown = display(entity, key, values[key], documents)
                changes.append((FIELD_LABELS.get(key, key), None, shown))
        return ActivityLine(entry.at, actor, summary, changes)

    summary = f"{actor} {verb} {what}"
    for key in after:
        changes.append(
            (
                FIELD_LABELS.get(key, key),
                display(entity, key, before.get(key), documents),
                display(entity, key, after.get(key), documents),
            )
        )
    return ActivityLine(entry.at, actor, summary, changes)
