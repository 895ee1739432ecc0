"""Large imports in the background: queued by the request, claimed and run by the scheduler's
``imports.work`` job, with progress, a notification, and nothing lost or run twice when a
worker dies, is overtaken, or fails."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from kerjasama_flow import clock, scheduler
from kerjasama_flow.extensions import db
from kerjasama_flow.imports import jobs, services
from kerjasama_flow.imports.models import ImportJob, ImportStatus
from kerjasama_flow.reminders.models import Notification, Rule
from tests.import_helpers import (
    agreement_count,
    by_ref,
    confirm,
    job_id_of,
    row,
    run_scheduler_job,
    stored_files,
    upload,
    xlsx,
)

ROWS = [row(f"KS-{n:03d}", f"Kerja sama {n}") for n in range(1, 6)]


@pytest.fixture
def admin(world, auth, app):
    """The admin, logged in, with every file of more than 2 rows going to the background."""
    app.config["IMPORT_INLINE_ROWS"] = 2
    auth.login(world.admin)
    return world.admin


def job(job_id: int) -> ImportJob:
    db.session.rollback()
    return db.session.get(ImportJob, job_id, populate_existing=True)


def queue_file(client, rows=ROWS) -> int:
    response = upload(client, xlsx(rows))
    assert response.status_code == 200
    return int(response.request.path.rsplit("/", 1)[-1])


# --- the whole way through --------------------------------------------------------------------


def test_a_large_file_is_checked_and_imported_by_the_scheduler(client, admin, app, world):
    before = agreement_count()
    response = upload(client, xlsx(ROWS))
    body = response.get_data(as_text=True)
    assert "Menunggu pemeriksaan" in body
    assert '<meta http-equiv="refresh"' in body  # the page reloads itself, without a script
    job_id = int(response.request.path.rsplit("/", 1)[-1])
    assert job(job_id).status == ImportStatus.CHECK_QUEUED
    assert job(job_id).report is None  # the request did not check it

    run_scheduler_job(app)
    checked = job(job_id)
    assert checked.status == ImportStatus.CHECKED
    assert (checked.rows_total, checked.creates, checked.updates, checked.refused) == (5, 5, 0, 0)
    assert agreement_count() == before  # the check keeps nothing
    body = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in body
    assert "Impor 5 baris" in body and "Kerja sama 5" in body

    assert job_id_of(client.get(f"/agreements/import/jobs/{job_id}")) == job_id
    response = confirm(client, job_id, follow_redirects=True)
    assert "Menunggu impor" in response.get_data(as_text=True)
    assert job(job_id).status == ImportStatus.IMPORT_QUEUED
    assert agreement_count() == before

    run_scheduler_job(app)
    done = job(job_id)
    assert done.status == ImportStatus.DONE
    assert agreement_count() == before + 5
    assert by_ref("KS-003", world.gov.id).title == "Kerja sama 3"
    assert stored_files(app, job_id) == []  # the upload is removed once imported
    body = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "Impor selesai" in body and "5 kerja sama baru" in body

    notices = db.session.scalars(
        select(Notification).where(Notification.item_kind == "import").order_by(Notification.id)
    ).all()
    assert [(n.user_id, n.rule, n.period, n.url) for n in notices] == [
        (world.admin.id, Rule.IMPORT, "checked", f"/agreements/import/jobs/{job_id}"),
        (world.admin.id, Rule.IMPORT, "done", f"/agreements/import/jobs/{job_id}"),
    ]
    assert "Impor data.xlsx selesai: 5 kerja sama baru" in notices[1].title
    assert client.get(notices[1].url).status_code == 200


def test_a_small_file_runs_in_the_request(client, world, auth, app):
    auth.login(world.admin)
    before = agreement_count()
    job_id = job_id_of(upload(client, xlsx(ROWS[:2])))
    assert job(job_id).status == ImportStatus.CHECKED
    confirm(client, job_id)
    assert job(job_id).status == ImportStatus.DONE
    assert agreement_count() == before + 2
    # Nobody waits for a notification of what they just watched happen.
    assert db.session.scalars(select(Notification)).all() == []


def test_the_cli_runs_queued_steps(client, admin, app):
    job_id = queue_file(client)
    result = app.test_cli_runner().invoke(args=["imports", "run"])
    assert result.exit_code == 0, result.output
    assert "1 langkah impor dijalankan, 0 pratinjau kedaluwarsa." in result.output
    assert job(job_id).status == ImportStatus.CHECKED


def test_progress_is_shown_while_a_step_runs(client, admin, app):
    job_id = queue_file(client)
    running = job(job_id)
    running.status = ImportStatus.CHECKING
    running.started_at = clock.now()
    db.session.commit()
    jobs.Progress(jobs.progress_path(running))(2, 5)
    body = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "Sedang diperiksa" in body
    assert '<progress class="w-100" value="2" max="5">40%</progress>' in body
    assert "2 dari 5 baris (40%)" in body


def test_progress_writes_at_most_every_interval_and_always_the_last_row(tmp_path):
    path = tmp_path / "x.progress"
    progress = jobs.Progress(path, every=3600)
    progress(1, 3)
    progress(2, 3)  # within the interval: not written
    assert path.read_text() == "1 3"
    progress(3, 3)  # the last row always is
    assert path.read_text() == "3 3"


# --- cancelling -------------------------------------------------------------------------------


def test_a_queued_job_can_be_cancelled_and_is_never_run(client, admin, app):
    job_id = queue_file(client)
    response = client.post(f"/agreements/import/jobs/{job_id}/discard", follow_redirects=True)
    assert "dibatalkan" in response.get_data(as_text=True)
    run_scheduler_job(app)
    assert job(job_id).status == ImportStatus.DISCARDED
    assert job(job_id).attempts == 0
    assert stored_files(app, job_id) == []


def test_a_running_step_cannot_be_cancelled(client, admin, app):
    job_id = queue_file(client)
    assert jobs.claim(job_id).status == ImportStatus.CHECKING
    response = client.post(f"/agreements/import/jobs/{job_id}/discard", follow_redirects=True)
    assert "sedang diperiksa" in response.get_data(as_text=True)
    assert job(job_id).status == ImportStatus.CHECKING


# --- services flush; the request or the job runner commits -------------------------------------


def test_the_services_keep_nothing_until_their_caller_commits(app, world):
    db.session.commit()
    job_id = services.start(world.admin, "data.xlsx", "xlsx", xlsx(ROWS), 300).id
    db.session.rollback()
    assert db.session.get(ImportJob, job_id) is None
    assert list((Path(app.instance_path) / "imports").glob(".*.part")) == []

    checked = services.start(world.admin, "data.xlsx", "xlsx", xlsx(ROWS), 300)
    checked.status = ImportStatus.CHECKED
    db.session.commit()
    assert services.confirm(world.admin, checked)
    db.session.rollback()
    assert job(checked.id).status == ImportStatus.CHECKED
    assert services.discard(world.admin, checked)
    db.session.rollback()
    assert job(checked.id).status == ImportStatus.CHECKED
    assert len(stored_files(app, checked.id)) == 1  # the upload stays with its job
    assert services.discard(world.admin, checked)
    db.session.commit()
    assert stored_files(app, checked.id) == []


# --- claims: once, again after a dead worker, never twice -------------------------------------


def test_a_job_is_claimed_once(client, admin):
    job_id = queue_file(client)
    first = jobs.claim()
    assert first is not None and first.id == job_id
    assert jobs.claim() is None
    assert jobs.claim(job_id) is None


def test_a_step_left_running_by_a_dead_worker_is_claimed_again(client, admin, app):
    job_id = queue_file(client)
    claimed = jobs.claim(job_id)
    first_token = claimed.claim_token
    assert jobs.claim() is None  # still fresh
    app.config["KERJASAMA_NOW"] = clock.now() + services.STALE_AFTER + timedelta(minutes=1)
    again = jobs.claim()
    assert again.id == job_id and again.attempts == 2 and again.claim_token != first_token
    jobs.run(again)
    assert job(job_id).status == ImportStatus.CHECKED


def test_a_job_that_keeps_dying_fails_after_the_last_attempt(client, admin, app):
    job_id = queue_file(client)
    stale = job(job_id)
    stale.status = ImportStatus.CHECKING
    stale.attempts = services.MAX_ATTEMPTS
    stale.claim_token = "x" * 32
    stale.started_at = clock.now() - services.STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert jobs.claim() is None
    failed = job(job_id)
    assert failed.status == ImportStatus.FAILED
    assert "terhenti 3 kali" in failed.message
    assert stored_files(app, job_id) == []
    body = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "terhenti 3 kali" in body and "Unggah ulang" in body


def test_an_import_whose_claim_was_taken_over_keeps_nothing(client, admin, app, monkeypatch):
    """A worker presumed dead finishes after all: its import is rolled back whole, since the
    job no longer carries its claim. (The takeover is written in the import's own transaction
    here: on SQLite another connection could not write while the import runs.)"""
    job_id = queue_file(client)
    run_scheduler_job(app)
    confirm(client, job_id)
    before = agreement_count()
    claimed = jobs.claim(job_id)
    assert claimed.status == ImportStatus.IMPORTING
    original_run = jobs.applying.import_rows

    def overtaken(actor, rows, on_row=None):
        applied = original_run(actor, rows, on_row)
        db.session.execute(
            update(ImportJob).where(ImportJob.id == job_id).values(claim_token="y" * 32)
        )
        return applied

    monkeypatch.setattr(jobs.applying, "import_rows", overtaken)
    jobs.run(claimed)
    assert agreement_count() == before
    assert job(job_id).status == ImportStatus.IMPORTING  # left to the claim that holds it
    assert job(job_id).finished_at is None


def test_parallel_workers_run_each_step_once(client, admin, app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrency")
    ids = [
        queue_file(client, [row(f"KS-{k}{n}", f"Kerja sama {k}{n}") for n in range(3)])
        for k in range(4)
    ]
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []
    ran: list[int] = []

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                ran.append(jobs.work())
                db.session.remove()
        except BaseException as error:  # reported below; a thread must not die silently
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(ran) == 4
    assert [(job(i).status, job(i).attempts) for i in ids] == [(ImportStatus.CHECKED, 1)] * 4


# --- failures: a clear message, nothing imported ----------------------------------------------


def test_a_missing_file_fails_the_job_with_a_message(client, admin, app):
    job_id = queue_file(client)
    for path in stored_files(app, job_id):
        path.unlink()
    run_scheduler_job(app)
    failed = job(job_id)
    assert failed.status == ImportStatus.FAILED
    assert failed.message == jobs.MISSING_FILE


def test_an_unexpected_error_fails_the_job_and_imports_nothing(
    client, admin, app, caplog, monkeypatch
):
    job_id = queue_file(client)
    run_scheduler_job(app)
    confirm(client, job_id)
    before = agreement_count()
    original_run = jobs.applying.import_rows

    def half_then_crash(actor, rows, on_row=None):
        original_run(actor, rows[:2], on_row)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs.applying, "import_rows", half_then_crash)
    run_scheduler_job(app)  # logged, not raised: the next job in the queue still runs
    failed = job(job_id)
    assert failed.status == ImportStatus.FAILED
    assert failed.message == jobs.UNEXPECTED
    assert agreement_count() == before  # the two rows applied before the crash are gone
    assert "disk on fire" in caplog.text
    assert stored_files(app, job_id) == []


# --- expiry -----------------------------------------------------------------------------------


def test_a_preview_nobody_confirms_expires_after_a_day(client, admin, app):
    job_id = queue_file(client)
    run_scheduler_job(app)
    orphan = Path(app.instance_path) / "imports" / ("f" * 32 + ".xlsx")
    orphan.write_bytes(b"left behind")
    app.config["KERJASAMA_NOW"] = clock.now() + timedelta(days=3)
    run_scheduler_job(app)  # running queued steps expires nothing
    assert job(job_id).status == ImportStatus.CHECKED
    run_scheduler_job(app, scheduler.IMPORTS_EXPIRE_JOB_ID)
    expired = job(job_id)
    assert expired.status == ImportStatus.DISCARDED
    assert expired.message == services.EXPIRED
    assert stored_files(app, job_id) == []
    response = confirm(client, job_id, follow_redirects=True)
    assert "sudah dibatalkan" in response.get_data(as_text=True)
    # A file of no job is removed once it is old enough (written 3 days before "now").
    assert not orphan.exists()


def test_a_queued_step_nobody_takes_says_the_scheduler_may_be_down(client, admin, app):
    job_id = queue_file(client)
    page = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "mungkin tidak berjalan" not in page
    app.config["KERJASAMA_NOW"] = clock.now() + jobs.UNCLAIMED_HINT_AFTER * 2
    page = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "Pemrosesan di latar belakang" in page and "mungkin tidak berjalan" in page
    run_scheduler_job(app)
    page = client.get(f"/agreements/import/jobs/{job_id}").get_data(as_text=True)
    assert "mungkin tidak berjalan" not in page  # checked: nothing is waiting any more


# --- the upload page lists the latest imports -------------------------------------------------


def test_upload_page_lists_the_governments_latest_imports(client, admin, app, world, auth):
    job_id = queue_file(client)
    body = client.get("/agreements/import").get_data(as_text=True)
    assert f"/agreements/import/jobs/{job_id}" in body
    assert "Menunggu pemeriksaan" in body
    auth.logout()
    auth.login(world.other_admin)
    body = client.get("/agreements/import").get_data(as_text=True)
    assert f"/agreements/import/jobs/{job_id}" not in body


def test_on_sqlite_a_save_waits_for_a_running_import(app, backend):
    """An import holds SQLite's write lock for up to half a minute: other connections wait
    for it (the driver's default gives up after 5 s, and the save would be lost)."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    waits = db.session.execute(text("PRAGMA busy_timeout")).scalar()
    assert waits >= 60_000
