"""DayOff: a government's own extra day off (e.g. a regional anniversary holiday)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kerjasama_flow.db import Base


class DayOff(Base):
    __tablename__ = "day_off"
    __table_args__ = (UniqueConstraint("government_id", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
