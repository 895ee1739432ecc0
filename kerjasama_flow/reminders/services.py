"""Changes to the in-app notifications. Flush, never commit: the view commits."""

from __future__ import annotations

from sqlalchemy import update

from kerjasama_flow import clock
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification


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
