"""The planning half of the daily sweep: what is due today, for whom, on which channel.

``plan()`` runs per government, on the government's own "today" (its time zone), and for each:

0. closes the tasks whose completing step is already recorded
   (``tasks.follow_up.close_completed_for``: imported agreements, older tasks), so that no
   reminder is planned for them;
1. runs the "nearing its end" playbooks (``playbooks.services.run_ending_playbooks``) and
   creates the periodic monev tasks of the KB and PKS in force
   (``evaluations.periodic.create_due_tasks``), so that their tasks exist before the
   reminders are computed;
2. finds the open tasks that get a reminder today (``rules.task_reminders``), the MoU/KB and
   PKS that get an end-date notice (``rules.ending_notice``) and the stalled agreements that
   get their monthly notice to the admins (``rules.dormant_notice``);
3. writes one outbox row per recipient, item, rule, period and enabled channel, and one in-app
   notification per recipient, item, rule and period, with ``INSERT ... ON CONFLICT DO
   NOTHING`` on their unique keys: a second sweep of the same day (or two schedulers racing)
   plans nothing twice;
4. marks ended (``berakhir``) the agreements whose MoU/KB and PKS have all passed their end
   date, with an activity-log entry (before the stalled agreements are read: an agreement
   that ended is no longer stalled);
5. on the government's weekly digest day, plans the leaders' weekly digest (``weekly.plan``).

Cost follows the number of due items, not the number of tasks: the rules depend only on a
task's due date, so the due dates that get a reminder today are computed first (in Python,
from the working-day calendar) and only the open tasks due on those dates are read, through the
index on (status, due_on), as plain rows streamed in batches (``yield_per``), never as ORM
objects. A task that is long overdue but not on one of its overdue days today is never read.

Transactions: ``plan()`` is a job. It commits once per government (the outbox rows, the
notifications, the ended agreements and the playbook and monev tasks of one government
together), so a failure in one government is rolled back, logged and reported in its
``GovernmentPlan.error`` while the others are kept. Meanwhile it holds a lock on the
government's row (PostgreSQL), so that two planners racing plan one government one after the
other: the monev tasks have no unique key to stop a second copy (the other rows do). Call it
with no pending changes in the session. ``dry_run=True`` does the same work and rolls each
government back instead of committing: the counts and items are exactly what a real run would
add now (rows already planned are not counted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, literal, or_, select

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Agency, Government, Role, User
from kerjasama_flow.agreements import services as agreement_services
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage, dormancy
from kerjasama_flow.agreements.models import (
    Agreement,
    Mou,
    MouKind,
    Partner,
    Pks,
    agreement_partner,
)
from kerjasama_flow.agreements.queries import stalled_condition
from kerjasama_flow.db import dialect_insert
from kerjasama_flow.evaluations import periodic
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date, format_short_date
from kerjasama_flow.playbooks import services as playbook_services
from kerjasama_flow.reminders import rules, weekly
from kerjasama_flow.reminders.models import Channel, Notification, Outbox, Rule
from kerjasama_flow.tasks import follow_up
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task
from kerjasama_flow.workdays.services import days_off

log = logging.getLogger(__name__)

IN_APP = "in_app"  # the channel name of a notification in ``GovernmentPlan.items``
TASK_BATCH = 1000  # open tasks read (and their reminders written) per round trip
DATES_PER_QUERY = 500  # due dates per "due_on IN (...)" query
TITLE_MAX = 400  # Outbox.title / Notification.title
# Stages an agreement can be marked ended from (a stalled one waits until it is resumed).
ENDABLE = frozenset(Stage) - CLOSED - {Stage.DITUNDA, Stage.BERAKHIR}
# Calendar days of days off loaded after today: the due-soon horizon is a few working days,
# Idul Fitri's holidays and cuti bersama included.
DAYS_OFF_AHEAD = 90


@dataclass(frozen=True)
class PlannedItem:
    """One reminder a run added (or would add): for the ``--dry-run`` listing."""

    recipient_email: str
    channel: str  # "email", "whatsapp", or "in_app" for the in-app notification
    rule: Rule
    title: str


@dataclass
class GovernmentPlan:
    government: Government
    today: date
    queued: int = 0  # new outbox rows
    notified: int = 0  # new in-app notifications
    ended: int = 0  # agreements marked ended
    playbook_tasks: int = 0  # tasks created by the "nearing its end" playbooks
    monev_tasks: int = 0  # periodic monev tasks created
    completed_tasks: int = 0  # tasks closed because the step they wait for is recorded
    items: list[PlannedItem] = field(default_factory=list)
    error: str | None = None  # set when this government's plan failed and was rolled back


def plan(
    on: date | None = None,
    *,
    dry_run: bool = False,
    government_ids: list[int] | None = None,
) -> list[GovernmentPlan]:
    """Plan today's reminders for every government, or only those of ``government_ids`` (the
    scheduler sweeps one time zone at its local hour). See the module docstring.

    ``on`` replaces "today" for every government (``flask reminders run --date``); without it
    each government's today is the date in its own time zone (``clock.today_in``)."""
    query = select(Government.id).order_by(Government.id)
    if government_ids is not None:
        query = query.where(Government.id.in_(government_ids))
    government_ids = db.session.scalars(query).all()
    plans: list[GovernmentPlan] = []
    for government_id in government_ids:
        government = db.session.get(Government, government_id)
        today = on or clock.today_in(government.timezone)
        result = GovernmentPlan(government, today)
        try:
            _plan_government(government, today, result)
        except Exception as error:
            db.session.rollback()
            log.exception("reminder plan failed for government %s on %s", government_id, today)
            failed = GovernmentPlan(government, today, error=f"{type(error).__name__}: {error}")
            plans.append(failed)
            continue
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        plans.append(result)
    return plans


# --- one government ---------------------------------------------------------------------------


def _plan_government(government: Government, today: date, result: GovernmentPlan) -> None:
    _lock(government)  # first: one planner of this government at a time
    directory = Directory.load(government)
    result.completed_tasks = len(follow_up.close_completed_for(government))
    result.playbook_tasks = _run_ending_playbooks(government, today)
    result.monev_tasks = len(periodic.create_due_tasks(government, today))
    writer = Writer(government.id, directory, result)
    _plan_tasks(government, today, directory, writer)
    _plan_endings(government, today, directory, writer)
    result.ended = _mark_ended(government, today)
    _plan_dormant(government, today, directory, writer)  # not of the agreements just ended
    _plan_weekly(government, today, directory, result)


def _plan_weekly(
    government: Government, today: date, directory: Directory, result: GovernmentPlan
) -> None:
    """The leaders' weekly digest on its day (``weekly.plan``): outbox rows only, no bell."""
    title = f"{weekly.SUBJECT_PREFIX} {weekly.week_period(today)}"
    for user_id, channel in weekly.plan(
        government, today, list(directory.by_id.values()), directory.channels
    ):
        result.queued += 1
        result.items.append(
            PlannedItem(directory.by_id[user_id].email, Channel(channel).value, Rule.WEEKLY, title)
        )


def _lock(government: Government) -> None:
    """Hold the government's row until this plan commits (PostgreSQL; SQLite has one writer):
    a second planner of the same government waits, then sees the first one's monev tasks."""
    db.session.execute(
        select(Government.id).where(Government.id == government.id).with_for_update()
    )


def _run_ending_playbooks(government: Government, today: date) -> int:
    created = playbook_services.run_ending_playbooks(government, today)
    db.session.flush()
    return len(created)


@dataclass
class Directory:
    """The government's active users, grouped the ways the rules address them."""

    by_id: dict[int, User]
    by_agency: dict[int, list[User]]  # OPD users (and admins) attached to an agency
    admins: list[User]
    leaders: list[User]  # pimpinan and admins: escalations
    coordinator_agency_ids: frozenset[int]
    whatsapp_enabled: bool

    @classmethod
    def load(cls, government: Government) -> Directory:
        users = db.session.scalars(
            select(User)
            .where(User.government_id == government.id, User.is_active.is_(True))
            .order_by(User.id)
        ).all()
        by_agency: dict[int, list[User]] = {}
        for user in users:
            if user.agency_id is not None and user.role in (Role.OPD, Role.ADMIN):
                by_agency.setdefault(user.agency_id, []).append(user)
        coordinators = db.session.scalars(
            select(Agency.id).where(
                Agency.government_id == government.id, Agency.is_coordinator.is_(True)
            )
        ).all()
        return cls(
            by_id={user.id: user for user in users},
            by_agency=by_agency,
            admins=[u for u in users if u.role == Role.ADMIN],
            leaders=[u for u in users if u.role in (Role.PIMPINAN, Role.ADMIN)],
            coordinator_agency_ids=frozenset(coordinators),
            whatsapp_enabled=bool(current_app.config.get("WHATSAPP_GATEWAY_URL")),
        )

    def task_recipients(self, agency_id: int, assignee_id: int | None) -> list[User]:
        """The task's agency's users and its assignee; a task of the coordinating section
        (Bagian Pemerintahan) also goes to every admin."""
        found = list(self.by_agency.get(agency_id, ()))
        if agency_id in self.coordinator_agency_ids:
            found += self.admins
        if assignee_id is not None and assignee_id in self.by_id:
            found.append(self.by_id[assignee_id])
        return _unique(found)

    def ending_recipients(self, lead_agency_id: int | None) -> list[User]:
        """The lead agency's users and the admins."""
        lead = self.by_agency.get(lead_agency_id, []) if lead_agency_id is not None else []
        return _unique([*lead, *self.admins])

    def channels(self, user: User) -> list[Channel]:
        found = []
        if user.is_email_enabled:
            found.append(Channel.EMAIL)
        if user.is_whatsapp_enabled and user.phone and self.whatsapp_enabled:
            found.append(Channel.WHATSAPP)
        return found


def _unique(users: Iterable[User]) -> list[User]:
    return list({user.id: user for user in users}.values())


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One item's reminder under one rule and period, to a list of recipients."""

    item_kind: str  # task, mou, pks, agreement
    item_id: int
    due: rules.Due
    title: str
    url: str
    due_on: date | None
    recipients: list[User]


class Writer:
    """Collects reminders and writes them in batches with INSERT ... ON CONFLICT DO NOTHING,
    counting (through RETURNING) only the rows really inserted."""

    def __init__(self, government_id: int, directory: Directory, result: GovernmentPlan):
        self.government_id = government_id
        self.directory = directory
        self.result = result
        self.now = clock.now()

    def write(self, reminders: Iterable[Reminder]) -> None:
        outbox: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        for reminder in reminders:
            common = {
                "government_id": self.government_id,
                "item_kind": reminder.item_kind,
                "item_id": reminder.item_id,
                "rule": reminder.due.rule,
                "period": reminder.due.period,
                "title": reminder.title[:TITLE_MAX],
                "url": reminder.url,
                "created_at": self.now,
            }
            for user in reminder.recipients:
                notifications.append({**common, "user_id": user.id, "read_at": None})
                for channel in self.directory.channels(user):
                    outbox.append(
                        {
                            **common,
                            "recipient_id": user.id,
                            "channel": channel,
                            "due_on": reminder.due_on,
                            "next_attempt_at": self.now,
                        }
                    )
        emails = self.directory.by_id
        for user_id, channel, rule, title in _insert_new(
            Outbox,
            outbox,
            (Outbox.recipient_id, Outbox.channel, Outbox.rule, Outbox.title),
        ):
            self.result.queued += 1
            self.result.items.append(
                PlannedItem(emails[user_id].email, Channel(channel).value, Rule(rule), title)
            )
        for user_id, rule, title in _insert_new(
            Notification,
            notifications,
            (Notification.user_id, Notification.rule, Notification.title),
        ):
            self.result.notified += 1
            self.result.items.append(PlannedItem(emails[user_id].email, IN_APP, Rule(rule), title))


def _insert_new(model, rows: list[dict[str, Any]], returning: Sequence) -> list[tuple]:
    """Insert ``rows``, skipping those whose unique key exists; the inserted rows' columns."""
    if not rows:
        return []
    statement = (
        dialect_insert(db.session)(model.__table__).on_conflict_do_nothing().returning(*returning)
    )
    return [tuple(row) for row in db.session.execute(statement, rows)]


# --- tasks ------------------------------------------------------------------------------------


def _plan_tasks(government: Government, today: date, directory: Directory, writer: Writer) -> None:
    oldest = _oldest_open_due_on(government.id)
    if oldest is None:
        return
    start = min(oldest, today)
    days = rules.WorkingDays.with_days_off(
        today, days_off(government, start, today + timedelta(days=DAYS_OFF_AHEAD))
    )
    settings = rules.TaskRuleSettings.for_government(government)
    by_date = rules.due_dates_with_reminders(today, oldest, days, settings)
    partners = PartnerNames()
    for batch in _open_tasks_due_on(government.id, sorted(by_date)):
        partners.load(row.agreement_id for row in batch)
        writer.write(
            Reminder(
                item_kind="task",
                item_id=row.id,
                due=due,
                title=task_title(
                    due.rule, row.title, row.due_on, today, partners[row.agreement_id]
                ),
                url=f"/tasks/{row.id}",
                due_on=row.due_on,
                recipients=(
                    directory.leaders
                    if due.rule == Rule.ESCALATION
                    else directory.task_recipients(row.agency_id, row.assignee_id)
                ),
            )
            for row in batch
            for due in by_date[row.due_on]
        )


def _oldest_open_due_on(government_id: int) -> date | None:
    """The earliest due date of an open task: one MIN per status, each an index lookup on
    (status, due_on)."""
    found = [
        db.session.scalar(
            select(func.min(Task.due_on)).where(
                Task.status == status, Task.government_id == government_id
            )
        )
        for status in sorted(OPEN_STATUSES)
    ]
    found = [day for day in found if day is not None]
    return min(found, default=None)


def _open_tasks_due_on(government_id: int, due_dates: list[date]) -> Iterator[list[Any]]:
    """The open tasks due on ``due_dates``, as plain rows, in batches of ``TASK_BATCH``
    (streamed: a server-side cursor on PostgreSQL)."""
    for start in range(0, len(due_dates), DATES_PER_QUERY):
        chunk = due_dates[start : start + DATES_PER_QUERY]
        statement = (
            select(
                Task.id,
                Task.title,
                Task.due_on,
                Task.agency_id,
                Task.assignee_id,
                Task.agreement_id,
            )
            .where(
                Task.status.in_(sorted(OPEN_STATUSES)),
                Task.due_on.in_(chunk),
                Task.government_id == government_id,
            )
            .order_by(Task.due_on, Task.id)
            .execution_options(yield_per=TASK_BATCH)
        )
        result = db.session.execute(statement)
        try:
            yield from result.partitions()
        finally:
            result.close()


class PartnerNames:
    """Partner names per agreement for the titles ("... (Kota Depok)"), one query per batch
    for the agreements not seen yet."""

    def __init__(self):
        self._names: dict[int, str] = {}

    def load(self, agreement_ids: Iterable[int]) -> None:
        missing = set(agreement_ids) - self._names.keys()
        if not missing:
            return
        found: dict[int, list[str]] = {agreement_id: [] for agreement_id in missing}
        rows = db.session.execute(
            select(agreement_partner.c.agreement_id, Partner.name)
            .join(Partner, Partner.id == agreement_partner.c.partner_id)
            .where(agreement_partner.c.agreement_id.in_(sorted(missing)))
            .order_by(agreement_partner.c.agreement_id, Partner.name)
        )
        for agreement_id, name in rows:
            found[agreement_id].append(name)
        self._names.update({key: ", ".join(names) for key, names in found.items()})

    def __getitem__(self, agreement_id: int) -> str:
        return self._names.get(agreement_id, "")


def task_title(rule: Rule, title: str, due_on: date, today: date, partners: str = "") -> str:
    """ "Terlambat 5 hari: Susun draf PKS (Kota Depok)". Days late are calendar days, as on the
    task pages."""
    late = (today - due_on).days
    prefix = {
        Rule.DUE_SOON: f"Jatuh tempo {format_short_date(due_on)}",
        Rule.DUE_TODAY: "Jatuh tempo hari ini",
        Rule.OVERDUE: f"Terlambat {late} hari",
        Rule.ESCALATION: f"Eskalasi, terlambat {late} hari",
    }[rule]
    suffix = f" ({partners})" if partners else ""
    return _fit(f"{prefix}: {title}", suffix)


def _fit(text: str, suffix: str) -> str:
    """``text`` and ``suffix``, cut with an ellipsis to the column's length."""
    full = text + suffix
    return full if len(full) <= TITLE_MAX else full[: TITLE_MAX - 1] + "…"


# --- MoU/PKS end dates ------------------------------------------------------------------------


DOCUMENT_LABELS = {MouKind.KB.value: "Kesepakatan Bersama", MouKind.MOU.value: "MoU", "pks": "PKS"}


def _plan_endings(
    government: Government, today: date, directory: Directory, writer: Writer
) -> None:
    notice_days = government_settings.get(government, "ending_notice_days")
    first, last = rules.ending_window(today, notice_days)
    for kind, model in (("mou", Mou), ("pks", Pks)):
        document_kind = (Mou.document_kind if model is Mou else literal("pks")).label(
            "document_kind"
        )
        rows = db.session.execute(
            select(
                model.id,
                model.ends_on,
                document_kind,
                model.number_own,
                Agreement.id.label("agreement_id"),
                Agreement.title.label("agreement_title"),
                Agreement.lead_agency_id,
            )
            .join(Agreement, Agreement.id == model.agreement_id)
            .where(
                Agreement.government_id == government.id,
                Agreement.stage.not_in(sorted(CLOSED)),
                model.ends_on >= first,
                model.ends_on <= last,
            )
            .order_by(model.ends_on, model.id)
        ).all()
        reminders = []
        for row in rows:
            due = rules.ending_notice(row.ends_on, today, notice_days)
            if due is None:
                continue
            label = DOCUMENT_LABELS[row.document_kind]
            if row.number_own:
                label = f"{label} {row.number_own}"
            reminders.append(
                Reminder(
                    item_kind=kind,
                    item_id=row.id,
                    due=due,
                    title=ending_title(label, row.ends_on, today, row.agreement_title),
                    url=f"/agreements/{row.agreement_id}",
                    due_on=row.ends_on,
                    recipients=directory.ending_recipients(row.lead_agency_id),
                )
            )
        writer.write(reminders)


def ending_title(label: str, ends_on: date, today: date, agreement_title: str) -> str:
    """ "MoU 12/2025 berakhir dalam 90 hari (13 Agu 2030): Pasokan pangan ke DKI"."""
    days_left = (ends_on - today).days
    if days_left > 0:
        when = f"berakhir dalam {days_left} hari ({format_short_date(ends_on)})"
    elif days_left == 0:
        when = "berakhir hari ini"
    else:
        when = f"telah berakhir pada {format_short_date(ends_on)}"
    return _fit(f"{label} {when}: {agreement_title}", "")


# --- stalled agreements ("mandek") ------------------------------------------------------------


def _plan_dormant(
    government: Government, today: date, directory: Directory, writer: Writer
) -> None:
    """A monthly notice to the admins for each stalled agreement (``lifecycle.dormancy``, read
    through its SQL twin ``stalled_condition``)."""
    if not directory.admins:
        return
    kb_months = government_settings.get(government, "dormant_kb_months")
    pks_months = government_settings.get(government, "dormant_pks_months")
    latest_kb = (
        select(func.max(Mou.signed_on))
        .where(Mou.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    latest_pks = (
        select(func.max(Pks.signed_on))
        .where(Pks.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Agreement.id,
            Agreement.title,
            Agreement.stage,
            latest_kb.label("last_kb_signed_on"),
            latest_pks.label("last_pks_signed_on"),
        )
        .where(Agreement.government_id == government.id, stalled_condition(government, today))
        .order_by(Agreement.id)
    ).all()
    reminders = []
    for row in rows:
        reason = dormancy(
            stage=row.stage,
            last_kb_signed_on=row.last_kb_signed_on,
            last_pks_signed_on=row.last_pks_signed_on,
            kb_months=kb_months,
            pks_months=pks_months,
            today=today,
        )
        if reason is None:
            continue
        if row.stage == Stage.KESEPAKATAN:
            due = rules.dormant_notice("kb", row.last_kb_signed_on, today, kb_months)
        else:
            due = rules.dormant_notice("pks", row.last_pks_signed_on, today, pks_months)
        if due is None:
            continue
        reminders.append(
            Reminder(
                item_kind="agreement",
                item_id=row.id,
                due=due,
                title=dormant_title(row.title, reason),
                url=f"/agreements/{row.id}",
                due_on=None,
                recipients=directory.admins,
            )
        )
    writer.write(reminders)


def dormant_title(agreement_title: str, reason: str) -> str:
    """ "Kerja sama Pasokan pangan ke DKI mandek: Kesepakatan Bersama ditandatangani 9 Mei
    2025 belum diikuti PKS setelah 6 bulan." """
    return _fit(f"Kerja sama {agreement_title} mandek: {reason}", "")


# --- agreements whose documents have all ended ------------------------------------------------


def _mark_ended(government: Government, today: date) -> int:
    """Mark ``berakhir`` every open agreement with at least one MoU/PKS and none still valid
    (a document without an end date is valid indefinitely; an extension is a later document
    that is still valid, so the agreement stays open)."""

    def valid(model):
        return exists().where(
            model.agreement_id == Agreement.id,
            or_(model.ends_on.is_(None), model.ends_on >= today),
        )

    def any_document(model):
        return exists().where(model.agreement_id == Agreement.id)

    agreements = db.session.scalars(
        select(Agreement)
        .where(
            Agreement.government_id == government.id,
            Agreement.stage.in_(sorted(ENDABLE)),
            or_(any_document(Mou), any_document(Pks)),
            ~valid(Mou),
            ~valid(Pks),
        )
        .order_by(Agreement.id)
    ).all()
    for agreement in agreements:
        last_end = max(
            db.session.scalar(
                select(func.max(model.ends_on)).where(model.agreement_id == agreement.id)
            )
            or date.min
            for model in (Mou, Pks)
        )
        agreement_services.mark_ended(
            agreement, f"Masa berlaku MoU/PKS berakhir pada {format_date(last_end)}"
        )
    db.session.flush()
    return len(agreements)
