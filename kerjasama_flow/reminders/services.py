"""Changes to the in-app notifications and to a government's reminder settings. Flush, never
commit: the view commits."""

from __future__ import annotations

from sqlalchemy import update

from kerjasama_flow import clock, government_settings
from kerjasama_flow.activity.services import log_changes
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification
from kerjasama_flow.tasks import tally


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
)


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
    if expected_version != government_settings.fingerprint(government):
        raise ConflictError()
    cleaned = {
        key: government_settings.clean(key, data[key])
        for key in (*SETTING_KEYS, "timezone")
        if key in data
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
