"""Periodic jobs (APScheduler 3.x), declared in one list with stable ids.

* ``reminders.sweep.<zone>.<HH:MM>``: one cron job per distinct (time zone, sweep time) of
  the governments, at that local time with an explicit ``timezone=`` (a UTC server must not
  send at 14:00 WIB): plans the day's reminders of the governments of that zone, then delivers.
* ``reminders.deliver``: every ``REMINDER_DELIVERY_INTERVAL_MINUTES``, delivers whatever is due
  (retries wait out their back-off).
* ``imports.work``: every ``IMPORT_POLL_SECONDS`` (5), runs the spreadsheet imports queued for
  the background (``imports.jobs``); ``imports.expire``, hourly, discards the previews
  nobody confirmed within a day.
* ``scheduler.sync``: every 15 minutes, brings the sweep jobs in line with the governments (a
  new government in another zone, a changed sweep time) without a restart.

Every job has ``coalesce=True``, ``max_instances=1`` and a misfire grace time of an hour (the
default of one second silently skips a run that starts late), and runs inside
``app.app_context()`` with the session removed afterwards.

The production entry point is ``flask --app wsgi scheduler`` (``run_blocking``), a process of
its own; it is never started by ``create_app()`` or a gunicorn worker. The demo starts a
``BackgroundScheduler`` once (``start_background``). Several schedulers at once are harmless:
the outbox, not a lock on the scheduler, makes delivery exactly-once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Government
from kerjasama_flow.extensions import db
from kerjasama_flow.imports import jobs as import_jobs
from kerjasama_flow.reminders.delivery import deliver
from kerjasama_flow.reminders.planner import plan

log = logging.getLogger(__name__)

JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
DEFAULT_SWEEP_TIME = "07:00"
SWEEP_PREFIX = "reminders.sweep."
DELIVER_JOB_ID = "reminders.deliver"
IMPORTS_JOB_ID = "imports.work"
IMPORTS_EXPIRE_JOB_ID = "imports.expire"
SYNC_JOB_ID = "scheduler.sync"
SYNC_INTERVAL_MINUTES = 15


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    func: Callable[..., object]  # called inside an app context with ``args``
    trigger: BaseTrigger
    args: tuple = field(default=())


# --- the jobs ---------------------------------------------------------------------------


def sweep_zone(zone: str, sweep_time: str) -> None:
    """Plan today's reminders for the governments of ``zone`` swept at ``sweep_time``, then
    deliver."""
    government_ids = [
        government.id
        for government in _governments()
        if government.timezone == zone and sweep_time_of(government) == sweep_time
    ]
    if government_ids:
        plan(clock.today_in(zone), government_ids=government_ids)
        db.session.commit()
    result = deliver()
    log.info("Sapuan %s %s: %d terkirim, %d gagal", zone, sweep_time, result.sent, result.failed)


def work_imports() -> None:
    ran = import_jobs.work()
    if ran:
        log.info("Impor: %d langkah dijalankan", ran)


def expire_imports() -> None:
    expired = import_jobs.expire()
    if expired:
        log.info("Impor: %d pratinjau kedaluwarsa", expired)


def deliver_due() -> None:
    result = deliver()
    if result.sent or result.failed:
        log.info("Pengiriman: %d terkirim, %d gagal", result.sent, result.failed)


# --- the job list -------------------------------------------------------------------------


def _governments():
    return db.session.scalars(select(Government).order_by(Government.id)).all()


def _parse_time(value: object) -> tuple[int, int] | None:
    try:
        hour, minute = (int(part) for part in str(value).split(":"))
    except ValueError:
        return None
    return (hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


def sweep_time_of(government) -> str:
    """The government's local sweep time "HH:MM" (``government_settings``, default 07:00)."""
    value = government_settings.get(government, "sweep_time")
    parsed = _parse_time(value) or _parse_time(DEFAULT_SWEEP_TIME)
    return f"{parsed[0]:02d}:{parsed[1]:02d}"


def job_specs(app: Flask) -> list[JobSpec]:
    """Every periodic job, with stable ids. Reads the governments (needs the database)."""
    with app.app_context():
        slots = sorted({(g.timezone, sweep_time_of(g)) for g in _governments()})
        db.session.remove()
    specs = []
    for zone, sweep_time in slots:
        hour, minute = _parse_time(sweep_time)
        specs.append(
            JobSpec(
                id=f"{SWEEP_PREFIX}{zone}.{sweep_time}",
                name=f"Sapuan pengingat {zone} {sweep_time}",
                func=sweep_zone,
                trigger=CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(zone)),
                args=(zone, sweep_time),
            )
        )
    interval = int(app.config.get("REMINDER_DELIVERY_INTERVAL_MINUTES") or 10)
    specs.append(
        JobSpec(
            id=DELIVER_JOB_ID,
            name="Pengiriman pengingat tertunda",
            func=deliver_due,
            trigger=IntervalTrigger(minutes=interval, timezone=UTC),
        )
    )
    specs.append(
        JobSpec(
            id=IMPORTS_JOB_ID,
            name="Impor Excel di latar belakang",
            func=work_imports,
            trigger=IntervalTrigger(
                seconds=int(app.config.get("IMPORT_POLL_SECONDS") or 5), timezone=UTC
            ),
        )
    )
    specs.append(
        JobSpec(
            id=IMPORTS_EXPIRE_JOB_ID,
            name="Hapus pratinjau impor kedaluwarsa",
            func=expire_imports,
            trigger=IntervalTrigger(hours=1, timezone=UTC),
        )
    )
    return specs


def run_job(app: Flask, job_id: str, func: Callable[..., object], *args) -> None:
    """Run one job inside an app context; the session is removed afterwards."""
    with app.app_context():
        try:
            func(*args)
        except Exception:
            db.session.rollback()
            log.exception("Tugas terjadwal %s gagal", job_id)
            raise
        finally:
            db.session.remove()


def sync_jobs(scheduler: BaseScheduler, app: Flask) -> list[JobSpec]:
    """Add or replace the jobs of ``job_specs`` (by id) and remove sweep jobs of slots that
    no longer exist. Also schedules itself, so that the list follows the governments."""
    specs = job_specs(app)
    wanted = {spec.id for spec in specs}
    for spec in specs:
        _add(scheduler, app, spec)
    _add(
        scheduler,
        app,
        JobSpec(
            id=SYNC_JOB_ID,
            name="Selaraskan jadwal sapuan",
            func=sync_jobs,
            trigger=IntervalTrigger(minutes=SYNC_INTERVAL_MINUTES, timezone=UTC),
        ),
        in_app=False,
        args=(scheduler, app),
    )
    for job in scheduler.get_jobs():
        if job.id.startswith(SWEEP_PREFIX) and job.id not in wanted:
            job.remove()
    return specs


def _add(scheduler: BaseScheduler, app: Flask, spec: JobSpec, in_app=True, args=None) -> None:
    existing = scheduler.get_job(spec.id)
    if existing is not None and str(existing.trigger) == str(spec.trigger):
        return  # unchanged: keep its next run time
    if in_app:
        func, job_args = run_job, (app, spec.id, spec.func, *spec.args)
    else:
        func, job_args = spec.func, args or spec.args
    scheduler.add_job(
        func,
        trigger=spec.trigger,
        args=job_args,
        id=spec.id,
        name=spec.name,
        replace_existing=True,
        **JOB_OPTIONS,
    )


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
    scheduler = scheduler_class(timezone=UTC, job_defaults=dict(JOB_OPTIONS))
    sync_jobs(scheduler, app)
    return scheduler


def describe(scheduler: BaseScheduler) -> list[str]:
    return [f"{job.id}: {job.trigger}" for job in scheduler.get_jobs()]


# --- entry points -----------------------------------------------------------------------------


def run_blocking(app: Flask) -> None:
    """``flask --app wsgi scheduler``: the production scheduler, in a process of its own.
    SIGTERM or SIGINT shut it down cleanly (running jobs finish first).

    The jobs run in the scheduler's threads; the main thread only waits for a stop signal,
    in short waits. A process-directed signal may be delivered to any thread, and CPython
    runs the Python handler in the main thread only when that thread wakes up: a main thread
    asleep for minutes (as in ``BlockingScheduler``'s loop) would notice SIGTERM minutes
    late. The handler itself only sets a flag: the shutdown, which waits for running jobs,
    happens here, outside the handler."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    received: list[str] = []
    stop_requested = threading.Event()

    def stop(signum, frame):
        received.append(signal.Signals(signum).name)
        stop_requested.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for line in describe(scheduler):
        log.info("Terjadwal %s", line)
    scheduler.start()
    log.info("Penjadwal berjalan; SIGTERM atau Ctrl+C untuk berhenti")
    while not stop_requested.wait(timeout=1.0):
        pass
    log.info("Sinyal %s diterima: menunggu tugas yang sedang berjalan", received[0])
    scheduler.shutdown(wait=True)
    log.info("Penjadwal berhenti")


_background: BackgroundScheduler | None = None
_background_lock = threading.Lock()


def start_background(app: Flask) -> BackgroundScheduler:
    """Start the in-process scheduler of the demo, exactly once per process (the demo serves
    from one process without a reloader; never call this from ``create_app``)."""
    global _background
    with _background_lock:
        if _background is None:
            _background = build_scheduler(app, BackgroundScheduler)
            _background.start()
        return _background


def stop_background() -> None:
    global _background
    with _background_lock:
        if _background is not None:
            if _background.running:
                _background.shutdown(wait=False)
            _background = None
