"""ActivityLog: one row per change, shown on the agreement's detail page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    # accounts logs its changes through activity; activity names the user by string.
    from kerjasama_flow.accounts.models import User


class ActivityLog(Base):
    __tablename__ = "activity_log"
    __table_args__ = (Index("ix_activity_log_agreement_at", "agreement_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship("User")
