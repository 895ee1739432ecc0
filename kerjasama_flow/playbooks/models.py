"""TaskTemplate: one standard follow-up step of a playbook, per government."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.db import Base, str_enum


class Trigger(enum.StrEnum):
    """What makes a playbook run."""

    OFFER = "offer"
    VISIT = "visit"
    TKKSD = "tkksd"
    MOU = "mou"
    PKS = "pks"
    TRANSACTION = "transaction"  # the first realisation: a transaction or a realised activity
    MOU_ENDING = "mou_ending"
    PKS_ENDING = "pks_ending"

    @property
    def label(self) -> str:
        return TRIGGER_LABELS[self]


TRIGGER_LABELS = {
    Trigger.OFFER: "Penawaran kerja sama dicatat",
    Trigger.VISIT: "Kunjungan kerja dicatat",
    Trigger.TKKSD: "Pembahasan TKKSD dicatat",
    Trigger.MOU: "Kesepakatan Bersama/MoU ditandatangani",
    Trigger.PKS: "PKS ditandatangani",
    Trigger.TRANSACTION: "Realisasi perdana dicatat (transaksi atau kegiatan)",
    Trigger.MOU_ENDING: "MoU/KB mendekati akhir masa berlaku",
    Trigger.PKS_ENDING: "PKS mendekati akhir masa berlaku",
}


# The steps whose recording can complete a template's task (``TaskTemplate.completed_by``:
# milestone kinds, and a recorded monev), as the template form and list name them.
COMPLETION_LABELS = {
    "offer": "Penawaran kerja sama dicatat",
    "visit": "Kunjungan kerja dicatat",
    "tkksd": "Pembahasan TKKSD dicatat",
    "legal_review": "Telaah hukum dicatat",
    "dprd": "Persetujuan DPRD dicatat",
    "mou": "Kesepakatan Bersama/MoU dicatat",
    "pks": "PKS dicatat",
    "report": "Pelaporan dokumennya dicatat",
    "transaction": "Transaksi atau realisasi kegiatan dicatat",
    "activity": "Realisasi kegiatan dicatat",
    "amendment": "Addendum/pengakhiran dicatat",
    "evaluation": "Monev dicatat",  # ``evaluations.periodic.MONEV``
}


class AssigneeKind(enum.StrEnum):
    """Which agency a template's task goes to."""

    COORDINATOR = "coordinator"  # the government's Bagian Pemerintahan / Kerja Sama
    LEAD_AGENCY = "lead_agency"  # the agreement's lead agency
    AGENCY = "agency"  # a named agency

    @property
    def label(self) -> str:
        return {
            "coordinator": "Bagian Pemerintahan / Kerja Sama",
            "lead_agency": "OPD pengampu kerja sama",
            "agency": "OPD tertentu",
        }[self.value]


class TaskTemplate(Base):
    __tablename__ = "task_template"
    # Each shipped default is installed once per government (custom templates have no key).
    __table_args__ = (UniqueConstraint("government_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    trigger: Mapped[Trigger] = mapped_column(str_enum(Trigger, "trigger"))
    # A stable key for the shipped defaults ("mou.draft_pks"), so they are installed once.
    key: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_kind: Mapped[AssigneeKind] = mapped_column(str_enum(AssigneeKind, "assignee_kind"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    due_in_working_days: Mapped[int] = mapped_column(default=10)
    # The milestone kind whose recording completes the task ("pks" for "Susun draf PKS"):
    # a key of ``agreements.models.MILESTONE_MODELS``; None when people close it themselves.
    completed_by: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    agency: Mapped[Agency | None] = relationship()
