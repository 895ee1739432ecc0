"""Reads of follow-up tasks: the lists behind "Tugas Saya" and "Tugas Tindak Lanjut", the
choices of the list filters, and a task's history in words.

Plain functions of the user, the filters and ``today`` (the government's own calendar date, see
``clock.today_in``): "overdue" is decided when read, never stored.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import selectinload

from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task, TaskStatus

# The pseudo-status and due periods offered by the list filters (values as they appear in URLs).
OVERDUE = "terlambat"
PERIOD_WEEK = "minggu-ini"
PERIOD_MONTH = "bulan-ini"
PERIOD_LABELS = {
    PERIOD_WEEK: "Tenggat minggu ini",
    PERIOD_MONTH: "Tenggat bulan ini",
    OVERDUE: "Sudah lewat tenggat",
}

_OPEN = tuple(sorted(OPEN_STATUSES))


@dataclass(frozen=True)
class TaskFilters:
    """What the list is narrowed to. ``None`` means "all"."""

    agency_id: int | None = None
    status: str | None = None  # a TaskStatus value, or OVERDUE
    agreement_id: int | None = None
    period: str | None = None  # PERIOD_WEEK, PERIOD_MONTH or OVERDUE
    include_closed: bool = True  # False: only open tasks (the OPD's default view)

    @property
    def is_narrowed(self) -> bool:
        return any(
            value is not None
            for value in (self.agency_id, self.status, self.agreement_id, self.period)
        )


def overdue_condition(today: date):
    return and_(Task.status.in_(_OPEN), Task.due_on < today)


def due_period(period: str, today: date) -> tuple[date, date] | None:
    """The first and last due date of "this week" (Monday to Sunday) or "this month"."""
    if period == PERIOD_WEEK:
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period == PERIOD_MONTH:
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    return None


def task_list(user: User, filters: TaskFilters, today: date) -> Select:
    """The tasks ``user`` may list, narrowed by ``filters``: overdue first, then the open ones
    by due date, then the done and cancelled ones. Agreement and agency are loaded with them.

    An OPD head only ever lists their own agency's tasks, whatever the filters say.
    """
    stmt = (
        select(Task)
        .where(Task.government_id == user.government_id)
        .options(selectinload(Task.agreement), selectinload(Task.agency))
    )
    if user.role == Role.OPD:
        stmt = stmt.where(Task.agency_id == user.agency_id)
    elif filters.agency_id is not None:
        stmt = stmt.where(Task.agency_id == filters.agency_id)

    if filters.agreement_id is not None:
        stmt = stmt.where(Task.agreement_id == filters.agreement_id)
    if filters.status == OVERDUE:
        stmt = stmt.where(overdue_condition(today))
    elif filters.status is not None:
        stmt = stmt.where(Task.status == TaskStatus(filters.status))
    elif not filters.include_closed:
        stmt = stmt.where(Task.status.in_(_OPEN))

    if filters.period == OVERDUE:
        stmt = stmt.where(overdue_condition(today))
    else:
        bounds = due_period(filters.period or "", today)
        if bounds is not None:
            stmt = stmt.where(Task.due_on.between(*bounds))

    bucket = case(
        (overdue_condition(today), 0),
        (Task.status.in_(_OPEN), 1),
        else_=2,
    )
    return stmt.order_by(bucket, Task.due_on, Task.id)


def count_overdue(user: User, today: date) -> int:
    """How many of the tasks ``user`` may list are overdue today."""
    stmt = select(func.count(Task.id)).where(
        Task.government_id == user.government_id, overdue_condition(today)
    )
    if user.role == Role.OPD:
        stmt = stmt.where(Task.agency_id == user.agency_id)
    return db.session.scalar(stmt) or 0


def count_paused(user: User) -> int:
    """How many of the tasks ``user`` may list are paused with their stalled agreement."""
    stmt = select(func.count(Task.id)).where(
        Task.government_id == user.government_id, Task.status == TaskStatus.PAUSED
    )
    if user.role == Role.OPD:
        stmt = stmt.where(Task.agency_id == user.agency_id)
    return db.session.scalar(stmt) or 0


def count_tasks(user: User) -> int:
    """All tasks ``user`` may list, whatever their status (to tell "none yet" from "none
    matching")."""
    stmt = select(func.count(Task.id)).where(Task.government_id == user.government_id)
    if user.role == Role.OPD:
        stmt = stmt.where(Task.agency_id == user.agency_id)
    return db.session.scalar(stmt) or 0


def agency_choices(user: User) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .where(Agency.government_id == user.government_id)
        .order_by(Agency.code)
    )
    return [(row.id, f"{row.code} – {row.name}") for row in rows]


def agreement_choices(user: User) -> list[tuple[int, str]]:
    """Agreements that have tasks, for the list filter."""
    with_tasks = select(Task.agreement_id).where(Task.government_id == user.government_id)
    rows = db.session.execute(
        select(Agreement.id, Agreement.title)
        .where(Agreement.government_id == user.government_id, Agreement.id.in_(with_tasks))
        .order_by(Agreement.title)
    )
    return [(row.id, row.title) for row in rows]


# --- history ----------------------------------------------------------------------------------

ACTION_LABELS = {
    "created": "membuat tugas ini",
    "updated": "mengubah data tugas",
    "status_changed": "memperbarui status",
}
FIELD_LABELS = {
    "title": "Judul",
    "description": "Uraian",
    "agency": "OPD",
    "assignee": "Penanggung jawab",
    "due_on": "Tenggat",
    "status": "Status",
    "note": "Catatan",
}
# What a "created" entry shows: the task's title is already the page's title.
_CREATED_FIELDS = ("agency", "assignee", "due_on")
_LONG_TEXT = 200


@dataclass
class HistoryEntry:
    at: Any
    actor_name: str
    action: str
    changes: list[tuple[str, str | None, str]] = field(default_factory=list)


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if name == "status":
        try:
            return TaskStatus(value).label
        except ValueError:
            return str(value)
    if name == "due_on":
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    text = str(value)
    return text if len(text) <= _LONG_TEXT else text[: _LONG_TEXT - 1] + "…"


def task_history(task) -> list[HistoryEntry]:
    """The task's activity log, newest first, in words."""
    rows = db.session.scalars(
        select(ActivityLog)
        .where(
            ActivityLog.government_id == task.government_id,
            ActivityLog.entity == "task",
            ActivityLog.entity_id == task.id,
        )
        .options(selectinload(ActivityLog.actor))
        .order_by(ActivityLog.at.desc(), ActivityLog.id.desc())
    )
    entries = []
    for row in rows:
        before, after = row.before or {}, row.after or {}
        if row.action == "created":
            changes = [
                (FIELD_LABELS[name], None, _display(name, after.get(name)))
                for name in _CREATED_FIELDS
                if after.get(name) is not None
            ]
        else:
            changes = [
                (
                    FIELD_LABELS.get(name, name),
                    _display(name, before.get(name)),
                    _display(name, after.get(name)),
                )
                for name in after
            ]
        entries.append(
            HistoryEntry(
                at=row.at,
                actor_name=row.actor.name if row.actor else "Sistem",
                action=ACTION_LABELS.get(row.action, row.action),
                changes=changes,
            )
        )
    return entries
