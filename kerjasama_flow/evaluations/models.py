"""Evaluation: one monev of an agreement, with a recommendation."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow


class Timeliness(enum.StrEnum):
    ON_TIME = "tepat_waktu"
    LATE = "terlambat"
    NOT_DONE = "tidak_terlaksana"

    @property
    def label(self) -> str:
        return {
            "tepat_waktu": "Tepat waktu",
            "terlambat": "Terlambat",
            "tidak_terlaksana": "Tidak terlaksana",
        }[self.value]


class Recommendation(enum.StrEnum):
    CONTINUE = "lanjutkan"
    EXPAND = "perluas"
    STOP = "hentikan"

    @property
    def label(self) -> str:
        return {"lanjutkan": "Lanjutkan", "perluas": "Perluas", "hentikan": "Hentikan"}[self.value]


class Evaluation(Base):
    __tablename__ = "evaluation"
    __table_args__ = (CheckConstraint("progress_pct BETWEEN 0 AND 100", name="progress_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    evaluated_on: Mapped[date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(60))  # e.g. "Semester I 2026"
    realisation: Mapped[str] = mapped_column(Text)  # realisation against the PKS scope
    progress_pct: Mapped[int]
    timeliness: Mapped[Timeliness] = mapped_column(str_enum(Timeliness, "timeliness"))
    partner_contribution: Mapped[str | None] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)  # kendala
    solutions: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[Recommendation] = mapped_column(
        str_enum(Recommendation, "recommendation")
    )
    evidence_filename: Mapped[str | None] = mapped_column(String(255))  # as uploaded
    evidence_path: Mapped[str | None] = mapped_column(String(255))  # stored name, instance dir
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    agreement: Mapped[Agreement] = relationship()
    created_by: Mapped[User | None] = relationship()
