"""Import jobs in the background, and the job runner: an uploaded spreadsheet is checked (the
preview), then, once its uploader confirms, imported, either in the request or in the
``scheduler`` process.

A file of up to ``IMPORT_INLINE_ROWS`` rows (default 300, a few seconds) runs in the request.
A larger one (up to ``columns.MAX_ROWS``, 30-50 s) would outlast the request timeout, so the
request only queues it and the scheduler's ``imports.work`` job, every few seconds, claims it
and runs it; the page refreshes itself until the job is done, and the uploader gets an in-app
notification. Both paths go through ``claim`` and ``run``. The request never reads a large
file whole: it reads only as far as it takes to tell a small file from a large one
(``reading.peek_table``), and the file is read, counted and checked here.

This module is the job runner: with ``web.run_service`` (which commits the upload, the
confirmation and the cancellation), the one place an import job's changes are committed.
The services it calls (``imports.services``, ``imports.applying``) only flush; here ``claim``
commits each attempt to take a job, ``run`` commits a step's result together with the import
itself, or rolls back the whole import when its claim was taken over (a worker presumed
dead), and ``expire`` commits the expiry. ``run_now`` is the same runner, called by the
request that queued a small job.

Progress lives in a small file beside the upload (``<token>.progress``), not in the job row:
the import is one transaction that no other connection can read into, and on SQLite no other
connection may write while it runs.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app

from kerjasama_flow import clock, storage
from kerjasama_flow.extensions import db
from kerjasama_flow.imports import applying, queries, services
from kerjasama_flow.imports.models import QUEUED, ImportJob, ImportStatus
from kerjasama_flow.imports.parsing import RowInput, parse_rows
from kerjasama_flow.imports.reading import ImportFileError, read_table

log = logging.getLogger(__name__)

DEFAULT_INLINE_ROWS = 300
UNCLAIMED_HINT_AFTER = timedelta(minutes=2)  # a queued step not taken by then: no scheduler?

MISSING_FILE = "Berkas impor tidak ditemukan lagi di server. Unggah ulang berkasnya."
UNEXPECTED = (
    "Terjadi kesalahan tak terduga saat memproses berkas; tidak ada yang diimpor. Coba unggah "
    "ulang, atau hubungi pengelola aplikasi bila terulang."
)


# --- progress ---------------------------------------------------------------------------------


def progress_path(job: ImportJob) -> Path:
    return storage.folder_path(services.FOLDER) / services.progress_name(job)


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


# --- where a step runs ------------------------------------------------------------------------


def inline_rows() -> int:
    return int(current_app.config.get("IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def runs_inline(job: ImportJob) -> bool:
    """Small enough to run in the request. A file the upload request did not read whole has
    no count yet (``rows_total`` 0) and goes to the background."""
    return 0 < job.rows_total <= inline_rows()


def unclaimed_too_long(job: ImportJob) -> bool:
    """Queued for longer than a worker polling every few seconds would leave it: the job
    page then says the scheduler may not be running."""
    return (
        job.status in QUEUED
        and job.queued_at is not None
        and clock.now() - job.queued_at > UNCLAIMED_HINT_AFTER
    )


# --- the runner -------------------------------------------------------------------------------


def claim(job_id: int | None = None) -> ImportJob | None:
    """Take the oldest queued job (or ``job_id``), or one whose worker seems to have died,
    for this process. Commits. None when there is nothing to take."""
    while True:
        now = clock.now()
        candidate = services.claimable(now, job_id)
        taken = candidate is not None and services.take(candidate, now)
        db.session.commit()
        if candidate is None:
            return None
        if taken:
            db.session.refresh(candidate)
            return candidate
        # Taken by someone else between the read and the update (SQLite), or given up after
        # its last attempt: look again.


def run(job: ImportJob, notify: bool = False) -> None:
    """Run the step ``job`` was claimed for (check or import) and commit its result.
    ``notify``: tell the uploader in-app when done (when nobody is watching the request)."""
    job_id, claim_token, step = job.id, job.claim_token, job.status
    progress = Progress(progress_path(job))
    try:
        try:
            rows, samples = _rows_of(job)
        except ImportFileError as error:  # gone, or refused once read whole
            services.fail(job, claim_token, error.message, notify)
            db.session.commit()
            return
        if step == ImportStatus.CHECKING:
            applying.validate_rows(job.user, rows, progress)
            db.session.rollback()  # the preview keeps nothing, not even its reads' locks
            finished = services.finish(
                job, claim_token, ImportStatus.CHECKED, rows, notify, samples
            )
        else:
            applying.import_rows(job.user, rows, progress)
            finished = services.finish(job, claim_token, ImportStatus.DONE, rows, notify, samples)
        if finished:
            db.session.commit()
        else:  # the claim was taken over: whatever this run did is not kept
            db.session.rollback()
    except Exception:
        db.session.rollback()
        log.exception("Impor %s gagal", job_id)
        services.fail(job, claim_token, UNEXPECTED, notify)
        db.session.commit()
    finally:
        progress.path.unlink(missing_ok=True)


def _rows_of(job: ImportJob) -> tuple[list[RowInput], list[int]]:
    """The file's rows, checked, and the numbers of the example rows skipped."""
    try:
        with storage.open(services.FOLDER, job.file_name) as stored:
            content = stored.read()
    except FileNotFoundError as error:
        raise ImportFileError(MISSING_FILE) from error
    table = read_table(content, job.extension)
    return parse_rows(job.government_id, table), table.samples


def run_now(job: ImportJob) -> ImportJob:
    """Run a small job's queued step in the request that queued it (``runs_inline``). If a
    worker took it first, it runs there and the page waits for it."""
    claimed = claim(job.id)
    if claimed is not None:
        run(claimed)
    db.session.refresh(job)
    return job


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


def expire() -> int:
    """The scheduler's hourly ``imports.expire``: discard checked jobs nobody confirmed within
    ``services.KEEP``, with their files, and files of no job. Commits."""
    now = clock.now()
    expired = services.expire_previews(now)
    db.session.commit()
    _remove_orphans(now - 2 * services.KEEP)
    return expired


def _remove_orphans(before) -> None:
    """Files of no live job (a worker that died between two steps, a file that could not be
    deleted), once they are old enough that no request can still be writing them."""
    live = queries.live_tokens()
    storage.sweep(services.FOLDER, keep=lambda name: name.split(".", 1)[0] in live, before=before)
