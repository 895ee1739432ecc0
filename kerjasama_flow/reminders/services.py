"""Changes to the in-app notifications and to a government's reminder settings. Flush, never
commit: the view commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select, update

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.activity.services import log_changes
from kerjasama_flow.db import MISSING_VERSION, dialect_insert
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.reminders.models import Notification, Rule
from kerjasama_flow.tasks import tally
from kerjasama_flow.tasks.follow_up import Moved
from kerjasama_flow.tasks.holding import Held
from kerjasama_flow.tasks.models import Task


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# What Pengaturan → Pengingat edits: the time zone (a column of ``Government``) and these keys
# of ``government_settings`` (which holds their defaults, limits and checks).
SETTING_KEYS = (
    "due_soon_working_days",
    "overdue_repeat_working_days",
    "escalation_working_days",
    "ending_notice_days",
    "sweep_time",
    "ending_playbook_days",
    "dormant_kb_months",
    "dormant_pks_months",
    "monev_interval_months",
    "weekly_digest",
    "weekly_digest_day",
    "weekly_digest_time",
)
# Keys that keep their value when left blank (the weekly digest's section of the page).
KEEP_WHEN_BLANK = frozenset({"weekly_digest", "weekly_digest_day", "weekly_digest_time"})


def effective(government) -> dict:
    """The time zone and every reminder setting in force: what the settings page shows, and
    the before/after of its activity-log entry."""
    return government_settings.effective(government, SETTING_KEYS)


def update_settings(actor, government, data: dict, expected_version: str | None) -> bool:
    """Set the government's time zone and reminder settings from ``data`` (keys of
    ``SETTING_KEYS`` and ``timezone``; a key left out keeps its value).

    ``expected_version`` is the ``government_settings.fingerprint`` the form was loaded with: a
    different one means someone changed the settings meanwhile (``ConflictError``). Every value
    is checked first (``DomainError`` with its field); then only the values that differ from
    the defaults are stored, so a later change of a default reaches every government that kept
    it. Other keys of ``Government.settings`` are left alone. Returns whether anything changed.
    """
    # Read the row afresh and lock it (PostgreSQL; SQLite serialises writers): two saves at
    # the same moment cannot both pass the comparison.
    db.session.refresh(government, with_for_update=True)
    if expected_version is None:
        raise ConflictError(MISSING_VERSION)
    if expected_version != government_settings.fingerprint(government):
        raise ConflictError()
    cleaned = {
        key: government_settings.clean(key, data[key])
        for key in (*SETTING_KEYS, "timezone")
        if key in data and not (key in KEEP_WHEN_BLANK and data[key] in (None, ""))
    }
    before = effective(government)
    timezone = cleaned.pop("timezone", government.timezone)
    if timezone != government.timezone:
        government.timezone = timezone
        db.session.flush()
        tally.rebuild(db.session, [government.id])  # "done on time" is a local date
    government.settings = government_settings.overrides_after(government, cleaned)
    db.session.flush()
    entry = log_changes(actor, government, "updated", before, effective(government))
    return entry is not None


# --- notices of tasks that changed under their people ---------------------------------------


def notify_rescheduled(actor: User | None, moved: Iterable[Moved]) -> int:
    """Tell each moved task's people (its assignee, else its agency's active users) in the
    bell that its due date followed its step; the one who changed the step is not told. How
    many notifications were written (one per user, task and new due date)."""
    return _notify_task_people(
        actor,
        (
            (
                item.task,
                item.task.due_on.isoformat(),
                f"Tenggat \u201c{item.task.title}\u201d berubah dari "
                f"{format_date(item.old_due_on)} menjadi {format_date(item.task.due_on)}, "
                "mengikuti tanggal langkah yang membuatnya",
            )
            for item in moved
        ),
    )


def notify_held(actor: User | None, effect: str, on: date, held: Iterable[Held]) -> int:
    """Tell each task's people (its assignee, else its agency's active users) in the bell that
    its agreement's stage change cancelled, paused or gave back the task; the one who changed
    the stage is not told. One notification per user, task, effect and day."""
    return _notify_task_people(
        actor, ((item.task, f"{effect}:{on.isoformat()}", item.notice) for item in held)
    )


def _notify_task_people(actor: User | None, notices: Iterable[tuple[Task, str, str]]) -> int:
    """One bell notification (rule ``rescheduled``) per (task, period, title) for each of the
    task's people but ``actor``; a repeat of the same user, task and period is skipped."""
    rows = []
    now = clock.now()
    for task, period, title in notices:
        for user in _task_people(task):
            if actor is not None and user.id == actor.id:
                continue
            rows.append(
                {
                    "government_id": task.government_id,
                    "user_id": user.id,
                    "item_kind": "task",
                    "item_id": task.id,
                    "rule": Rule.RESCHEDULED,
                    "period": period,
                    "title": title[:400],
                    "url": f"/tasks/{task.id}",
                    "created_at": now,
                    "read_at": None,
                }
            )
    return _insert_notifications(rows)


def _insert_notifications(rows: list[dict]) -> int:
    if not rows:
        return 0
    statement = dialect_insert(db.session)(Notification.__table__).on_conflict_do_nothing()
    return db.session.execute(statement, rows).rowcount or 0


def _task_people(task: Task) -> list[User]:
    if task.assignee is not None and task.assignee.is_active:
        return [task.assignee]
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.agency_id == task.agency_id,
                User.is_active.is_(True),
                User.role.in_((Role.OPD, Role.ADMIN)),
            )
            .order_by(User.id)
        )
    )
