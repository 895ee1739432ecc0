"""What needs attention first ("Perlu perhatian"): stalled agreements, the OPDs furthest behind,
KB/PKS ending soon and signed documents not yet reported to the Gubernur / Menteri Dalam Negeri.

Plain functions of the user, the filters and ``today`` returning dataclasses, with no HTML and
no URL: the dashboard, the weekly digest for leaders (``reminders.weekly``) and the JSON API
each present them their own way, and name the record by its id.

Scope: exactly the dashboard's (``dashboard.agreement_scope`` / ``task_scope``): an OPD head
sees the agreements their agency is involved in and only their own agency's tasks.

Cost: a fixed number of queries whatever the data (each list is one query with a LIMIT; the
agency list reuses the dashboard's agency rows when the caller has them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from sqlalchemy import case, exists, func, literal, or_, select, union_all

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import Agency, User
from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements import services as agreement_services
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, SigningReport
from kerjasama_flow.agreements.queries import stalled_condition
from kerjasama_flow.extensions import db
from kerjasama_flow.reports import dashboard
from kerjasama_flow.reports.dashboard import AgencyRow, DashboardFilters, EndingDocument
from kerjasama_flow.tasks.messaging import WA_ME, normalise_phone
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

LIST_LIMIT = 10  # lines shown per group; the group's link leads to the full list
AGENCY_LIMIT = 5
# "Berakhir dalam ... hari": as far ahead as the dashboard looks.
ENDING_DAYS = dashboard.ENDING_WITHIN_DAYS
_OPEN = tuple(sorted(OPEN_STATUSES))

# The headings, shared by the dashboard and the digest so that the mail reads like the page.
HEADINGS = {
    "stalled": "Kerja sama mandek",
    "agencies": "OPD dengan tugas lewat tenggat terbanyak",
    "ending": f"KB/PKS berakhir dalam {ENDING_DAYS} hari",
    "unreported": "Belum dilaporkan kepada Gubernur/Menteri Dalam Negeri",
}


# Why an agreement is stalled, as stable keys (``StalledAgreement.reason_keys``): the two
# kinds of dormancy (``lifecycle.dormancy``) and overdue steps of its path.
KB_WITHOUT_PKS = "kb_without_pks"
PKS_WITHOUT_REALISATION = "pks_without_realisation"
OVERDUE_STEPS = "overdue_steps"
STALLED_REASON_KEYS = (KB_WITHOUT_PKS, PKS_WITHOUT_REALISATION, OVERDUE_STEPS)


@dataclass(frozen=True)
class StalledAgreement:
    """An open agreement that does not move: dormant (``lifecycle.dormancy``) and/or with
    overdue steps of its path (open tasks that a recorded step completes, past their due
    date). ``reason_keys`` names each of ``reasons`` (same order) by a stable key."""

    agreement_id: int
    title: str
    reasons: tuple[str, ...]
    overdue_steps: int = 0
    waiting_since: date | None = None  # the signing it waits after, or the oldest due date
    reason_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class LaggingAgency:
    agency_id: int
    code: str
    name: str
    overdue: int
    open: int
    oldest_title: str | None
    oldest_days: int | None
    head_name: str | None
    email: str | None
    phone: str | None  # normalised for wa.me (``628...``), None without a plausible number


@dataclass(frozen=True)
class UnreportedDocument:
    """A signed KB or PKS in force whose report to the Gubernur/Mendagri is not recorded."""

    kind: str  # "KB/MoU" or "PKS"
    agreement_id: int
    agreement_title: str
    label: str
    signed_on: date
    days_since: int
    recipient: str
    document_kind: str  # the stable key: "kb" or "pks" (as the register's ``KINDS``)
    document_id: int  # the Mou's or the Pks's id


@dataclass
class Attention:
    stalled: list[StalledAgreement] = field(default_factory=list)
    agencies: list[LaggingAgency] = field(default_factory=list)
    ending: list[EndingDocument] = field(default_factory=list)
    unreported: list[UnreportedDocument] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.stalled) + len(self.agencies) + len(self.ending) + len(self.unreported)

    @property
    def is_empty(self) -> bool:
        return self.count == 0


# --- the whole list ---------------------------------------------------------------------------


def attention(
    user: User,
    filters: DashboardFilters,
    today: date,
    zone: str,
    agencies: list[AgencyRow] | None = None,
) -> Attention:
    """Everything that needs attention, each group worst first and at most ``LIST_LIMIT``
    lines. ``agencies``: the dashboard's ``agency_accountability`` rows when the caller has
    them already (saves their two queries)."""
    if agencies is None:
        agencies = dashboard.agency_accountability(user, filters, today, zone)
    return Attention(
        stalled=stalled_agreements(user, filters, today),
        agencies=lagging_agencies(agencies),
        ending=ending_soon(user, filters, today),
        unreported=unreported_documents(user, filters, today),
    )


# --- stalled agreements -----------------------------------------------------------------------


def stalled_agreements(
    user: User, filters: DashboardFilters, today: date, limit: int = LIST_LIMIT
) -> list[StalledAgreement]:
    """Dormant agreements (the settings ``dormant_kb_months``/``dormant_pks_months``) and
    agreements with overdue steps of their path, the longest waiting first. Two queries."""
    government = user.government
    latest_kb = select(func.max(Mou.signed_on)).where(Mou.agreement_id == Agreement.id)
    latest_pks = select(func.max(Pks.signed_on)).where(Pks.agreement_id == Agreement.id)
    kb_on, pks_on = latest_kb.scalar_subquery(), latest_pks.scalar_subquery()
    waits_since = case((Agreement.stage == lifecycle.Stage.KESEPAKATAN, kb_on), else_=pks_on)
    dormant_rows = db.session.execute(
        select(
            Agreement.id,
            Agreement.title,
            Agreement.stage,
            kb_on.label("kb_on"),
            pks_on.label("pks_on"),
        )
        .where(
            dashboard.agreement_scope(user, filters),
            stalled_condition(government, today),
        )
        .order_by(waits_since, Agreement.id)
        .limit(limit)
    ).all()
    kb_months = government_settings.get(government, "dormant_kb_months")
    pks_months = government_settings.get(government, "dormant_pks_months")

    found: dict[int, dict] = {}
    for row in dormant_rows:
        reason = lifecycle.dormancy(
            stage=row.stage,
            last_kb_signed_on=row.kb_on,
            last_pks_signed_on=row.pks_on,
            kb_months=kb_months,
            pks_months=pks_months,
            today=today,
        )
        if reason is None:  # the SQL twin and the rule agree; kept as a guard
            continue
        waits_for_pks = row.stage == lifecycle.Stage.KESEPAKATAN
        since = row.kb_on if waits_for_pks else row.pks_on
        found[row.id] = {
            "title": row.title,
            "reasons": [reason],
            "keys": [KB_WITHOUT_PKS if waits_for_pks else PKS_WITHOUT_REALISATION],
            "steps": 0,
            "since": since,
        }

    # Overdue steps of the path: open tasks that a recorded step completes, past due.
    step_rows = db.session.execute(
        select(
            Task.agreement_id,
            Agreement.title,
            func.count(Task.id).label("n"),
            func.min(Task.due_on).label("oldest_due"),
            func.min(Task.title).label("a_title"),
        )
        .join(Agreement, Agreement.id == Task.agreement_id)
        .where(
            dashboard.task_scope(user, filters),
            dashboard.agreement_scope(user, filters),
            Task.completed_by.is_not(None),
            Task.status.in_(_OPEN),
            Task.due_on < today,
        )
        .group_by(Task.agreement_id, Agreement.title)
        .order_by(func.min(Task.due_on), Task.agreement_id)
        .limit(limit)
    ).all()
    for row in step_rows:
        days = (today - row.oldest_due).days
        if row.n == 1:
            reason = f"Langkah “{row.a_title}” lewat tenggat {days} hari."
        else:
            reason = f"{row.n} langkah lewat tenggat, yang terlama {days} hari."
        entry = found.setdefault(
            row.agreement_id,
            {"title": row.title, "reasons": [], "keys": [], "steps": 0, "since": row.oldest_due},
        )
        entry["reasons"].append(reason)
        entry["keys"].append(OVERDUE_STEPS)
        entry["steps"] = int(row.n)
        if entry["since"] is None or row.oldest_due < entry["since"]:
            entry["since"] = row.oldest_due

    items = [
        StalledAgreement(
            agreement_id=agreement_id,
            title=entry["title"],
            reasons=tuple(entry["reasons"]),
            overdue_steps=entry["steps"],
            waiting_since=entry["since"],
            reason_keys=tuple(entry["keys"]),
        )
        for agreement_id, entry in found.items()
    ]
    items.sort(key=lambda item: (item.waiting_since or today, item.title, item.agreement_id))
    return items[:limit]


# --- the OPDs furthest behind -----------------------------------------------------------------


def lagging_agencies(agencies: list[AgencyRow], limit: int = AGENCY_LIMIT) -> list[LaggingAgency]:
    """The agencies with overdue tasks, most overdue first (the order of
    ``dashboard.agency_accountability``), with their head's contact for a nudge. One query
    (none when no agency is behind)."""
    behind = [row for row in agencies if row.overdue][:limit]
    if not behind:
        return []
    contacts = {
        row.id: row
        for row in db.session.execute(
            select(Agency.id, Agency.head_name, Agency.email, Agency.phone).where(
                Agency.id.in_([row.agency_id for row in behind])
            )
        )
    }
    return [
        LaggingAgency(
            agency_id=row.agency_id,
            code=row.code,
            name=row.name,
            overdue=row.overdue,
            open=row.open,
            oldest_title=row.oldest_title,
            oldest_days=row.oldest_days,
            head_name=contacts[row.agency_id].head_name,
            email=(contacts[row.agency_id].email or "").strip() or None,
            phone=normalise_phone(contacts[row.agency_id].phone),
        )
        for row in behind
    ]


def nudge_text(agency: LaggingAgency, tasks_url: str) -> str:
    """The nudge to an OPD head, for WhatsApp and e-mail alike."""
    greeting = f"Yth. {agency.head_name}," if agency.head_name else f"Yth. Kepala {agency.name},"
    oldest = (
        f" Yang terlama: “{agency.oldest_title}”, terlambat {agency.oldest_days} hari."
        if agency.oldest_title
        else ""
    )
    return (
        f"{greeting}\n\n{agency.name} ({agency.code}) memiliki {agency.overdue} tugas tindak "
        f"lanjut kerja sama daerah yang lewat tenggat.{oldest}\n\nMohon segera ditindaklanjuti "
        f"dan statusnya diperbarui: {tasks_url}"
    )


NUDGE_SUBJECT = "Tugas tindak lanjut kerja sama daerah lewat tenggat"


def whatsapp_nudge_url(agency: LaggingAgency, tasks_url: str) -> str:
    """wa.me with the nudge prefilled, to the agency's number (else the user picks one)."""
    return f"{WA_ME}{agency.phone or ''}?text={quote(nudge_text(agency, tasks_url), safe='')}"


def email_nudge_url(agency: LaggingAgency, tasks_url: str) -> str | None:
    """A mailto: link with the nudge, or None when the agency has no e-mail address."""
    if not agency.email:
        return None
    subject = quote(NUDGE_SUBJECT, safe="")
    body = quote(nudge_text(agency, tasks_url), safe="")
    return f"mailto:{agency.email}?subject={subject}&body={body}"


# --- documents ending soon --------------------------------------------------------------------


def ending_soon(
    user: User, filters: DashboardFilters, today: date, limit: int = LIST_LIMIT
) -> list[EndingDocument]:
    """KB/MoU and PKS of open agreements ending within ``ENDING_DAYS``, soonest first: the
    dashboard's list (``dashboard.ending_soon``, one query), its first ``limit``."""
    return dashboard.ending_soon(user, filters, today)[:limit]


# --- reports to the Gubernur / Mendagri not yet sent ------------------------------------------


def unreported_documents(
    user: User, filters: DashboardFilters, today: date, limit: int = LIST_LIMIT
) -> list[UnreportedDocument]:
    """Signed KB/MoU and PKS still in force (no end date, or ending today or later) of open
    agreements in scope, with no report recorded about them (``SigningReport``, as
    ``agreements.services.path_facts`` reads it), the oldest signing first. One query."""

    def unreported(model, kind: str, key: str, label_column, report_column):
        return (
            select(
                literal(kind).label("kind"),
                model.agreement_id.label("agreement_id"),
                Agreement.title.label("title"),
                label_column.label("label"),
                model.signed_on.label("signed_on"),
                literal(key).label("document_kind"),
                model.id.label("document_id"),
            )
            .join(Agreement, Agreement.id == model.agreement_id)
            .where(
                dashboard.agreement_scope(user, filters),
                Agreement.stage.not_in(dashboard.CLOSED_STAGES),
                or_(model.ends_on.is_(None), model.ends_on >= today),
                ~exists().where(report_column == model.id),
            )
            .order_by(model.signed_on, model.id)
            .limit(limit)
            .subquery()
        )

    docs = union_all(
        select(unreported(Mou, "KB/MoU", "kb", Mou.number_own, SigningReport.mou_id)),
        select(unreported(Pks, "PKS", "pks", Pks.title, SigningReport.pks_id)),
    ).subquery()
    rows = db.session.execute(
        select(docs).order_by(docs.c.signed_on, docs.c.title, docs.c.kind).limit(limit)
    ).all()
    recipient = agreement_services.report_recipient(user.government)
    return [
        UnreportedDocument(
            kind=row.kind,
            agreement_id=row.agreement_id,
            agreement_title=row.title,
            label=_document_label(row.kind, row.label),
            signed_on=_as_date(row.signed_on),
            days_since=(today - _as_date(row.signed_on)).days,
            recipient=recipient,
            document_kind=row.document_kind,
            document_id=row.document_id,
        )
        for row in rows
    ]


def _document_label(kind: str, label: str | None) -> str:
    if kind == "PKS":
        return f"PKS “{label}”" if label else "PKS"
    return f"KB/MoU nomor {label}" if label else "KB/MoU"


def _as_date(value) -> date:
    # A date from a UNION comes back typed on PostgreSQL; SQLite may hand back its text.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
