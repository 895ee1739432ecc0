"""Outbox (one row per recipient, channel, item, rule and period) and Notification (in-app)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts.models import User
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow


class Channel(enum.StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class Rule(enum.StrEnum):
    DUE_SOON = "due_soon"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    ENDING = "ending"  # an MoU/PKS nears its end date
    IMPORT = "import"  # a spreadsheet import finished its check or its import (in-app only)
    # A task changed under its people (in-app only): its due date moved with its step, or it
    # was cancelled, paused or given back with its agreement. The value predates the second
    # use; it is stored (a CHECK constraint), so it stays.
    RESCHEDULED = "rescheduled"
    DORMANT = "dormant"  # an agreement is stalled ("mandek"), to the admins once a month
    # The weekly digest for leaders (``reminders.weekly``): one row per leader, channel and
    # week, sent as a message of its own (never inside the daily digest).
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    Rule.DUE_SOON: "Segera jatuh tempo",
    Rule.DUE_TODAY: "Jatuh tempo hari ini",
    Rule.OVERDUE: "Terlambat",
    Rule.ESCALATION: "Eskalasi: terlambat lama",
    Rule.ENDING: "Masa berlaku segera berakhir",
    Rule.IMPORT: "Impor dari Excel",
    Rule.RESCHEDULED: "Perubahan tugas",
    Rule.DORMANT: "Kerja sama mandek",
    Rule.WEEKLY: "Ringkasan mingguan untuk pimpinan",
}


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"


class Outbox(Base):
    """A reminder planned for delivery. Planned at most once (the unique key), sent only after
    the channel accepted it; a failure keeps it pending with its error for a later retry."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("recipient_id", "channel", "item_kind", "item_id", "rule", "period"),
        # The delivery job reads only the pending rows.
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    item_kind: Mapped[str] = mapped_column(String(20))  # task, mou, pks, agreement
    item_id: Mapped[int]
    rule: Mapped[Rule] = mapped_column(str_enum(Rule, "rule"))
    period: Mapped[str] = mapped_column(String(20))  # e.g. the sweep date, or "H-90"
    title: Mapped[str] = mapped_column(String(400))
    url: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recipient: Mapped[User] = relationship()


class Notification(Base):
    """The in-app copy of a reminder (the bell); written in the same transaction as the plan."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "item_kind", "item_id", "rule", "period"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    item_kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    rule: Mapped[Rule] = mapped_column(str_enum(Rule, "rule"))
    period: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(400))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
