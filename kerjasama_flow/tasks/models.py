"""Task: a follow-up step assigned to an agency with a due date."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts.models import Agency, Government, User
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    # Held while its agreement is stalled (ditunda): no reminders, not open, not overdue.
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return TASK_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: "Belum dikerjakan",
    TaskStatus.IN_PROGRESS: "Sedang dikerjakan",
    TaskStatus.DONE: "Selesai",
    TaskStatus.CANCELLED: "Dibatalkan",
    TaskStatus.PAUSED: "Ditunda",
}
OPEN_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})


class Closure(enum.StrEnum):
    """Who or what closed (or held) a task, when not the people working on it."""

    STEP = "step"  # done by itself: the step it waits for was recorded (``completed_by``)
    SOURCE_DELETED = "source_deleted"  # cancelled: the step that created it was deleted
    AGREEMENT = "agreement"  # cancelled or paused with its agreement (selesai, batal, ditunda)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        # The reminder sweep and "Tugas Saya" read open tasks by due date.
        Index("ix_task_status_due_on", "status", "due_on"),
        Index("ix_task_agency_status", "agency_id", "status"),
        # A playbook creates its tasks for a milestone once, however often it runs.
        UniqueConstraint("template_id", "milestone_kind", "milestone_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    milestone_kind: Mapped[str | None] = mapped_column(String(20))
    milestone_id: Mapped[int | None]
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_template.id", ondelete="SET NULL")
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # --- follow-up bookkeeping (generated tasks) ---
    # The milestone kind whose recording completes this task ("pks" for "Susun draf PKS"),
    # copied from its template; None for a task people close themselves.
    completed_by: Mapped[str | None] = mapped_column(String(20))
    # The working days its due date is counted after its step's date; None once the due date
    # was set by hand (it no longer moves with the step), and for tasks not counted that way.
    due_in_working_days: Mapped[int | None]
    # Meant for the agreement's OPD pengampu, given to Bagian Pemerintahan because there was
    # none; moved to the OPD pengampu once it is set.
    awaits_lead_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it was closed or held when not by hand, and by which milestone (to reopen it when
    # that milestone is deleted).
    closure: Mapped[Closure | None] = mapped_column(str_enum(Closure, "task_closure"))
    closed_by_kind: Mapped[str | None] = mapped_column(String(20))
    closed_by_id: Mapped[int | None]
    # The status and day it had before its agreement paused or cancelled it, to restore.
    held_status: Mapped[TaskStatus | None] = mapped_column(str_enum(TaskStatus, "task_held_status"))
    held_on: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": version}

    government: Mapped[Government] = relationship()
    agreement: Mapped[Agreement] = relationship()
    agency: Mapped[Agency] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_overdue(self, today: date) -> bool:
        """Overdue is computed when read, against the government's own "today"."""
        return self.status.is_open and self.due_on < today

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r} {self.status}>"


class TallyState(enum.StrEnum):
    """How a task counts in the agency figures: open, done on or before its due date (in the
    government's own calendar), done after it, cancelled, or paused with its agreement."""

    OPEN = "open"
    ON_TIME = "on_time"
    LATE = "late"
    CANCELLED = "cancelled"
    PAUSED = "paused"


class TaskTally(Base):
    """How many tasks of one agency, due on one date, are in one state (``tasks.tally``).

    The dashboard's agency figures read these rows instead of every task. ``due_on`` is the
    due date of open tasks and the first day of the due month of the others (done,
    cancelled, paused), so the rows follow agencies x dates, not the number of tasks."""

    __tablename__ = "task_tally"

    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    state: Mapped[TallyState] = mapped_column(
        str_enum(TallyState, "task_tally_state"), primary_key=True
    )
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<TaskTally {self.agency_id} {self.state} {self.due_on}: {self.n}>"
