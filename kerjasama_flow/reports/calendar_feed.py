"""The per-user iCalendar feed: open tasks' due dates and MoU/PKS end dates as all-day events.

The feed is fetched by Google Calendar or Outlook without a session: the user is found by the
secret token in its URL (``User.calendar_token``), which they can replace at any time from
their account page (``accounts.services.issue_calendar_token``; the old URL then answers 404).
This module only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kerjasama_flow.accounts.models import Government, Role, User
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Pks
from kerjasama_flow.agreements.queries import visible_to
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

PRODID = "-//kerjasama-flow//Kalender Kerja Sama Daerah//ID"


def user_for_token(token: str) -> User | None:
    """The active user whose calendar token this is, else None (unknown or replaced)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(User).where(User.calendar_token == token, User.is_active.is_(True))
    )


def feed_tasks(user: User) -> list[Task]:
    """An OPD head's agency's open tasks; every open task of the government for the others."""
    stmt = (
        select(Task)
        .where(Task.government_id == user.government_id, Task.status.in_(OPEN_STATUSES))
        .options(joinedload(Task.agreement), joinedload(Task.agency))
        .order_by(Task.due_on, Task.id)
    )
    if user.role == Role.OPD:
        stmt = stmt.where(Task.agency_id == user.agency_id)
    return list(db.session.scalars(stmt))


def feed_documents(user: User) -> list[Mou | Pks]:
    """MoU/KB and PKS with an end date, of the agreements the user may read (not cancelled)."""
    documents: list[Mou | Pks] = []
    for model in (Mou, Pks):
        documents.extend(
            db.session.scalars(
                select(model)
                .join(Agreement, Agreement.id == model.agreement_id)
                .where(
                    visible_to(user),
                    Agreement.stage != Stage.BATAL,
                    model.ends_on.is_not(None),
                )
                .options(joinedload(model.agreement))
                .order_by(model.ends_on, model.id)
            )
        )
    return documents


def _event(uid: str, day, summary: str, description: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{description}\n{url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(user: User, url_of: Callable[[str, int], str], now: datetime) -> bytes:
    """The feed of ``user`` as iCalendar bytes. ``url_of(kind, id)`` gives the absolute link
    of a task (``"task"``) or an agreement (``"agreement"``)."""
    government = db.session.get(Government, user.government_id)
    domain = f"{government.region_code}.kerjasama-flow"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Kerja Sama {government.name}")
    calendar.add("x-wr-timezone", government.timezone)
    for task in feed_tasks(user):
        calendar.add_component(
            _event(
                f"task-{task.id}@{domain}",
                task.due_on,
                f"Tenggat: {task.title}",
                f"Kerja sama: {task.agreement.title}\nOPD: {task.agency.code}",
                url_of("task", task.id),
                now,
            )
        )
    for document in feed_documents(user):
        name = document.label if isinstance(document, Mou) else f"PKS {document.title}"
        calendar.add_component(
            _event(
                f"{document.kind}-{document.id}@{domain}",
                document.ends_on,
                f"Berakhir: {name}",
                f"Kerja sama: {document.agreement.title}",
                url_of("agreement", document.agreement_id),
                now,
            )
        )
    return calendar.to_ical()
