"""Reads for the notification page and the count beside "Notifikasi" in the navbar: the
reminder notices a user received, and what is overdue now for them.

"What needs the user's attention" (the navbar's count, ``attention``) is the user's unread
reminder notices plus the open tasks overdue today within what the user watches
(``overdue_scope``): their agency's tasks for an OPD head, the government's for admins and
pimpinan. Overdue is decided when read, on the government's calendar date, as on the task
lists (``tasks.queries.overdue_condition``), never from what a reminder day produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import selectinload

from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.tasks.queries import overdue_condition


@dataclass(frozen=True)
class Attention:
    """The navbar's count and its two parts (one query, ``attention``)."""

    unread: int  # unread reminder notices
    overdue: int  # open tasks overdue today that the user watches

    @property
    def total(self) -> int:
        return self.unread + self.overdue


@dataclass(frozen=True)
class OverdueAgency:
    """One line of the overdue summary: an agency and its open overdue tasks."""

    agency: Agency
    count: int
    oldest_due_on: date


def overdue_scope(user: User, today: date):
    """The open tasks overdue ``today`` that ``user`` watches: an OPD head their agency's,
    admins and pimpinan their government's."""
    condition = (Task.government_id == user.government_id) & overdue_condition(today)
    if user.role == Role.OPD:
        if user.agency_id is None:
            return false()
        condition = condition & (Task.agency_id == user.agency_id)
    return condition


def attention(user: User, today: date) -> Attention:
    """Unread notices and overdue tasks for ``user``, counted in one query (two scalar
    subqueries on indexed columns)."""
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    overdue = select(func.count(Task.id)).where(overdue_scope(user, today)).scalar_subquery()
    row = db.session.execute(select(unread, overdue)).one()
    return Attention(unread=row[0] or 0, overdue=row[1] or 0)


def overdue_tasks(user: User, today: date, limit: int) -> list[Task]:
    """At most ``limit`` of the tasks ``user`` watches that are overdue today, the longest
    overdue first, with their agreement and agency."""
    return list(
        db.session.scalars(
            select(Task)
            .where(overdue_scope(user, today))
            .options(selectinload(Task.agreement), selectinload(Task.agency))
            .order_by(Task.due_on, Task.id)
            .limit(limit)
        )
    )


def overdue_by_agency(user: User, today: date) -> list[OverdueAgency]:
    """The overdue summary: per agency with overdue tasks, how many and since when; the
    agency with the most first."""
    count = func.count(Task.id)
    oldest = func.min(Task.due_on)
    rows = db.session.execute(
        select(Agency, count, oldest)
        .join(Task, Task.agency_id == Agency.id)
        .where(overdue_scope(user, today))
        .group_by(Agency.id)
        .order_by(count.desc(), oldest, Agency.code)
    ).all()
    return [OverdueAgency(agency, n, since) for agency, n, since in rows]


def for_user(user_id: int) -> Select:
    """A user's notifications, unread first, then the newest first."""
    return (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(
            case((Notification.read_at.is_(None), 0), else_=1),
            Notification.created_at.desc(),
            Notification.id.desc(),
        )
    )
