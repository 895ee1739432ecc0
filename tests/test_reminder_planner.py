"""The planning half of the sweep on a real database (SQLite, and PostgreSQL when configured):
which outbox rows and notifications ``plan()`` writes, for whom, and that it writes them once.

The "nearing its end" playbooks are replaced by a stub here (they have tests of their own);
one test checks that ``plan()`` calls them per government with its "today".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Agency, Government, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks import services as playbook_services
from kerjasama_flow.reminders import planner
from kerjasama_flow.reminders.models import Notification, Outbox, OutboxStatus, Rule
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories

TODAY = date(2025, 10, 17)  # a Friday
NOW = "2025-10-17T07:00:00+07:00"


@pytest.fixture(autouse=True)
def pinned(app, monkeypatch):
    app.config["KERJASAMA_NOW"] = NOW
    calls = []

    def no_playbooks(government, today):
        calls.append((government.id, today))
        return []

    monkeypatch.setattr(playbook_services, "run_ending_playbooks", no_playbooks)
    return calls


@dataclass
class Town:
    gov: Government
    dkpp: Agency
    bappeda: Agency
    admin: User
    pimpinan: User
    opd: User
    quiet: User  # DKPP, email notifications off
    gone: User  # DKPP, deactivated
    bappeda_opd: User
    agreement: Agreement


@pytest.fixture
def town(app) -> Town:
    gov = factories.make_government("35.72", "Kota Blitar")
    dkpp = factories.make_agency(gov, "DKPP", name="Dinas Ketahanan Pangan dan Pertanian")
    bappeda = factories.make_agency(gov, "BAPPEDA", name="Bappeda")
    partner = factories.make_partner(gov, "Pemerintah Kota Depok")
    town = Town(
        gov=gov,
        dkpp=dkpp,
        bappeda=bappeda,
        admin=factories.make_user(gov, Role.ADMIN, email="admin@blitarkota.go.id"),
        pimpinan=factories.make_user(gov, Role.PIMPINAN, email="walikota@blitarkota.go.id"),
        opd=factories.make_user(gov, Role.OPD, agency=dkpp, email="dkpp@blitarkota.go.id"),
        quiet=factories.make_user(
            gov, Role.OPD, agency=dkpp, email="sekdkpp@blitarkota.go.id", is_email_enabled=False
        ),
        gone=factories.make_user(
            gov, Role.OPD, agency=dkpp, email="mantan@blitarkota.go.id", is_active=False
        ),
        bappeda_opd=factories.make_user(
            gov, Role.OPD, agency=bappeda, email="bappeda@blitarkota.go.id"
        ),
        agreement=factories.make_agreement(
            gov, dkpp, partners=[partner], title="Pasokan pangan ke Depok"
        ),
    )
    db.session.commit()
    return town


def task(town: Town, due_on: date, title: str = "Susun draf PKS", **kw):
    created = factories.make_task(
        town.agreement, kw.pop("agency", town.dkpp), title=title, due_on=due_on, **kw
    )
    db.session.commit()
    return created


def outbox() -> set[tuple]:
    db.session.rollback()
    return {
        (
            row.recipient.email,
            row.channel.value,
            row.item_kind,
            row.item_id,
            row.rule.value,
            row.period,
        )
        for row in db.session.scalars(select(Outbox))
    }


def notifications() -> set[tuple]:
    db.session.rollback()
    return {
        (
            db.session.get(User, row.user_id).email,
            row.item_kind,
            row.item_id,
            row.rule.value,
            row.period,
        )
        for row in db.session.scalars(select(Notification))
    }


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def only(plans, government) -> planner.GovernmentPlan:
    found = [p for p in plans if p.government.id == government.id]
    assert len(found) == 1
    assert found[0].error is None, found[0].error
    return found[0]


# --- tasks ------------------------------------------------------------------------------------


def test_plans_each_rule_for_the_right_recipients_and_channels(town):
    late7 = task(town, date(2025, 10, 8))  # H+7: overdue again and escalation
    soon = task(town, date(2025, 10, 22), "Rapat koordinasi", assignee_id=town.bappeda_opd.id)
    today = task(town, TODAY, "Kirim laporan")
    late1 = task(town, date(2025, 10, 16), "Siapkan MoU", status=TaskStatus.IN_PROGRESS)
    task(town, date(2025, 10, 15), "Bukan hari pengingat")  # H+2: nothing today
    task(town, date(2025, 10, 16), "Sudah selesai", status=TaskStatus.DONE)
    task(town, date(2025, 10, 16), "Dibatalkan", status=TaskStatus.CANCELLED)
    task(town, date(2025, 10, 23), "Masih lama")  # H-4: nothing yet

    result = only(plan(TODAY), town.gov)

    agency = [town.opd.email, town.quiet.email]  # the DKPP users still active
    expected_notifications = set()
    for item, rule, period, people in [
        (late7, "overdue", "2025-10-17", agency),
        (late7, "escalation", "2025-10-08", [town.admin.email, town.pimpinan.email]),
        (soon, "due_soon", "2025-10-22", [*agency, town.bappeda_opd.email]),
        (today, "due_today", "2025-10-17", agency),
        (late1, "overdue", "2025-10-17", agency),
    ]:
        expected_notifications |= {(email, "task", item.id, rule, period) for email in people}
    assert notifications() == expected_notifications
    # Email to everyone but the user who turned it off; no WhatsApp gateway configured.
    assert outbox() == {
        (email, "email", kind, item_id, rule, period)
        for email, kind, item_id, rule, period in expected_notifications
        if email != town.quiet.email
    }
    assert result.queued == count(Outbox) == 7
    assert result.notified == count(Notification) == 11
    assert result.today == TODAY
    assert sorted((i.recipient_email, i.channel, i.rule.value) for i in result.items) == sorted(
        [(e, "email", r) for e, _, _, _, r, _ in outbox()]
        + [(e, "in_app", r) for e, _, _, r, _ in notifications()]
    )


def test_rows_carry_title_link_due_date_and_the_clock(town):
    late = task(town, date(2025, 10, 8), "Susun draf PKS")
    plan(TODAY)
    row = db.session.scalars(
        select(Outbox).where(Outbox.rule == Rule.OVERDUE, Outbox.recipient_id == town.opd.id)
    ).one()
    assert row.title == "Terlambat 9 hari: Susun draf PKS (Pemerintah Kota Depok)"
    assert row.url == f"/tasks/{late.id}"
    assert row.due_on == date(2025, 10, 8)
    assert row.government_id == town.gov.id
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.next_attempt_at.isoformat() == "2025-10-17T00:00:00+00:00"  # KERJASAMA_NOW
    escalation = db.session.scalars(
        select(Notification).where(Notification.rule == Rule.ESCALATION)
    ).first()
    assert escalation.title == "Eskalasi, terlambat 9 hari: Susun draf PKS (Pemerintah Kota Depok)"
    assert escalation.read_at is None
    assert escalation.created_at.isoformat() == "2025-10-17T00:00:00+00:00"


def test_titles_of_the_other_task_rules(town):
    task(town, date(2025, 10, 22), "Rapat koordinasi")
    task(town, TODAY, "Kirim laporan")
    plan(TODAY)
    titles = {n.rule: n.title for n in db.session.scalars(select(Notification))}
    assert titles == {
        Rule.DUE_SOON: "Jatuh tempo 22 Okt 2025: Rapat koordinasi (Pemerintah Kota Depok)",
        Rule.DUE_TODAY: "Jatuh tempo hari ini: Kirim laporan (Pemerintah Kota Depok)",
    }


def test_a_second_plan_the_same_day_inserts_nothing(town):
    task(town, date(2025, 10, 8))
    task(town, date(2025, 10, 22))
    first = only(plan(TODAY), town.gov)
    rows, notes = outbox(), notifications()
    second = only(plan(TODAY), town.gov)
    assert (first.queued, first.notified) == (4, 6)
    assert (second.queued, second.notified, second.items) == (0, 0, [])
    assert (outbox(), notifications()) == (rows, notes)


def test_the_next_overdue_day_plans_a_new_reminder(town):
    late = task(town, date(2025, 10, 16))
    plan(TODAY)  # H+1
    monday = only(plan(date(2025, 10, 20)), town.gov)  # H+2: nothing for the task
    assert [item.rule for item in monday.items] == [Rule.WEEKLY]  # the leaders' digest only
    assert only(plan(date(2025, 10, 22)), town.gov).queued == 1  # H+4
    periods = sorted(p for _, _, item, rule, p in notifications() if item == late.id)
    assert periods == ["2025-10-17", "2025-10-17", "2025-10-22", "2025-10-22"]


def test_a_user_with_email_off_gets_only_the_in_app_notification(town):
    task(town, TODAY)
    plan(TODAY)
    assert [r for r in outbox() if r[0] == town.quiet.email] == []
    assert [n[0] for n in notifications() if n[0] == town.quiet.email] == [town.quiet.email]


def test_whatsapp_only_with_a_gateway_a_phone_and_the_users_consent(app, town):
    town.opd.is_whatsapp_enabled = True
    town.opd.phone = "+6281234567890"
    town.quiet.is_whatsapp_enabled = True
    town.quiet.phone = "+6281200000000"
    town.bappeda_opd.phone = "+6281211111111"  # a phone, but WhatsApp not turned on
    town.admin.is_whatsapp_enabled = True  # turned on, but no phone
    db.session.commit()
    task(town, TODAY)
    task(town, date(2025, 10, 8), assignee_id=town.bappeda_opd.id)

    plan(TODAY)
    assert {r[0] for r in outbox() if r[1] == "whatsapp"} == set()  # no gateway configured

    app.config["WHATSAPP_GATEWAY_URL"] = "http://127.0.0.1:9/kirim"
    plan(date(2025, 10, 22))  # a new overdue day for the late task
    whatsapp = {(r[0], r[4]) for r in outbox() if r[1] == "whatsapp"}
    assert whatsapp == {(town.opd.email, "overdue"), (town.quiet.email, "overdue")}


def test_escalation_reaches_leadership_and_admins_only(town):
    factories.make_user(town.gov, Role.ADMIN, email="admin2@blitarkota.go.id")
    factories.make_user(town.gov, Role.PIMPINAN, email="sekda@blitarkota.go.id", is_active=False)
    db.session.commit()
    late = task(town, date(2025, 10, 8), assignee_id=town.bappeda_opd.id)
    plan(TODAY)
    escalated = {n[0] for n in notifications() if n[3] == "escalation"}
    assert escalated == {town.admin.email, "admin2@blitarkota.go.id", town.pimpinan.email}
    assert {r[0] for r in outbox() if r[4] == "escalation" and r[2:4] == ("task", late.id)} == (
        escalated
    )


def test_a_coordinator_task_goes_to_the_admins(town):
    town.bappeda.is_coordinator = True
    db.session.commit()
    task(town, TODAY, agency=town.bappeda)
    plan(TODAY)
    assert {n[0] for n in notifications()} == {town.bappeda_opd.email, town.admin.email}


def test_long_overdue_tasks_are_reminded_on_their_days_only(town):
    on_day = task(town, date(2024, 12, 2))
    off_day = task(town, date(2024, 12, 3))
    plans = plan(TODAY)
    assert only(plans, town.gov).error is None
    reminded = {n[2] for n in notifications()}
    # One of two consecutive due dates is on an overdue day; both never are.
    assert len(reminded & {on_day.id, off_day.id}) <= 1
    for day in range(0, 6):
        plan(TODAY + timedelta(days=day))
    reminded = {n[2] for n in notifications()}
    assert {on_day.id, off_day.id} <= reminded


def test_batches_and_date_chunks(monkeypatch, town):
    monkeypatch.setattr(planner, "TASK_BATCH", 3)
    monkeypatch.setattr(planner, "DATES_PER_QUERY", 2)
    due_dates = [date(2025, 10, 16), date(2025, 10, 13), date(2025, 10, 8), TODAY]
    made = [task(town, due, f"Tugas {i}") for i in range(4) for due in due_dates]
    result = only(plan(TODAY), town.gov)
    notified_items = {n[2] for n in notifications()}
    # 10-13 is H+4 (overdue), 10-08 H+7, 10-16 H+1, today: every task is reminded.
    assert notified_items == {t.id for t in made}
    assert result.notified == count(Notification)


def test_the_governments_settings_change_the_rules(town):
    town.gov.settings = {"escalation_working_days": 9, "due_soon_working_days": 4}
    db.session.commit()
    task(town, date(2025, 10, 8))  # H+7 no longer escalates
    task(town, date(2025, 10, 23))  # H-4 is now "due soon"
    plan(TODAY)
    assert {n[3] for n in notifications()} == {"overdue", "due_soon"}


def test_the_governments_own_days_off_count(town):
    factories.make_day_off(town.gov, date(2025, 10, 16), name="Hari Jadi Kota Blitar")
    db.session.commit()
    task(town, date(2025, 10, 15))  # H+2 normally; with 16 Oct off, today is H+1
    plan(TODAY)
    assert {(n[3], n[4]) for n in notifications()} == {("overdue", "2025-10-17")}


# --- MoU/PKS end dates ------------------------------------------------------------------------


def test_end_date_notices_go_to_the_lead_agency_and_the_admins(town):
    mou = factories.make_mou(
        town.agreement,
        number_own="12/2025",
        signed_on=date(2023, 1, 16),
        ends_on=TODAY + timedelta(days=90),
    )
    pks = factories.make_pks(town.agreement, mou, agencies=[town.dkpp], ends_on=TODAY)
    far = factories.make_pks(town.agreement, mou, ends_on=TODAY + timedelta(days=400))
    db.session.commit()

    result = only(plan(TODAY), town.gov)
    people = {town.opd.email, town.quiet.email, town.admin.email}
    assert notifications() == {
        (email, kind, item, "ending", period)
        for email in people
        for kind, item, period in [
            ("mou", mou.id, "H-90@2026-01-15"),
            ("pks", pks.id, "H-0@2025-10-17"),
        ]
    }
    assert far.id not in {n[2] for n in notifications() if n[1] == "pks"}
    assert {r[0] for r in outbox()} == {town.opd.email, town.admin.email}
    row = db.session.scalars(select(Outbox).where(Outbox.item_kind == "mou")).first()
    assert row.title == "MoU 12/2025 berakhir dalam 90 hari (15 Jan 2026): Pasokan pangan ke Depok"
    assert row.url == f"/agreements/{town.agreement.id}"
    assert row.due_on == TODAY + timedelta(days=90)
    titles = {n.title for n in db.session.scalars(select(Notification))}
    assert "PKS berakhir hari ini: Pasokan pangan ke Depok" in titles
    assert result.ended == 0

    # The next days: nothing new until the next threshold; a missed day still sends it.
    assert only(plan(TODAY + timedelta(days=1)), town.gov).notified == 0
    later = only(plan(TODAY + timedelta(days=31)), town.gov)  # 59 days left: H-60, a day late
    assert {(i.channel, i.title) for i in later.items if i.recipient_email == town.opd.email} == {
        ("email", "MoU 12/2025 berakhir dalam 59 hari (15 Jan 2026): Pasokan pangan ke Depok"),
        ("in_app", "MoU 12/2025 berakhir dalam 59 hari (15 Jan 2026): Pasokan pangan ke Depok"),
    }


def test_no_end_date_notices_for_closed_agreements(town):
    closed = factories.make_agreement(town.gov, town.dkpp, stage=Stage.BATAL)
    factories.make_mou(closed, signed_on=date(2023, 1, 16), ends_on=TODAY + timedelta(days=7))
    closed.stage = Stage.BATAL
    db.session.commit()
    assert only(plan(TODAY), town.gov).notified == 0


def test_an_agreement_without_lead_agency_notifies_the_admins(town):
    orphan = factories.make_agreement(town.gov, None, title="Tanpa OPD pengampu")
    factories.make_mou(orphan, signed_on=date(2023, 1, 16), ends_on=TODAY + timedelta(days=30))
    db.session.commit()
    plan(TODAY)
    assert {n[0] for n in notifications()} == {town.admin.email}


# --- agreements whose documents all ended ------------------------------------------------------


def ended_agreement(town, title, **documents):
    agreement = factories.make_agreement(town.gov, town.dkpp, title=title)
    mou = factories.make_mou(
        agreement, signed_on=date(2021, 1, 4), ends_on=documents.get("mou_ends", date(2025, 10, 1))
    )
    if "pks_ends" in documents:
        factories.make_pks(
            agreement, mou, signed_on=date(2021, 2, 1), ends_on=documents["pks_ends"]
        )
    db.session.commit()
    return agreement


def test_an_agreement_whose_documents_all_ended_is_marked_ended_with_a_log_entry(town):
    ended = ended_agreement(town, "Selesai masa berlaku", pks_ends=date(2025, 10, 16))
    result = only(plan(TODAY), town.gov)
    assert result.ended == 1
    db.session.refresh(ended)
    assert ended.stage == Stage.BERAKHIR
    assert ended.stage_reason == "Masa berlaku MoU/PKS berakhir pada 16 Oktober 2025"
    entry = db.session.scalars(
        select(ActivityLog).where(ActivityLog.agreement_id == ended.id)
    ).one()
    assert entry.actor_id is None
    assert entry.action == "stage_changed"
    assert entry.entity == "agreement" and entry.entity_id == ended.id
    assert entry.government_id == town.gov.id
    assert entry.before == {"stage": "pks"}
    assert entry.after == {
        "stage": "berakhir",
        "reason": "Masa berlaku MoU/PKS berakhir pada 16 Oktober 2025",
    }
    assert entry.at.isoformat() == "2025-10-17T00:00:00+00:00"
    # Once is enough.
    assert only(plan(TODAY), town.gov).ended == 0
    assert count(ActivityLog) == 1


def test_agreements_that_are_not_marked_ended(town):
    ended_agreement(town, "Diperpanjang", pks_ends=date(2026, 10, 16))
    ended_agreement(town, "Hari terakhir", mou_ends=TODAY)
    open_ended = factories.make_agreement(town.gov, town.dkpp, title="Tanpa tanggal akhir")
    factories.make_mou(open_ended, signed_on=date(2021, 1, 4), ends_on=None)
    factories.make_pks(open_ended, None, signed_on=date(2021, 2, 1), ends_on=date(2022, 1, 1))
    stalled = ended_agreement(town, "Ditunda")
    stalled.stage = Stage.DITUNDA
    done = ended_agreement(town, "Selesai")
    done.stage = Stage.SELESAI
    db.session.commit()
    # town.agreement has no document at all

    assert only(plan(TODAY), town.gov).ended == 0
    stages = dict(db.session.execute(select(Agreement.title, Agreement.stage)).all())
    assert stages == {
        "Diperpanjang": Stage.PKS,
        "Hari terakhir": Stage.KESEPAKATAN,
        "Tanpa tanggal akhir": Stage.PKS,
        "Ditunda": Stage.DITUNDA,
        "Selesai": Stage.SELESAI,
        "Pasokan pangan ke Depok": Stage.PENJAJAKAN,
    }
    # No agreement changed (the documents still in force got their monev tasks).
    changed = select(func.count()).where(ActivityLog.entity == "agreement")
    assert db.session.scalar(changed) == 0


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_what_would_be_sent(town):
    task(town, date(2025, 10, 8))
    ended = ended_agreement(town, "Selesai masa berlaku")
    before = (count(Outbox), count(Notification), count(ActivityLog))

    dry = only(plan(TODAY, dry_run=True), town.gov)
    assert (count(Outbox), count(Notification), count(ActivityLog)) == before
    db.session.refresh(ended)
    assert ended.stage == Stage.KESEPAKATAN
    assert (dry.queued, dry.notified, dry.ended) == (3, 4, 1)
    assert ("admin@blitarkota.go.id", "email", Rule.ESCALATION) in {
        (i.recipient_email, i.channel, i.rule) for i in dry.items
    }

    real = only(plan(TODAY), town.gov)
    assert (real.queued, real.notified, real.ended) == (dry.queued, dry.notified, dry.ended)
    assert sorted(real.items, key=repr) == sorted(dry.items, key=repr)

    # What is already planned is not shown as "would be sent" again.
    again = only(plan(TODAY, dry_run=True), town.gov)
    assert (again.queued, again.notified, again.ended, again.items) == (0, 0, 0, [])


def test_dry_run_excludes_existing_rows_but_shows_new_ones(town):
    task(town, date(2025, 10, 8))
    plan(TODAY)
    task(town, TODAY, "Kirim laporan")
    dry = only(plan(TODAY, dry_run=True), town.gov)
    assert {i.rule for i in dry.items} == {Rule.DUE_TODAY}
    assert dry.queued == 1  # dkpp (email); the quiet user only in-app


# --- governments ----------------------------------------------------------------------------------


def test_tenants_are_planned_separately(town):
    makassar = factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    dinas = factories.make_agency(makassar, "DKP", name="Dinas Ketahanan Pangan Makassar")
    admin_m = factories.make_user(makassar, Role.ADMIN, email="admin@makassarkota.go.id")
    opd_m = factories.make_user(makassar, Role.OPD, agency=dinas, email="dkp@makassarkota.go.id")
    pimpinan_m = factories.make_user(makassar, Role.PIMPINAN, email="walikota@makassarkota.go.id")
    agreement_m = factories.make_agreement(makassar, dinas, title="Pasokan beras")
    task_m = factories.make_task(agreement_m, dinas, due_on=date(2025, 10, 8))
    task_b = task(town, date(2025, 10, 8))
    db.session.commit()

    plans = plan(TODAY)
    assert {(p.government.id, p.queued) for p in plans} == {(town.gov.id, 3), (makassar.id, 3)}
    by_item = {}
    for email, _, item, rule, _ in notifications():
        by_item.setdefault(item, set()).add((email, rule))
    assert by_item[task_m.id] == {
        (opd_m.email, "overdue"),
        (admin_m.email, "escalation"),
        (pimpinan_m.email, "escalation"),
    }
    assert by_item[task_b.id] == {
        (town.opd.email, "overdue"),
        (town.quiet.email, "overdue"),
        (town.admin.email, "escalation"),
        (town.pimpinan.email, "escalation"),
    }
    for row in db.session.scalars(select(Outbox)):
        assert row.government_id == row.recipient.government_id
    for row in db.session.scalars(select(Notification)):
        assert row.government_id == db.session.get(User, row.user_id).government_id


def test_each_government_plans_on_its_own_today(app, town, pinned):
    makassar = factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    dinas = factories.make_agency(makassar, "DKP")
    opd_m = factories.make_user(makassar, Role.OPD, agency=dinas, email="dkp@makassarkota.go.id")
    agreement_m = factories.make_agreement(makassar, dinas)
    in_makassar = factories.make_task(agreement_m, dinas, due_on=date(2025, 10, 8))
    tomorrow = task(town, date(2025, 10, 8), "Tugas Blitar")
    in_blitar = task(town, date(2025, 10, 7), "Tugas Blitar kemarin")
    db.session.commit()
    app.config["KERJASAMA_NOW"] = "2025-10-07T23:30:00+07:00"  # 00:30 on the 8th in Makassar

    plans = plan()
    today = {p.government.name: p.today for p in plans}
    assert today == {"Kota Blitar": date(2025, 10, 7), "Kota Makassar": date(2025, 10, 8)}
    assert sorted(pinned) == sorted(
        [(town.gov.id, date(2025, 10, 7)), (makassar.id, date(2025, 10, 8))]
    )
    rules_by_task = {n[2]: n[3] for n in notifications()}
    assert rules_by_task[in_makassar.id] == "due_today"  # already the 8th there
    assert rules_by_task[in_blitar.id] == "due_today"  # still the 7th in Blitar
    assert tomorrow.id not in rules_by_task  # due tomorrow in Blitar: H-1, no rule
    assert opd_m.email in {n[0] for n in notifications()}


def test_a_failing_government_is_rolled_back_and_the_others_are_kept(town, monkeypatch):
    other = factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    dinas = factories.make_agency(other, "DKP")
    factories.make_user(other, Role.OPD, agency=dinas, email="dkp@makassarkota.go.id")
    factories.make_task(factories.make_agreement(other, dinas), dinas, due_on=TODAY)
    task(town, TODAY)
    db.session.commit()
    blitar_id = town.gov.id

    def broken(government, today):
        if government.id == blitar_id:
            raise RuntimeError("templat rusak")
        return []

    monkeypatch.setattr(playbook_services, "run_ending_playbooks", broken)
    plans = plan(TODAY)
    failed = next(p for p in plans if p.government.id == blitar_id)
    assert failed.error == "RuntimeError: templat rusak"
    assert (failed.queued, failed.notified) == (0, 0)
    assert {n[0] for n in notifications()} == {"dkp@makassarkota.go.id"}


def test_the_ending_playbooks_run_per_government_with_its_today(town, pinned, monkeypatch):
    factories.make_government("73.71", "Kota Makassar", timezone="Asia/Makassar")
    db.session.commit()
    made = []

    def two_tasks(government, today):
        pinned.append((government.id, today))
        if government.id == town.gov.id:
            made.extend([task(town, date(2026, 1, 5)), task(town, date(2026, 1, 6))])
            return made
        return []

    monkeypatch.setattr(playbook_services, "run_ending_playbooks", two_tasks)
    plans = plan(TODAY)
    assert sorted(g for g, _ in pinned) == sorted(p.government.id for p in plans)
    assert {p.government.id: p.playbook_tasks for p in plans}[town.gov.id] == 2


def test_the_real_ending_playbooks_run_within_the_plan(app, town, monkeypatch):
    monkeypatch.undo()  # the real playbooks
    app.config["KERJASAMA_NOW"] = NOW
    factories.make_mou(
        town.agreement, signed_on=date(2023, 1, 16), ends_on=TODAY + timedelta(days=100)
    )
    db.session.commit()
    result = only(plan(TODAY), town.gov)
    again = only(plan(TODAY), town.gov)
    assert again.playbook_tasks == 0  # idempotent
    # (The KB of 2023 has no PKS: the admin is also told it is stalled, another item.)
    ending = [i for i in result.items if i.channel == planner.IN_APP and i.rule == Rule.ENDING]
    assert len(ending) == len({town.opd.email, town.quiet.email, town.admin.email})
