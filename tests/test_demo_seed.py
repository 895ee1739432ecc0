"""seed-demo: the seed reports as demo data, built through the services, idempotent."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Government, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage, stage_from_facts
from kerjasama_flow.agreements.models import SECTORS, Agreement, MouKind, VisitDirection
from kerjasama_flow.agreements.services import facts_for
from kerjasama_flow.demo.data import GOVERNMENTS
from kerjasama_flow.demo.seed import seed_demo
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _agreement(ref: str) -> Agreement:
    return db.session.scalar(select(Agreement).where(Agreement.external_ref == ref))


@pytest.fixture
def seeded(app):
    summary = seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    return summary


def test_seeding_twice_changes_nothing(app):
    first = seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    after_first = _row_counts()
    assert after_first["activity_log"] > 0

    second = seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()

    assert _row_counts() == after_first
    assert first.created > 0
    assert second.created == 0
    assert "baru dibuat: 0" in second.describe()
    assert second.describe().split(" (")[0] == first.describe().split(" (")[0]


def test_seeding_fills_in_a_government_registered_by_hand_only_when_forced(app):
    from kerjasama_flow.accounts.services import create_government
    from kerjasama_flow.demo.seed import DemoRefused

    create_government("35.72", "Kota Blitar")
    db.session.commit()
    with pytest.raises(DemoRefused):
        seed_demo(factories.DEMO_PASSWORD)
    db.session.rollback()

    summary = seed_demo(factories.DEMO_PASSWORD, into_existing=True)
    db.session.commit()

    assert db.session.scalar(select(func.count(Government.id))) == 3
    assert summary.new["governments"] == 2
    assert _agreement("DEMO-BLITAR-DKI-2025") is not None
    # Registered without its province: filled in, so its reports go to the Gubernur Jawa Timur.
    blitar = db.session.scalar(select(Government).where(Government.region_code == "35.72"))
    assert blitar.province == "Jawa Timur"
    report_task = db.session.scalar(
        select(Task.title).where(Task.government_id == blitar.id, Task.title.like("Laporkan%"))
    )
    assert report_task.endswith("kepada Gubernur Jawa Timur")


def test_summary_counts_and_accounts(seeded):
    assert seeded.governments == 3
    assert seeded.agreements == 7
    assert seeded.users == len(seeded.accounts) == db.session.scalar(select(func.count(User.id)))
    assert seeded.tasks == db.session.scalar(select(func.count(Task.id)))
    text = seeded.describe()
    assert text.startswith("Data demo: 3 Pemda, ")
    assert "7 kerja sama" in text
    blitar_admin = next(line for line in seeded.accounts if "admin@blitarkota.demo" in line)
    assert "Bagian Pemerintahan (admin)" in blitar_admin
    assert blitar_admin.endswith("Kota Blitar")


def test_governments_of_jawa_timur(seeded):
    governments = {g.region_code: g for g in db.session.scalars(select(Government))}
    assert {code: g.name for code, g in governments.items()} == {
        "35.72": "Kota Blitar",
        "35.07": "Kabupaten Malang",
        "35.73": "Kota Malang",
    }
    for government in governments.values():
        assert government.timezone == "Asia/Jakarta"
        assert government.province == "Jawa Timur"
    assert governments["35.07"].kind.value == "kabupaten"
    blitar_codes = {a.code for a in governments["35.72"].agencies}
    assert {"PEM", "BAPPEDA", "DKPP", "DISPERINDAG"} <= blitar_codes


def test_blitar_dki_is_in_pelaksanaan_with_pks_and_transactions(seeded):
    agreement = _agreement("DEMO-BLITAR-DKI-2025")
    assert agreement.stage == Stage.PELAKSANAAN
    assert agreement.government.region_code == "35.72"
    assert agreement.lead_agency.code == "DKPP"
    # The KB is with the province only; its BUMD are the buyers of the transactions.
    assert [p.name for p in agreement.partners] == ["Pemerintah Provinsi DKI Jakarta"]

    (mou,) = agreement.mous
    assert mou.signed_on == date(2025, 8, 14)
    assert mou.place == "Balai Kota DKI Jakarta"
    assert mou.starts_on == mou.signed_on
    assert mou.ends_on > mou.starts_on

    (pks,) = agreement.pks_list
    assert pks.mou is mou and not pks.is_direct
    assert [a.code for a in pks.agencies] == ["DKPP"]
    assert "DKI Jakarta" in pks.partner_agency

    buyers = {t.buyer for t in agreement.transactions}
    assert buyers == {"Perumda Pasar Jaya", "Perumda Dharma Jaya", "PT Food Station Tjipinang Jaya"}
    for transaction in agreement.transactions:
        assert transaction.pks is pks
        assert transaction.value_rp > 0
        assert "ilustratif" in transaction.notes


def test_kabupaten_malang_batam_visit_then_kesepakatan(seeded):
    agreement = _agreement("DEMO-KABMALANG-BATAM-2025")
    assert agreement.government.region_code == "35.07"
    assert agreement.stage == Stage.KESEPAKATAN
    (visit,) = agreement.visits
    assert visit.visited_on == date(2025, 6, 16)
    assert visit.direction == VisitDirection.OUTGOING
    assert "Nongsa Digital Park" in visit.topics
    (mou,) = agreement.mous
    assert mou.signed_on == date(2025, 12, 5)
    assert mou.signatory_own.startswith("M. Sanusi")
    assert mou.signatory_partner.startswith("Amsakar Achmad")
    for commodity in ("susu sapi", "ikan nila", "cabai", "kentang", "telur"):
        assert commodity in agreement.commodities

    tasks = db.session.scalars(select(Task).where(Task.agreement_id == agreement.id)).all()
    egov = next(t for t in tasks if "e-government Kota Batam" in t.title)
    assert egov.agency.code == "BAPPEDA"
    assert egov.milestone_kind == "visit" and egov.milestone_id == visit.id
    assert any(t.title.startswith("OPD teknis menindaklanjuti detail kerja sama") for t in tasks)


def test_kota_malang_jambi_kesepakatan_bersama(seeded):
    agreement = _agreement("DEMO-KOTAMALANG-JAMBI-2026")
    assert agreement.government.region_code == "35.73"
    assert agreement.stage == Stage.PELAKSANAAN  # through a realised activity, no PKS
    (mou,) = agreement.mous
    assert mou.document_kind == MouKind.KB
    assert mou.signed_on == date(2026, 1, 12)
    assert agreement.visits[0].direction == VisitDirection.INCOMING
    assert {"pad", "pendidikan", "kesehatan", "infrastruktur", "pelayanan_publik"} <= set(
        agreement.sectors
    )
    agencies = {
        t.agency.code
        for t in db.session.scalars(select(Task).where(Task.agreement_id == agreement.id))
    }
    assert "BAPENDA" in agencies


def test_every_agreement_follows_its_milestones(seeded):
    agreements = db.session.scalars(select(Agreement)).all()
    assert len(agreements) == 7
    for agreement in agreements:
        assert agreement.stage == stage_from_facts(facts_for(agreement)), agreement.title
        assert agreement.external_ref.startswith("DEMO-")
        assert set(agreement.sectors) <= set(SECTORS)
        for mou in agreement.mous:
            assert mou.starts_on == mou.signed_on
            assert mou.starts_on < mou.ends_on <= mou.starts_on.replace(year=mou.starts_on.year + 5)
    stages = {a.external_ref: a.stage for a in agreements}
    assert stages["DEMO-BLITAR-DEPOK-2025"] == Stage.KESEPAKATAN
    assert stages["DEMO-BLITAR-DKI-2025"] == Stage.PELAKSANAAN


def test_activity_log_records_the_stages_reached(seeded):
    agreement = _agreement("DEMO-BLITAR-DKI-2025")
    stage_changes = db.session.scalars(
        select(ActivityLog)
        .where(ActivityLog.agreement_id == agreement.id, ActivityLog.action == "stage_changed")
        .order_by(ActivityLog.id)
    ).all()
    assert [entry.after["stage"] for entry in stage_changes] == [
        "kesepakatan",
        "pks",
        "pelaksanaan",
    ]
    assert all(entry.actor.email == "admin@blitarkota.demo" for entry in stage_changes)


def test_tasks_are_done_open_and_overdue(seeded):
    tasks = db.session.scalars(select(Task)).all()
    by_status = {status: [t for t in tasks if t.status == status] for status in TaskStatus}
    assert by_status[TaskStatus.DONE] and by_status[TaskStatus.IN_PROGRESS]
    assert by_status[TaskStatus.OPEN]
    for done in by_status[TaskStatus.DONE]:
        assert done.note and done.done_at is not None
    # Overdue whenever the demo is tried after January 2026, and something still due later.
    assert len([t for t in tasks if t.is_overdue(date(2026, 1, 31))]) >= 3
    assert len([t for t in tasks if t.status.is_open and t.due_on.year >= 2027]) >= 3
    for government in db.session.scalars(select(Government)):
        own = [t for t in tasks if t.government_id == government.id]
        assert any(t.status == TaskStatus.DONE for t in own), government.name
        assert any(t.is_overdue(date(2026, 12, 1)) for t in own), government.name
        assert all(t.agency.government_id == government.id for t in own)


def test_every_government_has_all_roles(seeded):
    for spec in GOVERNMENTS:
        government = db.session.scalar(
            select(Government).where(Government.region_code == spec.region_code)
        )
        users = db.session.scalars(select(User).where(User.government_id == government.id)).all()
        assert {u.role for u in users} == set(Role), spec.name
        for user in users:
            assert user.check_password(factories.DEMO_PASSWORD)
            assert user.role != Role.OPD or user.agency.government_id == government.id


def test_every_demo_account_can_log_in(seeded, app):
    emails = [line.split()[0] for line in seeded.accounts]
    assert len(emails) == len(set(emails)) >= 9
    for email in emails:
        client = app.test_client()  # a fresh session each: no login is carried over
        response = client.post("/login", data={"email": email, "password": factories.DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert "/login" not in response.headers["Location"], email
        refused = client.post("/login", data={"email": email, "password": "salah-sekali"})
        assert refused.status_code == 302  # already logged in: sent home, not refused


def test_wrong_password_is_refused_for_demo_accounts(seeded, client):
    response = client.post(
        "/login", data={"email": "admin@blitarkota.demo", "password": "bukan-sandinya"}
    )
    assert response.status_code == 200
    assert "Email atau kata sandi salah" in response.get_data(as_text=True)
