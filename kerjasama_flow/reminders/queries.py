"""Reads for the in-app notifications (the bell and its page)."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select

from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


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
