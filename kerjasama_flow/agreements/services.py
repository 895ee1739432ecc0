"""State changes of agreements, partners and milestones.

Services validate against the lifecycle rules, change the session and flush; they never
commit. The caller (a view, the CLI, the API) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from flask import current_app
from sqlalchemy import extract, func, inspect, select, true

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Agency, Government, User
from kerjasama_flow.activity.services import log_action, log_changes, snapshot
from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements.lifecycle import Action, Facts, Stage
from kerjasama_flow.agreements.models import (
    MILESTONE_LABELS,
    MILESTONE_MODELS,
    SECTORS,
    Agreement,
    AgreementKind,
    Amendment,
    Mou,
    OfferDirection,
    Partner,
    PartnerKind,
    Pks,
    RealisedActivity,
    SigningReport,
    Transaction,
    Visit,
)
from kerjasama_flow.agreements.signals import (
    FollowUp,
    agreement_changed,
    milestone_changed,
    milestone_deleted,
    milestone_recorded,
    stage_changed,
)
from kerjasama_flow.db import check_version, utcnow
from kerjasama_flow.errors import DomainError, refuse_any
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.permissions import can_reopen_agreement
from kerjasama_flow.tasks import holding

AGREEMENT_FIELDS = (
    "title",
    "kind",
    "lead_agency",
    "partners",
    "sectors",
    "commodities",
    "origin_event",
    "description",
    "external_ref",
    "visit_planned_on",
    "needs_dprd",
    "dprd_basis",
)

MILESTONE_FIELDS: dict[str, tuple[str, ...]] = {
    "visit": ("visited_on", "place", "direction", "delegation", "topics", "notes"),
    "mou": (
        "document_kind",
        "number_own",
        "number_partner",
        "signed_on",
        "place",
        "signatory_own",
        "signatory_partner",
        "starts_on",
        "ends_on",
        "notes",
    ),
    "pks": (
        "title",
        "mou",
        "is_direct",
        "direct_reason",
        "agencies",
        "partner_agency",
        "number_own",
        "number_partner",
        "signed_on",
        "starts_on",
        "ends_on",
        "scope",
        "notes",
    ),
    "transaction": (
        "pks",
        "transacted_on",
        "buyer",
        "seller",
        "commodity",
        "volume",
        "unit",
        "value_rp",
        "notes",
    ),
    "activity": ("mou", "pks", "held_on", "name", "place", "participants", "output", "notes"),
    "offer": (
        "direction",
        "letter_on",
        "letter_number",
        "reply_on",
        "reply_number",
        "proposing_agency",
        "plan_summary",
        "notes",
    ),
    "tkksd": ("held_on", "chaired_by", "subject", "recommendation", "minutes", "notes"),
    "legal_review": (
        "reviewed_on",
        "draft",
        "result",
        "paraf_kabag_on",
        "paraf_asisten_on",
        "paraf_sekda_on",
        "notes",
    ),
    "dprd": ("requested_on", "request_number", "approved_on", "decision_number", "notes"),
    "report": ("mou", "pks", "sent_on", "recipient", "letter_number", "notes"),
    "amendment": (
        "mou",
        "pks",
        "amendment_kind",
        "signed_on",
        "number",
        "summary",
        "new_ends_on",
        "termination_reason",
        "notes",
    ),
}
MILESTONE_FIELDS["mou"] += ("signatory_own_office", "signatory_partner_office")
MILESTONE_FIELDS["pks"] += (
    "signatory_own",
    "signatory_own_office",
    "signatory_partner",
    "signatory_partner_office",
    "signed_by_proxy",
    "proxy_letter_number",
    "proxy_letter_on",
)


def dormancy_of(agreement: Agreement, today: date) -> str | None:
    """Why ``agreement`` is stalled ("mandek"), by its government's settings, or None."""
    government = agreement.government
    return lifecycle.dormancy(
        stage=agreement.stage,
        last_kb_signed_on=max((mou.signed_on for mou in agreement.mous), default=None),
        last_pks_signed_on=max((pks.signed_on for pks in agreement.pks_list), default=None),
        kb_months=government_settings.get(government, "dormant_kb_months"),
        pks_months=government_settings.get(government, "dormant_pks_months"),
        today=today,
    )


def facts_for(agreement: Agreement) -> Facts:
    """What the lifecycle needs to know of the agreement's milestones (its stage, the next
    milestone, the stepper)."""
    return Facts(
        has_visit=bool(agreement.visits),
        has_mou=bool(agreement.mous),
        has_pks=bool(agreement.pks_list),
        has_transaction=bool(agreement.transactions),
        has_activity=bool(agreement.activities),
    )


def path_facts(agreement: Agreement, today: date) -> lifecycle.PathFacts:
    """What the administrative path of ``agreement`` has recorded, for
    ``lifecycle.missing_steps`` (its loaded steps; ``queries.load_detail`` loads them)."""
    reported = {(report.mou_id, report.pks_id) for report in agreement.reports}
    labelled = [
        (mou, f"{mou.document_kind.label} {format_date(mou.signed_on)}", (mou.id, None))
        for mou in agreement.mous
    ] + [(pks, f"PKS “{pks.title}”", (None, pks.id)) for pks in agreement.pks_list]
    documents = tuple(
        lifecycle.SignedDocument(
            label=label,
            registered=bool(document.number_own and document.number_partner),
            reported=key in reported,
            ended=document.ends_on is not None and document.ends_on < today,
        )
        for document, label, key in labelled
    )
    meetings, reviews = agreement.tkksd_meetings, agreement.legal_reviews
    return lifecycle.PathFacts(
        stage=agreement.stage,
        facts=facts_for(agreement),
        has_offer=bool(agreement.offers),
        unanswered_offer=any(
            offer.direction == OfferDirection.INCOMING and offer.reply_on is None
            for offer in agreement.offers
        ),
        tkksd_recommendation=meetings[-1].recommendation.value if meetings else None,
        has_legal_review=bool(reviews),
        initialled=bool(reviews) and reviews[-1].is_initialled,
        needs_dprd=agreement.needs_dprd,
        dprd_approved=dprd_approved_on(agreement) is not None,
        documents=documents,
        report_recipient=report_recipient(agreement.government),
    )


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _own_agency(government_id: int, agency: Agency | None, field: str) -> Agency | None:
    if agency is not None and agency.government_id != government_id:
        raise DomainError("Perangkat daerah tidak dikenal.", field)
    return agency


# --- partners ---------------------------------------------------------------------------------


def find_or_create_partner(
    actor: User,
    name: str,
    kind: PartnerKind,
    region_code: str | None = None,
    province: str | None = None,
    contact: str | None = None,
) -> Partner:
    """The government's partner of that name (case-insensitive), created when new."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("Nama mitra wajib diisi.", "new_partner_name")
    existing = db.session.scalar(
        select(Partner).where(
            Partner.government_id == actor.government_id,
            db.func.lower(Partner.name) == name.lower(),
        )
    )
    if existing:
        return existing
    partner = Partner(
        government_id=actor.government_id,
        name=name,
        kind=kind,
        region_code=_clean(region_code),
        province=_clean(province),
        contact=_clean(contact),
    )
    db.session.add(partner)
    db.session.flush()
    fields = ("name", "kind", "region_code", "province")
    log_action(actor, partner, "created", after=snapshot(partner, fields))
    return partner


def create_partner(actor: User, data: dict[str, Any]) -> Partner:
    """A partner from the partner form; unlike ``find_or_create_partner`` a name the
    government already has is refused, so that nobody believes they made a new one."""
    name = " ".join((data.get("name") or "").split())
    if not name:
        raise DomainError("Nama mitra wajib diisi.", "name")
    clash = db.session.scalar(
        select(Partner.id).where(
            Partner.government_id == actor.government_id,
            db.func.lower(Partner.name) == name.lower(),
        )
    )
    if clash:
        raise DomainError("Mitra dengan nama ini sudah ada.", "name")
    return find_or_create_partner(
        actor,
        name,
        data.get("kind") or PartnerKind.LAINNYA,
        region_code=data.get("region_code"),
        province=data.get("province"),
        contact=data.get("contact"),
    )


def update_partner(
    actor: User, partner: Partner, data: dict[str, Any], expected_version: int | None = None
) -> Partner:
    check_version(partner, expected_version)
    fields = ("name", "kind", "region_code", "province", "contact")
    before = snapshot(partner, fields)
    name = " ".join((data.get("name") or "").split())
    clash = db.session.scalar(
        select(Partner.id).where(
            Partner.government_id == partner.government_id,
            db.func.lower(Partner.name) == name.lower(),
            Partner.id != partner.id,
        )
    )
    if clash:
        raise DomainError("Mitra dengan nama ini sudah ada.", "name")
    partner.name = name
    partner.kind = data["kind"]
    for key in ("region_code", "province", "contact"):
        setattr(partner, key, _clean(data.get(key)))
    db.session.flush()
    log_changes(actor, partner, "updated", before, snapshot(partner, fields))
    return partner


# --- agreements -------------------------------------------------------------------------------


def agreement_checks(data: dict[str, Any]) -> dict[str, str]:
    """The rules an agreement's own data breaks, field -> message: a title, at least one
    partner (chosen or new), known sectors. Pure: the form shows them in one round with its
    field errors, ``_apply_agreement_data`` refuses them."""
    errors: dict[str, str] = {}
    if not _clean(data.get("title")):
        errors["title"] = "Judul kerja sama wajib diisi."
    if not data.get("partners") and not _clean(data.get("new_partner_name")):
        errors["partners"] = "Pilih minimal satu mitra, atau tambahkan mitra baru."
    unknown = [s for s in dict.fromkeys(data.get("sectors") or []) if s not in SECTORS]
    if unknown:
        errors["sectors"] = f"Sektor tidak dikenal: {', '.join(unknown)}."
    if data.get("needs_dprd") and not data.get("dprd_basis"):
        errors["dprd_basis"] = "Pilih alasan kerja sama ini memerlukan persetujuan DPRD."
    return errors


def _apply_agreement_data(actor: User, agreement: Agreement, data: dict[str, Any]) -> None:
    errors = agreement_checks(data)
    external_ref = _clean(data.get("external_ref"))
    if external_ref:
        clash = db.session.scalar(
            select(Agreement.id).where(
                Agreement.government_id == actor.government_id,
                Agreement.external_ref == external_ref,
                Agreement.id != agreement.id if agreement.id else true(),
            )
        )
        if clash:
            errors["external_ref"] = "Nomor referensi ini sudah dipakai kerja sama lain."
    refuse_any(errors)
    title = _clean(data.get("title"))
    partners = list(data.get("partners") or [])
    if any(p.government_id != actor.government_id for p in partners):
        raise DomainError("Mitra tidak dikenal.", "partners")
    if data.get("new_partner_name"):
        partners.append(
            find_or_create_partner(
                actor,
                data["new_partner_name"],
                data.get("new_partner_kind") or PartnerKind.LAINNYA,
            )
        )
    sectors = list(dict.fromkeys(data.get("sectors") or []))

    agreement.title = title
    agreement.kind = data.get("kind") or AgreementKind.KSDD
    agreement.lead_agency = _own_agency(actor.government_id, data.get("lead_agency"), "lead_agency")
    agreement.partners = list(dict.fromkeys(partners))
    agreement.sectors = sectors
    agreement.commodities = _clean(data.get("commodities"))
    agreement.origin_event = _clean(data.get("origin_event"))
    agreement.description = _clean(data.get("description"))
    agreement.external_ref = external_ref
    agreement.visit_planned_on = data.get("visit_planned_on")
    agreement.needs_dprd = bool(data.get("needs_dprd"))
    agreement.dprd_basis = data.get("dprd_basis") if agreement.needs_dprd else None


def create_agreement(actor: User, data: dict[str, Any]) -> Agreement:
    agreement = Agreement(government_id=actor.government_id, created_by=actor)
    agreement.stage = Stage.PENJAJAKAN
    _apply_agreement_data(actor, agreement, data)
    db.session.add(agreement)
    db.session.flush()
    log_action(
        actor, agreement, "created", after=snapshot(agreement, AGREEMENT_FIELDS + ("stage",))
    )
    return agreement


def _tell(signal, **kwargs: Any) -> list[FollowUp]:
    """Send one of ``signals``' signals from the app; the receivers' answers."""
    answers = signal.send(current_app._get_current_object(), **kwargs)
    return [answer for _, answer in answers if answer is not None]


@dataclass
class Outcome:
    """What a service did, and what the other domains did in answer (``signals``): the
    follow-up tasks they created, notices ("2 tugas selesai otomatis") and warnings."""

    value: Any
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def tasks(self) -> list:
        return [task for follow_up in self.follow_ups for task in follow_up.tasks]

    @property
    def notices(self) -> list[str]:
        return [notice for follow_up in self.follow_ups for notice in follow_up.notices]

    @property
    def warnings(self) -> list[str]:
        return [warning for follow_up in self.follow_ups for warning in follow_up.warnings]


def update_agreement(
    actor: User, agreement: Agreement, data: dict[str, Any], expected_version: int | None
) -> Outcome:
    """Change an agreement's data; the tasks waiting for an OPD pengampu move to it once it
    is set (``agreement_changed``)."""
    check_version(agreement, expected_version)
    lifecycle.check_open(agreement.stage)
    before = snapshot(agreement, AGREEMENT_FIELDS)
    _apply_agreement_data(actor, agreement, data)
    db.session.flush()
    log_changes(actor, agreement, "updated", before, snapshot(agreement, AGREEMENT_FIELDS))
    return Outcome(
        agreement, _tell(agreement_changed, actor=actor, agreement=agreement, before=before)
    )


def _set_stage(
    actor: User,
    agreement: Agreement,
    stage: Stage,
    reason: str | None,
    action: str = "stage_changed",
) -> None:
    if stage == agreement.stage:
        return
    before = {"stage": agreement.stage.value}
    agreement.stage = stage
    agreement.stage_reason = reason
    log_action(
        actor,
        agreement,
        action,
        before=before,
        after={"stage": stage.value, **({"reason": reason} if reason else {})},
    )


def mark_ended(agreement: Agreement, reason: str) -> None:
    """The daily sweep's change: every MoU/PKS has passed its end date (no actor)."""
    _set_stage(None, agreement, lifecycle.mark_ended(agreement.stage), reason)


def _restage(actor: User, agreement: Agreement) -> None:
    """Move the stage to where the milestones now put it."""
    stage = lifecycle.after_milestone(agreement.stage, facts_for(agreement))
    _set_stage(actor, agreement, stage, None)


@dataclass(frozen=True)
class StageChange:
    """What a manual stage action does (``plan_stage_change``): the stage before and after,
    the reason, and what happens to the agreement's tasks (``holding.HoldPlan``)."""

    action: Action
    before: Stage
    after: Stage
    reason: str | None
    tasks: holding.HoldPlan


def plan_stage_change(
    actor: User,
    agreement: Agreement,
    action: Action,
    reason: str | None,
    expected_version: int | None,
) -> StageChange:
    """What stalling, resuming, cancelling, completing or reopening ``agreement`` would do, or
    the refusal (a stale version, a transition the lifecycle does not allow, a missing
    reason, a reopening by someone else than an admin). Changes nothing: the confirmation page
    shows it, and ``change_stage`` carries it out."""
    check_version(agreement, expected_version)
    if action == Action.REOPEN and not can_reopen_agreement(actor, agreement):
        raise DomainError(
            "Hanya Bagian Pemerintahan yang dapat membuka kembali kerja sama.", "action"
        )
    reason = _clean(reason)
    after = lifecycle.apply_action(agreement.stage, action, facts_for(agreement))
    lifecycle.check_reason(action, reason)
    today = clock.today_in(agreement.government.timezone)
    return StageChange(
        action=action,
        before=agreement.stage,
        after=after,
        reason=reason,
        tasks=holding.plan(agreement, agreement.stage, after, today),
    )


def change_stage(
    actor: User,
    agreement: Agreement,
    action: Action,
    reason: str | None,
    expected_version: int | None,
) -> Outcome:
    """Stall, resume, cancel, complete or reopen an agreement by hand, as
    ``plan_stage_change`` says; its tasks follow (``stage_changed``: cancelled, paused or given
    back). The outcome's ``value`` is the ``StageChange``."""
    change = plan_stage_change(actor, agreement, action, reason, expected_version)
    verb = "reopened" if action == Action.REOPEN else "stage_changed"
    _set_stage(actor, agreement, change.after, change.reason, verb)
    db.session.flush()
    return Outcome(
        change,
        _tell(
            stage_changed,
            actor=actor,
            agreement=agreement,
            before=change.before,
            after=change.after,
            reason=change.reason,
        ),
    )


# --- milestones -------------------------------------------------------------------------------


FILING_KINDS = ("visit", "mou")  # the milestones that decide the filing year


def filing_year():
    """The year an agreement is filed under, as users mean it: the year its first MoU/KB was
    signed; before any MoU, the year of its first working visit; before either, the year it
    was recorded (``created_at``, in UTC). A SQL expression correlated to ``Agreement``."""
    first_mou = (
        select(func.min(Mou.signed_on))
        .where(Mou.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    first_visit = (
        select(func.min(Visit.visited_on))
        .where(Visit.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    return func.coalesce(
        extract("year", first_mou),
        extract("year", first_visit),
        extract("year", Agreement.created_at),
    )


def filing_year_of(agreement: Agreement) -> int:
    """``filing_year()`` computed in Python from the agreement's ``mous`` and ``visits`` as the
    session holds them: a milestone just recorded counts (it is in its collection), one
    deleted in this session does not, so the result is what the SQL rule gives after a flush.
    The visits are only read (and loaded, if need be) when there is no MoU."""
    pending_deletes = db.session.deleted
    for collection, day in (("mous", "signed_on"), ("visits", "visited_on")):
        days = [
            getattr(milestone, day)
            for milestone in getattr(agreement, collection)
            if not inspect(milestone).deleted and milestone not in pending_deletes
        ]
        days = [value for value in days if value is not None]  # as SQL's min() skips NULL
        if days:
            return min(days).year
    created_at = agreement.created_at or utcnow()  # not flushed yet: the column's default
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(UTC)
    return created_at.year


def refile(agreement: Agreement) -> None:
    """Store the year ``agreement`` is filed under, after its visits or MoUs changed. Reads the
    loaded collections (``filing_year_of``): no flush, and no query once they are loaded."""
    year = filing_year_of(agreement)
    if year != agreement.year:
        agreement.year = year


def report_recipient(government: Government) -> str:
    """ "Gubernur Jawa Timur" for a kota or kabupaten, "Menteri Dalam Negeri" for a province."""
    return lifecycle.report_recipient(government.kind.value, government.province)


def next_to_report(agreement: Agreement) -> tuple[Mou | None, Pks | None]:
    """The KB or PKS a new report is most likely about: the latest signed one not reported
    yet (else the latest KB), as (mou, pks) with one of them set."""
    reported = {(report.mou_id, report.pks_id) for report in agreement.reports}
    unreported = [
        (mou.signed_on, mou, None) for mou in agreement.mous if (mou.id, None) not in reported
    ]
    unreported += [
        (pks.signed_on, None, pks) for pks in agreement.pks_list if (None, pks.id) not in reported
    ]
    if unreported:
        _, mou, pks = max(unreported, key=lambda item: item[0])
        return mou, pks
    return (agreement.mous[-1] if agreement.mous else None), None


def dprd_approved_on(agreement: Agreement) -> date | None:
    """The earliest day the DPRD approved the agreement, or None."""
    days = [step.approved_on for step in agreement.dprd_approvals if step.approved_on]
    return min(days, default=None)


def milestone_rule_errors(
    agreement: Agreement, kind: str, data: dict[str, Any], milestone: Any = None
) -> dict[str, str]:
    """Every rule of ``lifecycle.milestone_checks`` that ``data`` breaks, with what the
    agreement adds to it (its DPRD approval, the end date an amendment found), against the
    government's today. The forms show these; ``_check_milestone`` refuses them."""
    context: dict[str, Any] = {}
    if kind == "pks":
        context = {
            "needs_dprd": agreement.needs_dprd,
            "dprd_approved_on": dprd_approved_on(agreement),
        }
    if kind == "amendment" and milestone is not None:
        context = {"ends_on_before": milestone.previous_ends_on}
    today = clock.today_in(agreement.government.timezone)
    return lifecycle.milestone_checks(kind, {**data, **context}, today)


def _check_milestone(
    agreement: Agreement, kind: str, data: dict[str, Any], milestone: Any = None
) -> None:
    """The records a milestone points to belong to the agreement (its KB, its PKS, the
    government's agencies); then every rule of ``milestone_rule_errors``, all at once."""
    mou, pks = data.get("mou"), data.get("pks")
    if mou is not None and mou.agreement_id != agreement.id:
        raise DomainError("Kesepakatan Bersama tidak dikenal.", "mou")
    if pks is not None and pks.agreement_id != agreement.id:
        raise DomainError("PKS tidak dikenal.", "pks")
    for agency in data.get("agencies") or []:
        _own_agency(agreement.government_id, agency, "agencies")
    _own_agency(agreement.government_id, data.get("proposing_agency"), "proposing_agency")
    refuse_any(milestone_rule_errors(agreement, kind, data, milestone))
    if kind == "amendment":
        _check_amendment_order(data, milestone)


def _amendments_of(subject: Mou | Pks) -> list[Amendment]:
    column = Amendment.pks_id if isinstance(subject, Pks) else Amendment.mou_id
    return list(
        db.session.scalars(select(Amendment).where(column == subject.id).order_by(Amendment.id))
    )


def _check_amendment_order(data: dict[str, Any], milestone: Amendment | None) -> None:
    """Nothing amends a document after its pengakhiran; an amendment keeps its document, and
    only the latest one of a document is changed or removed (each restores the end date the
    one before it left)."""
    subject = data.get("pks") or data.get("mou")
    if milestone is not None and subject is not milestone.subject:
        raise DomainError(
            "Dokumen yang diubah addendum/pengakhiran ini tidak dapat diganti; hapus lalu "
            "catat ulang.",
            "mou",
        )
    others = [step for step in _amendments_of(subject) if step is not milestone]
    if any(step.is_termination for step in others):
        raise DomainError("Dokumen ini sudah diakhiri; tidak dapat diubah lagi.", "mou")
    if milestone is not None and others and others[-1].id > milestone.id:
        raise DomainError(
            "Hanya addendum/pengakhiran terakhir dokumen ini yang dapat diubah atau dihapus."
        )


def _amend_document(amendment: Amendment) -> None:
    """An addendum sets its document's new end date (when it extends or shortens it); a
    pengakhiran ends it on the day it is signed. The end date it replaced is kept."""
    subject = amendment.subject
    if amendment.id is None:  # being recorded: remember the end date it replaces
        amendment.previous_ends_on = subject.ends_on
    if amendment.is_termination:
        amendment.new_ends_on = None
        subject.ends_on = amendment.signed_on
    elif amendment.new_ends_on is not None:
        subject.ends_on = amendment.new_ends_on
    else:
        subject.ends_on = amendment.previous_ends_on


def _assign_milestone(milestone: Any, kind: str, data: dict[str, Any]) -> None:
    for name in MILESTONE_FIELDS[kind]:
        if name in data:
            setattr(milestone, name, _clean(data[name]))
    if kind == "pks":
        if not milestone.is_direct:
            milestone.direct_reason = None
        milestone.agencies = list(data.get("agencies") or [])
    if kind == "transaction" and milestone.value_rp is None:
        milestone.value_rp = 0
    if kind == "pks" and not milestone.signed_by_proxy:
        milestone.proxy_letter_number = milestone.proxy_letter_on = None
    if kind == "report" and not milestone.recipient:
        milestone.recipient = report_recipient(milestone.agreement.government)
    if kind == "amendment":
        _amend_document(milestone)


def record_milestone(
    actor: User | None,
    agreement: Agreement,
    kind: str,
    data: dict[str, Any],
    *,
    follow_up: bool = True,
) -> Outcome:
    """Record a visit, MoU/KB, PKS or transaction; the stage follows from the milestones. A
    visit takes the place of its agenda (``visit_planned_on``).

    Then, unless ``follow_up`` is False, tell the other domains (``milestone_recorded``): the
    playbooks create the step's follow-up tasks and the tasks that waited for this step close,
    in the same transaction. Imports record history, and pass ``follow_up=False``. The
    outcome's ``value`` is the milestone."""
    model = MILESTONE_MODELS[kind]
    lifecycle.check_open(agreement.stage)
    _check_milestone(agreement, kind, data)
    milestone = model(agreement=agreement)
    _assign_milestone(milestone, kind, data)
    db.session.add(milestone)
    db.session.flush()
    log_action(actor, milestone, "created", after=snapshot(milestone, MILESTONE_FIELDS[kind]))
    _restage(actor, agreement)
    if kind in FILING_KINDS:
        refile(agreement)
    if kind == "visit":
        agreement.visit_planned_on = None
    db.session.flush()
    if not follow_up:
        return Outcome(milestone)
    return Outcome(
        milestone,
        _tell(milestone_recorded, actor=actor, agreement=agreement, milestone=milestone),
    )


def update_milestone(
    actor: User, milestone: Any, data: dict[str, Any], expected_version: int | None
) -> Outcome:
    """Change a milestone; the open tasks it created follow a change of its date
    (``milestone_changed``). The outcome's ``value`` is the milestone."""
    kind = milestone.kind
    agreement = milestone.agreement
    check_version(milestone, expected_version)
    lifecycle.check_open(agreement.stage)
    # The rules see the milestone as it will be: a caller may send only what changes.
    current = {name: getattr(milestone, name) for name in MILESTONE_FIELDS[kind]}
    _check_milestone(agreement, kind, current | dict(data), milestone)
    before = snapshot(milestone, MILESTONE_FIELDS[kind])
    _assign_milestone(milestone, kind, data)
    db.session.flush()
    log_changes(actor, milestone, "updated", before, snapshot(milestone, MILESTONE_FIELDS[kind]))
    if kind in FILING_KINDS:
        refile(agreement)
        db.session.flush()
    return Outcome(
        milestone,
        _tell(
            milestone_changed, actor=actor, agreement=agreement, milestone=milestone, before=before
        ),
    )


def delete_milestone(actor: User, milestone: Any, expected_version: int | None) -> Outcome:
    """Remove a milestone recorded by mistake; refused while later milestones depend on it.
    The tasks it completed reopen, the open tasks it created are cancelled
    (``milestone_deleted``)."""
    kind = milestone.kind
    agreement = milestone.agreement
    check_version(milestone, expected_version)
    lifecycle.check_open(agreement.stage)
    if isinstance(milestone, Mou) and db.session.scalar(
        select(Pks.id).where(Pks.mou_id == milestone.id).limit(1)
    ):
        raise DomainError("MoU/KB ini masih menjadi dasar PKS; hapus atau ubah PKS-nya dulu.")
    if isinstance(milestone, Pks) and db.session.scalar(
        select(Transaction.id).where(Transaction.pks_id == milestone.id).limit(1)
    ):
        raise DomainError("PKS ini sudah memiliki transaksi; hapus transaksinya dulu.")
    if isinstance(milestone, Mou | Pks) and db.session.scalar(
        select(RealisedActivity.id)
        .where(
            RealisedActivity.mou_id == milestone.id
            if isinstance(milestone, Mou)
            else RealisedActivity.pks_id == milestone.id
        )
        .limit(1)
    ):
        raise DomainError(
            "Dokumen ini sudah menjadi dasar realisasi kegiatan; hapus realisasinya dulu."
        )
    if isinstance(milestone, Mou | Pks):
        _refuse_if_steps_about(milestone)
    if isinstance(milestone, Amendment):
        _check_amendment_order({"mou": milestone.mou, "pks": milestone.pks}, milestone)
        milestone.subject.ends_on = milestone.previous_ends_on
    log_action(actor, milestone, "deleted", before=snapshot(milestone, MILESTONE_FIELDS[kind]))
    getattr(agreement, _COLLECTIONS[kind]).remove(milestone)
    db.session.flush()
    _restage(actor, agreement)
    if kind in FILING_KINDS:
        refile(agreement)
    db.session.flush()
    return Outcome(
        milestone, _tell(milestone_deleted, actor=actor, agreement=agreement, milestone=milestone)
    )


def _refuse_if_steps_about(document: Mou | Pks) -> None:
    """A KB or PKS that a report or an amendment is about stays while they do."""
    for model in (SigningReport, Amendment):
        column = model.pks_id if isinstance(document, Pks) else model.mou_id
        if db.session.scalar(select(model.id).where(column == document.id).limit(1)):
            raise DomainError(
                f"Dokumen ini sudah memiliki {MILESTONE_LABELS[model.kind].lower()}; "
                "hapus itu dulu."
            )


_COLLECTIONS = {
    "offer": "offers",
    "visit": "visits",
    "tkksd": "tkksd_meetings",
    "legal_review": "legal_reviews",
    "dprd": "dprd_approvals",
    "mou": "mous",
    "pks": "pks_list",
    "report": "reports",
    "transaction": "transactions",
    "activity": "activities",
    "amendment": "amendments",
}
