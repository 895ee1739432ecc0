"""Tasks are held with their agreement: ending it cancels them, stalling it pauses them,
resuming or reopening it gives them back.

When a user changes an agreement's stage by hand (``agreements.services.change_stage``, which
sends ``stage_changed``):

- completed (selesai) or cancelled (batal): its live tasks (open, in progress, or paused with
  it) are cancelled, with an automatic note ("Dibatalkan otomatis: kerja sama ditandai selesai
  14 Agustus 2025") and ``closure = Closure.AGREEMENT``, so that a later reopening tells them
  apart from the tasks people cancelled by hand;
- stalled (ditunda): its open tasks are paused (``TaskStatus.PAUSED``), keeping the status
  they had (``held_status``) and the day they were paused (``held_on``). A paused task is not
  open: no reminder, not overdue, not in the open counts;
- resumed (lanjutkan): its paused tasks get their status back, and their due date moves
  forward by the working days the pause lasted (nobody is late for the time they were not
  allowed to work);
- reopened (buka kembali, from selesai or batal): the tasks the ending cancelled come back the
  same way, with a due date not before today; tasks cancelled by hand stay cancelled.

``plan`` says what a change would do without doing it: the confirmation page shows it, and
``apply`` carries out the same plan. Functions flush, never commit; each task change is in the
activity log, and ``signals.tasks_held`` tells the reminders domain to put a notice in the bell
of each task's people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from kerjasama_flow.accounts.models import User
from kerjasama_flow.activity.services import log_changes, snapshot
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.tasks import notes
from kerjasama_flow.tasks.follow_up import TASK_FIELDS
from kerjasama_flow.tasks.models import OPEN_STATUSES, Closure, Task, TaskStatus
from kerjasama_flow.workdays.services import add_working_days_for, working_days_between

_OPEN = tuple(sorted(OPEN_STATUSES))


class Effect(enum.StrEnum):
    """What a stage change does to the agreement's tasks."""

    CANCEL = "cancel"  # selesai or batal: live tasks cancelled
    PAUSE = "pause"  # ditunda: open tasks paused
    RESUME = "resume"  # out of ditunda: paused tasks back
    REOPEN = "reopen"  # out of selesai or batal: tasks the ending cancelled back


def effect_of(before: Stage, after: Stage) -> Effect | None:
    """The effect on the tasks of moving an agreement from ``before`` to ``after``."""
    if before == after:
        return None
    if after in CLOSED:
        return Effect.CANCEL
    if after == Stage.DITUNDA:
        return Effect.PAUSE
    if before == Stage.DITUNDA:
        return Effect.RESUME
    if before in CLOSED:
        return Effect.REOPEN
    return None


@dataclass(frozen=True)
class TaskChange:
    """One task and what the change makes of it."""

    task: Task
    status: TaskStatus  # its status after the change
    due_on: date  # its due date after the change
    shift: int = 0  # working days its due date moves forward


@dataclass(frozen=True)
class HoldPlan:
    """What a stage change does to an agreement's tasks (``plan``)."""

    effect: Effect | None
    changes: list[TaskChange]

    @property
    def tasks(self) -> list[Task]:
        return [change.task for change in self.changes]

    @property
    def shifts(self) -> list[int]:
        """The distinct working-day shifts of the due dates, smallest first."""
        return sorted({change.shift for change in self.changes})


def _tasks(agreement: Agreement, *conditions) -> list[Task]:
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.agreement_id == agreement.id, or_(*conditions))
            .order_by(Task.due_on, Task.id)
        )
    )


def _given_back(task: Task, today: date, not_before_today: bool) -> TaskChange:
    """``task`` with its held status back and its due date moved by the working days it was
    held (from ``held_on`` up to today)."""
    held_on = task.held_on or today
    shift = max(working_days_between(task.government_id, held_on, today), 0)
    due_on = add_working_days_for(task.government_id, task.due_on, shift) if shift else task.due_on
    if not_before_today and due_on < today:
        due_on = today
    status = task.held_status if task.held_status in OPEN_STATUSES else TaskStatus.OPEN
    return TaskChange(task, status, due_on, shift)


def plan(agreement: Agreement, before: Stage, after: Stage, today: date) -> HoldPlan:
    """What moving ``agreement`` from ``before`` to ``after`` on ``today`` (the government's
    own date) does to its tasks. Reads only."""
    effect = effect_of(before, after)
    if effect == Effect.CANCEL:
        tasks = _tasks(agreement, Task.status.in_(_OPEN), Task.status == TaskStatus.PAUSED)
        changes = [TaskChange(t, TaskStatus.CANCELLED, t.due_on) for t in tasks]
    elif effect == Effect.PAUSE:
        tasks = _tasks(agreement, Task.status.in_(_OPEN))
        changes = [TaskChange(t, TaskStatus.PAUSED, t.due_on) for t in tasks]
    elif effect == Effect.RESUME:
        tasks = _tasks(agreement, Task.status == TaskStatus.PAUSED)
        changes = [_given_back(t, today, not_before_today=False) for t in tasks]
    elif effect == Effect.REOPEN:
        tasks = _tasks(
            agreement,
            Task.status == TaskStatus.PAUSED,
            and_(Task.status == TaskStatus.CANCELLED, Task.closure == Closure.AGREEMENT),
        )
        changes = [_given_back(t, today, not_before_today=True) for t in tasks]
    else:
        changes = []
    return HoldPlan(effect, changes)


def paused_fields(today: date) -> dict:
    """The fields of a task created already paused, its agreement being stalled (a playbook
    run while it is ditunda): it gives back ``TaskStatus.OPEN`` on resume."""
    return {
        "status": TaskStatus.PAUSED,
        "held_status": TaskStatus.OPEN,
        "held_on": today,
        "closure": Closure.AGREEMENT,
        "note": notes.with_note(_pause_note(today), None),
    }


def _pause_note(today: date) -> str:
    return notes.automatic(notes.PAUSED, f"kerja sama ditunda {format_date(today)}")


def _cancel_note(after: Stage, today: date) -> str:
    what = "ditandai selesai" if after == Stage.SELESAI else "dibatalkan"
    return notes.automatic(notes.CANCELLED, f"kerja sama {what} {format_date(today)}")


@dataclass(frozen=True)
class Held:
    """A task a stage change changed, and what its people are told in the bell."""

    task: Task
    notice: str


def _notice(effect: Effect, task: Task, agreement: Agreement, old_due_on: date) -> str:
    name = f"\u201c{task.title}\u201d"
    if effect == Effect.CANCEL:
        return f"Tugas {name} dibatalkan: kerja sama \u201c{agreement.title}\u201d diakhiri"
    if effect == Effect.PAUSE:
        return (
            f"Tugas {name} ditunda bersama kerja sama \u201c{agreement.title}\u201d; "
            "tidak ada pengingat sampai kerja sama dilanjutkan"
        )
    moved = (
        f", tenggat bergeser dari {format_date(old_due_on)} menjadi {format_date(task.due_on)}"
        if task.due_on != old_due_on
        else ""
    )
    return f"Tugas {name} dibuka kembali{moved}"


def apply(
    actor: User | None, agreement: Agreement, before: Stage, after: Stage, today: date
) -> tuple[Effect | None, list[Held]]:
    """Carry out ``plan(agreement, before, after, today)``; the tasks changed, each with the
    notice for its people."""
    hold_plan = plan(agreement, before, after, today)
    effect = hold_plan.effect
    held: list[Held] = []
    for change in hold_plan.changes:
        task = change.task
        old = snapshot(task, TASK_FIELDS)
        old_due_on = task.due_on
        if effect == Effect.CANCEL:
            if task.status != TaskStatus.PAUSED:  # a paused task keeps what it had before
                task.held_status = task.status
                task.held_on = today
            task.note = notes.with_note(_cancel_note(after, today), notes.own_note(task.note))
        elif effect == Effect.PAUSE:
            task.held_status = task.status
            task.held_on = today
            task.note = notes.with_note(_pause_note(today), notes.own_note(task.note))
        else:  # RESUME, REOPEN
            task.held_status = None
            task.held_on = None
            task.note = notes.own_note(task.note)
            if change.due_on != task.due_on:
                task.due_on = change.due_on
                task.due_in_working_days = None  # moved with the pause, no longer its step's
        task.status = change.status
        task.closure = Closure.AGREEMENT if effect in (Effect.CANCEL, Effect.PAUSE) else None
        task.done_at = None
        log_changes(actor, task, "status_changed", old, snapshot(task, TASK_FIELDS))
        held.append(Held(task, _notice(effect, task, agreement, old_due_on)))
    db.session.flush()
    return effect, held
