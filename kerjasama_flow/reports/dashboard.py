"""The dashboard's figures: every aggregate computed in SQL (GROUP BY, conditional counts).

Plain functions of the user, the filters and ``today`` (the government's own calendar date).
Each function runs a fixed number of queries, whatever the size of the data, so the page's
query count is constant (``tests/test_dashboard.py`` asserts it).

The agency figures of the unfiltered page (the landing page) read the task tallies
(``tasks.tally``) instead of the tasks, so their cost follows agencies x due dates, not the
number of tasks; narrowed by agreement filters they count the tasks of those agreements.

The one exception to "everything in SQL" is the median of days between stages: a portable
median needs ``percentile_cont`` (PostgreSQL only), so ``stage_durations`` fetches one row of
first-milestone dates per agreement (a GROUP BY query; never tasks) and takes the median in
Python.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import (
    SECTORS,
    Agreement,
    AgreementSector,
    Mou,
    Partner,
    Pks,
    RealisedActivity,
    Transaction,
    Visit,
    agreement_partner,
)
from kerjasama_flow.agreements.queries import visible_to
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks import tally
from kerjasama_flow.tasks.models import OPEN_STATUSES, TallyState, Task, TaskTally

_OPEN = tuple(sorted(OPEN_STATUSES))
CLOSED_STAGES = (Stage.SELESAI, Stage.BATAL, Stage.BERAKHIR)
ENDING_WITHIN_DAYS = 180
ENDING_LIMIT = 50
UNKNOWN_PROVINCE = "(provinsi belum diisi)"


@dataclass(frozen=True)
class DashboardFilters:
    """What the figures are narrowed to; ``None`` means "all"."""

    year: int | None = None
    sector: str | None = None
    partner_id: int | None = None
    agency_id: int | None = None

    def agreement_args(self) -> dict[str, str]:
        """The same narrowing as query arguments of the agreements list."""
        args = {
            "year": self.year,
            "sector": self.sector,
            "partner": self.partner_id,
            "agency": self.agency_id,
        }
        return {key: str(value) for key, value in args.items() if value is not None}

    @property
    def active_count(self) -> int:
        """How many filters narrow the figures (the filter button shows it)."""
        return len(self.agreement_args())


# --- scope ------------------------------------------------------------------------------------


def agreement_scope(user: User, filters: DashboardFilters):
    """The condition on ``Agreement``: what ``user`` may read, narrowed by ``filters``."""
    conditions = [visible_to(user)]
    if filters.partner_id is not None:
        conditions.append(
            exists().where(
                agreement_partner.c.agreement_id == Agreement.id,
                agreement_partner.c.partner_id == filters.partner_id,
            )
        )
    if filters.sector is not None:
        conditions.append(
            exists().where(
                AgreementSector.agreement_id == Agreement.id,
                AgreementSector.sector == filters.sector,
            )
        )
    if filters.agency_id is not None:
        conditions.append(Agreement.lead_agency_id == filters.agency_id)
    if filters.year is not None:
        conditions.append(Agreement.year == filters.year)
    return and_(*conditions)


def scoped_agreement_ids(user: User, filters: DashboardFilters):
    return select(Agreement.id).where(agreement_scope(user, filters))


def task_scope(user: User, filters: DashboardFilters):
    """Tasks of the agreements in scope; an OPD head sees only their own agency's tasks.

    Without filters the agreements are only narrowed to the user's government (and an OPD's
    own tasks lie in agreements it is involved in), so the semi-join is left out: on a large
    task table it is most of the cost."""
    conditions = [Task.government_id == user.government_id]
    if filters != DashboardFilters():
        conditions.append(Task.agreement_id.in_(scoped_agreement_ids(user, filters)))
    if user.role == Role.OPD:
        conditions.append(Task.agency_id == user.agency_id)
    return and_(*conditions)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- figure cards -----------------------------------------------------------------------------


@dataclass
class Figures:
    by_stage: dict[Stage, int] = field(default_factory=dict)
    agreements: int = 0
    active_mou: int = 0
    active_pks: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0
    due_this_week: int = 0
    done_tasks: int = 0
    done_on_time: int = 0
    done_late: int = 0
    transaction_value: int = 0  # of the transactions dated in ``transaction_year``
    transaction_year: int = 0


def week_bounds(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)


def figures(
    user: User,
    filters: DashboardFilters,
    today: date,
    agencies: list[AgencyRow],
    realised: Realisation | None = None,
) -> Figures:
    """The figure cards: three queries; the task figures are the sums of ``agencies`` (the
    rows of ``agency_accountability``), so the task table is read once for both. The
    transaction value is that of the year filtered on (else this year): see
    ``period_counts`` for what the year means there), taken from ``realised`` when the
    caller has it (then two queries)."""
    year = report_year(filters, today)
    result = Figures(transaction_year=year)
    # count(*), not count(id): the stage and the scope's columns are all the query reads, so
    # PostgreSQL can count from ix_agreement_government_stage alone (an index-only scan).
    rows = db.session.execute(
        select(Agreement.stage, func.count())
        .where(agreement_scope(user, filters))
        .group_by(Agreement.stage)
    )
    counts = {Stage(stage): n for stage, n in rows}
    result.by_stage = {stage: counts.get(stage, 0) for stage in Stage}
    result.agreements = sum(counts.values())

    totals = dict.fromkeys(("mou", "pks"), 0)
    for kind, total in db.session.execute(_document_totals(user, filters, today)):
        totals[kind] = int(total)
    result.active_mou, result.active_pks = totals["mou"], totals["pks"]
    if realised is None or realised.year != year:
        realised_now = period_counts(user, filters, date(year, 1, 1), date(year, 12, 31))
    else:
        realised_now = realised.current
    result.transaction_value = realised_now.transaction_value

    result.open_tasks = sum(row.open for row in agencies)
    result.overdue_tasks = sum(row.overdue for row in agencies)
    result.due_this_week = sum(row.due_this_week for row in agencies)
    result.done_tasks = sum(row.done for row in agencies)
    result.done_on_time = sum(row.done_on_time for row in agencies)
    result.done_late = sum(row.done_late for row in agencies)
    return result


def _document_totals(user: User, filters: DashboardFilters, today: date):
    """(kind, total) for "mou" and "pks": how many are active (no end date, or ending today
    or later) in open agreements in scope. A kind with nothing to count has no row.

    One join of the two kinds' rows with the agreements in scope, so the agreements are
    read once for both totals (a semi-join per kind read them twice)."""

    def active(model, kind: str):
        return select(
            literal(kind).label("kind"),
            model.agreement_id.label("agreement_id"),
            literal(1).label("amount"),
        ).where(or_(model.ends_on.is_(None), model.ends_on >= today))

    documents = union_all(active(Mou, "mou"), active(Pks, "pks")).subquery()
    return (
        select(documents.c.kind, func.sum(documents.c.amount))
        .join(Agreement, Agreement.id == documents.c.agreement_id)
        .where(agreement_scope(user, filters), Agreement.stage.not_in(CLOSED_STAGES))
        .group_by(documents.c.kind)
    )


# --- what happened in a period: the realisation -----------------------------------------------


def report_year(filters: DashboardFilters, today: date) -> int:
    """The year the realisation figures are of: the year filtered on, else this year."""
    return filters.year if filters.year is not None else today.year


@dataclass(frozen=True)
class PeriodCounts:
    """What was recorded with a date in a period, in the agreements in scope: the working
    visits, KB/MoU and PKS signed, transactions (and their value) and realised activities.
    One definition for the dashboard and the PDF report (``period_counts``)."""

    visits: int = 0
    mous: int = 0
    pks: int = 0
    transactions: int = 0
    transaction_value: int = 0
    activities: int = 0


# The dated records ``period_counts`` counts: (name, agreement column, date column, amount).
PERIOD_RECORDS = (
    ("visits", Visit.agreement_id, Visit.visited_on, None),
    ("mous", Mou.agreement_id, Mou.signed_on, None),
    ("pks", Pks.agreement_id, Pks.signed_on, None),
    ("transactions", Transaction.agreement_id, Transaction.transacted_on, Transaction.value_rp),
    ("activities", RealisedActivity.agreement_id, RealisedActivity.held_on, None),
)


def period_counts(user: User, filters: DashboardFilters, start: date, end: date) -> PeriodCounts:
    """The records dated from ``start`` to ``end`` (both included) of the agreements ``user``
    may read, narrowed by the sector, partner and agency filters. The year filter is not an
    agreement filter here: the period says which records count (a 2025 transaction of an
    agreement filed under 2024 is realisation of 2025). One query.

    The PDF report's "Tahapan dalam periode" counts visits, KB/MoU and PKS the same way (the
    records dated in its period, of the agreements the user may read)."""
    records = union_all(
        *(
            select(
                literal(name).label("kind"),
                agreement_id.label("agreement_id"),
                (amount if amount is not None else literal(0)).label("amount"),
            ).where(dated_by.between(start, end))
            for name, agreement_id, dated_by, amount in PERIOD_RECORDS
        )
    ).subquery()
    rows = db.session.execute(
        select(records.c.kind, func.count(), func.coalesce(func.sum(records.c.amount), 0))
        .join(Agreement, Agreement.id == records.c.agreement_id)
        .where(agreement_scope(user, replace(filters, year=None)))
        .group_by(records.c.kind)
    )
    counts: dict[str, int] = {}
    value = 0
    for kind, n, amount in rows:
        counts[kind] = int(n)
        if kind == "transactions":
            value = int(amount)
    return PeriodCounts(**counts, transaction_value=value)


@dataclass(frozen=True)
class Realisation:
    """This year's realisation against last year's (``year`` is the report year)."""

    year: int
    current: PeriodCounts
    previous: PeriodCounts

    def rows(self) -> list[tuple[str, str, int, int]]:
        """(key, label, this year, last year) in the order the page shows them."""
        return [
            (key, label, getattr(self.current, key), getattr(self.previous, key))
            for key, label in REALISATION_LABELS
        ]


REALISATION_LABELS = (
    ("transaction_value", "Nilai transaksi"),
    ("transactions", "Jumlah transaksi"),
    ("activities", "Realisasi kegiatan"),
    ("visits", "Kunjungan kerja"),
    ("mous", "KB/MoU ditandatangani"),
    ("pks", "PKS ditandatangani"),
)


def realisation(user: User, filters: DashboardFilters, today: date) -> Realisation:
    """The report year's records against the year before's. Two queries."""
    year = report_year(filters, today)
    return Realisation(
        year=year,
        current=period_counts(user, filters, date(year, 1, 1), date(year, 12, 31)),
        previous=period_counts(user, filters, date(year - 1, 1, 1), date(year - 1, 12, 31)),
    )


# --- funnel and durations ---------------------------------------------------------------------

# Each step counts agreements (not visits or documents): those that reached the step, i.e.
# have its record or a later one. The number of visits recorded is ``period_counts``'s.
FUNNEL_STEPS = (
    ("visit", "Sampai kunjungan kerja"),
    ("mou", "Sampai KB/MoU"),
    ("pks", "Sampai PKS"),
    ("transaction", "Sampai transaksi pertama"),
)


# The milestones in lifecycle order: the name of their column in ``_first_dates``, their
# agreement and their date.
MILESTONE_DATES = (
    ("visit_on", Visit.agreement_id, Visit.visited_on),
    ("mou_on", Mou.agreement_id, Mou.signed_on),
    ("pks_on", Pks.agreement_id, Pks.signed_on),
    ("transaction_on", Transaction.agreement_id, Transaction.transacted_on),
)


def _first_dates(user: User, filters: DashboardFilters):
    """One row per agreement in scope that has a milestone: the date of its first visit, MoU,
    PKS, transaction (NULL where it has none of that kind).

    The milestones of the four kinds are read as one list and joined with the agreements in
    scope once, then grouped per agreement (one join and one grouping, instead of a grouping
    per kind and four joins)."""
    milestones = union_all(
        *(
            select(
                agreement_id.label("agreement_id"),
                literal(name).label("kind"),
                occurred_on.label("occurred_on"),
            )
            for name, agreement_id, occurred_on in MILESTONE_DATES
        )
    ).subquery()
    return (
        select(
            Agreement.id,
            *(
                func.min(case((milestones.c.kind == name, milestones.c.occurred_on))).label(name)
                for name, *_ in MILESTONE_DATES
            ),
        )
        .join(milestones, milestones.c.agreement_id == Agreement.id)
        .where(agreement_scope(user, filters))
        .group_by(Agreement.id)
        .subquery()
    )


def funnel(user: User, filters: DashboardFilters) -> list[tuple[str, int]]:
    """(label, agreements that reached the step): reaching a step means having its milestone
    or a later one (a direct PKS skips the MoU but has passed that step). One query."""
    dates = _first_dates(user, filters)
    columns = [dates.c.visit_on, dates.c.mou_on, dates.c.pks_on, dates.c.transaction_on]
    counts = [
        _count_if(or_(*[column.is_not(None) for column in columns[i:]]))
        for i in range(len(columns))
    ]
    row = db.session.execute(select(*counts)).one()
    return [(label, int(n)) for (_, label), n in zip(FUNNEL_STEPS, row, strict=True)]


DURATION_STEPS = (
    ("visit_on", "mou_on", "Kunjungan → MoU"),
    ("mou_on", "pks_on", "MoU → PKS"),
    ("pks_on", "transaction_on", "PKS → transaksi pertama"),
)


def stage_durations(user: User, filters: DashboardFilters) -> list[tuple[str, float | None, int]]:
    """(label, median days, agreements measured) per step. One query; the rows are one per
    agreement that has at least two milestones (see the module docstring for why)."""
    dates = _first_dates(user, filters)
    names = [name for name, *_ in MILESTONE_DATES]
    steps = [(names.index(start), names.index(end), label) for start, end, label in DURATION_STEPS]
    rows = db.session.execute(
        select(*(dates.c[name] for name in names)).where(
            or_(
                *(
                    and_(dates.c[start].is_not(None), dates.c[end].is_not(None))
                    for start, end, _ in DURATION_STEPS
                )
            )
        )
    )
    gaps: dict[str, list[int]] = {label: [] for *_, label in DURATION_STEPS}
    for row in rows:  # read by position, not by name: there are tens of thousands of rows
        for start, end, label in steps:
            if row[start] is not None and row[end] is not None:
                gaps[label].append((row[end] - row[start]).days)
    return [
        (label, statistics.median(values) if values else None, len(values))
        for label, values in gaps.items()
    ]


# --- agreements by sector and by partner province ---------------------------------------------


def by_sector(user: User, filters: DashboardFilters) -> list[tuple[str, str, int]]:
    """(sector code, label, agreements), most first. One query."""
    rows = db.session.execute(
        select(AgreementSector.sector, func.count(AgreementSector.agreement_id).label("n"))
        .where(AgreementSector.agreement_id.in_(scoped_agreement_ids(user, filters)))
        .group_by(AgreementSector.sector)
        .order_by(func.count(AgreementSector.agreement_id).desc(), AgreementSector.sector)
    )
    return [(code, SECTORS.get(code, code), n) for code, n in rows]


def by_province(user: User, filters: DashboardFilters) -> list[tuple[str, int]]:
    """(partner province, agreements with a partner there), most first. One query."""
    province = func.coalesce(Partner.province, UNKNOWN_PROVINCE).label("province")
    n = func.count(func.distinct(agreement_partner.c.agreement_id))
    rows = db.session.execute(
        select(province, n)
        .select_from(agreement_partner)
        .join(Partner, Partner.id == agreement_partner.c.partner_id)
        .where(agreement_partner.c.agreement_id.in_(scoped_agreement_ids(user, filters)))
        .group_by(province)
        .order_by(n.desc(), province)
    )
    return [(name, count) for name, count in rows]


# --- agencies ---------------------------------------------------------------------------------


@dataclass
class AgencyRow:
    agency_id: int
    name: str
    code: str
    open: int = 0
    overdue: int = 0
    done: int = 0
    done_on_time: int = 0
    done_late: int = 0
    due_this_week: int = 0
    oldest_title: str | None = None
    oldest_days: int | None = None

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.done_on_time / self.done) if self.done else None


def _agency_counts(agency_id, state, due_on, weight, where, today: date):
    """Per agency: open, overdue, done, done on time, due this week, oldest overdue due date,
    from rows of (agency, state, due date) each counting ``weight`` tasks. One definition for
    both sources: the tallies (``weight`` = their ``n``) and the tasks themselves (1 each)."""
    week_start, week_end = week_bounds(today)
    is_open = state == TallyState.OPEN
    overdue = and_(is_open, due_on < today)

    def total(condition):
        return func.coalesce(func.sum(case((condition, weight), else_=0)), 0)

    return (
        select(
            agency_id.label("agency_id"),
            total(is_open).label("open"),
            total(overdue).label("overdue"),
            total(state.in_((TallyState.ON_TIME, TallyState.LATE))).label("done"),
            total(state == TallyState.ON_TIME).label("done_on_time"),
            total(and_(is_open, due_on.between(week_start, week_end))).label("due_this_week"),
            func.min(case((and_(overdue, weight > 0), due_on))).label("oldest_due"),
        )
        .where(*where)
        .group_by(agency_id)
        .having(func.sum(weight) > 0)
        .subquery()
    )


def _tallied_counts(user: User, today: date):
    """The agency counts of all the government's tasks (or the OPD's own), from the tallies:
    their size follows agencies x due dates, not the number of tasks."""
    where = [TaskTally.government_id == user.government_id]
    if user.role == Role.OPD:
        where.append(TaskTally.agency_id == user.agency_id)
    return _agency_counts(
        TaskTally.agency_id, TaskTally.state, TaskTally.due_on, TaskTally.n, where, today
    )


def _counted_tasks(user: User, filters: DashboardFilters, today: date, zone: str):
    """The agency counts of the tasks in scope of ``filters``, counted task by task."""
    state = tally.state_expression(zone, db.session.get_bind().dialect.name)
    return _agency_counts(
        Task.agency_id, state, Task.due_on, literal(1), [task_scope(user, filters)], today
    )


def agency_accountability(
    user: User, filters: DashboardFilters, today: date, zone: str
) -> list[AgencyRow]:
    """Per agency with tasks in scope: open, overdue, done on time / late, oldest overdue
    task; worst first (most overdue, then oldest overdue, then most open). Two queries.

    Unfiltered (the landing page), the counts come from the task tallies; narrowed by
    agreement filters, from the tasks of those agreements."""
    if filters == DashboardFilters():
        counts = _tallied_counts(user, today)
    else:
        counts = _counted_tasks(user, filters, today, zone)
    # Aggregate the tasks first, then name the (few) agencies.
    rows = db.session.execute(
        select(Agency.id, Agency.name, Agency.code, counts).join(
            counts, counts.c.agency_id == Agency.id
        )
    ).all()
    result = {
        row.id: AgencyRow(
            row.id,
            row.name,
            row.code,
            int(row.open),
            int(row.overdue),
            int(row.done),
            int(row.done_on_time),
            int(row.done) - int(row.done_on_time),  # done after the due date
            int(row.due_this_week),
        )
        for row in rows
    }
    oldest = {row.id: row.oldest_due for row in rows if row.oldest_due is not None}
    if oldest:
        # The title of each agency's oldest overdue task: open tasks due on one of those few
        # dates (read through ix_task_status_due_on), one row per (agency, date).
        titles = db.session.execute(
            select(Task.agency_id, Task.due_on, func.min(Task.title))
            .where(
                task_scope(user, filters),
                Task.status.in_(_OPEN),
                Task.due_on.in_(sorted(set(oldest.values()))),
                Task.agency_id.in_(sorted(oldest)),
            )
            .group_by(Task.agency_id, Task.due_on)
        )
        for agency_id, due_on, title in titles:
            if oldest.get(agency_id) == due_on:
                result[agency_id].oldest_title = title
                result[agency_id].oldest_days = (today - due_on).days
    return sorted(
        result.values(),
        key=lambda r: (-r.overdue, -(r.oldest_days or 0), -r.open, r.name),
    )


# --- documents ending soon --------------------------------------------------------------------


@dataclass(frozen=True)
class EndingDocument:
    kind: str  # "MoU/KB" or "PKS"
    agreement_id: int
    agreement_title: str
    ends_on: date
    days_left: int
    document_kind: str  # the stable key: "kb" or "pks" (as the register's ``KINDS``)
    document_id: int  # the Mou's or the Pks's id


def ending_soon(user: User, filters: DashboardFilters, today: date) -> list[EndingDocument]:
    """MoU/KB and PKS of open agreements in scope that end within 180 days, soonest first.
    One query, at most ``ENDING_LIMIT`` rows.

    Each kind takes its own first ``ENDING_LIMIT`` (which the overall first ones are among),
    so it reads its documents in end-date order through ``ix_<kind>_ends_on`` and stops
    there, instead of joining every document of the next 180 days before sorting."""
    horizon = today + timedelta(days=ENDING_WITHIN_DAYS)

    def soonest(model, label: str, key: str):
        return (
            select(
                literal(label).label("kind"),
                model.agreement_id.label("agreement_id"),
                Agreement.title.label("title"),
                model.ends_on.label("ends_on"),
                literal(key).label("document_kind"),
                model.id.label("document_id"),
            )
            .join(Agreement, Agreement.id == model.agreement_id)
            .where(
                model.ends_on.between(today, horizon),
                agreement_scope(user, filters),
                Agreement.stage.not_in(CLOSED_STAGES),
            )
            .order_by(model.ends_on, Agreement.title, model.agreement_id)
            .limit(ENDING_LIMIT)
            .subquery()
        )

    docs = union_all(
        select(soonest(Mou, "MoU/KB", "kb")), select(soonest(Pks, "PKS", "pks"))
    ).subquery()
    rows = db.session.execute(
        select(
            docs.c.kind,
            docs.c.agreement_id,
            docs.c.title,
            docs.c.ends_on,
            docs.c.document_kind,
            docs.c.document_id,
        )
        .order_by(docs.c.ends_on, docs.c.title, docs.c.kind, docs.c.agreement_id)
        .limit(ENDING_LIMIT)
    )
    return [
        EndingDocument(kind, agreement_id, title, ends_on, (ends_on - today).days, key, doc_id)
        for kind, agreement_id, title, ends_on, key, doc_id in rows
    ]
