"""Changes to the in-app notifications and to a government's reminder settings. Flush, never
commit: the view commits."""

from __future__ import annotations

from sqlalchemy import update

from kerjasama_flow import clock
from kerjasama_flow.activity.services import record_changes
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import settings as reminder_settings
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


def update_settings(actor, government, data: dict, expected_version: str | None) -> bool:
    """Set the government's time zone and reminder settings from ``data`` (keys of
    ``reminder_settings.DEFAULTS`` and ``timezone``; a key left out keeps its value).

    ``expected_version`` is the ``reminder_settings.fingerprint`` the form was loaded with: a
    different one means someone changed the settings meanwhile (``ConflictError``). Every value
    is checked first (``DomainError`` with its field); then only the values that differ from
    the defaults are stored, so a later change of a default reaches every government that kept
    it. Other keys of ``Government.settings`` are left alone. Returns whether anything changed.
    """
    # Read the row afresh and lock it (PostgreSQL; SQLite serialises writers): two saves at
    # the same moment cannot both pass the comparison.
    db.session.refresh(government, with_for_update=True)
    if expected_version != reminder_settings.fingerprint(government):
        raise ConflictError()
    cleaned = {
        key: reminder_settings.clean(key, data[key])
        for key in (*reminder_settings.DEFAULTS, "timezone")
        if key in data
    }
    before = reminder_settings.effective(government)
    overrides = dict(government.settings or {})
    for key, value in cleaned.items():
        if key == "timezone":
            continue
        if value == reminder_settings.clean(key, reminder_settings.DEFAULTS[key]):
            overrides.pop(key, None)
        else:
            overrides[key] = value
    if "timezone" in cleaned and cleaned["timezone"] != government.timezone:
        government.timezone = cleaned["timezone"]
        db.session.flush()
        tally.rebuild(db.session, [government.id])  # "done on time" is a local date
    government.settings = overrides  # a new dict: the JSON column sees the change
    db.session.flush()
    entry = record_changes(
        before,
        reminder_settings.effective(government),
        actor=actor,
        government_id=government.id,
        entity="government",
        entity_id=government.id,
        action="updated",
    )
    return entry is not None
