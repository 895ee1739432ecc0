"""Generated tasks follow the work (``tasks.follow_up``): they close when the step they wait for
is recorded and reopen when it is deleted, their due dates move with their step's date and
never lie before the day they were created, tasks meant for the OPD pengampu wait in Bagian
Pemerintahan until it is set, and nothing counts or reminds a task that is done."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.models import Agreement, MouKind
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks import services as playbook_services
from kerjasama_flow.playbooks.models import TaskTemplate, Trigger
from kerjasama_flow.reminders.delivery import TASK_CLOSED, deliver
from kerjasama_flow.reminders.models import Notification, Outbox, OutboxStatus, Rule
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.reports.dashboard import DashboardFilters, agency_accountability, figures
from kerjasama_flow.tasks import tally
from kerjasama_flow.tasks.models import Closure, TallyState, Task, TaskStatus, TaskTally
from kerjasama_flow.tasks.services import set_task_status, update_task
from kerjasama_flow.workdays.services import add_working_days_for
from tests import factories
from tests.agreements_helpers import NOW, text
from tests.reminder_helpers import SmtpServer, make_outbox

TODAY = date(2025, 10, 15)  # NOW's date in Kota Blitar
VISITED_ON = date(2025, 10, 1)
SIGNED_KB = date(2025, 10, 6)
SIGNED_PKS = date(2025, 10, 10)
TRANSACTED_ON = date(2025, 10, 14)
ZONE = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


@pytest.fixture
def fresh(world):
    agreement = factories.make_agreement(world.gov, world.agency, title="Pasokan telur ke DKI")
    db.session.commit()
    return agreement


def visit_values(on: date = VISITED_ON) -> dict:
    return {"visited_on": on, "place": "Balai Kota DKI Jakarta", "direction": "keluar"}


def kb_values(on: date = SIGNED_KB) -> dict:
    return {
        "document_kind": MouKind.KB,
        "signed_on": on,
        "starts_on": on,
        "ends_on": on + timedelta(days=365 * 3),
    }


def pks_values(agreement, on: date = SIGNED_PKS, agencies=None) -> dict:
    return {
        "title": "PKS pasokan telur",
        "mou": agreement.mous[-1],
        "agencies": agencies or [agreement.lead_agency],
        "signed_on": on,
        "starts_on": on,
        "ends_on": on + timedelta(days=365),
    }


def transaction_values(agreement, on: date = TRANSACTED_ON) -> dict:
    return {
        "pks": agreement.pks_list[-1],
        "transacted_on": on,
        "buyer": "PT Food Station Tjipinang Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "volume": 1000,
        "unit": "kg",
        "value_rp": 25_000_000,
    }


def tasks_of(agreement) -> dict[str, Task]:
    rows = db.session.scalars(select(Task).where(Task.agreement_id == agreement.id))
    return {task.title: task for task in rows}


def template(government, key: str) -> TaskTemplate:
    return db.session.scalar(
        select(TaskTemplate).where(
            TaskTemplate.government_id == government.id, TaskTemplate.key == key
        )
    )


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


# --- closing with the step ----------------------------------------------------------------------


def test_four_steps_close_the_tasks_that_waited_for_them(world, coordinator, fresh):
    admin = world.admin
    services.record_milestone(admin, fresh, "visit", visit_values())
    draft_kb = tasks_of(fresh)["Susun draf Kesepakatan Bersama"]
    assert (draft_kb.status, draft_kb.completed_by) == (TaskStatus.OPEN, "mou")

    outcome = services.record_milestone(admin, fresh, "mou", kb_values())
    kb = outcome.value
    assert outcome.notices == ["1 tugas selesai otomatis karena Kesepakatan Bersama sudah dicatat."]
    assert draft_kb.status == TaskStatus.DONE
    assert draft_kb.note == "Selesai otomatis: Kesepakatan Bersama dicatat 6 Oktober 2025."
    assert (draft_kb.closure, draft_kb.closed_by_kind, draft_kb.closed_by_id) == (
        Closure.STEP,
        "mou",
        kb.id,
    )
    assert local_day(draft_kb.done_at) == SIGNED_KB  # dated by the step, not by the click

    services.record_milestone(admin, fresh, "pks", pks_values(fresh))
    assert tasks_of(fresh)["Susun draf PKS"].status == TaskStatus.DONE
    services.record_milestone(admin, fresh, "transaction", transaction_values(fresh))
    db.session.commit()

    tasks = tasks_of(fresh)
    assert tasks["Realisasi transaksi perdana"].status == TaskStatus.DONE
    # No task generated for an earlier step that this agreement has passed is still open:
    # what stays open is closed by hand, or waits for a step not recorded yet (the reports to
    # the Gubernur, the first monev).
    still_open = {title for title, task in tasks.items() if task.status.is_open}
    assert {tasks[title].completed_by for title in still_open} <= {None, "report", "evaluation"}
    assert {"Susun draf Kesepakatan Bersama", "Susun draf PKS"}.isdisjoint(still_open)

    # The dashboard, the accountability table and the tallies count exactly these.
    open_in_db = db.session.scalar(
        select(func.count(Task.id)).where(
            Task.government_id == world.gov.id, Task.status.in_(("open", "in_progress"))
        )
    )
    rows = agency_accountability(admin, DashboardFilters(), TODAY, world.gov.timezone)
    assert figures(admin, DashboardFilters(), TODAY, rows).open_tasks == open_in_db
    narrowed = DashboardFilters(agency_id=world.agency.id)  # the agreements DKPP leads
    counted = agency_accountability(admin, narrowed, TODAY, world.gov.timezone)
    assert sum(row.open for row in counted) == db.session.scalar(
        select(func.count(Task.id))
        .join(Agreement, Agreement.id == Task.agreement_id)
        .where(
            Agreement.lead_agency_id == world.agency.id,
            Task.status.in_(("open", "in_progress")),
        )
    )
    tallied = db.session.scalar(
        select(func.sum(TaskTally.n)).where(
            TaskTally.government_id == world.gov.id, TaskTally.state == TallyState.OPEN
        )
    )
    assert tallied == open_in_db

    # The log says who closed it and why.
    entry = db.session.scalar(
        select(ActivityLog).where(
            ActivityLog.entity == "task",
            ActivityLog.entity_id == draft_kb.id,
            ActivityLog.action == "status_changed",
        )
    )
    assert entry.actor_id == admin.id
    assert entry.after["status"] == "done"

    # Months later the sweep reminds nobody of the closed tasks.
    plan(on=TODAY + timedelta(days=120))
    db.session.commit()
    reminded = set(
        db.session.scalars(select(Outbox.item_id).where(Outbox.item_kind == "task"))
    ) | set(
        db.session.scalars(select(Notification.item_id).where(Notification.item_kind == "task"))
    )
    closed_ids = {task.id for task in tasks.values() if task.status == TaskStatus.DONE}
    assert closed_ids and not (reminded & closed_ids)


def test_deleting_the_step_reopens_the_task_as_it_was(world, coordinator, fresh):
    admin = world.admin
    services.record_milestone(admin, fresh, "visit", visit_values())
    draft_kb = tasks_of(fresh)["Susun draf Kesepakatan Bersama"]
    set_task_status(world.admin, draft_kb, TaskStatus.IN_PROGRESS, "Draf dibahas", SYSTEM_CHANGE)
    kb = services.record_milestone(admin, fresh, "mou", kb_values()).value
    assert draft_kb.note == (
        "Selesai otomatis: Kesepakatan Bersama dicatat 6 Oktober 2025.\n\nDraf dibahas"
    )
    kb_tasks = [task for task in tasks_of(fresh).values() if task.milestone_kind == "mou"]
    assert len(kb_tasks) == 3

    outcome = services.delete_milestone(admin, kb, kb.version)

    assert (draft_kb.status, draft_kb.note, draft_kb.done_at, draft_kb.closure) == (
        TaskStatus.IN_PROGRESS,
        "Draf dibahas",
        None,
        None,
    )
    # The deleted KB's own open tasks are cancelled and no longer point at it.
    for task in kb_tasks:
        assert task.status == TaskStatus.CANCELLED
        assert task.closure == Closure.SOURCE_DELETED
        assert task.milestone_id is None
        assert task.note.startswith("Dibatalkan otomatis: Kesepakatan Bersama 6 Oktober 2025")
    assert outcome.notices == [
        "1 tugas yang diselesaikannya dibuka kembali.",
        "3 tugas tindak lanjutnya yang belum selesai dibatalkan.",
    ]
    # Recorded again (SQLite may reuse the id), the KB gets its tasks again.
    again = services.record_milestone(admin, fresh, "mou", kb_values())
    assert len(again.tasks) == 3
    assert draft_kb.status == TaskStatus.DONE


def test_another_step_of_the_kind_takes_over_when_the_closing_one_is_deleted(
    world, coordinator, fresh
):
    admin = world.admin
    services.record_milestone(admin, fresh, "mou", kb_values())
    first = services.record_milestone(admin, fresh, "pks", pks_values(fresh)).value
    second = services.record_milestone(
        admin, fresh, "pks", pks_values(fresh, on=date(2025, 10, 13))
    ).value
    draft_pks = tasks_of(fresh)["Susun draf PKS"]
    assert draft_pks.closed_by_id == first.id

    services.delete_milestone(admin, first, first.version)

    assert draft_pks.status == TaskStatus.DONE
    assert draft_pks.closed_by_id == second.id
    assert draft_pks.note == "Selesai otomatis: PKS dicatat 13 Oktober 2025."


def test_an_older_kb_does_not_complete_the_evaluation_of_a_newer_ones_end(world, fresh):
    admin = world.admin
    kb = services.record_milestone(admin, fresh, "mou", kb_values(), follow_up=False).value
    [evaluation] = playbook_services.run_playbook(
        None, fresh, Trigger.MOU_ENDING, "mou", kb.id, start_on=TODAY, due_by=kb.ends_on
    )
    assert evaluation.completed_by == "mou"
    services.record_milestone(admin, fresh, "mou", kb_values(date(2024, 5, 2)))
    assert evaluation.status == TaskStatus.OPEN
    services.record_milestone(admin, fresh, "mou", kb_values(date(2025, 10, 14)))
    assert evaluation.status == TaskStatus.DONE


def test_tasks_nothing_completes_stay_manual(world, coordinator, fresh):
    services.record_milestone(world.admin, fresh, "visit", visit_values())
    services.record_milestone(world.admin, fresh, "mou", kb_values())
    report = tasks_of(fresh)["Laporan hasil kunjungan kerja kepada pimpinan"]
    assert report.completed_by is None and report.status == TaskStatus.OPEN


# --- due dates ----------------------------------------------------------------------------------


def test_a_step_recorded_late_counts_its_deadlines_from_today(world, coordinator, fresh):
    services.record_milestone(world.admin, fresh, "visit", visit_values(date(2025, 6, 2)))
    tasks = tasks_of(fresh)
    report = tasks["Laporan hasil kunjungan kerja kepada pimpinan"]
    # Five working days after 2 June lies in the past: counted from today instead.
    assert add_working_days_for(world.gov, date(2025, 6, 2), 5) < TODAY
    assert report.due_on == add_working_days_for(world.gov, TODAY, 5)
    assert not report.is_overdue(TODAY)


def test_a_steps_new_date_moves_its_open_tasks_and_tells_their_people(world, coordinator, fresh):
    admin = world.admin
    kb = services.record_milestone(admin, fresh, "mou", kb_values()).value
    tasks = tasks_of(fresh)
    draft_pks = tasks["Susun draf PKS"]  # DKPP's, the lead agency
    socialisation = tasks["Sosialisasi kerja sama kepada OPD teknis"]
    report = tasks["Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur"]
    set_task_status(admin, socialisation, TaskStatus.DONE, "Sudah disosialisasikan", SYSTEM_CHANGE)
    hand_set = date(2025, 12, 1)
    update_task(
        admin,
        report,
        {"title": report.title, "agency": report.agency, "due_on": hand_set},
        report.version,
    )
    done_due = socialisation.due_on
    db.session.commit()

    new_on = date(2025, 10, 13)
    outcome = services.update_milestone(
        admin, kb, {**kb_values(new_on), "ends_on": kb.ends_on}, kb.version
    )
    db.session.commit()

    assert draft_pks.due_on == add_working_days_for(world.gov, new_on, 30)
    assert socialisation.due_on == done_due  # a finished task never moves
    assert report.due_on == hand_set  # set by hand: no longer follows its step
    assert outcome.notices == ["1 tugas tindak lanjut mengikuti tanggal baru (13 Oktober 2025)."]
    logged = db.session.scalar(
        select(ActivityLog).where(
            ActivityLog.entity_id == draft_pks.id, ActivityLog.action == "rescheduled"
        )
    )
    assert logged.after["due_on"] == draft_pks.due_on.isoformat()
    [notice] = db.session.scalars(
        select(Notification).where(Notification.rule == Rule.RESCHEDULED)
    ).all()
    assert notice.user_id == world.opd.id and notice.item_id == draft_pks.id
    assert "Susun draf PKS" in notice.title and "berubah dari" in notice.title


def test_a_step_moved_into_the_past_counts_from_the_day_its_tasks_were_made(
    world, coordinator, fresh
):
    kb = services.record_milestone(world.admin, fresh, "mou", kb_values()).value
    draft_pks = tasks_of(fresh)["Susun draf PKS"]
    services.update_milestone(
        world.admin, kb, {**kb_values(date(2025, 1, 6)), "ends_on": kb.ends_on}, kb.version
    )
    made_on = local_day(draft_pks.created_at)
    assert draft_pks.due_on == add_working_days_for(world.gov, made_on, 30)


def test_the_same_date_moves_nothing(world, coordinator, fresh):
    kb = services.record_milestone(world.admin, fresh, "mou", kb_values()).value
    outcome = services.update_milestone(
        world.admin, kb, {**kb_values(), "place": "Jakarta"}, kb.version
    )
    assert outcome.notices == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0


# --- no silent fallback to Bagian Pemerintahan ---------------------------------------------------


def test_tasks_for_the_opd_pengampu_wait_in_bagian_pemerintahan_until_it_is_set(
    client, auth, world, coordinator
):
    agreement = factories.make_agreement(world.gov, None, title="Kerja sama tanpa pengampu")
    db.session.commit()
    services.record_milestone(world.admin, agreement, "mou", kb_values())
    db.session.commit()
    draft_pks = tasks_of(agreement)["Susun draf PKS"]
    report = tasks_of(agreement)["Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur"]
    assert (draft_pks.agency_id, draft_pks.awaits_lead_agency) == (coordinator.id, True)
    assert report.awaits_lead_agency is False  # meant for Bagian Pemerintahan anyway

    auth.login(world.admin)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Kerja sama ini belum memiliki OPD pengampu." in page
    assert "(1 tugas)" in page
    listing = text(client.get("/agreements"))
    assert "Belum ada" in listing

    data = {
        "title": agreement.title,
        "kind": agreement.kind,
        "partners": list(agreement.partners),
        "lead_agency": world.agency,
        "sectors": [],
    }
    outcome = services.update_agreement(world.admin, agreement, data, agreement.version)
    db.session.commit()
    assert (draft_pks.agency_id, draft_pks.awaits_lead_agency) == (world.agency.id, False)
    assert report.agency_id == coordinator.id
    assert outcome.notices == [
        f"1 tugas untuk OPD pengampu dipindahkan dari Bagian Pemerintahan ke {world.agency.name}."
    ]
    assert (
        db.session.scalar(
            select(func.count(ActivityLog.id)).where(
                ActivityLog.entity_id == draft_pks.id, ActivityLog.action == "reassigned"
            )
        )
        == 1
    )
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "belum memiliki OPD pengampu" not in page


# --- the sweep and the outbox -------------------------------------------------------------------


def test_the_sweep_closes_tasks_whose_step_is_already_recorded(world, fresh):
    """An import records history without follow-up; older tasks predate the rule."""
    visit = services.record_milestone(world.admin, fresh, "visit", visit_values(), follow_up=False)
    waiting = factories.make_task(
        fresh,
        world.agency,
        title="Susun draf Kesepakatan Bersama",
        milestone_kind="visit",
        milestone_id=visit.value.id,
        completed_by="mou",
        due_on=date(2025, 10, 1),
    )
    services.record_milestone(world.admin, fresh, "mou", kb_values(), follow_up=False)
    db.session.commit()
    assert waiting.status == TaskStatus.OPEN

    [result] = [p for p in plan(on=TODAY) if p.government.id == world.gov.id]
    db.session.commit()

    assert result.completed_tasks == 1
    db.session.refresh(waiting)
    assert waiting.status == TaskStatus.DONE and waiting.closure == Closure.STEP
    assert not db.session.scalar(
        select(func.count(Outbox.id)).where(
            Outbox.item_kind == "task", Outbox.item_id == waiting.id
        )
    )
    # Run again: nothing more to close.
    again = [p for p in plan(on=TODAY) if p.government.id == world.gov.id][0]
    assert again.completed_tasks == 0


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.close()


def test_a_planned_reminder_of_a_task_closed_since_is_not_sent(smtp, world):
    now = datetime.fromisoformat(NOW)
    closed = factories.make_task(world.agreement, world.agency, title="Sudah selesai")
    still_open = factories.make_task(world.agreement, world.agency, title="Masih terbuka")
    make_outbox(world.opd, now, item_id=closed.id, title="Sudah selesai")
    make_outbox(world.opd, now, item_id=still_open.id, title="Masih terbuka")
    db.session.commit()
    set_task_status(world.opd, closed, TaskStatus.DONE, "Beres", SYSTEM_CHANGE)
    db.session.commit()

    result = deliver()

    [message] = smtp.messages
    body = message.get_body(("plain",)).get_content()
    assert "Masih terbuka" in body and "Sudah selesai" not in body
    skipped = db.session.scalar(select(Outbox).where(Outbox.item_id == closed.id))
    assert (skipped.status, skipped.last_error) == (OutboxStatus.SENT, TASK_CLOSED)
    assert result.failed == 0


# --- the template says what completes its task --------------------------------------------------


def test_the_template_form_sets_what_completes_its_task(client, auth, world):
    auth.login(world.admin)
    client.get("/settings/playbooks")  # installs the defaults
    tpl = template(world.gov, "pks.report")
    assert tpl.completed_by is None
    assert template(world.gov, "mou.draft_pks").completed_by == "pks"
    form = {
        "trigger": "pks",
        "title": tpl.title,
        "assignee_kind": "lead_agency",
        "agency": "__None",
        "due_in_working_days": "60",
        "completed_by": "transaction",
        "is_active": "y",
        "version": str(tpl.version),
    }
    response = client.post(f"/settings/playbooks/{tpl.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(tpl)
    assert tpl.completed_by == "transaction"
    page = text(client.get("/settings/playbooks"))
    assert "Selesai otomatis bila" in page and "Transaksi atau realisasi kegiatan dicatat" in page

    response = client.post(
        f"/settings/playbooks/{tpl.id}/edit",
        data={**form, "completed_by": "monev", "version": str(tpl.version)},
    )
    assert "Pilih langkah yang menyelesaikan tugas ini." in text(response)
    db.session.refresh(tpl)
    assert tpl.completed_by == "transaction"


def test_the_tally_counts_every_task_state_as_a_rebuild_does(world, coordinator, fresh):
    services.record_milestone(world.admin, fresh, "visit", visit_values())
    services.record_milestone(world.admin, fresh, "mou", kb_values())
    db.session.commit()
    kept = {
        (row.agency_id, row.state, row.due_on): row.n
        for row in db.session.scalars(select(TaskTally)).all()
        if row.n
    }
    tally.rebuild(db.session)
    rebuilt = {
        (row.agency_id, row.state, row.due_on): row.n
        for row in db.session.scalars(select(TaskTally)).all()
        if row.n
    }
    assert kept == rebuilt
