"""Ending an agreement is a deliberate act (issue 10): no default action, a reason, a
confirmation that says what happens to the tasks; then its open tasks are cancelled (selesai,
batal) or paused (ditunda) and given back on resume or when an admin reopens it, their due
dates moved by the working days they were held. Paused tasks are not open: no reminder, not
overdue, not in the open counts; an OPD head cannot change them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.lifecycle import Action, Stage
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification, Outbox
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.reports.dashboard import DashboardFilters, agency_accountability, figures
from kerjasama_flow.tasks import queries as task_queries
from kerjasama_flow.tasks.holding import Effect
from kerjasama_flow.tasks.models import Closure, TallyState, Task, TaskStatus, TaskTally
from kerjasama_flow.tasks.services import set_task_status
from kerjasama_flow.workdays.services import add_working_days_for, working_days_between
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, text

TODAY = date(2025, 10, 15)  # NOW's date in Kota Blitar, a Wednesday
RESUMED_AT = "2025-10-21T09:00:00+07:00"  # the Tuesday after: Thu, Fri, (weekend), Mon, Tue
REGIONAL_HOLIDAY = date(2025, 10, 20)  # the Monday between, made a day off of the government


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def at(app, moment: str) -> None:
    app.config["KERJASAMA_NOW"] = moment


@pytest.fixture
def tasks(world):
    """The world's agreement (pelaksanaan) with two open tasks, one in progress and assigned
    to the OPD head, one done and one cancelled by hand."""
    agreement = world.agreement
    made = {
        "overdue": world.task,  # open, due 30 September: overdue today
        "soon": factories.make_task(
            agreement, world.agency, title="Kirim data pasokan", due_on=date(2025, 10, 16)
        ),
        "working": factories.make_task(
            agreement,
            world.other_agency,
            title="Rapat evaluasi harga",
            due_on=date(2025, 10, 24),
            status=TaskStatus.IN_PROGRESS,
            note="Undangan sudah dikirim",
        ),
        "done": factories.make_task(
            agreement, world.agency, title="Laporan bulan lalu", status=TaskStatus.DONE
        ),
    }
    made["working"].assignee = world.opd
    made["by_hand"] = factories.make_task(agreement, world.agency, title="Dibatalkan admin")
    db.session.flush()
    set_task_status(
        world.admin, made["by_hand"], TaskStatus.CANCELLED, "Tidak perlu", SYSTEM_CHANGE
    )
    db.session.commit()
    return made


def statuses(tasks: dict[str, Task]) -> dict[str, TaskStatus]:
    for task in tasks.values():
        db.session.refresh(task)
    return {name: task.status for name, task in tasks.items()}


def logs(entity: str, entity_id: int, action: str) -> list[ActivityLog]:
    return list(
        db.session.scalars(
            select(ActivityLog)
            .where(
                ActivityLog.entity == entity,
                ActivityLog.entity_id == entity_id,
                ActivityLog.action == action,
            )
            .order_by(ActivityLog.id)
        )
    )


def open_tally(world) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(TaskTally.n), 0)).where(
            TaskTally.government_id == world.gov.id, TaskTally.state == TallyState.OPEN
        )
    )


def stage_url(agreement) -> str:
    return f"/agreements/{agreement.id}/stage"


# --- the form: no default, a reason, a confirmation -------------------------------------------


def test_the_stage_form_starts_with_no_action_chosen(client, world, auth):
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    select_html = re.search(r'<select[^>]*id="action".*?</select>', page, flags=re.S).group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html)
    assert options[0] == (' selected value=""', "— pilih tindakan —")
    assert not any("selected" in attributes for attributes, _ in options[1:])
    assert [label for _, label in options[1:]] == ["Tandai selesai", "Tunda", "Batalkan"]

    # Submitting it as it is asks for an action and changes nothing.
    response = client.post(
        stage_url(world.agreement),
        data={"action": "", "reason": "", "version": world.agreement.version},
    )
    assert response.status_code == 200
    assert_field_error(text(response), "action", "Pilih tindakan.")
    db.session.refresh(world.agreement)
    assert world.agreement.stage == Stage.PELAKSANAAN


@pytest.mark.parametrize(
    ("stage", "action", "message"),
    [
        (Stage.PELAKSANAAN, Action.STALL, "Sebutkan alasan penundaan"),
        (Stage.PELAKSANAAN, Action.CANCEL, "Sebutkan alasan pembatalan"),
        (Stage.PELAKSANAAN, Action.COMPLETE, "Sebutkan alasan kerja sama ditandai selesai"),
        (Stage.SELESAI, Action.REOPEN, "Sebutkan alasan kerja sama dibuka kembali"),
    ],
)
def test_ending_pausing_and_reopening_need_a_reason(client, world, auth, stage, action, message):
    agreement = world.agreement
    agreement.stage = stage
    db.session.commit()
    for reason in (None, "  "):
        with pytest.raises(DomainError) as caught:
            services.change_stage(world.admin, agreement, action, reason, agreement.version)
        assert caught.value.field == "reason" and message in caught.value.message
        db.session.rollback()

    auth.login(world.admin)
    for confirm in ("", "1"):  # refused on the first step and on the confirmation
        response = client.post(
            stage_url(agreement),
            data={
                "action": action.value,
                "reason": " ",
                "version": agreement.version,
                "confirm": confirm,
            },
        )
        assert response.status_code == 200
        assert_field_error(text(response), "reason", message)
    db.session.refresh(agreement)
    assert agreement.stage == stage
    assert world.task.status == TaskStatus.OPEN


def test_the_confirmation_page_says_what_will_happen_and_changes_nothing(
    client, world, auth, tasks
):
    auth.login(world.admin)
    logged = db.session.scalar(select(func.count(ActivityLog.id)))
    version = world.agreement.version
    response = client.post(
        stage_url(world.agreement),
        data={"action": "selesaikan", "reason": "Semua kegiatan terlaksana", "version": version},
    )
    assert response.status_code == 200
    page = text(response)
    assert "3 tugas terbuka akan dibatalkan." in page
    table = page[page.index('id="tugas-terdampak"') :]
    table = table[: table.index("</table>")]
    for name in ("overdue", "soon", "working"):
        assert tasks[name].title in table
    assert "Laporan bulan lalu" not in table and "Dibatalkan admin" not in table
    assert "BAPPEDA" in table and "DKPP" in table
    assert "16 Oktober 2025" in table and "24 Oktober 2025" in table
    assert "Ya, terapkan" in page and ">Batal</a>" in page
    assert 'name="confirm" type="hidden" value="1"' in page or re.search(
        r'<input[^>]*name="confirm"[^>]*value="1"', page
    )
    assert 'value="Semua kegiatan terlaksana"' in page
    assert f'name="version" type="hidden" value="{version}"' in page
    # Nothing happened yet.
    db.session.refresh(world.agreement)
    assert world.agreement.stage == Stage.PELAKSANAAN
    assert statuses(tasks)["soon"] == TaskStatus.OPEN
    assert db.session.scalar(select(func.count(ActivityLog.id))) == logged

    # "Ya, terapkan" posts the same action, confirmed.
    response = client.post(
        stage_url(world.agreement),
        data={
            "action": "selesaikan",
            "reason": "Semua kegiatan terlaksana",
            "version": version,
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert "Tahap kerja sama sekarang: Selesai. 3 tugas terbuka dibatalkan." in page
    assert statuses(tasks)["soon"] == TaskStatus.CANCELLED


def test_the_confirmation_of_a_pause_says_no_reminders(client, world, auth, tasks):
    auth.login(world.admin)
    response = client.post(
        stage_url(world.agreement),
        data={"action": "tunda", "reason": "Menunggu APBD", "version": world.agreement.version},
    )
    assert (
        "3 tugas terbuka akan ditunda dan tidak diingatkan sampai kerja sama dilanjutkan."
        in text(response)
    )


# --- selesai and batal cancel the open tasks ----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "words"),
    [(Action.COMPLETE, "ditandai selesai"), (Action.CANCEL, "dibatalkan")],
)
def test_ending_cancels_the_open_tasks(world, tasks, action, words):
    assert open_tally(world) == 3
    outcome = services.change_stage(
        world.admin, world.agreement, action, "Keputusan rapat TKKSD", world.agreement.version
    )
    db.session.commit()

    change = outcome.value
    assert (change.before, change.after) == (Stage.PELAKSANAAN, world.agreement.stage)
    assert change.tasks.effect == Effect.CANCEL
    assert outcome.notices == ["3 tugas terbuka dibatalkan."]
    assert statuses(tasks) == {
        "overdue": TaskStatus.CANCELLED,
        "soon": TaskStatus.CANCELLED,
        "working": TaskStatus.CANCELLED,
        "done": TaskStatus.DONE,
        "by_hand": TaskStatus.CANCELLED,
    }
    working = tasks["working"]
    assert working.note == (
        f"Dibatalkan otomatis: kerja sama {words} 15 Oktober 2025.\n\nUndangan sudah dikirim"
    )
    assert (working.closure, working.held_status) == (Closure.AGREEMENT, TaskStatus.IN_PROGRESS)
    assert tasks["by_hand"].closure is None
    [entry] = logs("task", working.id, "status_changed")
    assert (entry.before["status"], entry.after["status"]) == ("in_progress", "cancelled")
    assert entry.actor_id == world.admin.id
    # The assignee hears of it in the bell; nothing counts as open any more.
    [notice] = db.session.scalars(
        select(Notification).where(Notification.item_id == working.id)
    ).all()
    assert notice.user_id == world.opd.id and "dibatalkan" in notice.title
    assert open_tally(world) == 0


# --- ditunda pauses them; lanjutkan gives them back, later by the working days paused ----------


def test_pause_and_resume_move_due_dates_by_the_working_days_paused(app, world, tasks):
    factories.make_day_off(world.gov, REGIONAL_HOLIDAY, name="Hari Jadi Kota")
    db.session.commit()
    services.change_stage(
        world.admin, world.agreement, Action.STALL, "Menunggu APBD perubahan", SYSTEM_CHANGE
    )
    db.session.commit()
    assert statuses(tasks)["working"] == TaskStatus.PAUSED
    soon, working = tasks["soon"], tasks["working"]
    assert (working.held_status, working.held_on) == (TaskStatus.IN_PROGRESS, TODAY)
    assert working.note.startswith("Ditunda otomatis: kerja sama ditunda 15 Oktober 2025.")
    assert statuses(tasks)["done"] == TaskStatus.DONE
    assert statuses(tasks)["by_hand"] == TaskStatus.CANCELLED

    # Six days later, over a weekend and the regional holiday: 3 working days (Thu, Fri, Tue).
    at(app, RESUMED_AT)
    assert working_days_between(world.gov, TODAY, date(2025, 10, 21)) == 3
    change = services.plan_stage_change(
        world.admin, world.agreement, Action.RESUME, None, world.agreement.version
    )
    assert change.tasks.effect == Effect.RESUME
    assert change.tasks.shifts == [3]
    assert {c.task.id for c in change.tasks.changes} == {
        tasks[name].id for name in ("overdue", "soon", "working")
    }
    outcome = services.change_stage(
        world.admin, world.agreement, Action.RESUME, None, SYSTEM_CHANGE
    )
    db.session.commit()

    assert world.agreement.stage == Stage.PELAKSANAAN
    assert outcome.notices == ["3 tugas yang ditunda dibuka kembali."]
    assert statuses(tasks)["working"] == TaskStatus.IN_PROGRESS
    assert statuses(tasks)["soon"] == TaskStatus.OPEN
    # Thu 16 Oct + 3 working days: Fri 17, (weekend, Mon 20 off), Tue 21, Wed 22.
    assert soon.due_on == date(2025, 10, 22)
    assert working.due_on == add_working_days_for(world.gov, date(2025, 10, 24), 3)
    assert working.due_on == date(2025, 10, 29)  # Fri 24 + Mon, Tue, Wed
    assert working.note == "Undangan sudah dikirim"
    assert (working.held_status, working.held_on, working.closure) == (None, None, None)
    entry = logs("task", soon.id, "status_changed")[-1]
    assert entry.before["due_on"] == "2025-10-16" and entry.after["due_on"] == "2025-10-22"
    notices = db.session.scalars(
        select(Notification.title).where(Notification.item_id == working.id)
    ).all()
    assert any("ditunda" in title for title in notices)
    assert any("24 Oktober 2025 menjadi 29 Oktober 2025" in title for title in notices)


def test_the_confirmation_of_a_resume_says_how_far_due_dates_move(app, client, world, auth, tasks):
    services.change_stage(
        world.admin, world.agreement, Action.STALL, "Menunggu APBD", SYSTEM_CHANGE
    )
    db.session.commit()
    at(app, "2025-10-20T09:00:00+07:00")  # Monday: Thu, Fri, Mon
    auth.login(world.admin)
    response = client.post(
        stage_url(world.agreement),
        data={"action": "lanjutkan", "reason": "", "version": world.agreement.version},
    )
    page = text(response)
    assert "3 tugas yang ditunda akan dibuka kembali, tenggatnya digeser 3 hari kerja." in page
    assert "Tenggat baru" in page and "21 Oktober 2025" in page  # 16 Oct + 3 working days


def test_paused_tasks_are_not_overdue_nor_open_nor_reminded(world, tasks):
    # Another agreement's task due today gets its reminder; the paused one due today does not.
    other = factories.make_agreement(world.gov, world.agency, title="Wisata edukasi")
    reminded = factories.make_task(other, world.agency, title="Kirim brosur", due_on=TODAY)
    paused = factories.make_task(world.agreement, world.agency, title="Due today", due_on=TODAY)
    db.session.commit()
    rows = agency_accountability(world.admin, DashboardFilters(), TODAY, world.gov.timezone)
    assert figures(world.admin, DashboardFilters(), TODAY, rows).overdue_tasks == 1

    services.change_stage(world.admin, world.agreement, Action.STALL, "Menunggu", SYSTEM_CHANGE)
    db.session.commit()

    for filters in (DashboardFilters(), DashboardFilters(agency_id=world.agency.id)):
        rows = agency_accountability(world.admin, filters, TODAY, world.gov.timezone)
        counted = figures(world.admin, filters, TODAY, rows)
        assert counted.overdue_tasks == 0
        assert counted.open_tasks == 1  # only the other agreement's task
    assert task_queries.count_overdue(world.opd, TODAY) == 0
    assert not world.task.is_overdue(TODAY)

    plan(on=TODAY)
    db.session.commit()
    items = set(db.session.scalars(select(Outbox.item_id).where(Outbox.item_kind == "task")))
    items |= set(
        db.session.scalars(
            select(Notification.item_id).where(
                Notification.item_kind == "task", Notification.rule != "rescheduled"
            )
        )
    )
    assert reminded.id in items
    assert paused.id not in items and world.task.id not in items


# --- reopening: admins only, and only what the ending cancelled comes back --------------------


def test_reopen_is_for_admins_only(client, world, auth):
    agreement = world.agreement
    services.change_stage(world.admin, agreement, Action.COMPLETE, "Terlaksana", SYSTEM_CHANGE)
    db.session.commit()
    for user in (world.opd, world.pimpinan):
        with pytest.raises(DomainError) as caught:
            services.change_stage(user, agreement, Action.REOPEN, "Keliru", SYSTEM_CHANGE)
        assert "Hanya Bagian Pemerintahan" in caught.value.message
        db.session.rollback()
        auth.login(user)
        response = client.post(
            stage_url(agreement),
            data={"action": "buka-kembali", "reason": "Keliru", "confirm": "1"},
        )
        assert response.status_code == 403
        assert "buka-kembali" not in text(client.get(f"/agreements/{agreement.id}"))
        auth.logout()
    db.session.refresh(agreement)
    assert agreement.stage == Stage.SELESAI

    auth.login(world.admin)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert '<option value="buka-kembali">Buka kembali</option>' in page
    response = client.post(
        stage_url(agreement),
        data={
            "action": "buka-kembali",
            "reason": "Ditandai selesai karena keliru",
            "version": agreement.version,
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN  # where its milestones are
    [entry] = logs("agreement", agreement.id, "reopened")
    assert entry.after == {"stage": "pelaksanaan", "reason": "Ditandai selesai karena keliru"}
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "membuka kembali kerja sama" in page
    assert "Ditandai selesai karena keliru" in page


def test_reopen_gives_back_the_tasks_the_ending_cancelled_only(app, world, tasks):
    services.change_stage(
        world.admin, world.agreement, Action.CANCEL, "Mitra mundur", SYSTEM_CHANGE
    )
    db.session.commit()
    at(app, "2025-11-05T09:00:00+07:00")  # three weeks later
    today = date(2025, 11, 5)
    change = services.plan_stage_change(
        world.admin, world.agreement, Action.REOPEN, "Mitra kembali", world.agreement.version
    )
    assert change.after == Stage.PELAKSANAAN
    assert {c.task.id for c in change.tasks.changes} == {
        tasks[name].id for name in ("overdue", "soon", "working")
    }
    outcome = services.change_stage(
        world.admin, world.agreement, Action.REOPEN, "Mitra kembali", SYSTEM_CHANGE
    )
    db.session.commit()

    assert outcome.notices == ["3 tugas yang dibatalkan otomatis dibuka kembali."]
    assert statuses(tasks) == {
        "overdue": TaskStatus.OPEN,
        "soon": TaskStatus.OPEN,
        "working": TaskStatus.IN_PROGRESS,
        "done": TaskStatus.DONE,
        "by_hand": TaskStatus.CANCELLED,  # cancelled by hand: stays cancelled
    }
    shift = working_days_between(world.gov, TODAY, today)
    assert tasks["soon"].due_on == add_working_days_for(world.gov, date(2025, 10, 16), shift)
    # Due 30 September, overdue before the ending: moved, but never before today.
    assert tasks["overdue"].due_on >= today
    assert all(tasks[n].due_on >= today for n in ("overdue", "soon", "working"))
    assert tasks["working"].note == "Undangan sudah dikirim"
    assert tasks["working"].closure is None


def test_reopen_from_stalled_then_cancelled_gives_back_the_paused_tasks(app, world, tasks):
    services.change_stage(world.admin, world.agreement, Action.STALL, "Menunggu", SYSTEM_CHANGE)
    services.change_stage(world.admin, world.agreement, Action.CANCEL, "Tidak jadi", SYSTEM_CHANGE)
    db.session.commit()
    assert tasks["working"].status == TaskStatus.CANCELLED
    assert tasks["working"].held_status == TaskStatus.IN_PROGRESS  # not "paused"
    services.change_stage(world.admin, world.agreement, Action.REOPEN, "Jadi lagi", SYSTEM_CHANGE)
    db.session.commit()
    assert tasks["working"].status == TaskStatus.IN_PROGRESS


# --- while stalled ----------------------------------------------------------------------------


def test_a_playbook_run_while_stalled_creates_paused_tasks(world):
    factories.make_agency(world.gov, "PEM", name="Bagian Pemerintahan", is_coordinator=True)
    fresh = factories.make_agreement(world.gov, world.agency, title="Pasokan telur")
    db.session.commit()
    services.change_stage(world.admin, fresh, Action.STALL, "Menunggu mitra", SYSTEM_CHANGE)
    outcome = services.record_milestone(
        world.admin,
        fresh,
        "visit",
        {"visited_on": date(2025, 10, 14), "place": "Jakarta", "direction": "keluar"},
    )
    db.session.commit()
    assert outcome.tasks
    assert {task.status for task in outcome.tasks} == {TaskStatus.PAUSED}
    assert {task.held_status for task in outcome.tasks} == {TaskStatus.OPEN}
    assert {task.held_on for task in outcome.tasks} == {TODAY}

    services.change_stage(world.admin, fresh, Action.RESUME, None, SYSTEM_CHANGE)
    db.session.commit()
    assert {task.status for task in outcome.tasks} == {TaskStatus.OPEN}


def test_an_opd_head_cannot_change_a_paused_task(client, world, auth, tasks):
    services.change_stage(world.admin, world.agreement, Action.STALL, "Menunggu", SYSTEM_CHANGE)
    db.session.commit()
    task = tasks["soon"]
    with pytest.raises(DomainError) as caught:
        set_task_status(world.opd, task, TaskStatus.DONE, "Sudah", SYSTEM_CHANGE)
    assert caught.value.message == "Tugas ini ditunda bersama kerja samanya."
    db.session.rollback()

    auth.login(world.opd)
    page = text(client.get(f"/tasks/{task.id}"))
    assert "Tugas ini ditunda bersama kerja samanya" in page
    assert f"/tasks/{task.id}/status" not in page  # no status form to fill in vain
    response = client.post(
        f"/tasks/{task.id}/status",
        data={"status": "done", "note": "Sudah", "version": task.version},
    )
    assert response.status_code == 200
    assert_field_error(text(response), "status", "Tugas ini ditunda bersama kerja samanya.")
    db.session.refresh(task)
    assert task.status == TaskStatus.PAUSED
    auth.logout()

    # The admin's form shows the task as it is: "Ditunda", not "Sedang dikerjakan".
    auth.login(world.admin)
    page = text(client.get(f"/tasks/{task.id}"))
    assert re.search(r'<option selected value="paused">Ditunda</option>', page) or re.search(
        r'<option value="paused" selected>Ditunda</option>', page
    )


def test_nobody_pauses_a_single_task_by_hand(world):
    with pytest.raises(DomainError) as caught:
        set_task_status(world.admin, world.task, TaskStatus.PAUSED, None, SYSTEM_CHANGE)
    assert caught.value.field == "status"


def test_my_tasks_shows_where_the_paused_tasks_are(client, world, auth, tasks):
    services.change_stage(world.admin, world.agreement, Action.STALL, "Menunggu", SYSTEM_CHANGE)
    db.session.commit()
    auth.login(world.opd)
    page = text(client.get("/tasks"))
    assert "Ditunda (2)" in page  # DKPP's two: the world's task and "Kirim data pasokan"
    assert "2 tugas ditunda bersama kerja samanya" in page
    assert "Kirim data pasokan" not in page  # not open: not in the default view

    page = text(client.get("/tasks?ditunda=1"))
    assert "Kirim data pasokan" in page
    assert '<span class="badge text-bg-secondary">Ditunda</span>' in page
    assert "Laporan bulan lalu" not in page

    page = text(client.get("/tasks?selesai=1"))
    assert "Kirim data pasokan" in page and "Laporan bulan lalu" in page


# --- a stale form ------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, world, auth, tasks):
    stale = world.agreement.version
    world.agreement.description = "Diubah oleh admin lain"
    db.session.commit()
    with pytest.raises(ConflictError):
        services.plan_stage_change(world.admin, world.agreement, Action.CANCEL, "x", stale)
    db.session.rollback()

    auth.login(world.admin)
    for confirm in ("", "1"):
        response = client.post(
            stage_url(world.agreement),
            data={
                "action": "batalkan",
                "reason": "Mitra mundur",
                "version": stale,
                "confirm": confirm,
            },
            follow_redirects=True,
        )
        assert "sudah diubah oleh pengguna lain" in text(response)
        assert "Ya, terapkan" not in text(response)
    db.session.refresh(world.agreement)
    assert world.agreement.stage == Stage.PELAKSANAAN
    assert statuses(tasks)["soon"] == TaskStatus.OPEN
