"""Document: one uploaded file of an agreement, optionally of one of its steps or tasks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.models import MILESTONE_MODELS, Agreement
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    # Tasks know nothing of documents; a document refers to its task by name.
    from kerjasama_flow.tasks.models import Task


class DocumentKind(enum.StrEnum):
    """What a document is, in the words of Permendagri 22/2020's administrative path."""

    OFFER = "surat_penawaran"
    REPLY = "surat_jawaban"
    PLAN = "rencana_kerja_sama"
    TKKSD_MINUTES = "notulen_tkksd"
    LEGAL_REVIEW = "telaah_hukum"
    DPRD_APPROVAL = "persetujuan_dprd"
    KB_TEXT = "naskah_kb"
    PKS_TEXT = "naskah_pks"
    POWER_OF_ATTORNEY = "surat_kuasa"
    REPORT = "laporan"
    ADDENDUM = "addendum"
    TERMINATION = "pengakhiran"
    PROOF = "bukti"
    OTHER = "lainnya"

    @property
    def label(self) -> str:
        return DOCUMENT_KIND_LABELS[self]


DOCUMENT_KIND_LABELS = {
    DocumentKind.OFFER: "Surat penawaran",
    DocumentKind.REPLY: "Surat jawaban",
    DocumentKind.PLAN: "Rencana kerja sama / kajian",
    DocumentKind.TKKSD_MINUTES: "Notulen rapat TKKSD",
    DocumentKind.LEGAL_REVIEW: "Telaah hukum",
    DocumentKind.DPRD_APPROVAL: "Persetujuan DPRD",
    DocumentKind.KB_TEXT: "Naskah Kesepakatan Bersama",
    DocumentKind.PKS_TEXT: "Naskah Perjanjian Kerja Sama",
    DocumentKind.POWER_OF_ATTORNEY: "Surat kuasa",
    DocumentKind.REPORT: "Laporan kepada Gubernur / Menteri Dalam Negeri",
    DocumentKind.ADDENDUM: "Addendum",
    DocumentKind.TERMINATION: "Surat pengakhiran",
    DocumentKind.PROOF: "Bukti pelaksanaan (foto, berita acara, kuitansi)",
    DocumentKind.OTHER: "Lainnya",
}
# The kind a document of a step most likely is (the form's default).
KIND_OF_STEP = {
    "offer": DocumentKind.OFFER,
    "visit": DocumentKind.OTHER,
    "tkksd": DocumentKind.TKKSD_MINUTES,
    "legal_review": DocumentKind.LEGAL_REVIEW,
    "dprd": DocumentKind.DPRD_APPROVAL,
    "mou": DocumentKind.KB_TEXT,
    "pks": DocumentKind.PKS_TEXT,
    "report": DocumentKind.REPORT,
    "transaction": DocumentKind.PROOF,
    "activity": DocumentKind.PROOF,
    "amendment": DocumentKind.ADDENDUM,
}


class Document(Base):
    """A file in the store (``stored_name`` under the ``documents`` folder), with the name
    the user gave it, its SHA-256 and who uploaded it. It belongs to an agreement and, when
    it documents one of its steps or proves a task done, to that step or task as well."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_milestone", "milestone_kind", "milestone_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    milestone_kind: Mapped[str | None] = mapped_column(String(20))
    milestone_id: Mapped[int | None]
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))  # as shown and downloaded
    stored_name: Mapped[str] = mapped_column(String(64))  # random, in the file store
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    agreement: Mapped[Agreement] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    task: Mapped[Task | None] = relationship("Task")

    @property
    def milestone(self):
        """The step this document documents (a visit, KB, PKS, transaction, activity), or
        None; looked up in the document's session (the step is named by kind and id)."""
        model = MILESTONE_MODELS.get(self.milestone_kind or "")
        session = object_session(self)
        if model is None or self.milestone_id is None or session is None:
            return None
        return session.get(model, self.milestone_id)

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.file_name!r}>"
