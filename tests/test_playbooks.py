"""Playbooks: recording a milestone creates its follow-up tasks from the government's templates,
due in working days, once per milestone; admins edit the templates; the sweep's "nearing its
end" playbook."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.accounts.services import save_agency
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.models import Mou, MouKind, Transaction
from kerjasama_flow.agreements.services import record_milestone, report_recipient
from kerjasama_flow.agreements.signals import milestone_recorded
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks import services
from kerjasama_flow.playbooks.defaults import DEFAULT_TEMPLATES
from kerjasama_flow.playbooks.models import AssigneeKind, TaskTemplate, Trigger
from kerjasama_flow.tasks.follow_up import generated_due_on
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.workdays.services import add_working_days_for
from tests import factories
from tests.agreements_helpers import NOW, text

SIGNED_ON = date(2025, 8, 14)  # a Thursday; 17 August is a Sunday, 18 August cuti bersama
AFTER_THE_DEMO = "2026-02-02T09:00:00+07:00"  # the demo's last step is in January 2026
MOU_TITLES = {
    "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur",
    "Sosialisasi kerja sama kepada OPD teknis",
    "Susun draf PKS",
}


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def recorded_on(app: Flask, day: date) -> None:
    """Record the next steps on ``day`` itself (on time: due dates count from the step)."""
    app.config["KERJASAMA_NOW"] = f"{day.isoformat()}T09:00:00+07:00"


@pytest.fixture
def fresh(world):
    """An agreement of government A led by DKPP, with no milestones yet."""
    agreement = factories.make_agreement(world.gov, world.agency, title="Kerja sama baru")
    db.session.commit()
    return agreement


def mou_form(**overrides) -> dict:
    data = {
        "document_kind": "kb",
        "number_own": "119/2025",
        "number_partner": "12/KB/2025",
        "signed_on": SIGNED_ON.isoformat(),
        "place": "Balai Kota DKI Jakarta",
        "signatory_own": "Wali Kota Blitar",
        "signatory_partner": "Gubernur DKI Jakarta",
        "starts_on": SIGNED_ON.isoformat(),
        "ends_on": "2028-08-13",
        "notes": "",
    }
    data.update(overrides)
    return data


def mou_values(signed_on: date = SIGNED_ON, **overrides) -> dict:
    """What the MoU form hands the service."""
    data = {
        "document_kind": MouKind.KB,
        "signed_on": signed_on,
        "starts_on": signed_on,
        "ends_on": signed_on + timedelta(days=365 * 3),
    }
    data.update(overrides)
    return data


def transaction_form(pks, **overrides) -> dict:
    data = {
        "pks": str(pks.id),
        "transacted_on": "2025-10-01",
        "buyer": "Perumda Pasar Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "volume": "100",
        "unit": "kg",
        "value_rp": "Rp 1.000.000",
        "notes": "",
    }
    data.update(overrides)
    return data


def tasks_of(agreement, kind: str | None = None) -> list[Task]:
    stmt = select(Task).where(Task.agreement_id == agreement.id)
    if kind:
        stmt = stmt.where(Task.milestone_kind == kind)
    return list(db.session.scalars(stmt.order_by(Task.id)))


def template(government, key: str) -> TaskTemplate:
    services.ensure_defaults(government)
    return db.session.scalar(
        select(TaskTemplate).where(
            TaskTemplate.government_id == government.id, TaskTemplate.key == key
        )
    )


def template_form(tpl: TaskTemplate, **overrides) -> dict:
    data = {
        "trigger": tpl.trigger.value,
        "title": tpl.title,
        "description": tpl.description or "",
        "assignee_kind": tpl.assignee_kind.value,
        "agency": str(tpl.agency_id) if tpl.agency_id else "__None",
        "due_in_working_days": str(tpl.due_in_working_days),
        "completed_by": tpl.completed_by or "",
        "is_active": "y" if tpl.is_active else "",
        "version": str(tpl.version),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# --- recording milestones ----------------------------------------------------------------------


def test_recording_an_mou_through_the_form_creates_its_tasks(
    app, client, auth, world, coordinator, fresh
):
    recorded_on(app, SIGNED_ON)
    auth.login(world.admin)
    response = client.post(f"/agreements/{fresh.id}/milestones/mou/new", data=mou_form())
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Kesepakatan Bersama/MoU dicatat. 3 tugas tindak lanjut dibuat otomatis." in page

    mou = fresh.mous[0]
    tasks = {task.title: task for task in tasks_of(fresh)}
    assert set(tasks) == MOU_TITLES
    expected = {
        "mou.report_governor": coordinator,
        "mou.socialisation": coordinator,
        "mou.draft_pks": world.agency,  # the lead agency
    }
    for key, agency in expected.items():
        tpl = template(world.gov, key)
        task = tasks[tpl.title]
        assert task.agency_id == agency.id
        assert (task.milestone_kind, task.milestone_id, task.template_id) == ("mou", mou.id, tpl.id)
        assert task.due_on == add_working_days_for(world.gov, SIGNED_ON, tpl.due_in_working_days)
        assert task.created_by_id == world.admin.id
        assert task.description == tpl.description
    # Ten working days after Thursday 14 August 2025: the weekend and the cuti bersama of
    # Monday 18 August are skipped.
    report = tasks["Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur"]
    assert report.due_on == date(2025, 8, 29)
    # The tasks are on the agreement's page and in the activity log.
    assert "Susun draf PKS" in page
    logged = db.session.scalar(
        select(func.count(ActivityLog.id)).where(
            ActivityLog.entity == "task", ActivityLog.agreement_id == fresh.id
        )
    )
    assert logged == 3


def test_due_dates_skip_idul_fitri_and_the_governments_own_days_off(app, world, coordinator, fresh):
    recorded_on(app, date(2025, 3, 27))
    tpl = template(world.gov, "mou.report_governor")
    services.save_template(
        world.admin, world.gov, tpl, {**_values(tpl), "due_in_working_days": 1}, tpl.version
    )
    # Signed on Thursday 27 March 2025: 28 March is cuti bersama Nyepi, 31 March to 7 April
    # Idul Fitri and its cuti bersama; 8 April is the next working day, unless the government
    # has its own day off then.
    factories.make_day_off(world.gov, date(2025, 4, 8), name="Hari Jadi (uji)")
    recorded = record_milestone(world.admin, fresh, "mou", mou_values(date(2025, 3, 27)))
    report = next(t for t in recorded.tasks if t.template_id == tpl.id)
    assert report.due_on == date(2025, 4, 9)

    other = factories.make_agreement(world.gov, world.agency)
    recorded = record_milestone(world.admin, other, "mou", mou_values(date(2025, 3, 27)))
    assert add_working_days_for(world.other_gov, date(2025, 3, 27), 1) == date(2025, 4, 8)
    assert next(t for t in recorded.tasks if t.template_id == tpl.id).due_on == date(2025, 4, 9)


def _values(tpl: TaskTemplate) -> dict:
    return {
        "trigger": tpl.trigger,
        "title": tpl.title,
        "description": tpl.description,
        "assignee_kind": tpl.assignee_kind,
        "agency": tpl.agency,
        "due_in_working_days": tpl.due_in_working_days,
        "completed_by": tpl.completed_by,
        "is_active": tpl.is_active,
    }


def test_the_same_milestone_never_gets_its_tasks_twice(client, auth, world, coordinator, fresh):
    recorded = record_milestone(world.admin, fresh, "mou", mou_values())
    db.session.commit()
    assert len(recorded.tasks) == 3
    mou = recorded.value

    again = services.run_playbook(world.admin, fresh, Trigger.MOU, "mou", mou.id, SIGNED_ON)
    assert list(again) == [] and again.skipped == []
    db.session.commit()
    assert len(tasks_of(fresh)) == 3

    # Editing the MoU (even its date) creates nothing either.
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{fresh.id}/milestones/mou/{mou.id}/edit",
        data=mou_form(signed_on="2025-08-15", version=str(mou.version)),
    )
    assert response.status_code == 302
    assert len(tasks_of(fresh)) == 3


def test_the_unique_key_holds_when_two_runs_race(world, coordinator, fresh, monkeypatch):
    """A run that does not see the other run's tasks (a concurrent sweep) is stopped by the
    UNIQUE (template_id, milestone_kind, milestone_id), and the transaction goes on."""
    recorded = record_milestone(world.admin, fresh, "mou", mou_values())
    db.session.commit()
    monkeypatch.setattr(services, "_existing_template_ids", lambda kind, milestone_id: set())

    again = services.run_playbook(None, fresh, Trigger.MOU, "mou", recorded.value.id, SIGNED_ON)
    assert list(again) == []
    db.session.commit()
    assert len(tasks_of(fresh)) == 3


def test_a_pks_creates_its_tasks(client, auth, world, coordinator, fresh):
    mou = factories.make_mou(fresh, signed_on=SIGNED_ON)
    db.session.commit()
    auth.login(world.admin)
    data = {
        "title": "PKS penyediaan telur ayam",
        "mou": str(mou.id),
        "agencies": [str(world.agency.id)],
        "signed_on": "2025-09-01",
        "starts_on": "2025-09-01",
        "ends_on": "2026-08-31",
    }
    response = client.post(f"/agreements/{fresh.id}/milestones/pks/new", data=data)
    assert response.status_code == 302
    pks = fresh.pks_list[0]
    tasks = tasks_of(fresh, "pks")
    assert {t.title for t in tasks} == {
        "Realisasi transaksi perdana",
        "Laporan pelaksanaan PKS",
        f"Laporkan penandatanganan PKS kepada {report_recipient(world.gov)}",
    }
    for task in tasks:
        tpl = db.session.get(TaskTemplate, task.template_id)
        assert task.milestone_id == pks.id
        lead = tpl.assignee_kind == AssigneeKind.LEAD_AGENCY
        assert task.agency_id == (world.agency.id if lead else coordinator.id)
        # Counted from the signing; from today where that lies in the past (recorded late).
        assert task.due_on == generated_due_on(
            world.gov, date(2025, 9, 1), tpl.due_in_working_days, date.fromisoformat(NOW[:10])
        )
    first = next(t for t in tasks if t.title == "Realisasi transaksi perdana")
    assert first.due_on == date(2025, 10, 28)  # 40 working days; Maulid Nabi on 5 September


def test_only_the_first_transaction_runs_its_playbook(client, auth, world, coordinator, fresh):
    mou = factories.make_mou(fresh, signed_on=SIGNED_ON)
    pks = factories.make_pks(fresh, mou, agencies=[world.agency])
    db.session.commit()
    auth.login(world.admin)

    response = client.post(
        f"/agreements/{fresh.id}/milestones/transaction/new", data=transaction_form(pks)
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Transaksi dicatat. 2 tugas tindak lanjut dibuat otomatis." in page
    tasks = {t.title: t for t in tasks_of(fresh, "transaction")}
    assert set(tasks) == {
        "Laporan realisasi perdana kepada pimpinan",
        "Jadwalkan monitoring dan evaluasi (monev)",
    }
    assert tasks["Laporan realisasi perdana kepada pimpinan"].agency_id == world.agency.id
    assert tasks["Jadwalkan monitoring dan evaluasi (monev)"].agency_id == coordinator.id

    response = client.post(
        f"/agreements/{fresh.id}/milestones/transaction/new",
        data=transaction_form(pks, transacted_on="2025-10-14"),
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Transaksi dicatat." in page and "tugas tindak lanjut dibuat" not in page
    assert db.session.scalar(select(func.count(Transaction.id))) == 3  # the world's + two
    assert len(tasks_of(fresh, "transaction")) == 2


def test_inactive_templates_are_skipped(world, coordinator, fresh):
    draft = template(world.gov, "mou.draft_pks")
    draft.is_active = False  # as the template form saves it
    db.session.flush()
    recorded = record_milestone(world.admin, fresh, "mou", mou_values())
    assert {t.title for t in recorded.tasks} == MOU_TITLES - {"Susun draf PKS"}
    assert recorded.warnings == []


def test_imports_record_without_follow_up(world, coordinator, fresh):
    """``follow_up=False`` (the spreadsheet import): the milestone only."""
    recorded = record_milestone(world.admin, fresh, "mou", mou_values(), follow_up=False)
    db.session.commit()
    assert recorded.value.id is not None
    assert recorded.follow_ups == [] and recorded.tasks == [] and recorded.warnings == []
    assert tasks_of(fresh) == []


def test_the_playbooks_answer_the_apps_that_connected_them(app):
    """``create_app`` connects the playbooks' receiver with its app as the sender: another
    app (or a bare import of the package) runs no playbook."""
    assert milestone_recorded.has_receivers_for(app)
    assert not milestone_recorded.has_receivers_for(Flask("another"))


def test_a_visit_runs_its_playbook_with_a_custom_template_of_a_named_agency(app, world, fresh):
    """No coordinator: the coordinator's task falls back to the lead agency."""
    recorded_on(app, date(2025, 6, 16))
    services.save_template(
        world.admin,
        world.gov,
        None,
        {
            "trigger": Trigger.VISIT,
            "title": "Kajian potensi ekonomi mitra",
            "assignee_kind": AssigneeKind.AGENCY,
            "agency": world.other_agency,
            "due_in_working_days": 0,
            "is_active": True,
        },
    )
    recorded = record_milestone(
        world.admin,
        fresh,
        "visit",
        {"visited_on": date(2025, 6, 14), "place": "Balai Kota", "direction": "keluar"},
    )
    tasks = {t.title: t for t in recorded.tasks}
    assert set(tasks) == {
        "Laporan hasil kunjungan kerja kepada pimpinan",
        "Susun draf Kesepakatan Bersama",
        "Kajian potensi ekonomi mitra",
    }
    assert tasks["Susun draf Kesepakatan Bersama"].agency_id == world.agency.id  # fallback
    assert tasks["Kajian potensi ekonomi mitra"].agency_id == world.other_agency.id
    # 0 working days after a Saturday: the next working day.
    assert tasks["Kajian potensi ekonomi mitra"].due_on == date(2025, 6, 16)
    assert tasks["Laporan hasil kunjungan kerja kepada pimpinan"].due_on == date(2025, 6, 20)


def test_without_coordinator_nor_lead_agency_the_tasks_are_skipped_with_a_message(
    client, auth, world
):
    agreement = factories.make_agreement(world.gov, None, title="Kerja sama tanpa pengampu")
    named = template(world.gov, "mou.draft_pks")
    services.save_template(
        world.admin,
        world.gov,
        named,
        {**_values(named), "assignee_kind": AssigneeKind.AGENCY, "agency": world.other_agency},
        named.version,
    )
    db.session.commit()
    auth.login(world.admin)
    response = client.post(f"/agreements/{agreement.id}/milestones/mou/new", data=mou_form())
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Kesepakatan Bersama/MoU dicatat. 1 tugas tindak lanjut dibuat otomatis." in page
    for title in (
        "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur",
        "Sosialisasi kerja sama kepada OPD teknis",
    ):
        assert f"Tugas \u201c{title}\u201d tidak dibuat: belum ada OPD Bagian Pemerintahan" in page
    assert [t.agency_id for t in tasks_of(agreement)] == [world.other_agency.id]
    assert len(agreement.mous) == 1  # the MoU itself is recorded


# --- templates per government, and the admin's page ---------------------------------------------


def test_defaults_are_installed_once_per_government(world):
    assert services.templates_for(world.gov, Trigger.MOU)  # installed on first use
    again = services.install_defaults(world.gov)
    assert again == []
    for gov in (world.gov, world.other_gov):
        services.ensure_defaults(gov)
        keys = db.session.scalars(
            select(TaskTemplate.key).where(TaskTemplate.government_id == gov.id)
        ).all()
        assert sorted(keys) == sorted(d.key for d in DEFAULT_TEMPLATES)


def test_templates_are_per_government(client, auth, world):
    mine = template(world.gov, "mou.draft_pks")
    theirs = template(world.other_gov, "mou.draft_pks")
    db.session.commit()
    auth.login(world.admin)
    response = client.post(
        f"/settings/playbooks/{mine.id}/edit",
        data=template_form(
            mine, title="Susun draf PKS bersama Bagian Hukum", due_in_working_days="25"
        ),
    )
    assert response.status_code == 302
    assert (mine.title, mine.due_in_working_days) == ("Susun draf PKS bersama Bagian Hukum", 25)
    assert (theirs.title, theirs.due_in_working_days, theirs.version) == ("Susun draf PKS", 30, 1)

    # Government B's MoU still gets B's own template.
    agreement_b = factories.make_agreement(world.other_gov, world.other_agency_b)
    recorded = record_milestone(world.other_admin, agreement_b, "mou", mou_values())
    assert "Susun draf PKS" in {t.title for t in recorded.tasks}
    assert all(t.government_id == world.other_gov.id for t in recorded.tasks)
    # And A's admin cannot open B's template.
    assert client.get(f"/settings/playbooks/{theirs.id}/edit").status_code == 404


def test_admin_edits_a_template_and_a_stale_version_is_a_conflict(client, auth, world):
    auth.login(world.admin)
    page = text(client.get("/settings/playbooks"))  # the first visit installs the defaults
    assert "Susun draf PKS" in page and "30 hari kerja" in page
    assert "Belum ada OPD yang ditandai sebagai Bagian Pemerintahan" in page
    tpl = template(world.gov, "mou.report_governor")
    stale = template_form(tpl)

    response = client.post(
        f"/settings/playbooks/{tpl.id}/edit", data=template_form(tpl, due_in_working_days="7")
    )
    assert response.status_code == 302
    assert tpl.due_in_working_days == 7 and tpl.version == 2

    response = client.post(
        f"/settings/playbooks/{tpl.id}/edit", data={**stale, "title": "Judul lama"}
    )
    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in text(response)
    db.session.refresh(tpl)
    assert (tpl.title, tpl.due_in_working_days, tpl.version) == (
        "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur",
        7,
        2,
    )


def test_template_form_refusals(client, auth, world):
    tpl = template(world.gov, "mou.socialisation")
    db.session.commit()
    auth.login(world.admin)
    url = f"/settings/playbooks/{tpl.id}/edit"
    page = text(client.post(url, data=template_form(tpl, assignee_kind="agency")))
    assert "Pilih OPD yang menerima tugas ini." in page
    page = text(client.post(url, data=template_form(tpl, due_in_working_days="366")))
    assert "Isi 0 sampai 365 hari kerja." in page
    db.session.refresh(tpl)
    assert (tpl.assignee_kind, tpl.due_in_working_days, tpl.version) == (
        AssigneeKind.COORDINATOR,
        15,
        1,
    )


def test_admin_adds_a_template_and_restores_the_defaults(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        "/settings/playbooks/new",
        data={
            "trigger": "pks",
            "title": "Unggah salinan PKS ke JDIH",
            "assignee_kind": "agency",
            "agency": str(world.other_agency.id),
            "due_in_working_days": "5",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    custom = db.session.scalar(
        select(TaskTemplate).where(TaskTemplate.title == "Unggah salinan PKS ke JDIH")
    )
    assert custom.government_id == world.gov.id and custom.key is None
    assert custom.agency_id == world.other_agency.id
    # Adding one did not keep the defaults from being installed.
    assert template(world.gov, "pks.report") is not None

    db.session.delete(template(world.gov, "pks.report"))
    db.session.commit()
    response = client.post("/settings/playbooks/restore")
    assert response.status_code == 302
    assert "1 templat bawaan ditambahkan kembali." in text(client.get("/settings/playbooks"))
    assert template(world.gov, "pks.report") is not None
    client.post("/settings/playbooks/restore")
    assert "tidak ada yang ditambahkan" in text(client.get("/settings/playbooks"))


# --- the "nearing its end" playbook (called by the daily sweep) ----------------------------------


def test_run_ending_playbooks_creates_the_evaluation_once(world, coordinator):
    today = date(2025, 10, 15)
    ending = factories.make_agreement(world.gov, world.agency, title="Segera berakhir")
    soon = factories.make_mou(ending, signed_on=date(2023, 4, 1), ends_on=today + timedelta(100))
    later = factories.make_agreement(world.gov, world.agency, title="Masih lama")
    factories.make_mou(later, signed_on=date(2024, 1, 10), ends_on=today + timedelta(days=200))
    # world.mou ends in 2028; world.pks on 2026-09-01 (321 days away).

    created = services.run_ending_playbooks(world.gov, today)
    assert [(t.title, t.agreement_id, t.milestone_kind, t.milestone_id) for t in created] == [
        ("Evaluasi dan usulan perpanjangan", ending.id, "mou", soon.id)
    ]
    task = created[0]
    assert task.agency_id == world.agency.id
    assert task.due_on == add_working_days_for(world.gov, today, 40)
    assert task.created_by_id is None

    assert services.run_ending_playbooks(world.gov, today) == []
    assert services.run_ending_playbooks(world.gov, today + timedelta(days=1)) == []
    assert len(tasks_of(ending)) == 1
    assert tasks_of(later) == []

    # The lead time is a per-government setting.
    world.gov.settings = {"ending_playbook_days": 365}
    created = services.run_ending_playbooks(world.gov, today)
    assert {(t.agreement_id, t.milestone_kind) for t in created} == {
        (later.id, "mou"),
        (world.agreement.id, "pks"),
    }


def test_ending_playbook_due_date_is_never_after_the_end_and_an_extension_skips_it(world):
    today = date(2025, 10, 15)
    agreement = factories.make_agreement(world.gov, world.agency)
    first = factories.make_mou(agreement, signed_on=date(2022, 10, 20), ends_on=date(2025, 10, 20))
    # A second agreement whose MoU was already extended by a newer one.
    extended = factories.make_agreement(world.gov, world.agency)
    factories.make_mou(extended, signed_on=date(2022, 11, 1), ends_on=date(2025, 11, 1))
    factories.make_mou(extended, signed_on=date(2025, 9, 1), ends_on=date(2028, 8, 31))

    created = services.run_ending_playbooks(world.gov, today)
    assert [(t.milestone_id, t.due_on) for t in created] == [(first.id, date(2025, 10, 20))]
    assert tasks_of(extended) == []


def test_ending_playbook_skips_closed_agreements(world):
    from kerjasama_flow.agreements.lifecycle import Stage

    agreement = factories.make_agreement(world.gov, world.agency, stage=Stage.BATAL)
    db.session.add(
        Mou(
            agreement=agreement,
            document_kind=MouKind.MOU,
            signed_on=date(2023, 1, 2),
            ends_on=date(2025, 12, 31),
        )
    )
    db.session.flush()
    assert services.run_ending_playbooks(world.gov, date(2025, 10, 15)) == []


# --- Bagian Pemerintahan: the coordinator agency --------------------------------------------------


def test_marking_a_coordinator_unmarks_the_other(client, auth, world, coordinator):
    auth.login(world.admin)
    data = {
        "code": "BAPPEDA",
        "name": "Bappeda",
        "is_coordinator": "y",
        "version": str(world.other_agency.version),
    }
    response = client.post(f"/settings/agencies/{world.other_agency.id}/edit", data=data)
    assert response.status_code == 302
    assert world.other_agency.is_coordinator is True
    assert coordinator.is_coordinator is False
    assert services.coordinator_agency(world.gov).id == world.other_agency.id
    page = text(client.get("/settings/agencies"))
    assert page.count(">Bagian Pemerintahan</span>") == 1
    unmarked = db.session.scalar(
        select(ActivityLog).where(
            ActivityLog.entity == "agency", ActivityLog.entity_id == coordinator.id
        )
    )
    assert unmarked.after == {"is_coordinator": False}
    # Callers that do not mention the flag leave it alone.
    data = {"code": "BAPPEDA", "name": "Bappeda"}
    save_agency(None, world.gov, world.other_agency, data, SYSTEM_CHANGE)
    assert world.other_agency.is_coordinator is True


def test_the_demo_marks_bagian_pemerintahan_and_runs_the_playbooks(app):
    from kerjasama_flow.demo.seed import seed_demo

    app.config["KERJASAMA_NOW"] = AFTER_THE_DEMO  # its visits and signings have taken place

    seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    coordinators = db.session.scalars(select(Agency).where(Agency.is_coordinator.is_(True))).all()
    assert sorted(a.code for a in coordinators) == ["PEM", "PEM", "PEM"]
    assert len({a.government_id for a in coordinators}) == 3
    # The demo records its steps as an officer would: their playbooks create tasks.
    assert db.session.scalar(select(func.count(Task.id)).where(Task.template_id.is_not(None))) > 0


def test_the_documented_defaults_are_the_shipped_ones():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "playbooks.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| ") and "`" in line]
    documented = {
        (cells[2].strip("` "), cells[3].strip(), cells[5].strip())
        for cells in (row.split("|") for row in rows)
        if "." in cells[2]
    }
    shipped = {(d.key, d.title, f"{d.due_in_working_days} hari kerja") for d in DEFAULT_TEMPLATES}
    assert documented == shipped


def test_seeding_again_marks_bagian_pemerintahan_of_an_older_demo(app):
    from kerjasama_flow.demo.seed import seed_demo

    app.config["KERJASAMA_NOW"] = AFTER_THE_DEMO  # its visits and signings have taken place

    seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    for agency in db.session.scalars(select(Agency).where(Agency.is_coordinator.is_(True))):
        agency.is_coordinator = False  # as seeded before agencies could be marked
    db.session.commit()

    seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    marked = db.session.scalars(select(Agency).where(Agency.is_coordinator.is_(True))).all()
    assert sorted(a.code for a in marked) == ["PEM", "PEM", "PEM"]
