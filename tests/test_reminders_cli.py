"""``flask reminders run`` against a real SMTP server, and the scheduler's job list."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from kerjasama_flow import scheduler as jobs
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification, Outbox, OutboxStatus
from tests import factories

# The world's task is due on Tuesday 30 September 2025: overdue (H+1) on Wednesday 1 October.
OVERDUE_DAY = date(2025, 10, 1)
NOW = datetime(2025, 10, 1, 0, 30, tzinfo=UTC)  # 07:30 WIB


@pytest.fixture(autouse=True)
def _pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW.isoformat()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _run(runner, *args):
    return runner.invoke(args=["reminders", "run", "--date", OVERDUE_DAY.isoformat(), *args])


# --- reminders run -------------------------------------------------------------------------------


def test_dry_run_shows_what_would_be_sent_and_changes_nothing(runner, world, smtp):
    result = _run(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "tidak ada yang disimpan atau dikirim" in result.output
    assert "Kota Blitar (1 Oktober 2025)" in result.output
    assert "dkpp@blitarkota.go.id (surel) · Terlambat" in result.output
    assert _count(Outbox) == 0 and _count(Notification) == 0
    assert smtp.messages == []


def test_run_plans_and_delivers_and_a_second_run_sends_nothing(runner, world, smtp):
    first = _run(runner)

    assert first.exit_code == 0, first.output
    queued = _count(Outbox)
    assert queued >= 1
    assert f"Kota Blitar: {queued} antre, {queued} terkirim, 0 gagal" in first.output
    assert _count(Outbox, Outbox.status == OutboxStatus.PENDING) == 0
    digests = smtp.count_by_recipient()
    assert digests["dkpp@blitarkota.go.id"] == 1
    assert set(digests.values()) == {1}
    [to_opd] = [m for m in smtp.messages if m["To"] == "dkpp@blitarkota.go.id"]
    assert to_opd["Subject"].startswith("Pengingat tindak lanjut kerja sama: 1 terlambat")
    text = to_opd.get_body(preferencelist=("plain",)).get_content()
    assert world.task.title in text
    assert f"https://kerjasama.blitarkota.go.id/tasks/{world.task.id}" in text
    assert "30 September 2025" in text

    second = _run(runner)

    assert second.exit_code == 0, second.output
    assert "Kota Blitar: 0 antre, 0 terkirim, 0 gagal" in second.output
    assert _count(Outbox) == queued
    assert smtp.count_by_recipient() == digests


def test_three_sweeps_at_the_same_moment_send_each_mail_once(app, world, smtp, backend):
    """What three schedulers (or a scheduler and a cron job) racing do: plan and deliver at
    the same moment, each in its own app context and connection."""
    if backend != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them")
    from kerjasama_flow.reminders.delivery import deliver
    from kerjasama_flow.reminders.planner import plan

    for _ in range(5):  # more overdue tasks for the OPD head and the admins
        factories.make_task(world.agreement, world.agency, due_on=date(2025, 9, 30))
    db.session.commit()
    barrier = threading.Barrier(3)
    failures = []

    def sweep():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                plan(on=OVERDUE_DAY)
                deliver(retry_now=True)
                db.session.remove()
        except Exception as error:  # reported below; a thread must not die silently
            failures.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    digests = smtp.count_by_recipient()
    assert digests["dkpp@blitarkota.go.id"] == 1
    assert set(digests.values()) == {1}
    assert _count(Outbox, Outbox.status == OutboxStatus.PENDING) == 0
    opd_rows = _count(Outbox, Outbox.recipient_id == world.opd.id)
    assert opd_rows == 6  # one row per overdue task, planned once despite three planners


def test_run_with_the_mail_server_down_exits_1_and_keeps_the_rows(runner, world, smtp):
    smtp.stop()

    result = _run(runner)

    assert result.exit_code == 1
    assert "gagal" in result.output
    assert "Tidak dapat terhubung ke server surel" in result.output
    pending = _count(Outbox, Outbox.status == OutboxStatus.PENDING)
    assert pending == _count(Outbox) >= 1

    # The mail server is back: a run by hand retries at once (no back-off) and delivers.
    smtp.start()
    again = _run(runner)
    assert again.exit_code == 0, again.output
    assert f"{pending} terkirim, 0 gagal" in again.output
    assert smtp.count_by_recipient()["dkpp@blitarkota.go.id"] == 1


def test_run_rejects_a_malformed_date(runner, app):
    result = runner.invoke(args=["reminders", "run", "--date", "1-10-2025"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


# --- the scheduler -------------------------------------------------------------------------------


@pytest.fixture
def three_zones(app):
    factories.make_government(name="Kota Blitar", timezone="Asia/Jakarta")
    factories.make_government(name="Kota Batam", timezone="Asia/Jakarta")
    factories.make_government(name="Kota Makassar", timezone="Asia/Makassar")
    factories.make_government(
        name="Kota Jayapura", timezone="Asia/Jayapura", settings={"sweep_time": "06:30"}
    )
    db.session.commit()


def _next_fire_utc(trigger, after: datetime) -> datetime:
    return trigger.get_next_fire_time(None, after).astimezone(UTC)


def test_one_sweep_job_per_time_zone_at_the_local_hour(app, three_zones):
    specs = {spec.id: spec for spec in jobs.job_specs(app)}

    assert set(specs) == {
        "reminders.sweep.Asia/Jakarta.07:00",
        "reminders.sweep.Asia/Makassar.07:00",
        "reminders.sweep.Asia/Jayapura.06:30",
        "reminders.deliver",
        "imports.work",
        "imports.expire",
    }
    midnight_utc = datetime(2025, 8, 20, 0, 0, tzinfo=UTC) - timedelta(hours=12)
    wib = specs["reminders.sweep.Asia/Jakarta.07:00"].trigger
    assert isinstance(wib, CronTrigger)
    assert wib.timezone == ZoneInfo("Asia/Jakarta")
    # 07:00 WIB is 00:00 UTC: a UTC server does not send at 14:00 WIB.
    assert _next_fire_utc(wib, midnight_utc) == datetime(2025, 8, 20, 0, 0, tzinfo=UTC)
    wita = specs["reminders.sweep.Asia/Makassar.07:00"].trigger
    assert _next_fire_utc(wita, midnight_utc) == datetime(2025, 8, 19, 23, 0, tzinfo=UTC)
    wit = specs["reminders.sweep.Asia/Jayapura.06:30"].trigger
    assert _next_fire_utc(wit, midnight_utc) == datetime(2025, 8, 19, 21, 30, tzinfo=UTC)
    interval = specs["reminders.deliver"].trigger
    assert interval.interval == timedelta(minutes=app.config["REMINDER_DELIVERY_INTERVAL_MINUTES"])
    imports = specs["imports.work"].trigger
    assert imports.interval == timedelta(seconds=app.config["IMPORT_POLL_SECONDS"])


def test_the_jobs_coalesce_run_alone_and_tolerate_an_hour_late(app, three_zones):
    scheduler = jobs.build_scheduler(app, BackgroundScheduler)
    scheduled = scheduler.get_jobs()

    assert {job.id for job in scheduled} >= {"reminders.deliver", jobs.SYNC_JOB_ID}
    for job in scheduled:
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)


def test_sync_follows_the_governments(app, three_zones):
    scheduler = jobs.build_scheduler(app, BackgroundScheduler)
    government = factories.make_government(name="Kota Sorong", timezone="Asia/Jayapura")
    db.session.commit()
    assert scheduler.get_job("reminders.sweep.Asia/Jayapura.07:00") is None

    jobs.sync_jobs(scheduler, app)
    assert scheduler.get_job("reminders.sweep.Asia/Jayapura.07:00") is not None

    government.settings = {"sweep_time": "06:30"}
    db.session.commit()
    jobs.sync_jobs(scheduler, app)
    assert scheduler.get_job("reminders.sweep.Asia/Jayapura.07:00") is None


def test_the_demo_scheduler_starts_once_and_stops(app, three_zones):
    try:
        first = jobs.start_background(app)
        second = jobs.start_background(app)
        assert first is second
        assert first.running
        assert first.get_job("reminders.sweep.Asia/Jakarta.07:00") is not None
    finally:
        jobs.stop_background()
    assert not first.running


def test_the_sweep_job_plans_and_delivers_in_its_own_app_context(app, world, smtp):
    app.config["KERJASAMA_NOW"] = NOW.isoformat()

    jobs.run_job(
        app, "reminders.sweep.Asia/Jakarta.07:00", jobs.sweep_zone, "Asia/Jakarta", "07:00"
    )

    assert smtp.count_by_recipient()["dkpp@blitarkota.go.id"] == 1
    assert _count(Outbox, Outbox.status == OutboxStatus.PENDING) == 0


def test_the_scheduler_process_stops_cleanly_on_sigterm(tmp_path):
    """``flask scheduler`` as a real process: it starts, lists its jobs, and SIGTERM ends it
    with exit code 0."""
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'scheduler.db'}",
        SECRET_KEY="test",
        PYTHONUNBUFFERED="1",
    )
    env.pop("MAIL_SERVER", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    cwd = Path(__file__).resolve().parent.parent
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert upgrade.returncode == 0, upgrade.stderr
    process = subprocess.Popen(
        [*flask, "scheduler"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "Penjadwal berjalan" in line:
                break
        assert any("Penjadwal berjalan" in line for line in seen), "".join(seen)
        assert any("reminders.deliver" in line for line in seen), "".join(seen)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, "".join(seen) + rest
    assert "Penjadwal berhenti" in rest
