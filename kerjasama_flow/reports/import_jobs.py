"""Import jobs: an uploaded spreadsheet checked (the preview), then, once its uploader
confirms, imported, either in the request or in the ``scheduler`` process.

A file of up to ``IMPORT_INLINE_ROWS`` rows (default 300, a few seconds) runs in the request,
as before. A larger one (up to ``importer.MAX_ROWS``, 30-50 s) would outlast the request
timeout, so the request only queues it and the scheduler's ``imports.work`` job, every few
seconds, claims it and runs it; the page refreshes itself until the job is done, and the
uploader gets an in-app notification. Both paths go through ``claim`` and ``run``.

Claiming is a conditional UPDATE (status and, for a retry, the previous ``claim_token``), so
two workers, or a worker and the request, never run one step twice; on PostgreSQL the
candidate is read with ``FOR UPDATE SKIP LOCKED`` so that workers do not queue behind each
other. A step's result is written only by the claim that ran it: the import and its job row
are committed together, and an import whose claim was taken over (a worker presumed dead)
is rolled back whole. A job left running for ``STALE_AFTER`` (the worker died) is claimed
again, at most ``MAX_ATTEMPTS`` times.

Progress lives in a small file beside the upload (``<token>.progress``), not in the job row:
the import is one transaction that no other connection can read into, and on SQLite no other
connection may write while it runs.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import User
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import angka
from kerjasama_flow.reminders.models import Notification, Rule
from kerjasama_flow.reports import importer
from kerjasama_flow.reports.importer import ImportFileError, RowInput
from kerjasama_flow.reports.models import (
    QUEUED,
    RUNNING,
    RUNNING_FOR,
    ImportJob,
    ImportStatus,
)

log = logging.getLogger(__name__)

DEFAULT_INLINE_ROWS = 300
STALE_AFTER = timedelta(minutes=15)  # a 5,000-row step takes under a minute
MAX_ATTEMPTS = 3
KEEP = timedelta(days=1)  # a preview nobody confirmed, and its file, expire after a day
UNCLAIMED_HINT_AFTER = timedelta(minutes=2)  # a queued step not taken by then: no scheduler?
# What can still be cancelled: not a step that is running (on SQLite it holds the write lock).
DISCARDABLE = (ImportStatus.CHECK_QUEUED, ImportStatus.CHECKED, ImportStatus.IMPORT_QUEUED)

MISSING_FILE = "Berkas impor tidak ditemukan lagi di server. Unggah ulang berkasnya."
UNEXPECTED = (
    "Terjadi kesalahan tak terduga saat memproses berkas; tidak ada yang diimpor. Coba unggah "
    "ulang, atau hubungi pengelola aplikasi bila terulang."
)
GAVE_UP = (
    "Pemrosesan berkas terhenti {n} kali (server dimulai ulang?); tidak ada yang diimpor. "
    "Unggah ulang berkasnya."
)
EXPIRED = "Pratinjau kedaluwarsa: tidak dikonfirmasi dalam 24 jam. Unggah ulang berkasnya."


# --- files ------------------------------------------------------------------------------------


def folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ImportJob) -> Path:
    return folder() / f"{job.token}.{job.extension}"


def progress_path(job: ImportJob) -> Path:
    return folder() / f"{job.token}.progress"


def _remove_files(job: ImportJob) -> None:
    for path in (file_path(job), progress_path(job)):
        path.unlink(missing_ok=True)


class Progress:
    """Writes "done total" to the job's progress file, at most every ``every`` seconds and
    at the last row; the file is replaced whole, so a reader never sees half a line."""

    def __init__(self, path: Path, every: float = 0.5):
        self.path = path
        self.every = every
        self.last = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(f"{done} {total}")
        os.replace(partial, self.path)


@dataclass(frozen=True)
class ProgressReading:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


def read_progress(job: ImportJob) -> ProgressReading | None:
    """How far the running step of ``job`` is, if it has said."""
    try:
        done, total = (int(part) for part in progress_path(job).read_text().split())
    except (OSError, ValueError):
        return None
    return ProgressReading(done, total)


# --- what users do ----------------------------------------------------------------------------


def inline_rows() -> int:
    return int(current_app.config.get("IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def runs_inline(job: ImportJob) -> bool:
    return job.rows_total <= inline_rows()


def start(actor: User, filename: str, extension: str, content: bytes) -> ImportJob:
    """Read the uploaded file (a file that cannot be imported raises ``ImportFileError`` and
    nothing is kept), store it and queue its check. Commits."""
    table = importer.read_table(content, extension)
    job = ImportJob(
        government_id=actor.government_id,
        user_id=actor.id,
        filename=(filename or f"impor.{extension}")[-255:],
        extension=extension,
        token=uuid.uuid4().hex,
        rows_total=len(table.rows),
        status=ImportStatus.CHECK_QUEUED,
        created_at=clock.now(),
        queued_at=clock.now(),
    )
    file_path(job).write_bytes(content)
    db.session.add(job)
    db.session.commit()
    return job


def confirm(actor: User, job: ImportJob) -> bool:
    """Queue the import of a checked job; False if it is not (or no longer) waiting for its
    uploader's confirmation (a second click, another tab). Commits."""
    return _move(
        job, actor, (ImportStatus.CHECKED,), ImportStatus.IMPORT_QUEUED, queued_at=clock.now()
    )


def discard(actor: User, job: ImportJob) -> bool:
    """Cancel a job that is not running; its file is removed. Commits."""
    discarded = _move(job, actor, DISCARDABLE, ImportStatus.DISCARDED, finished_at=clock.now())
    if discarded:
        _remove_files(job)
    return discarded


def _move(job: ImportJob, actor: User, sources, target: ImportStatus, **values) -> bool:
    result = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job.id,
            ImportJob.user_id == actor.id,
            ImportJob.status.in_(sources),
        )
        .values(status=target, claim_token=None, attempts=0, **values)
    )
    db.session.commit()
    db.session.refresh(job)
    return result.rowcount == 1


def unclaimed_too_long(job: ImportJob) -> bool:
    """Queued for longer than a worker polling every few seconds would leave it: the job
    page then says the scheduler may not be running."""
    return (
        job.status in QUEUED
        and job.queued_at is not None
        and clock.now() - job.queued_at > UNCLAIMED_HINT_AFTER
    )


def recent(government_id: int, limit: int = 10) -> list[ImportJob]:
    """The government's latest imports, newest first (the upload page's list)."""
    return db.session.scalars(
        select(ImportJob)
        .where(ImportJob.government_id == government_id)
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
        .limit(limit)
    ).all()


# --- the worker side --------------------------------------------------------------------------


def claim(job_id: int | None = None) -> ImportJob | None:
    """Take the oldest queued job (or ``job_id``), or one whose worker seems to have died,
    for this process: its status becomes the running one and it gets a fresh claim token.
    Commits. None when there is nothing to take."""
    while True:
        now = clock.now()
        takeable = or_(
            ImportJob.status.in_(QUEUED),
            and_(ImportJob.status.in_(RUNNING), ImportJob.started_at < now - STALE_AFTER),
        )
        query = select(ImportJob).where(takeable)
        if job_id is not None:
            query = query.where(ImportJob.id == job_id)
        candidate = db.session.scalars(
            query.order_by(ImportJob.created_at, ImportJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            db.session.commit()
            return None
        if _take(candidate, now):
            return candidate
        # Taken by someone else between the read and the update (SQLite): look again.


def _take(job: ImportJob, now) -> bool:
    status, previous = job.status, job.claim_token
    condition = [ImportJob.id == job.id, ImportJob.status == status]
    if status in RUNNING:
        condition.append(ImportJob.claim_token == previous)
        if job.attempts >= MAX_ATTEMPTS:
            result = db.session.execute(
                update(ImportJob)
                .where(*condition)
                .values(
                    status=ImportStatus.FAILED,
                    message=GAVE_UP.format(n=job.attempts),
                    claim_token=None,
                    finished_at=now,
                )
            )
            db.session.commit()
            if result.rowcount == 1:
                _remove_files(job)
            return False
    result = db.session.execute(
        update(ImportJob)
        .where(*condition)
        .values(
            status=RUNNING_FOR.get(status, status),
            claim_token=uuid.uuid4().hex,
            started_at=now,
            finished_at=None,
            attempts=ImportJob.attempts + 1,
        )
    )
    db.session.commit()
    db.session.refresh(job)
    return result.rowcount == 1


def run(job: ImportJob, notify: bool = False) -> None:
    """Run the step ``job`` was claimed for (check or import) and record its result; commits.
    ``notify``: tell the uploader in-app when done (when nobody is watching the request)."""
    job_id, claim_token, step = job.id, job.claim_token, job.status
    actor = job.user
    progress = Progress(progress_path(job))
    try:
        try:
            content = file_path(job).read_bytes()
        except FileNotFoundError:
            _fail(job_id, claim_token, MISSING_FILE)
            return
        try:
            table = importer.read_table(content, job.extension)
        except ImportFileError as error:  # it was read at the upload; the code may have changed
            _fail(job_id, claim_token, error.message)
            return
        rows = importer.parse_rows(job.government_id, table)
        if step == ImportStatus.CHECKING:
            importer.validate_rows(actor, rows, progress)
            db.session.rollback()
            finished = _finish(job_id, claim_token, ImportStatus.CHECKED, rows, notify)
        else:
            importer.import_rows(actor, rows, progress)
            finished = _finish(job_id, claim_token, ImportStatus.DONE, rows, notify)
        if finished:
            db.session.commit()
        else:  # the claim was taken over: whatever this run did is not kept
            db.session.rollback()
    except Exception:
        db.session.rollback()
        log.exception("Impor %s gagal", job_id)
        _fail(job_id, claim_token, UNEXPECTED)
    finally:
        progress.path.unlink(missing_ok=True)
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is not None and job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        _remove_files(job)


def _finish(
    job_id: int, claim_token: str, status: ImportStatus, rows: list[RowInput], notify: bool
) -> bool:
    """Record the step's result, in the current transaction, if this run still holds the
    claim."""
    valid = [row for row in rows if row.is_valid]
    result = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.claim_token == claim_token)
        .values(
            status=status,
            report=[_row_report(row) for row in rows],
            creates=sum(1 for row in valid if row.action == "create"),
            updates=sum(1 for row in valid if row.action == "update"),
            refused=len(rows) - len(valid),
            claim_token=None,
            finished_at=clock.now(),
        )
    )
    if result.rowcount != 1:
        return False
    if notify:
        _notify(db.session.get(ImportJob, job_id, populate_existing=True))
    return True


def _row_report(row: RowInput) -> dict:
    return {
        "number": row.number,
        "ref": row.external_ref,
        "title": row.title,
        "action": row.action,
        "messages": row.messages(),
    }


def _fail(job_id: int, claim_token: str, message: str) -> None:
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.claim_token == claim_token)
        .values(
            status=ImportStatus.FAILED,
            message=message,
            claim_token=None,
            finished_at=clock.now(),
        )
    )
    db.session.commit()


def job_url(job_id: int) -> str:
    """The job's page (stored in notifications, written outside a request)."""
    return f"/agreements/import/jobs/{job_id}"


def _notify(job: ImportJob) -> None:
    if job.status == ImportStatus.CHECKED:
        title = (
            f"Pratinjau impor {job.filename} siap: {angka(job.creates + job.updates)} baris "
            f"dapat diimpor, {angka(job.refused)} bermasalah. Buka untuk mengonfirmasi."
        )
    else:
        title = (
            f"Impor {job.filename} selesai: {angka(job.creates)} kerja sama baru, "
            f"{angka(job.updates)} diperbarui, {angka(job.refused)} baris dilewati."
        )
    db.session.add(
        Notification(
            government_id=job.government_id,
            user_id=job.user_id,
            item_kind="import",
            item_id=job.id,
            rule=Rule.IMPORT,
            period=job.status.value,
            title=title[:400],
            url=job_url(job.id),
        )
    )


def run_now(job: ImportJob) -> ImportJob:
    """Run a small job's queued step in this request (``runs_inline``). If a worker took it
    first, it runs there and the page waits for it."""
    claimed = claim(job.id)
    if claimed is not None:
        run(claimed)
    db.session.refresh(job)
    return job


def expire() -> int:
    """The scheduler's hourly ``imports.expire``: discard checked jobs nobody confirmed within
    ``KEEP``, with their files, and files of no job. Commits."""
    limit = clock.now() - KEEP
    stale = db.session.scalars(
        select(ImportJob).where(
            ImportJob.status == ImportStatus.CHECKED, ImportJob.finished_at < limit
        )
    ).all()
    for job in stale:
        result = db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.CHECKED)
            .values(status=ImportStatus.DISCARDED, message=EXPIRED, finished_at=clock.now())
        )
        if result.rowcount == 1:
            _remove_files(job)
    db.session.commit()
    _remove_orphans(limit - KEEP)
    return len(stale)


def _remove_orphans(before) -> None:
    """Files of no live job (a failed upload's commit, a crash between two steps), once they
    are old enough that no request can still be writing them."""
    live = set(
        db.session.scalars(
            select(ImportJob.token).where(
                ImportJob.status.in_((*QUEUED, *RUNNING, ImportStatus.CHECKED))
            )
        )
    )
    for path in folder().iterdir():
        try:
            if path.name.split(".")[0] not in live and path.stat().st_mtime < before.timestamp():
                path.unlink()
        except OSError:  # pragma: no cover - removed concurrently
            pass


def work(limit: int | None = None) -> int:
    """The scheduler's ``imports.work``: run queued steps until none is left (or ``limit``).
    Returns how many steps ran."""
    done = 0
    while limit is None or done < limit:
        job = claim()
        if job is None:
            break
        run(job, notify=True)
        done += 1
    return done
