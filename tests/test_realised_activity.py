"""Realisasi kegiatan: non-trade cooperation (Kota Malang - Kota Jambi's e-government and PAD
digitalisation) reaches Pelaksanaan through a realised activity, as trade does through a
transaction; the rules, the follow-up it completes and starts, and the page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.lifecycle import Facts, Stage, stage_from_facts
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Closure, TaskStatus
from tests import factories
from tests.agreements_helpers import NOW, text
from tests.test_tasks_follow_up import kb_values, pks_values, tasks_of

HELD_ON = date(2025, 10, 13)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW  # 15 October 2025


@pytest.fixture
def fresh(world):
    """A new agreement of non-trade cooperation, as Kota Malang's with Kota Jambi."""
    agreement = factories.make_agreement(
        world.gov, world.agency, title="Digitalisasi PAD dan e-government dengan Kota Jambi"
    )
    db.session.commit()
    return agreement


def activity_values(agreement, on: date = HELD_ON, **overrides) -> dict:
    values = {
        "mou": agreement.mous[-1] if agreement.mous else None,
        "pks": None,
        "held_on": on,
        "name": "Pelatihan aplikasi pajak daerah digital bagi petugas Bapenda Kota Jambi",
        "place": "Balai Kota Malang",
        "participants": "12 petugas Bapenda Kota Jambi",
        "output": "Petugas mampu mengoperasikan e-SPTPD",
    }
    values.update(overrides)
    return values


def test_a_realised_activity_is_a_realisation_as_a_transaction_is():
    assert stage_from_facts(Facts(has_mou=True, has_activity=True)) == Stage.PELAKSANAAN
    assert stage_from_facts(Facts(has_mou=True)) == Stage.KESEPAKATAN
    assert Facts(has_transaction=True).is_realised and not Facts(has_pks=True).is_realised


def test_an_activity_under_a_kb_brings_the_agreement_to_pelaksanaan(world, fresh):
    services.record_milestone(world.admin, fresh, "mou", kb_values())
    outcome = services.record_milestone(world.admin, fresh, "activity", activity_values(fresh))
    db.session.commit()
    assert fresh.stage == Stage.PELAKSANAAN
    assert outcome.value.kind == "activity" and fresh.activities == [outcome.value]
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "activity"))
    assert entry.action == "created" and entry.after["name"].startswith("Pelatihan")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mou": None}, "pks", "di bawah Kesepakatan Bersama atau PKS"),
        ({"held_on": date(2025, 10, 1)}, "held_on", "sebelum dasar kerja samanya"),
        ({"held_on": date(2025, 10, 16)}, "held_on", "tidak boleh melewati hari ini"),
    ],
)
def test_the_rules_of_an_activity(world, fresh, overrides, field, message):
    services.record_milestone(world.admin, fresh, "mou", kb_values())  # signed 6 October
    with pytest.raises(DomainError) as refused:
        services.record_milestone(
            world.admin, fresh, "activity", activity_values(fresh, **overrides)
        )
    errors = getattr(refused.value, "errors", None) or {refused.value.field: refused.value.message}
    assert field in errors and message in errors[field]


def test_the_first_activity_completes_the_first_realisation_task_and_starts_its_playbook(
    world, coordinator, fresh
):
    services.record_milestone(world.admin, fresh, "mou", kb_values())
    services.record_milestone(world.admin, fresh, "pks", pks_values(fresh))
    waiting = tasks_of(fresh)["Realisasi transaksi perdana"]
    assert (waiting.status, waiting.completed_by) == (TaskStatus.OPEN, "transaction")

    activity = services.record_milestone(
        world.admin, fresh, "activity", activity_values(fresh, pks=fresh.pks_list[-1])
    ).value
    tasks = tasks_of(fresh)
    assert waiting.status == TaskStatus.DONE
    assert (waiting.closure, waiting.closed_by_kind, waiting.closed_by_id) == (
        Closure.STEP,
        "activity",
        activity.id,
    )
    assert "Realisasi kegiatan dicatat 13 Oktober 2025" in waiting.note
    after_first = {title for title, task in tasks.items() if task.milestone_kind == "activity"}
    assert after_first  # the first realisation's playbook (report, monev) ran

    services.record_milestone(world.admin, fresh, "activity", activity_values(fresh))
    again = {t for t, task in tasks_of(fresh).items() if task.milestone_kind == "activity"}
    assert again == after_first  # a second activity starts nothing new


def test_a_kb_that_an_activity_carries_out_cannot_be_deleted(world, fresh):
    kb = services.record_milestone(world.admin, fresh, "mou", kb_values()).value
    services.record_milestone(world.admin, fresh, "activity", activity_values(fresh))
    db.session.commit()
    with pytest.raises(DomainError, match="dasar realisasi kegiatan"):
        services.delete_milestone(world.admin, kb, kb.version)


def test_admin_records_an_activity_through_the_page(client, auth, world):
    agreement = factories.make_agreement(world.gov, world.agency, title="Kota Malang - Kota Jambi")
    kb = factories.make_mou(agreement, signed_on=date(2025, 9, 1))
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Catat realisasi kegiatan" in page
    url = f"/agreements/{agreement.id}/milestones/activity/new"
    form = text(client.get(url))
    assert f'<option selected value="{kb.id}">' in form  # the KB it most likely carries out
    response = client.post(
        url,
        data={
            "mou": str(kb.id),
            "held_on": "2025-10-13",
            "name": "Bimbingan teknis digitalisasi PAD",
            "place": "Kota Jambi",
            "participants": "Bapenda kedua kota",
            "output": "Rencana aksi integrasi data pajak",
        },
    )
    assert response.status_code == 302
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Realisasi kegiatan: Bimbingan teknis digitalisasi PAD" in page
    assert "Hasil:</span> Rencana aksi integrasi data pajak" in page
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN
