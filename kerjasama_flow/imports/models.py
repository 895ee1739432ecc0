"""ImportJob: one uploaded spreadsheet on its way from the upload to the import.

A job is checked (the preview) and, once its uploader confirms, imported. Either step runs
in the request when the file is small, and otherwise in the ``scheduler`` process, which
claims queued jobs (``imports.jobs``). The file itself waits in the file store
(``kerjasama_flow.storage``, folder ``imports``) as ``<token>.<extension>``; the row says where
the job stands and, once checked, what each row will do or why it is refused.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts.models import User
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow


class ImportStatus(enum.StrEnum):
    CHECK_QUEUED = "check_queued"
    CHECKING = "checking"
    CHECKED = "checked"  # the preview is ready; waiting for the uploader's confirmation
    IMPORT_QUEUED = "import_queued"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"
    DISCARDED = "discarded"  # cancelled by the uploader, or never confirmed

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def heading(self) -> str:
        """The job page's title for a job in this status."""
        return STATUS_HEADINGS[self]

    @property
    def is_waiting(self) -> bool:
        """Queued or running: the page refreshes itself until this changes."""
        return self in WAITING


STATUS_LABELS = {
    ImportStatus.CHECK_QUEUED: "Menunggu pemeriksaan",
    ImportStatus.CHECKING: "Sedang diperiksa",
    ImportStatus.CHECKED: "Siap diimpor",
    ImportStatus.IMPORT_QUEUED: "Menunggu impor",
    ImportStatus.IMPORTING: "Sedang diimpor",
    ImportStatus.DONE: "Selesai",
    ImportStatus.FAILED: "Gagal",
    ImportStatus.DISCARDED: "Dibatalkan",
}
STATUS_HEADINGS = {
    ImportStatus.CHECK_QUEUED: "Memeriksa berkas",
    ImportStatus.CHECKING: "Memeriksa berkas",
    ImportStatus.CHECKED: "Pratinjau impor",
    ImportStatus.IMPORT_QUEUED: "Mengimpor",
    ImportStatus.IMPORTING: "Mengimpor",
    ImportStatus.DONE: "Impor selesai",
    ImportStatus.FAILED: "Impor gagal",
    ImportStatus.DISCARDED: "Impor dibatalkan",
}
# A report row's "action" for the template's example row, skipped by the reader.
SAMPLE = "sample"
QUEUED = (ImportStatus.CHECK_QUEUED, ImportStatus.IMPORT_QUEUED)
RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)
WAITING = (*QUEUED, *RUNNING)
# The status a claimed job runs under, by the status it was queued with.
RUNNING_FOR = {
    ImportStatus.CHECK_QUEUED: ImportStatus.CHECKING,
    ImportStatus.IMPORT_QUEUED: ImportStatus.IMPORTING,
}


class ImportJob(Base):
    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # the uploader
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for display
    extension: Mapped[str] = mapped_column(String(4))  # xlsx or csv
    token: Mapped[str] = mapped_column(String(32), unique=True)  # the stored file's name
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.CHECK_QUEUED
    )
    rows_total: Mapped[int] = mapped_column(default=0)
    creates: Mapped[int] = mapped_column(default=0)
    updates: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    # Once checked: per row {"number", "ref", "title", "action", "messages"}; the template's
    # example row, skipped, as {"number", "action": SAMPLE}.
    report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)  # why the job failed, in Indonesian
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its step's turn began
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def file_name(self) -> str:
        """The uploaded file's name in the store's ``imports`` folder."""
        return f"{self.token}.{self.extension}"

    @property
    def valid_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.report or [] if not row["messages"] and row["action"] != SAMPLE]

    @property
    def sample_rows(self) -> list[int]:
        """The numbers of the template's example rows, skipped."""
        return [row["number"] for row in self.report or [] if row["action"] == SAMPLE]

    @property
    def invalid_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.report or [] if row["messages"]]
