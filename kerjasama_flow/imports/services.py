"""Changing import jobs: what users do (upload, confirm, cancel) and the steps of the job
runner (take a queued job, record a step's result or its failure, give up, expire).

Every function here flushes and never commits. A request commits through
``web.run_service``; the scheduler and a small file's inline run commit through the job runner
(``imports.jobs``). The uploaded file is kept in the store (``kerjasama_flow.storage``, folder
``imports``): it appears when the upload commits and goes when the job that needs it ends
(imported, failed, cancelled, expired), in the same commit.

Taking a job is a conditional UPDATE (its status and, for a retry, the previous
``claim_token``), so that two workers, or a worker and the request, never run one step twice;
on PostgreSQL the candidate is read with ``FOR UPDATE SKIP LOCKED`` so that workers do not
queue behind each other. A step's result is written only by the claim that ran it. A job left
running for ``STALE_AFTER`` (the worker died) is taken again, at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from kerjasama_flow import clock, storage
from kerjasama_flow.accounts.models import User
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_number
from kerjasama_flow.imports.models import (
    QUEUED,
    RUNNING,
    RUNNING_FOR,
    SAMPLE,
    ImportJob,
    ImportStatus,
)
from kerjasama_flow.imports.parsing import RowInput
from kerjasama_flow.imports.reading import peek_table
from kerjasama_flow.reminders.models import Notification, Rule

log = logging.getLogger(__name__)

FOLDER = "imports"  # the store's folder of uploaded files (and of their progress files)
STALE_AFTER = timedelta(minutes=15)  # a 5,000-row step takes under a minute
MAX_ATTEMPTS = 3
KEEP = timedelta(days=1)  # a preview nobody confirmed, and its file, expire after a day
# What can still be cancelled: not a step that is running (on SQLite it holds the write lock).
DISCARDABLE = (ImportStatus.CHECK_QUEUED, ImportStatus.CHECKED, ImportStatus.IMPORT_QUEUED)

GAVE_UP = (
    "Pemrosesan berkas terhenti {n} kali (server dimulai ulang?); tidak ada yang diimpor. "
    "Unggah ulang berkasnya."
)
EXPIRED = "Pratinjau kedaluwarsa: tidak dikonfirmasi dalam 24 jam. Unggah ulang berkasnya."


def progress_name(job: ImportJob) -> str:
    """The name of the job's progress file, beside its upload in the store's folder."""
    return f"{job.token}.progress"


def _remove_files(job: ImportJob) -> None:
    """The job's upload and progress go once the change that ends the job commits."""
    storage.delete(FOLDER, job.file_name)
    storage.delete(FOLDER, progress_name(job))


# --- what users do ----------------------------------------------------------------------------


def start(
    actor: User, filename: str, extension: str, content: bytes, inline_rows: int
) -> ImportJob:
    """Check the uploaded file as far as a request may read it (``reading.peek_table``: a
    file refused there raises ``ImportFileError`` and nothing is kept), store it and queue its
    check. A file of at most ``inline_rows`` data rows is counted (``rows_total``) and may be
    checked in the request; a larger one is read, counted and checked by the job runner, and
    its ``rows_total`` stays 0 until then."""
    table = peek_table(content, extension, inline_rows)
    stored = storage.store(content, folder=FOLDER, suffix=f".{extension}", field="file")
    job = ImportJob(
        government_id=actor.government_id,
        user_id=actor.id,
        filename=(filename or f"impor.{extension}")[-255:],
        extension=extension,
        token=stored.stem,
        rows_total=len(table.rows) if table.complete else 0,
        status=ImportStatus.CHECK_QUEUED,
        created_at=clock.now(),
        queued_at=clock.now(),
    )
    db.session.add(job)
    db.session.flush()
    log.info(
        "Impor %s: %s disimpan (%d bita, sha256 %s)",
        job.id,
        job.filename,
        stored.size,
        stored.sha256,
    )
    return job


def confirm(actor: User, job: ImportJob) -> bool:
    """Queue the import of a checked job; False if it is not (or no longer) waiting for its
    uploader's confirmation (a second click, another tab)."""
    return _move(
        job, actor, (ImportStatus.CHECKED,), ImportStatus.IMPORT_QUEUED, queued_at=clock.now()
    )


def discard(actor: User, job: ImportJob) -> bool:
    """Cancel a job that is not running; its file goes with the commit."""
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
    db.session.refresh(job)
    return result.rowcount == 1


# --- the job runner's steps -------------------------------------------------------------------


def claimable(now: datetime, job_id: int | None = None) -> ImportJob | None:
    """The oldest queued job (or ``job_id``), or one whose worker seems to have died, locked
    for this transaction where the database can (other workers skip it)."""
    takeable = or_(
        ImportJob.status.in_(QUEUED),
        and_(ImportJob.status.in_(RUNNING), ImportJob.started_at < now - STALE_AFTER),
    )
    query = select(ImportJob).where(takeable)
    if job_id is not None:
        query = query.where(ImportJob.id == job_id)
    return db.session.scalars(
        query.order_by(ImportJob.created_at, ImportJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def take(job: ImportJob, now: datetime) -> bool:
    """Claim ``job`` (read by ``claimable``): its status becomes the running one and it gets a
    fresh claim token. False if someone else changed it since it was read, or if a job left
    running has had its ``MAX_ATTEMPTS`` (it fails instead)."""
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
    return result.rowcount == 1


def finish(
    job: ImportJob,
    claim_token: str,
    status: ImportStatus,
    rows: list[RowInput],
    notify: bool,
    samples: Iterable[int] = (),
) -> bool:
    """Record the step's result if this run still holds the claim (False if it does not).
    ``notify``: tell the uploader in-app (when nobody is watching the request). ``samples``:
    the template's example rows the reader skipped, kept in the report as such."""
    valid = [row for row in rows if row.is_valid]
    result = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.claim_token == claim_token)
        .values(
            status=status,
            rows_total=len(rows),
            report=[_sample_report(number) for number in samples]
            + [_row_report(row) for row in rows],
            creates=sum(1 for row in valid if row.action == "create"),
            updates=sum(1 for row in valid if row.action == "update"),
            refused=len(rows) - len(valid),
            claim_token=None,
            finished_at=clock.now(),
        )
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(job)
    if status == ImportStatus.DONE:
        _remove_files(job)
    if notify:
        _notify(job)
    return True


def _sample_report(number: int) -> dict:
    return {"number": number, "ref": None, "title": None, "action": SAMPLE, "messages": []}


def _row_report(row: RowInput) -> dict:
    return {
        "number": row.number,
        "ref": row.external_ref,
        "title": row.title,
        "action": row.action,
        "messages": row.messages(),
    }


def fail(job: ImportJob, claim_token: str, message: str, notify: bool = False) -> bool:
    """The step could not run (``message`` says why, in Indonesian); nothing was imported.
    Only the claim that ran it records this. ``notify``: tell the uploader in-app (a file
    refused by the job runner, with nobody watching the request)."""
    result = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.claim_token == claim_token)
        .values(
            status=ImportStatus.FAILED,
            message=message,
            claim_token=None,
            finished_at=clock.now(),
        )
    )
    if result.rowcount != 1:
        return False
    _remove_files(job)
    if notify:
        db.session.refresh(job)
        _notify(job)
    return True


def job_url(job_id: int) -> str:
    """The job's page (stored in notifications, written outside a request)."""
    return f"/agreements/import/jobs/{job_id}"


def _notify(job: ImportJob) -> None:
    if job.status == ImportStatus.FAILED:
        title = f"Impor {job.filename} gagal: {job.message}"
    elif job.status == ImportStatus.CHECKED:
        title = (
            f"Pratinjau impor {job.filename} siap: "
            f"{format_number(job.creates + job.updates)} baris dapat diimpor, "
            f"{format_number(job.refused)} bermasalah. Buka untuk mengonfirmasi."
        )
    else:
        title = (
            f"Impor {job.filename} selesai: {format_number(job.creates)} kerja sama baru, "
            f"{format_number(job.updates)} diperbarui, {format_number(job.refused)} baris dilewati."
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


def expire_previews(now: datetime) -> int:
    """Discard the checked jobs nobody confirmed within ``KEEP``, with their files."""
    stale = db.session.scalars(
        select(ImportJob).where(
            ImportJob.status == ImportStatus.CHECKED, ImportJob.finished_at < now - KEEP
        )
    ).all()
    for job in stale:
        result = db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.CHECKED)
            .values(status=ImportStatus.DISCARDED, message=EXPIRED, finished_at=now)
        )
        if result.rowcount == 1:
            _remove_files(job)
    return len(stale)
