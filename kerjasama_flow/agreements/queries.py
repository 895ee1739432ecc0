"""Reads of the agreements domain: the list with its filters and per-row figures, the detail
page's timeline, tasks and activity log, and the partner list.

Plain functions of the user, the filters and ``today`` (the government's own calendar date, see
``clock.today_in``). Every figure of the list is computed in SQL for the whole page at once, so
the number of queries a page needs does not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage, dormant_cutoff
from kerjasama_flow.agreements.models import (
    MILESTONE_MODELS,
    SECTORS,
    Agreement,
    AgreementSector,
    Mou,
    Offer,
    Partner,
    Pks,
    Transaction,
    Visit,
    agreement_partner,
)
from kerjasama_flow.evaluations.models import Recommendation
from kerjasama_flow.evaluations.queries import latest_recommendation
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

_OPEN = tuple(sorted(OPEN_STATUSES))


# --- visibility -------------------------------------------------------------------------------


def visible_to(user: User):
    """The condition on ``Agreement`` for what ``user`` may read: their government's, and for
    an OPD head only those their agency leads, carries a PKS of, or has tasks in."""
    condition = Agreement.government_id == user.government_id
    if user.role == Role.OPD:
        condition = and_(condition, Agreement.involves_agency(user.agency_id))
    return condition


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilters:
    """What the list is narrowed to; ``None`` means "all"."""

    q: str | None = None
    stage: Stage | None = None
    partner_id: int | None = None
    sector: str | None = None
    agency_id: int | None = None
    year: int | None = None
    recommendation: str | None = None  # of the latest monev (lanjutkan/perluas/hentikan)
    stalled: bool | None = None  # only agreements ``lifecycle.dormancy`` flags

    @property
    def is_narrowed(self) -> bool:
        return any(
            value is not None
            for value in (
                self.q,
                self.stage,
                self.partner_id,
                self.sector,
                self.agency_id,
                self.year,
                self.recommendation,
                self.stalled,
            )
        )


def stalled_condition(government, today: date | None = None):
    """The SQL twin of ``lifecycle.dormancy``: at Kesepakatan with its latest KB signed on or
    before the KB cut-off, or at PKS with its latest PKS signed on or before the PKS one, on
    ``today`` (by default the government's today; the reminder sweep passes its own)."""
    today = today or clock.today_in(government.timezone)
    kb_cutoff = dormant_cutoff(today, government_settings.get(government, "dormant_kb_months"))
    pks_cutoff = dormant_cutoff(today, government_settings.get(government, "dormant_pks_months"))
    latest_kb = select(func.max(Mou.signed_on)).where(Mou.agreement_id == Agreement.id)
    latest_pks = select(func.max(Pks.signed_on)).where(Pks.agreement_id == Agreement.id)
    return or_(
        and_(Agreement.stage == Stage.KESEPAKATAN, latest_kb.scalar_subquery() <= kb_cutoff),
        and_(Agreement.stage == Stage.PKS, latest_pks.scalar_subquery() <= pks_cutoff),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def agreement_list(user: User, filters: AgreementFilters) -> Select:
    """The agreements ``user`` may read, narrowed by ``filters``, most recently changed first,
    with partners and lead agency loaded alongside."""
    stmt = (
        select(Agreement)
        .where(visible_to(user))
        .options(selectinload(Agreement.partners), joinedload(Agreement.lead_agency))
    )
    if filters.stage is not None:
        stmt = stmt.where(Agreement.stage == filters.stage)
    if filters.partner_id is not None:
        stmt = stmt.where(
            exists().where(
                agreement_partner.c.agreement_id == Agreement.id,
                agreement_partner.c.partner_id == filters.partner_id,
            )
        )
    if filters.sector is not None:
        stmt = stmt.where(
            exists().where(
                AgreementSector.agreement_id == Agreement.id,
                AgreementSector.sector == filters.sector,
            )
        )
    if filters.agency_id is not None:
        stmt = stmt.where(Agreement.lead_agency_id == filters.agency_id)
    if filters.year is not None:
        stmt = stmt.where(Agreement.year == filters.year)
    if filters.recommendation is not None:
        stmt = stmt.where(latest_recommendation() == filters.recommendation)
    if filters.stalled:
        stmt = stmt.where(stalled_condition(user.government))
    if filters.q:
        pattern = _like(filters.q.strip())
        partner_match = exists().where(
            agreement_partner.c.agreement_id == Agreement.id,
            agreement_partner.c.partner_id == Partner.id,
            Partner.name.ilike(pattern, escape="\\"),
        )
        stmt = stmt.where(
            or_(
                Agreement.title.ilike(pattern, escape="\\"),
                Agreement.commodities.ilike(pattern, escape="\\"),
                Agreement.origin_event.ilike(pattern, escape="\\"),
                partner_match,
            )
        )
    return stmt.order_by(Agreement.updated_at.desc(), Agreement.id.desc())


@dataclass(frozen=True)
class RowFigures:
    """What the list shows per agreement beside its own columns."""

    last_milestone_on: date | None = None
    open_tasks: int = 0
    overdue_tasks: int = 0


def row_figures(agreement_ids: list[int], today: date) -> dict[int, RowFigures]:
    """Last milestone date and open/overdue task counts of the given agreements, in one query
    (GROUP BY subqueries joined to the page's agreements)."""
    if not agreement_ids:
        return {}
    dates = union_all(
        *(
            select(model.agreement_id.label("agreement_id"), column.label("on")).where(
                model.agreement_id.in_(agreement_ids)
            )
            for model, column in (
                (Visit, Visit.visited_on),
                (Mou, Mou.signed_on),
                (Pks, Pks.signed_on),
                (Transaction, Transaction.transacted_on),
            )
        )
    ).subquery()
    last = (
        select(dates.c.agreement_id, func.max(dates.c.on).label("last_on"))
        .group_by(dates.c.agreement_id)
        .subquery()
    )
    tasks = (
        select(
            Task.agreement_id,
            func.count(Task.id).label("open_count"),
            func.sum(case((Task.due_on < today, 1), else_=0)).label("overdue_count"),
        )
        .where(Task.agreement_id.in_(agreement_ids), Task.status.in_(_OPEN))
        .group_by(Task.agreement_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Agreement.id, last.c.last_on, tasks.c.open_count, tasks.c.overdue_count)
        .outerjoin(last, last.c.agreement_id == Agreement.id)
        .outerjoin(tasks, tasks.c.agreement_id == Agreement.id)
        .where(Agreement.id.in_(agreement_ids))
    )
    return {
        row.id: RowFigures(
            last_milestone_on=_as_date(row.last_on),
            open_tasks=int(row.open_count or 0),
            overdue_tasks=int(row.overdue_count or 0),
        )
        for row in rows
    }


def _as_date(value: Any) -> date | None:
    # A date from a UNION comes back typed on PostgreSQL; SQLite may hand back its text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def count_visible(user: User) -> int:
    """All agreements ``user`` may read (to tell "none yet" from "none matching")."""
    return db.session.scalar(select(func.count(Agreement.id)).where(visible_to(user))) or 0


# --- the filters' choices ---------------------------------------------------------------------


def recommendation_choices() -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Recommendation]


def partner_choices(user: User) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Partner.id, Partner.name)
        .where(Partner.government_id == user.government_id)
        .order_by(Partner.name)
    )
    return [(row.id, row.name) for row in rows]


def agency_choices(user: User) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .where(Agency.government_id == user.government_id)
        .order_by(Agency.name)
    )
    return [(row.id, f"{row.name} ({row.code})") for row in rows]


def year_choices(user: User) -> list[int]:
    """The years the agreements ``user`` may read are filed under (``Agreement.year``),
    newest first. One query, through ix_agreement_government_year."""
    rows = db.session.scalars(
        select(Agreement.year).where(visible_to(user)).distinct().order_by(Agreement.year.desc())
    )
    return list(rows)


def sector_choices() -> list[tuple[str, str]]:
    return list(SECTORS.items())


def stage_choices() -> list[tuple[str, str]]:
    return [(stage.value, stage.label) for stage in Stage]


# --- the detail page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    on: date
    milestone: Any


# On the same day, steps appear in the order of the administrative path.
_KIND_ORDER = {kind: position for position, kind in enumerate(MILESTONE_MODELS)}


def timeline(agreement: Agreement) -> list[TimelineItem]:
    """Visits, MoU/KB, PKS and transactions in the order they happened (the oldest first;
    on the same day, in lifecycle order)."""
    items = [
        TimelineItem(milestone.kind, milestone.occurred_on, milestone)
        for collection in (
            agreement.offers,
            agreement.visits,
            agreement.tkksd_meetings,
            agreement.legal_reviews,
            agreement.dprd_approvals,
            agreement.mous,
            agreement.pks_list,
            agreement.reports,
            agreement.transactions,
            agreement.activities,
            agreement.amendments,
        )
        for milestone in collection
    ]
    return sorted(items, key=lambda item: (item.on, _KIND_ORDER[item.kind], item.milestone.id))


def load_detail(agreement_id: int) -> None:
    """Load an agreement's milestones and their relations in a few queries (not one per
    milestone) before the detail page walks them."""
    db.session.execute(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.partners),
            selectinload(Agreement.sector_rows),
            joinedload(Agreement.lead_agency),
            selectinload(Agreement.visits),
            selectinload(Agreement.mous),
            selectinload(Agreement.pks_list).selectinload(Pks.agencies),
            selectinload(Agreement.pks_list).joinedload(Pks.mou),
            selectinload(Agreement.transactions).joinedload(Transaction.pks),
            selectinload(Agreement.activities),
            selectinload(Agreement.offers).joinedload(Offer.proposing_agency),
            selectinload(Agreement.tkksd_meetings),
            selectinload(Agreement.legal_reviews),
            selectinload(Agreement.dprd_approvals),
            selectinload(Agreement.reports),
            selectinload(Agreement.amendments),
        )
        .execution_options(populate_existing=True)
    ).unique().all()


def agreement_tasks(agreement: Agreement, today: date) -> list[Task]:
    """The agreement's tasks: overdue first, then open ones by due date, then closed ones."""
    bucket = case(
        (and_(Task.status.in_(_OPEN), Task.due_on < today), 0),
        (Task.status.in_(_OPEN), 1),
        else_=2,
    )
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.agreement_id == agreement.id)
            .options(selectinload(Task.agency), selectinload(Task.assignee))
            .order_by(bucket, Task.due_on, Task.id)
        )
    )


def agreement_activity(agreement: Agreement, limit: int = 100) -> list[ActivityLog]:
    """The agreement's activity log, newest first."""
    return list(
        db.session.scalars(
            select(ActivityLog)
            .where(
                ActivityLog.agreement_id == agreement.id,
                ActivityLog.government_id == agreement.government_id,
            )
            .options(selectinload(ActivityLog.actor))
            .order_by(ActivityLog.at.desc(), ActivityLog.id.desc())
            .limit(limit)
        )
    )


# --- partners ---------------------------------------------------------------------------------


def partner_list(user: User) -> list[tuple[Partner, int]]:
    """The government's partners with the number of agreements each takes part in."""
    counts = (
        select(
            agreement_partner.c.partner_id,
            func.count(agreement_partner.c.agreement_id).label("n"),
        )
        .group_by(agreement_partner.c.partner_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Partner, func.coalesce(counts.c.n, literal(0)))
        .outerjoin(counts, counts.c.partner_id == Partner.id)
        .where(Partner.government_id == user.government_id)
        .order_by(Partner.name)
    )
    return [(partner, int(n)) for partner, n in rows]
