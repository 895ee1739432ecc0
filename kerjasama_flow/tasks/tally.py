"""Task tallies: the counts behind the dashboard's agency figures, kept as tasks change.

``TaskTally`` holds, per government, agency, state and due date, how many tasks there are.
Open tasks are counted by their due date (overdue and "due this week" depend on it); done and
cancelled ones by the first day of their due month, as only their totals are read. So there
are at most agencies x (due dates + 3 x due months) rows, however many tasks.

The session keeps the tallies. Before a flush that changes or deletes tasks, the stored rows
of those tasks are read; after the flush, the stored rows of the changed and new tasks; the
difference is added to the tallies in the same transaction (an UPSERT adding to ``n``, in key
order). So a rolled-back savepoint or transaction takes its counts with it, and no code path
that saves a task through the ORM can forget the tally.

Writes that bypass the ORM (the benchmarks' bulk inserts) and a change of a government's time
zone (which can move a task between "on time" and "late") call ``rebuild``.

``state_of`` (Python, for the flush) and ``state_expression`` (SQL, for ``rebuild`` and the
dashboard's filtered figures) are the one definition of a task's state; a test holds them
to each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from itertools import chain
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, cast, delete, event, func, inspect, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kerjasama_flow.accounts.models import Government
from kerjasama_flow.db import dialect_insert
from kerjasama_flow.tasks.models import OPEN_STATUSES, TallyState, Task, TaskStatus, TaskTally

Key = tuple[int, int, TallyState, date]  # government, agency, state, due date

_BEFORE = "task_tally_before"
_CHUNK = 500  # ids per IN (...) when reading stored task rows


def state_of(status: TaskStatus, done_at: datetime | None, due_on: date, zone: str) -> TallyState:
    """How a task counts: done on time means done on or before its due date in the
    government's own calendar (a done task without a completion time counts as late)."""
    if status in OPEN_STATUSES:
        return TallyState.OPEN
    if status == TaskStatus.CANCELLED:
        return TallyState.CANCELLED
    if status == TaskStatus.PAUSED:
        return TallyState.PAUSED
    if done_at is not None and done_at.astimezone(ZoneInfo(zone)).date() <= due_on:
        return TallyState.ON_TIME
    return TallyState.LATE


def tally_date(state: TallyState, due_on: date) -> date:
    """The date a task is tallied under: its due date while open, else its due month."""
    return due_on if state == TallyState.OPEN else due_on.replace(day=1)


def _tally_date_expression(state, dialect: str):
    """``tally_date`` as SQL over the ``task`` table."""
    if dialect == "postgresql":
        month = cast(func.date_trunc("month", Task.due_on), Date)
    else:
        month = func.date(Task.due_on, "start of month")
    return case((state == TallyState.OPEN.value, Task.due_on), else_=month)


def local_date(column, zone: str, dialect: str):
    """The calendar date of a UTC timestamp column in ``zone``, on either backend."""
    if dialect == "postgresql":
        return cast(func.timezone(zone, column), Date)
    # SQLite stores naive UTC text; Indonesian zones have no daylight saving time, so the
    # offset of today applies to every date.
    offset = datetime.now(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")


def state_expression(zone: str, dialect: str):
    """``state_of`` as SQL over the ``task`` table, for tasks of a government in ``zone``."""
    return case(
        (Task.status.in_(sorted(OPEN_STATUSES)), literal(TallyState.OPEN.value)),
        (Task.status == TaskStatus.CANCELLED, literal(TallyState.CANCELLED.value)),
        (Task.status == TaskStatus.PAUSED, literal(TallyState.PAUSED.value)),
        (
            local_date(Task.done_at, zone, dialect) <= Task.due_on,
            literal(TallyState.ON_TIME.value),
        ),
        else_=literal(TallyState.LATE.value),
    )


# --- keeping the tally in step with the session -------------------------------------------------


def _stored_keys(connection: Connection, ids: Iterable[int]) -> Counter[Key]:
    """The tally keys of the tasks ``ids`` as the database holds them now."""
    keys: Counter[Key] = Counter()
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(
                Task.government_id,
                Task.agency_id,
                Task.status,
                Task.done_at,
                Task.due_on,
                Government.timezone,
            )
            .join(Government, Government.id == Task.government_id)
            .where(Task.id.in_(ids[start : start + _CHUNK]))
        )
        for government_id, agency_id, status, done_at, due_on, zone in rows:
            state = state_of(status, done_at, due_on, zone)
            keys[(government_id, agency_id, state, tally_date(state, due_on))] += 1
    return keys


def _stored_task_ids(objects: Iterable[object]) -> list[int]:
    ids = []
    for obj in objects:
        if isinstance(obj, Task):
            identity = inspect(obj).identity
            if identity is not None:
                ids.append(identity[0])
    return ids


def add(connection: Connection, changes: dict[Key, int]) -> None:
    """Add ``changes`` to the tallies, creating rows as needed, in key order (two
    transactions touching the same rows lock them in the same order)."""
    rows = [
        {"government_id": g, "agency_id": a, "state": s, "due_on": d, "n": n}
        for (g, a, s, d), n in sorted(changes.items())
        if n
    ]
    if not rows:
        return
    table = TaskTally.__table__
    statement = dialect_insert(connection)(table)
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={"n": table.c.n + statement.excluded.n},
    )
    connection.execute(statement, rows)


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, flush_context, instances) -> None:
    ids = _stored_task_ids(chain(session.dirty, session.deleted))
    session.info[_BEFORE] = (ids, _stored_keys(session.connection(), ids) if ids else Counter())


@event.listens_for(Session, "after_flush")
def _add_difference(session: Session, flush_context) -> None:
    ids, before = session.info.pop(_BEFORE, ([], Counter()))
    # New tasks have their primary key now, though not yet their identity key.
    new_ids = [obj.__dict__["id"] for obj in session.new if isinstance(obj, Task)]
    if not ids and not new_ids:
        return
    after = _stored_keys(session.connection(), [*ids, *new_ids])
    after.subtract(before)
    add(session.connection(), after)


# --- rebuilding -----------------------------------------------------------------------------------


def rebuild(session: Session, government_ids: Iterable[int] | None = None) -> None:
    """Recount the tallies of ``government_ids`` (all governments when None) from the tasks,
    in SQL (one INSERT ... SELECT ... GROUP BY per government)."""
    query = select(Government.id, Government.timezone)
    if government_ids is not None:
        query = query.where(Government.id.in_(list(government_ids)))
    governments = session.execute(query).all()
    dialect = session.get_bind().dialect.name
    for government_id, zone in governments:
        session.execute(delete(TaskTally).where(TaskTally.government_id == government_id))
        state = state_expression(zone, dialect)
        rows = (
            select(
                Task.government_id,
                Task.agency_id,
                state.label("state"),
                _tally_date_expression(state, dialect).label("due_on"),
            )
            .where(Task.government_id == government_id)
            .subquery()
        )
        counts = select(rows, func.count()).group_by(*rows.c)
        session.execute(
            TaskTally.__table__.insert().from_select(
                ["government_id", "agency_id", "state", "due_on", "n"], counts
            )
        )
