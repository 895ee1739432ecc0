"""The task tallies (``tasks.tally``) stay equal to a recount of the tasks through every kind of
change (new tasks, status, agency, due date, rollbacks), the Python and SQL definitions of a
task's state agree, the dashboard reads the same figures from the tallies as from the tasks,
the migration counts existing tasks, and simultaneous writers on PostgreSQL lose no count."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import services as reminder_services
from kerjasama_flow.reports import dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters
from kerjasama_flow.tasks import tally
from kerjasama_flow.tasks.models import TallyState, Task, TaskStatus, TaskTally
from kerjasama_flow.tasks.services import set_task_status, update_task
from tests import factories
from tests.conftest import make_test_app

TODAY = date(2025, 10, 17)


def tallies() -> dict[tuple, int]:
    """The stored tallies, without rows that have come down to zero."""
    rows = db.session.execute(
        select(
            TaskTally.government_id,
            TaskTally.agency_id,
            TaskTally.state,
            TaskTally.due_on,
            TaskTally.n,
        )
    )
    return {tuple(row[:4]): row.n for row in rows if row.n}


def recounted() -> dict[tuple, int]:
    """What ``rebuild`` counts from the tasks, leaving the stored tallies as they were."""
    with db.session.begin_nested() as savepoint:
        tally.rebuild(db.session)
        counts = tallies()
        savepoint.rollback()
    return counts


def assert_in_step(label: str = "") -> None:
    db.session.commit()
    assert tallies() == recounted(), label


# --- the state of a task ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "done_at", "zone", "expected"),
    [
        (TaskStatus.OPEN, None, "Asia/Jakarta", TallyState.OPEN),
        (TaskStatus.IN_PROGRESS, None, "Asia/Jakarta", TallyState.OPEN),
        (TaskStatus.CANCELLED, None, "Asia/Jakarta", TallyState.CANCELLED),
        # 23:30 WIB on the due date: on time.
        (TaskStatus.DONE, datetime(2025, 10, 1, 16, 30, tzinfo=UTC), "Asia/Jakarta", "on"),
        # 00:30 WIB the day after, though still the due date in UTC: late.
        (TaskStatus.DONE, datetime(2025, 10, 1, 17, 30, tzinfo=UTC), "Asia/Jakarta", "late"),
        # The same moment is already the next day in WITA (00:30) and in WIT.
        (TaskStatus.DONE, datetime(2025, 10, 1, 16, 30, tzinfo=UTC), "Asia/Makassar", "late"),
        (TaskStatus.DONE, datetime(2025, 10, 1, 14, 30, tzinfo=UTC), "Asia/Jayapura", "on"),
        (TaskStatus.DONE, None, "Asia/Jakarta", "late"),
    ],
)
def test_python_and_sql_give_a_task_the_same_state(app, status, done_at, zone, expected):
    expected = {"on": TallyState.ON_TIME, "late": TallyState.LATE}.get(expected, expected)
    due_on = date(2025, 10, 1)
    assert tally.state_of(status, done_at, due_on, zone) == expected

    gov = factories.make_government(timezone=zone)
    agency = factories.make_agency(gov)
    agreement = factories.make_agreement(gov, agency)
    task = factories.make_task(agreement, agency, due_on=due_on, status=status, done_at=done_at)
    dialect = db.session.get_bind().dialect.name
    in_sql = db.session.scalar(
        select(tally.state_expression(zone, dialect)).where(Task.id == task.id)
    )
    assert in_sql == expected.value


# --- kept in step through every change ----------------------------------------------------------


def test_random_changes_keep_the_tallies_equal_to_a_recount(app, world):
    """Two hundred random changes through the services and the ORM, committed or rolled
    back, each followed by a comparison with a recount."""
    rng = random.Random(20251017)
    # Edits move deadlines by hand, which may not set them before today: today lies before
    # all of them (the tallies do not depend on today).
    app.config["KERJASAMA_NOW"] = "2025-08-01T10:00:00+07:00"
    w = world
    agencies = [w.agency, w.other_agency]
    agreements = [w.agreement, factories.make_agreement(w.gov, w.other_agency)]
    tasks = [w.task]
    assert_in_step()
    for step in range(200):
        action = rng.choice(("new", "status", "edit", "edit", "rollback", "savepoint"))
        if action == "new" or len(tasks) < 3:
            tasks.append(
                factories.make_task(
                    rng.choice(agreements),
                    rng.choice(agencies),
                    due_on=TODAY + timedelta(days=rng.randint(-20, 20)),
                )
            )
        elif action == "status":
            task = rng.choice(tasks)
            status = rng.choice(list(TaskStatus))
            if status == TaskStatus.PAUSED:  # only with its agreement, never by hand
                task.status = status
                db.session.flush()
            else:
                set_task_status(w.admin, task, status, "Sudah dilaporkan.", task.version)
            if status == TaskStatus.DONE:  # sometimes late, sometimes on time
                task.done_at = datetime.combine(
                    task.due_on + timedelta(days=rng.randint(-2, 2)),
                    datetime.min.time(),
                    UTC,
                ) + timedelta(hours=rng.randint(0, 23))
        elif action == "edit":
            task = rng.choice(tasks)
            data = {
                "title": task.title,
                "agency": rng.choice(agencies),
                "due_on": task.due_on + timedelta(days=rng.randint(-5, 5)),
            }
            update_task(w.admin, task, data, task.version)
        elif action == "rollback":
            rng.choice(tasks).agency = rng.choice(agencies)
            factories.make_task(rng.choice(agreements), rng.choice(agencies))
            db.session.rollback()
            tasks = [task for task in tasks if db.session.get(Task, task.id) is not None]
        else:  # a change undone by its savepoint, as the import preview does
            with db.session.begin_nested() as savepoint:
                task = rng.choice(tasks)
                set_task_status(w.admin, task, TaskStatus.CANCELLED, None, task.version)
                factories.make_task(rng.choice(agreements), rng.choice(agencies))
                savepoint.rollback()
        assert_in_step(f"step {step}: {action}")
    assert sum(tallies().values()) == db.session.scalar(select(db.func.count(Task.id)))


def test_deleting_a_task_takes_it_out_of_the_tally(app, world):
    extra = factories.make_task(world.agreement, world.other_agency)
    assert_in_step()
    db.session.delete(extra)
    assert_in_step()
    assert sum(tallies().values()) == 2  # world's task in each government


def test_a_new_time_zone_recounts_on_time_and_late(app, world):
    # Done at 00:30 WITA on the day after the due date: on time in WIB, late in WITA.
    factories.make_task(
        world.agreement,
        world.agency,
        due_on=date(2025, 10, 1),
        status=TaskStatus.DONE,
        done_at=datetime(2025, 10, 1, 16, 30, tzinfo=UTC),
    )
    db.session.commit()
    key = (world.gov.id, world.agency.id)
    states = {k[2]: n for k, n in tallies().items() if k[:2] == key}
    assert states[TallyState.ON_TIME] == 1

    reminder_services.update_settings(
        world.admin,
        world.gov,
        {"timezone": "Asia/Makassar"},
        government_settings.fingerprint(world.gov),
    )
    db.session.commit()
    states = {k[2]: n for k, n in tallies().items() if k[:2] == key}
    assert states.get(TallyState.ON_TIME, 0) == 0 and states[TallyState.LATE] == 1
    assert tallies() == recounted()


# --- the dashboard reads the same figures from either source ------------------------------------


@pytest.mark.parametrize("role", [Role.PIMPINAN, Role.OPD])
def test_dashboard_counts_from_tallies_equal_counts_from_tasks(app, world, role):
    rng = random.Random(7)
    w = world
    for _ in range(60):
        status = rng.choice(list(TaskStatus))
        due_on = TODAY + timedelta(days=rng.randint(-30, 30))
        done_at = (
            datetime.combine(due_on, datetime.min.time(), UTC)
            + timedelta(hours=rng.randint(-30, 30))
            if status == TaskStatus.DONE
            else None
        )
        factories.make_task(
            w.agreement,
            rng.choice([w.agency, w.other_agency]),
            due_on=due_on,
            status=status,
            done_at=done_at,
        )
    db.session.commit()
    user = w.opd if role == Role.OPD else w.pimpinan
    zone = w.gov.timezone

    def rows(counts):
        return sorted(tuple(row) for row in db.session.execute(select(counts)))

    from_tallies = rows(dashboard._tallied_counts(user, TODAY))
    from_tasks = rows(dashboard._counted_tasks(user, DashboardFilters(), TODAY, zone))
    assert from_tallies == from_tasks
    assert len(from_tallies) == (1 if role == Role.OPD else 2)
    assert sum(row[1] for row in from_tallies) > 0  # some open tasks were counted


# --- the migration counts the tasks that exist ---------------------------------------------------


def test_migration_counts_existing_tasks_and_files_agreements(backend, temp_database, tmp_path):
    database = temp_database(backend)
    app = make_test_app(database.url, tmp_path)
    with app.app_context():
        upgrade(revision="0003")
        db.session.execute(
            text(
                "INSERT INTO government (id, region_code, name, kind, timezone, settings, "
                "created_at) VALUES (1, '35.72', 'Kota Blitar', 'kota', "
                "'Asia/Makassar', '{}', '2025-01-01 00:00:00')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO agency (id, government_id, code, name, is_coordinator, version) "
                "VALUES (1, 1, 'DKPP', 'Dinas Pangan', false, 1)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO agreement (id, government_id, title, kind, lead_agency_id, stage, "
                "created_at, updated_at, version) VALUES (1, 1, 'Pangan', 'ksdd', 1, "
                "'pelaksanaan', '2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
            )
        )
        tasks = [
            ("open", None, "2025-10-01"),
            ("in_progress", None, "2025-10-01"),
            ("done", "2025-10-01 15:30:00", "2025-10-01"),  # 23:30 WITA: on time
            ("done", "2025-10-01 16:30:00", "2025-10-01"),  # 00:30 WITA next day: late
            ("cancelled", None, "2025-10-02"),  # counted under its due month
        ]
        for n, (status, done_at, due_on) in enumerate(tasks, start=1):
            db.session.execute(
                text(
                    "INSERT INTO task (id, government_id, agreement_id, agency_id, title, "
                    "due_on, status, done_at, created_at, updated_at, version) VALUES "
                    "(:id, 1, 1, 1, 'Tugas', :due_on, :status, :done_at, "
                    "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
                ),
                {"id": n, "due_on": due_on, "status": status, "done_at": done_at},
            )
        # A second agreement, recorded in 2025 after a visit in 2021: filed under 2021.
        db.session.execute(
            text(
                "INSERT INTO agreement (id, government_id, title, kind, lead_agency_id, stage, "
                "created_at, updated_at, version) VALUES (2, 1, 'Wisata', 'ksdd', 1, "
                "'penjajakan', '2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO visit (agreement_id, visited_on, place, direction, created_at, "
                "version) VALUES (2, '2021-06-01', 'Balai Kota', 'keluar', "
                "'2025-01-01 00:00:00', 1)"
            )
        )
        db.session.commit()
        upgrade(revision="0004")
        years = dict(db.session.execute(text("SELECT id, year FROM agreement")).all())
        assert years == {1: 2025, 2: 2021}
        counted = {(row[2], row[3].isoformat()): row[4] for row in tallies_rows()}
        assert counted == {
            (TallyState.OPEN, "2025-10-01"): 2,
            (TallyState.ON_TIME, "2025-10-01"): 1,
            (TallyState.LATE, "2025-10-01"): 1,
            (TallyState.CANCELLED, "2025-10-01"): 1,
        }
        assert tallies() == recounted()
        db.session.remove()
        db.engine.dispose()


def tallies_rows():
    return db.session.execute(
        select(
            TaskTally.government_id,
            TaskTally.agency_id,
            TaskTally.state,
            TaskTally.due_on,
            TaskTally.n,
        )
    ).all()


# --- simultaneous writers (PostgreSQL) -----------------------------------------------------------


def test_simultaneous_status_changes_lose_no_count(app, world, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrency")
    w = world
    ids = [
        factories.make_task(w.agreement, w.agency, due_on=date(2025, 10, 1)).id for _ in range(12)
    ]
    admin_id, user_class = w.admin.id, type(w.admin)
    db.session.commit()
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def finish(chunk: list[int]) -> None:
        try:
            with app.app_context():
                admin = db.session.get(user_class, admin_id)
                barrier.wait(timeout=10)
                for task_id in chunk:
                    task = db.session.get(Task, task_id)
                    set_task_status(admin, task, TaskStatus.DONE, "Selesai.", task.version)
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below; a thread must not die silently
            failures.append(error)

    threads = [threading.Thread(target=finish, args=(ids[k::4],)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    key = (w.gov.id, w.agency.id)
    done = sum(n for k, n in tallies().items() if k[:2] == key and k[2] != TallyState.OPEN)
    assert done == 12
    assert tallies() == recounted()
