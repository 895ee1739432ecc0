"""Generated tasks follow the work they wait for.

A task a playbook created for a step (a visit, a KB/MoU, a PKS, a transaction) remembers that
step (``milestone_kind``/``milestone_id``), how its due date was counted from the step's date
(``due_in_working_days``), and the kind of step whose recording completes it
(``completed_by``: "Susun draf PKS" is completed by a PKS). So:

- recording a step closes, as done, the open tasks of the agreement that wait for a step of
  that kind (``close_completed``), dated and attributed to the step; deleting that step
  reopens them, or hands them to another step of the same kind (``after_step_deleted``);
- deleting the step that created tasks cancels its open ones (there is nothing left to follow
  up) and unties all of them from it;
- changing a step's date moves the due date of its open tasks by the same working-day rule
  (``move_due_dates``); a due date set by hand no longer follows its step;
- a task meant for the OPD pengampu that went to Bagian Pemerintahan for want of one moves to
  the OPD pengampu once it is set (``hand_to_lead_agency``);
- the daily sweep closes what is already completed (``close_completed_for``): tasks of
  agreements imported with their steps, or created before this rule existed.

A due date never lies before the day its task was created (``generated_due_on``): nobody is
charged for being late on a task they never had. Functions flush, never commit; each change is
in the activity log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Government, Role, User
from kerjasama_flow.activity.services import log_changes, snapshot
from kerjasama_flow.agreements.lifecycle import EVENT_DAYS, Stage
from kerjasama_flow.agreements.models import (
    MILESTONE_LABELS,
    MILESTONE_MODELS,
    Agreement,
    MouKind,
)
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.tasks import notes
from kerjasama_flow.tasks.models import OPEN_STATUSES, Closure, Task, TaskStatus
from kerjasama_flow.workdays.services import add_working_days_for

# What a step can still close or move: open tasks, and tasks paused with their agreement.
LIVE_STATUSES = tuple(sorted(OPEN_STATUSES | {TaskStatus.PAUSED}))
TASK_FIELDS = ("agency", "assignee", "due_on", "status", "note")
# The date field of each milestone kind, as ``snapshot`` names it.
DATE_FIELDS = {kind: field for kind, (field, _) in EVENT_DAYS.items()}
# The ``completed_by`` values each kind of step completes: its own, and for a realised
# activity also a task waiting for the first transaction (the first realisation of a
# non-trade cooperation is an activity, not a transaction).
COMPLETES = {kind: (kind,) for kind in DATE_FIELDS} | {"activity": ("activity", "transaction")}


def generated_due_on(government: Government | int, step_on: date, days: int, created_on: date):
    """``days`` working days after the step's date; when that lies before ``created_on`` (the
    step was recorded late), ``days`` working days after ``created_on`` instead."""
    due_on = add_working_days_for(government, step_on, days)
    if due_on < created_on:
        due_on = add_working_days_for(government, created_on, days)
    return due_on


# The name a step goes by in a sentence ("PKS dicatat 14 Agustus 2025").
SHORT_NAMES = {"pks": "PKS"}


def step_name(milestone: Any) -> str:
    """ "PKS", "Kesepakatan Bersama", "Nota Kesepahaman (MoU)", "Kunjungan kerja"..."""
    if milestone.kind == "mou":
        return MouKind(milestone.document_kind).label  # a str until the session reloads it
    return SHORT_NAMES.get(milestone.kind) or MILESTONE_LABELS[milestone.kind]


def completion_note(milestone: Any) -> str:
    """ "Selesai otomatis: PKS dicatat 14 Agustus 2025" (the step's own date)."""
    return notes.automatic(
        notes.DONE, f"{step_name(milestone)} dicatat {format_date(milestone.occurred_on)}"
    )


def _local_day(government: Government, at: datetime) -> date:
    return at.astimezone(ZoneInfo(government.timezone)).date()


def _done_at(government: Government, on: date) -> datetime:
    """When a task completed by a step dated ``on`` was done: now for a step of today, else
    midday of that day in the government's zone (never in the future)."""
    now = clock.now()
    if on >= _local_day(government, now):
        return now
    return datetime.combine(on, time(12), tzinfo=ZoneInfo(government.timezone))


def _source(task: Task) -> Any | None:
    """The step that created ``task``, if it still exists."""
    model = MILESTONE_MODELS.get(task.milestone_kind or "")
    if model is None or task.milestone_id is None:
        return None
    return db.session.get(model, task.milestone_id)


def _completes(milestone: Any, task: Task) -> bool:
    """A step completes a task waiting for its kind unless it is the task's own step, or
    dated before it (an older KB does not complete the evaluation of a newer one's end). A
    step about one KB or PKS (its report) completes only the tasks of that document."""
    if task.completed_by not in COMPLETES[milestone.kind]:
        return False
    if task.milestone_kind == milestone.kind and task.milestone_id == milestone.id:
        return False
    subject = getattr(milestone, "subject", None)  # a report or an amendment of a KB/PKS
    if subject is not None and task.milestone_kind in ("mou", "pks"):
        return (task.milestone_kind, task.milestone_id) == (subject.kind, subject.id)
    source = _source(task)
    return source is None or milestone.occurred_on >= source.occurred_on


def _log(actor: User | None, task: Task, before: dict, action: str = "status_changed") -> None:
    log_changes(actor, task, action, before, snapshot(task, TASK_FIELDS))


def _close(actor: User | None, task: Task, milestone: Any) -> None:
    close_by(
        actor,
        task,
        kind=milestone.kind,
        record_id=milestone.id,
        on=milestone.occurred_on,
        line=completion_note(milestone),
    )


def close_by(
    actor: User | None, task: Task, *, kind: str, record_id: int, on: date, line: str
) -> None:
    """Close ``task`` as done by a record (a step, or a monev: ``kind`` and ``record_id``)
    dated ``on``, with ``line`` ("Selesai otomatis: ...") before the note people wrote. The
    record is remembered, so that the task can be reopened as it was."""
    before = snapshot(task, TASK_FIELDS)
    # Keep what it was, to reopen it as it was; a task paused with its agreement already
    # keeps the status it had before the pause, and the day of the pause.
    if task.closure != Closure.STEP and task.status != TaskStatus.PAUSED:
        task.held_status = task.status
        task.held_on = None
    task.status = TaskStatus.DONE
    task.done_at = _done_at(task.government, on)
    task.closure = Closure.STEP
    task.closed_by_kind = kind
    task.closed_by_id = record_id
    task.note = notes.with_note(line, notes.own_note(task.note))
    _log(actor, task, before)


def close_completed(actor: User | None, agreement: Agreement, milestone: Any) -> list[Task]:
    """Close as done the live tasks of ``agreement`` that ``milestone`` completes."""
    candidates = db.session.scalars(
        select(Task)
        .where(
            Task.agreement_id == agreement.id,
            Task.completed_by.in_(COMPLETES[milestone.kind]),
            Task.status.in_(LIVE_STATUSES),
        )
        .order_by(Task.id)
    ).all()
    closed = [task for task in candidates if _completes(milestone, task)]
    for task in closed:
        _close(actor, task, milestone)
    db.session.flush()
    return closed


def _other_steps(agreement_id: int, kind: str) -> list[Any]:
    model = MILESTONE_MODELS[kind]
    date_column = getattr(model, DATE_FIELDS[kind])
    return list(
        db.session.scalars(
            select(model).where(model.agreement_id == agreement_id).order_by(date_column, model.id)
        )
    )


@dataclass
class AfterDelete:
    """What deleting a step did to tasks: reopened, handed to another step, cancelled."""

    reopened: list[Task]
    handed_over: list[Task]
    cancelled: list[Task]


def after_step_deleted(actor: User | None, agreement: Agreement, milestone: Any) -> AfterDelete:
    """``milestone`` is gone: the tasks it completed are reopened (or completed by another
    step of its kind, when one remains); the live tasks it created are cancelled; and no
    task points at it any more (SQLite may give its id to the next step)."""
    result = AfterDelete([], [], [])
    kind, milestone_id = milestone.kind, milestone.id
    completed = db.session.scalars(
        select(Task)
        .where(
            Task.agreement_id == agreement.id,
            Task.closure == Closure.STEP,
            Task.closed_by_kind == kind,
            Task.closed_by_id == milestone_id,
        )
        .order_by(Task.id)
    ).all()
    others = _other_steps(agreement.id, kind) if completed else []
    for task in completed:
        replacement = next((step for step in others if _completes(step, task)), None)
        if replacement is not None:
            _close(actor, task, replacement)
            result.handed_over.append(task)
            continue
        before = snapshot(task, TASK_FIELDS)
        status = task.held_status if task.held_status in OPEN_STATUSES else TaskStatus.OPEN
        task.done_at = None
        task.closure = task.closed_by_kind = task.closed_by_id = None
        task.note = notes.own_note(task.note)
        if agreement.stage == Stage.DITUNDA:  # back, but paused with its stalled agreement
            task.status = TaskStatus.PAUSED
            task.held_status = status
            task.held_on = task.held_on or clock.today_in(task.government.timezone)
            task.closure = Closure.AGREEMENT
        else:
            task.status = status
            task.held_status = task.held_on = None
        _log(actor, task, before)
        result.reopened.append(task)

    created = db.session.scalars(
        select(Task)
        .where(Task.milestone_kind == kind, Task.milestone_id == milestone_id)
        .order_by(Task.id)
    ).all()
    for task in created:
        if task.status in LIVE_STATUSES:
            before = snapshot(task, TASK_FIELDS)
            task.held_status = task.status
            task.status = TaskStatus.CANCELLED
            task.closure = Closure.SOURCE_DELETED
            task.note = notes.with_note(
                notes.automatic(
                    notes.CANCELLED,
                    f"{step_name(milestone)} {format_date(milestone.occurred_on)} "
                    "yang membuat tugas ini dihapus",
                ),
                notes.own_note(task.note),
            )
            _log(actor, task, before)
            result.cancelled.append(task)
        task.milestone_id = None
        task.due_in_working_days = None
    db.session.flush()
    return result


@dataclass(frozen=True)
class Moved:
    task: Task
    old_due_on: date


def move_due_dates(actor: User | None, milestone: Any, before: dict[str, Any]) -> list[Moved]:
    """After ``milestone``'s date changed (``before`` is its snapshot before the change),
    move the due date of the live tasks it created, counted as when they were created."""
    old = before.get(DATE_FIELDS[milestone.kind])
    new_on = milestone.occurred_on
    if old is None or old == new_on.isoformat():
        return []
    tasks = db.session.scalars(
        select(Task)
        .where(
            Task.milestone_kind == milestone.kind,
            Task.milestone_id == milestone.id,
            Task.status.in_(LIVE_STATUSES),
            Task.due_in_working_days.is_not(None),
        )
        .order_by(Task.id)
    ).all()
    moved = []
    for task in tasks:
        government = task.government
        due_on = generated_due_on(
            government,
            new_on,
            task.due_in_working_days,
            _local_day(government, task.created_at),
        )
        if due_on == task.due_on:
            continue
        before_task = snapshot(task, TASK_FIELDS)
        moved.append(Moved(task, task.due_on))
        task.due_on = due_on
        _log(actor, task, before_task, "rescheduled")
    db.session.flush()
    return moved


def hand_to_lead_agency(actor: User | None, agreement: Agreement) -> list[Task]:
    """Move to the agreement's OPD pengampu the live tasks that were meant for it and went to
    Bagian Pemerintahan while it had none."""
    lead = agreement.lead_agency
    if lead is None:
        return []
    tasks = db.session.scalars(
        select(Task)
        .where(
            Task.agreement_id == agreement.id,
            Task.awaits_lead_agency.is_(True),
            Task.status.in_(LIVE_STATUSES),
        )
        .order_by(Task.id)
    ).all()
    for task in tasks:
        before = snapshot(task, TASK_FIELDS)
        task.agency = lead
        task.awaits_lead_agency = False
        if task.assignee is not None and not _belongs_to(task.assignee, lead.id):
            task.assignee = None
        _log(actor, task, before, "reassigned")
    db.session.flush()
    return list(tasks)


def _belongs_to(user: User, agency_id: int) -> bool:
    return user.role != Role.OPD or user.agency_id == agency_id


# The inverse: the kinds of step that complete a task waiting for each ``completed_by``.
_WAITED_BY = {
    waited: tuple(kind for kind, completes in COMPLETES.items() if waited in completes)
    for waited in DATE_FIELDS
}


def close_completed_for(government: Government) -> list[Task]:
    """For the daily sweep: close the live tasks of ``government`` whose completing step is
    already recorded (imported agreements, tasks older than this rule). Reads only the tasks
    that have such a step, so it costs nothing once they are closed."""
    closed: list[Task] = []
    for kind, model in MILESTONE_MODELS.items():
        tasks = db.session.scalars(
            select(Task)
            .where(
                Task.government_id == government.id,
                Task.completed_by.in_([waited for waited, by in _WAITED_BY.items() if kind in by]),
                Task.status.in_(LIVE_STATUSES),
                exists().where(
                    model.agreement_id == Task.agreement_id,
                    or_(
                        Task.milestone_kind.is_(None),
                        Task.milestone_kind != kind,
                        Task.milestone_id.is_(None),
                        Task.milestone_id != model.id,
                    ),
                ),
            )
            .order_by(Task.id)
        ).all()
        for task in tasks:
            step = next(
                (step for step in _other_steps(task.agreement_id, kind) if _completes(step, task)),
                None,
            )
            if step is not None:
                _close(None, task, step)
                closed.append(task)
    db.session.flush()
    return closed
