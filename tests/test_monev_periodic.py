"""Periodic monev: every KB and PKS in force gets a monev task for Bagian Pemerintahan every N
months (setting ``monev_interval_months``, 6 by default) from the daily sweep, once; recording
a monev closes it; the setting is on Pengaturan → Pengingat.

The world's agreement (Blitar - DKI, in pelaksanaan) has an MoU signed 14 August 2025 (valid
three years) and a PKS signed 1 September 2025 (valid one year).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from kerjasama_flow import government_settings
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services as agreement_services
from kerjasama_flow.agreements.lifecycle import Action, Stage
from kerjasama_flow.evaluations import periodic
from kerjasama_flow.evaluations import services as evaluation_services
from kerjasama_flow.evaluations.models import Recommendation, Timeliness
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import services as reminder_services
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.tasks import services as task_services
from kerjasama_flow.tasks.models import Closure, Task, TaskStatus
from tests import factories
from tests.agreements_helpers import assert_field_error, text

SIGNED = date(2025, 8, 14)  # the world's MoU


def sweep(app, day: date):
    """The daily sweep of ``day`` at 07:00 WIB, the clock pinned to it (tasks are created
    "now"); the plan of the world's government (Kota Blitar)."""
    app.config["KERJASAMA_NOW"] = f"{day.isoformat()}T07:00:00+07:00"
    plans = plan()
    assert [p.error for p in plans] == [None] * len(plans)
    [result] = [p for p in plans if p.government.region_code == "35.72"]
    return result


def monev_tasks(agreement=None) -> list[Task]:
    db.session.expire_all()
    query = select(Task).where(Task.completed_by == periodic.MONEV).order_by(Task.id)
    if agreement is not None:
        query = query.where(Task.agreement_id == agreement.id)
    return list(db.session.scalars(query))


def monev_values(evaluated_on: date) -> dict:
    return {
        "evaluated_on": evaluated_on,
        "period_label": "Semester I 2026",
        "realisation": "Pasokan telur berjalan.",
        "progress_pct": 60,
        "timeliness": Timeliness.ON_TIME,
        "recommendation": Recommendation.CONTINUE,
    }


# --- the rule, pure -------------------------------------------------------------------------------


def test_the_rule_waits_n_months_after_signing_the_last_monev_and_the_last_task():
    def due(today, months=6, **facts):
        return periodic.monev_due(signed_on=SIGNED, today=today, months=months, **facts)

    assert not due(date(2026, 2, 13))  # a day short of six months
    assert due(date(2026, 2, 14))
    assert not due(date(2026, 2, 14), months=12)
    assert due(date(2025, 11, 14), months=3)
    # A monev in January: the next one in July.
    assert not due(date(2026, 7, 9), last_evaluated_on=date(2026, 1, 10))
    assert due(date(2026, 7, 10), last_evaluated_on=date(2026, 1, 10))
    # A monev before the signing does not bring the document's first monev forward.
    assert not due(date(2026, 2, 13), last_evaluated_on=date(2025, 1, 1))
    # The previous task (done by hand, cancelled) counts as the previous occasion.
    assert not due(date(2026, 8, 13), last_task_on=date(2026, 2, 14))
    assert due(date(2026, 8, 14), last_task_on=date(2026, 2, 14))


# --- the sweep creates the task -------------------------------------------------------------------


def test_the_first_task_comes_n_months_after_signing_for_bagian_pemerintahan(
    app, world, coordinator
):
    assert sweep(app, date(2026, 2, 13)).monev_tasks == 0
    assert monev_tasks() == []

    result = sweep(app, date(2026, 2, 16))  # the MoU's six months passed on Saturday

    assert result.monev_tasks == 1
    [task] = monev_tasks(world.agreement)
    assert task.title == ("Monitoring dan evaluasi (monev) Nota Kesepahaman (MoU) 14 Agustus 2025")
    assert "setiap 6 bulan" in task.description and "Catat monev" in task.description
    assert (task.agreement_id, task.milestone_kind, task.milestone_id) == (
        world.agreement.id,
        "mou",
        world.mou.id,
    )
    assert task.agency_id == coordinator.id  # Bagian Pemerintahan, not the OPD pengampu
    assert task.status == TaskStatus.OPEN and task.created_by_id is None
    # 10 working days after Monday 16 February 2026 (cuti bersama), Imlek on the 17th.
    assert task.due_on == date(2026, 3, 3)
    assert task.due_in_working_days is None  # counted from the sweep, not from the MoU
    [entry] = db.session.scalars(
        select(ActivityLog).where(ActivityLog.entity == "task", ActivityLog.entity_id == task.id)
    ).all()
    assert (entry.action, entry.actor_id, entry.government_id) == ("created", None, world.gov.id)
    assert entry.after["title"] == task.title

    # The PKS (signed 1 September 2025) gets its own once its six months passed.
    assert sweep(app, date(2026, 2, 27)).monev_tasks == 0
    assert sweep(app, date(2026, 3, 2)).monev_tasks == 1
    assert [t.title for t in monev_tasks(world.agreement)] == [
        "Monitoring dan evaluasi (monev) Nota Kesepahaman (MoU) 14 Agustus 2025",
        "Monitoring dan evaluasi (monev) PKS \u201cPKS uji\u201d",
    ]
    world.pks.number_own = "027/PKS/2025"
    assert periodic.task_title(world.pks) == "Monitoring dan evaluasi (monev) PKS 027/PKS/2025"


def test_two_sweeps_make_one_task(app, world, coordinator):
    assert sweep(app, date(2026, 2, 16)).monev_tasks == 1
    assert sweep(app, date(2026, 2, 16)).monev_tasks == 0
    assert sweep(app, date(2026, 2, 17)).monev_tasks == 0  # still open: no other
    world.pks.ends_on = date(2026, 2, 28)  # only the MoU is in force after February
    db.session.commit()
    # Half a year later the task is still open: still no other.
    assert sweep(app, date(2026, 8, 17)).monev_tasks == 0
    assert len(monev_tasks(world.agreement)) == 1


def test_reminders_run_makes_the_task_once(app, world, coordinator):
    app.config["KERJASAMA_NOW"] = "2026-02-16T07:00:00+07:00"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "run"])
    assert "1 tugas monev dibuat" in first.output, first.output
    second = runner.invoke(args=["reminders", "run"])
    assert "tugas monev" not in second.output, second.output
    assert len(monev_tasks(world.agreement)) == 1


def test_without_bagian_pemerintahan_the_task_goes_to_the_opd_pengampu(app, world):
    sweep(app, date(2026, 2, 16))
    [task] = monev_tasks(world.agreement)
    assert task.agency_id == world.agency.id
    # The other government's KB (signed the same day) gets its task in its own government.
    [other] = monev_tasks(world.other_agreement)
    assert (other.government_id, other.agency_id) == (world.other_gov.id, world.other_agency_b.id)


@pytest.mark.parametrize("stage", [Stage.DITUNDA, Stage.SELESAI, Stage.BATAL])
def test_no_task_for_a_paused_or_closed_agreement(app, world, coordinator, stage):
    world.agreement.stage = stage
    db.session.commit()
    sweep(app, date(2026, 2, 16))
    assert monev_tasks(world.agreement) == []
    assert len(monev_tasks(world.other_agreement)) == 1  # the sweep did run


def test_no_task_for_a_document_not_in_force(app, world, coordinator):
    """Ended, or not started yet: no monev of it (the PKS that is still in force gets one)."""
    ended = factories.make_agreement(world.gov, world.agency, title="Berakhir")
    factories.make_mou(ended, signed_on=date(2024, 1, 10), ends_on=date(2026, 2, 15))
    later = factories.make_agreement(world.gov, world.agency, title="Belum mulai")
    factories.make_mou(later, signed_on=date(2025, 6, 2), starts_on=date(2026, 4, 1))
    world.mou.ends_on = date(2026, 1, 31)
    db.session.commit()

    sweep(app, date(2026, 3, 2))

    assert monev_tasks(ended) == [] and monev_tasks(later) == []
    assert [t.milestone_kind for t in monev_tasks(world.agreement)] == ["pks"]


def test_the_setting_changes_the_interval(app, world, coordinator):
    world.gov.settings = {"monev_interval_months": 3}
    db.session.commit()
    assert sweep(app, date(2025, 11, 13)).monev_tasks == 0
    assert sweep(app, date(2025, 11, 14)).monev_tasks == 1  # three months after the MoU
    [task] = monev_tasks(world.agreement)
    task.status = TaskStatus.CANCELLED
    world.gov.settings = {"monev_interval_months": 12}
    world.pks.ends_on = date(2026, 2, 28)  # only the MoU is in force after February
    db.session.commit()

    # Every 12 months now: nothing after 6 months, the next 12 months after the last task.
    assert sweep(app, date(2026, 5, 14)).monev_tasks == 0
    assert sweep(app, date(2026, 11, 13)).monev_tasks == 0
    assert sweep(app, date(2026, 11, 14)).monev_tasks == 1


# --- recording a monev closes it ------------------------------------------------------------------


def test_recording_a_monev_on_the_page_closes_the_task(app, world, coordinator, client, auth):
    sweep(app, date(2026, 3, 2))  # a task for the MoU and one for the PKS
    assert len(monev_tasks(world.agreement)) == 2
    app.config["KERJASAMA_NOW"] = "2026-03-05T09:00:00+07:00"
    auth.login(world.admin)

    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data={
            "evaluated_on": "2026-03-04",
            "period_label": "Semester I 2026",
            "realisation": "Pasokan telur 12 ton dari 20 ton.",
            "progress_pct": "60",
            "timeliness": "tepat_waktu",
            "recommendation": "lanjutkan",
        },
    )

    assert response.status_code == 302
    tasks = monev_tasks(world.agreement)
    assert {t.status for t in tasks} == {TaskStatus.DONE}
    for task in tasks:
        assert task.note == "Selesai otomatis: monev dicatat 4 Maret 2026."
        assert (task.closure, task.closed_by_kind) == (Closure.STEP, periodic.MONEV)
        entry = db.session.scalars(
            select(ActivityLog).where(
                ActivityLog.entity == "task",
                ActivityLog.entity_id == task.id,
                ActivityLog.action == "status_changed",
            )
        ).one()
        assert entry.actor_id == world.admin.id
        assert entry.after["status"] == "done"

    # The monev of 4 March is current: no task until six months later.
    assert sweep(app, date(2026, 9, 3)).monev_tasks == 0
    assert sweep(app, date(2026, 9, 4)).monev_tasks == 1  # the MoU (the PKS ended 1 Sep)


def test_an_older_monev_recorded_late_leaves_the_task_open(app, world, coordinator):
    sweep(app, date(2026, 2, 16))
    app.config["KERJASAMA_NOW"] = "2026-02-17T09:00:00+07:00"
    evaluation_services.record_evaluation(world.admin, world.agreement, monev_values(SIGNED))
    db.session.commit()
    [task] = monev_tasks(world.agreement)
    assert task.status == TaskStatus.OPEN

    evaluation_services.record_evaluation(
        world.admin, world.agreement, monev_values(date(2026, 2, 17))
    )
    db.session.commit()
    [task] = monev_tasks(world.agreement)
    assert task.status == TaskStatus.DONE


def test_a_task_closed_by_hand_comes_back_only_after_the_interval(app, world, coordinator):
    world.pks.ends_on = date(2026, 2, 28)  # only the MoU is in force after February
    db.session.commit()
    sweep(app, date(2026, 2, 16))
    [task] = monev_tasks(world.agreement)
    app.config["KERJASAMA_NOW"] = "2026-02-20T09:00:00+07:00"
    task_services.set_task_status(
        world.admin, task, TaskStatus.DONE, "Monev lapangan bersama DKI.", task.version
    )
    db.session.commit()

    assert sweep(app, date(2026, 2, 23)).monev_tasks == 0  # no monev recorded, yet no repeat
    assert sweep(app, date(2026, 8, 15)).monev_tasks == 0
    assert sweep(app, date(2026, 8, 17)).monev_tasks == 1  # six months after the last task


def test_a_paused_agreement_pauses_its_task_and_gets_no_new_one(app, world, coordinator):
    sweep(app, date(2026, 2, 16))
    app.config["KERJASAMA_NOW"] = "2026-02-18T09:00:00+07:00"
    agreement_services.change_stage(
        world.admin, world.agreement, Action.STALL, "Menunggu anggaran.", world.agreement.version
    )
    db.session.commit()
    [task] = monev_tasks(world.agreement)
    assert task.status == TaskStatus.PAUSED
    assert sweep(app, date(2026, 3, 2)).monev_tasks == 0  # the PKS's six months passed
    assert len(monev_tasks(world.agreement)) == 1


# --- monev for every agreement with a signed KB or PKS -------------------------------------------


def test_a_kb_waiting_for_its_pks_gets_a_monev_task_and_can_be_evaluated(app, world, coordinator):
    """Not only after a first transaction: an agreement at Kesepakatan is evaluated too."""
    kb_only = factories.make_agreement(world.gov, world.agency, title="KB dengan Kota Depok")
    factories.make_mou(kb_only, document_kind="kb", number_own="415/12/2025")
    db.session.commit()
    assert kb_only.stage == Stage.KESEPAKATAN

    sweep(app, date(2026, 2, 16))
    [task] = monev_tasks(kb_only)
    assert task.title == "Monitoring dan evaluasi (monev) Kesepakatan Bersama 415/12/2025"

    app.config["KERJASAMA_NOW"] = "2026-02-17T09:00:00+07:00"
    evaluation_services.record_evaluation(world.admin, kb_only, monev_values(date(2026, 2, 17)))
    db.session.commit()
    assert monev_tasks(kb_only)[0].status == TaskStatus.DONE


def test_deleting_the_document_cancels_its_monev_task(app, world, coordinator):
    kb_only = factories.make_agreement(world.gov, world.agency, title="KB dengan Kota Depok")
    kb = factories.make_mou(kb_only, document_kind="kb", number_own="415/12/2025")
    db.session.commit()
    sweep(app, date(2026, 2, 16))

    agreement_services.delete_milestone(world.admin, kb, kb.version)
    db.session.commit()

    [task] = monev_tasks(kb_only)
    assert (task.status, task.closure) == (TaskStatus.CANCELLED, Closure.SOURCE_DELETED)


# --- the setting on Pengaturan → Pengingat --------------------------------------------------------


def form_data(government, **changes) -> dict[str, str]:
    values = reminder_services.effective(government)
    data = {key: str(value) for key, value in values.items()}
    data["ending_notice_days"] = ", ".join(str(d) for d in values["ending_notice_days"])
    data["version"] = government_settings.fingerprint(government)
    data.update(changes)
    return data


def test_the_settings_page_shows_and_saves_the_interval(app, world, client, auth):
    auth.login(world.admin)
    page = text(client.get("/settings/reminders"))
    assert "Monev berkala setiap (bulan)" in page and "Bawaan: 6 bulan." in page
    assert re.search(r'id="monev_interval_months"[^>]*value="6"', page)

    response = client.post(
        "/settings/reminders", data=form_data(world.gov, monev_interval_months="4")
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert world.gov.settings == {"monev_interval_months": 4}
    assert government_settings.get(world.gov, "monev_interval_months") == 4
    assert "Monev setiap 4 bulan" in text(client.get("/settings/reminders"))
    logged = db.session.scalar(
        select(func.count()).where(
            ActivityLog.entity == "government", ActivityLog.action == "updated"
        )
    )
    assert logged == 1


@pytest.mark.parametrize("value", ["0", "25", "x"])
def test_the_interval_is_1_to_24_months(app, world, client, auth, value):
    auth.login(world.admin)
    response = client.post(
        "/settings/reminders", data=form_data(world.gov, monev_interval_months=value)
    )
    assert response.status_code == 200
    message = (
        "Bukan bilangan bulat yang sah."
        if value == "x"
        else "Isi bilangan bulat 1 sampai 24 bulan."
    )
    assert_field_error(response.get_data(as_text=True), "monev_interval_months", message)
    db.session.expire_all()
    assert not world.gov.settings


def test_a_recorded_monev_also_closes_the_first_realisations_scheduling_task(
    app, world, coordinator
):
    """The playbook's "Jadwalkan monitoring dan evaluasi (monev)" after the first realisation
    waits for a monev too: recording one closes it with the periodic task."""
    app.config["KERJASAMA_NOW"] = "2025-10-15T09:00:00+07:00"
    agreement = factories.make_agreement(world.gov, world.agency, title="Pasokan beras")
    kb = factories.make_mou(agreement, signed_on=date(2025, 8, 14))
    pks = factories.make_pks(agreement, kb, agencies=[world.agency], signed_on=date(2025, 9, 1))
    db.session.commit()
    agreement_services.record_milestone(
        world.admin,
        agreement,
        "transaction",
        {
            "pks": pks,
            "transacted_on": date(2025, 10, 14),
            "buyer": "Perumda Pasar Jaya",
            "seller": "Gapoktan Kota Blitar",
            "commodity": "Beras",
            "value_rp": 10_000_000,
        },
    )
    db.session.commit()
    [scheduling] = monev_tasks(agreement)
    assert scheduling.title == "Jadwalkan monitoring dan evaluasi (monev)"
    assert scheduling.status == TaskStatus.OPEN
    evaluation_services.record_evaluation(world.admin, agreement, monev_values(date(2025, 10, 15)))
    db.session.commit()
    [scheduling] = monev_tasks(agreement)
    assert scheduling.status == TaskStatus.DONE
    assert scheduling.note == "Selesai otomatis: monev dicatat 15 Oktober 2025."
