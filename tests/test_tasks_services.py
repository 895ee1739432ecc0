"""Task services and the task list queries on a real database (SQLite, PostgreSQL when set).

The refusals every task service shares (no agency, no due date, done without a note, cancel by
an OPD, closed agreement) are in ``test_agreements_services.py``; this file covers the rest:
timestamps from the pinned clock, the admin edit, the list's order and filters, "overdue" in the
government's zone, and the history in words.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks import queries, services
from kerjasama_flow.tasks.models import TaskStatus
from kerjasama_flow.tasks.queries import OVERDUE, PERIOD_MONTH, PERIOD_WEEK, TaskFilters
from tests import factories

TODAY = date(2025, 10, 1)  # a Wednesday


@pytest.fixture(autouse=True)
def pinned_clock(app):
    """A deadline may not be set before today: the tasks' dates are around ``TODAY``."""
    app.config["KERJASAMA_NOW"] = f"{TODAY.isoformat()}T10:00:00+07:00"


def task_logs(task) -> list[ActivityLog]:
    return list(
        db.session.scalars(
            select(ActivityLog)
            .where(ActivityLog.entity == "task", ActivityLog.entity_id == task.id)
            .order_by(ActivityLog.id)
        )
    )


def listed(user, today=TODAY, **filters) -> list[str]:
    return [
        task.title
        for task in db.session.scalars(queries.task_list(user, TaskFilters(**filters), today))
    ]


# --- services -----------------------------------------------------------------------------------


def test_done_at_comes_from_the_clock_and_is_cleared_on_reopen(app, world):
    app.config["KERJASAMA_NOW"] = "2025-10-01T23:30:00+08:00"
    task = world.task
    services.set_task_status(world.opd, task, TaskStatus.DONE, "Laporan dikirim", task.version)
    db.session.commit()
    assert task.done_at == datetime(2025, 10, 1, 15, 30, tzinfo=UTC)

    services.set_task_status(world.admin, task, TaskStatus.IN_PROGRESS, None, task.version)
    db.session.commit()
    assert task.done_at is None and task.note is None
    actions = [
        (log.action, log.before.get("status"), log.after.get("status")) for log in task_logs(task)
    ]
    assert actions == [
        ("status_changed", "open", "done"),
        ("status_changed", "done", "in_progress"),
    ]


def test_setting_the_same_status_logs_nothing(world):
    services.set_task_status(world.opd, world.task, TaskStatus.OPEN, None, world.task.version)
    db.session.commit()
    assert task_logs(world.task) == []
    assert world.task.version == 1


def test_update_task_logs_only_what_changed(world):
    task = world.task
    data = {
        "title": task.title,
        "description": None,
        "agency": world.other_agency,
        "assignee": None,
        "due_on": date(2025, 11, 3),
    }
    services.update_task(world.admin, task, data, task.version)
    db.session.commit()
    [log] = task_logs(task)
    assert log.action == "updated" and log.actor_id == world.admin.id
    assert log.before == {"agency": world.agency.name, "due_on": "2025-09-30"}
    assert log.after == {"agency": world.other_agency.name, "due_on": "2025-11-03"}
    assert task.version == 2


def test_update_task_refuses_a_stale_version_and_a_missing_due_date(world):
    task = world.task
    data = {"title": "Baru", "agency": world.agency, "due_on": date(2025, 11, 3)}
    with pytest.raises(ConflictError):
        services.update_task(world.admin, task, data, task.version + 1)
    with pytest.raises(DomainError) as refused:
        services.update_task(world.admin, task, {**data, "due_on": None}, task.version)
    assert refused.value.field == "due_on"
    db.session.rollback()
    assert task.title != "Baru" and task_logs(task) == []


def test_an_opd_assignee_must_belong_to_the_tasks_agency(world):
    data = {
        "title": "Rapat",
        "agency": world.other_agency,
        "assignee": world.opd,
        "due_on": date(2025, 10, 9),
    }
    with pytest.raises(DomainError) as refused:
        services.create_task(world.admin, world.agreement, data)
    assert refused.value.field == "assignee"
    # An admin may be named responsible for any agency's task.
    task = services.create_task(world.admin, world.agreement, {**data, "assignee": world.admin})
    assert task.assignee is world.admin


# --- the list -----------------------------------------------------------------------------------


@pytest.fixture
def tasks(world):
    make = factories.make_task
    world.task.title = "B terlambat 1 hari"  # due 30 September
    make(
        world.agreement,
        world.agency,
        title="A terlambat 20 hari",
        due_on=date(2025, 9, 11),
        status=TaskStatus.IN_PROGRESS,
    )
    make(world.agreement, world.agency, title="C jatuh tempo hari ini", due_on=TODAY)
    make(world.agreement, world.agency, title="D bulan ini", due_on=date(2025, 10, 31))
    make(
        world.agreement,
        world.agency,
        title="E selesai",
        due_on=date(2025, 9, 1),
        status=TaskStatus.DONE,
    )
    make(
        world.agreement,
        world.agency,
        title="F batal",
        due_on=date(2025, 10, 2),
        status=TaskStatus.CANCELLED,
    )
    make(world.agreement, world.other_agency, title="G Bappeda terlambat", due_on=date(2025, 9, 20))
    db.session.commit()


def test_opd_lists_own_agency_overdue_first(world, tasks):
    assert listed(world.opd) == [
        "A terlambat 20 hari",
        "B terlambat 1 hari",
        "C jatuh tempo hari ini",
        "D bulan ini",
        "E selesai",
        "F batal",
    ]
    assert listed(world.opd, include_closed=False)[-1] == "D bulan ini"
    # Whatever the filters say, an OPD head lists only their agency's tasks.
    assert "G Bappeda terlambat" not in listed(world.opd, agency_id=world.other_agency.id)


def test_admin_lists_the_whole_government(world, tasks):
    titles = listed(world.admin)
    assert titles[:3] == ["A terlambat 20 hari", "G Bappeda terlambat", "B terlambat 1 hari"]
    assert world.other_task.title not in titles
    assert listed(world.admin, agency_id=world.other_agency.id) == ["G Bappeda terlambat"]
    assert listed(world.pimpinan) == titles


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": OVERDUE}, ["A terlambat 20 hari", "G Bappeda terlambat", "B terlambat 1 hari"]),
        ({"period": OVERDUE}, ["A terlambat 20 hari", "G Bappeda terlambat", "B terlambat 1 hari"]),
        ({"status": "done"}, ["E selesai"]),
        ({"status": "cancelled"}, ["F batal"]),
        # Monday 29 September .. Sunday 5 October.
        ({"period": PERIOD_WEEK}, ["B terlambat 1 hari", "C jatuh tempo hari ini", "F batal"]),
        (
            {"period": PERIOD_WEEK, "status": "open"},
            ["B terlambat 1 hari", "C jatuh tempo hari ini"],
        ),
        ({"period": PERIOD_MONTH}, ["C jatuh tempo hari ini", "D bulan ini", "F batal"]),
    ],
)
def test_filters(world, tasks, filters, expected):
    assert listed(world.admin, **filters) == expected


def test_agreement_filter_and_choices(world, tasks):
    other = factories.make_agreement(world.gov, world.other_agency, title="Tanpa tugas")
    db.session.commit()
    assert listed(world.admin, agreement_id=other.id) == []
    assert [title for _, title in queries.agreement_choices(world.admin)] == [world.agreement.title]
    codes = [label.split(" ")[0] for _, label in queries.agency_choices(world.admin)]
    assert codes == ["BAPPEDA", "DKPP"]


@pytest.mark.parametrize(
    ("today", "period", "bounds"),
    [
        (date(2025, 10, 5), PERIOD_WEEK, (date(2025, 9, 29), date(2025, 10, 5))),  # a Sunday
        (date(2025, 12, 29), PERIOD_WEEK, (date(2025, 12, 29), date(2026, 1, 4))),
        (date(2025, 12, 15), PERIOD_MONTH, (date(2025, 12, 1), date(2025, 12, 31))),
        (date(2028, 2, 10), PERIOD_MONTH, (date(2028, 2, 1), date(2028, 2, 29))),
        (TODAY, "sembarang", None),
    ],
)
def test_due_periods(today, period, bounds):
    assert queries.due_period(period, today) == bounds


def test_overdue_counts_in_the_governments_own_today(app, world):
    """23.30 WIB on 1 October is 00.30 WITA on 2 October."""
    app.config["KERJASAMA_NOW"] = "2025-10-01T23:30:00+07:00"
    wita = factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    agency = factories.make_agency(wita, "DKP")
    head = factories.make_user(wita, Role.OPD, agency=agency)
    factories.make_task(factories.make_agreement(wita, agency), agency, due_on=date(2025, 10, 1))
    db.session.commit()

    wita_today = clock.today_in(wita.timezone)
    assert wita_today == date(2025, 10, 2)
    assert queries.count_overdue(head, wita_today) == 1
    assert queries.count_overdue(head, clock.today_in("Asia/Jakarta")) == 0


def test_counts(world, tasks):
    assert queries.count_overdue(world.opd, TODAY) == 2
    assert queries.count_overdue(world.admin, TODAY) == 3
    assert queries.count_tasks(world.opd) == 6
    assert queries.count_tasks(world.other_admin) == 1


# --- the history --------------------------------------------------------------------------------


def test_history_in_words_newest_first(world):
    task = services.create_task(
        world.admin,
        world.agreement,
        {
            "title": "Rapat teknis",
            "agency": world.agency,
            "assignee": world.opd,
            "due_on": date(2025, 10, 9),
        },
    )
    db.session.commit()
    services.set_task_status(world.opd, task, TaskStatus.DONE, "Notulen terlampir", task.version)
    db.session.commit()

    newest, created = queries.task_history(task)
    assert created.actor_name == world.admin.name and created.action == "membuat tugas ini"
    assert ("Tenggat", None, "9 Oktober 2025") in created.changes
    assert ("OPD", None, world.agency.name) in created.changes
    assert newest.actor_name == world.opd.name and newest.action == "memperbarui status"
    assert ("Status", "Belum dikerjakan", "Selesai") in newest.changes
    assert ("Catatan", "–", "Notulen terlampir") in newest.changes
    # Another task's or another government's log never leaks in.
    assert queries.task_history(world.task) == []
