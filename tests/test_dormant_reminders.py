"""Stalled agreements ("mandek") in the reminders: the daily sweep tells the admins (Bagian
Pemerintahan) once a month about each stalled agreement, in the bell and by the daily digest
through a real SMTP server; never twice for one month, never about an agreement that is not
stalled."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import rules
from kerjasama_flow.reminders.models import Channel, Notification, Outbox, OutboxStatus, Rule
from kerjasama_flow.reminders.planner import plan
from tests import factories
from tests.reminder_helpers import BASE_URL

TODAY = date(2025, 11, 15)  # a Saturday: the notice is not tied to working days


def at(app, day: date) -> None:
    app.config["KERJASAMA_NOW"] = f"{day.isoformat()}T07:00:00+07:00"


@pytest.fixture(autouse=True)
def pinned_clock(app):
    at(app, TODAY)


@pytest.fixture
def stalled(world):
    """Blitar's KB with Depok signed at APEKSI on 9 May 2025 and never followed by a PKS, and
    a PKS with Surabaya signed on 1 March 2025 with no realisation yet."""
    depok = factories.make_agreement(world.gov, world.agency, title="Ketahanan pangan - Depok")
    factories.make_mou(depok, document_kind="kb", signed_on=date(2025, 5, 9))
    surabaya = factories.make_agreement(world.gov, world.agency, title="Beras - Surabaya")
    factories.make_pks(surabaya, None, signed_on=date(2025, 3, 1))
    db.session.commit()
    assert (depok.stage, surabaya.stage) == (Stage.KESEPAKATAN, Stage.PKS)
    return depok, surabaya


def dormant_notifications() -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.rule == Rule.DORMANT)
            .order_by(Notification.item_id, Notification.period)
        )
    )


def dormant_outbox() -> list[Outbox]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Outbox).where(Outbox.rule == Rule.DORMANT).order_by(Outbox.item_id)
        )
    )


# --- the monthly period, pure ---------------------------------------------------------------------


def test_the_notice_is_monthly_from_the_day_it_stalled():
    signed = date(2025, 5, 9)
    assert rules.dormant_notice("kb", signed, date(2025, 11, 8), 6) is None
    first = rules.dormant_notice("kb", signed, date(2025, 11, 9), 6)
    assert first == rules.Due(Rule.DORMANT, "kb@2025-11-09")
    # The same period until the same day of the next month (a missed sweep still sends it).
    assert rules.dormant_notice("kb", signed, date(2025, 12, 8), 6) == first
    assert rules.dormant_notice("kb", signed, date(2025, 12, 9), 6).period == "kb@2025-12-09"
    assert rules.dormant_notice("pks", signed, date(2026, 3, 1), 6).period == "pks@2026-02-09"
    # Month ends: signed on 31 August, the months of 30 days and February take their last day.
    assert rules.dormant_notice("kb", date(2025, 8, 31), date(2026, 2, 28), 6).period == (
        "kb@2026-02-28"
    )
    assert rules.dormant_notice("kb", date(2025, 8, 31), date(2026, 3, 30), 6).period == (
        "kb@2026-02-28"
    )
    assert rules.dormant_notice("kb", date(2025, 8, 31), date(2026, 3, 31), 6).period == (
        "kb@2026-03-31"
    )
    assert rules.dormant_notice("kb", signed, date(2025, 11, 9), 12) is None


# --- the sweep plans it ---------------------------------------------------------------------------


def test_the_admins_are_told_once_per_agreement_and_month(app, world, stalled):
    depok, surabaya = stalled

    plan()

    notices = dormant_notifications()
    assert [(n.user_id, n.item_kind, n.item_id, n.period) for n in notices] == [
        (world.admin.id, "agreement", depok.id, "kb@2025-11-09"),
        (world.admin.id, "agreement", surabaya.id, "pks@2025-11-01"),
    ]
    assert notices[0].title == (
        "Kerja sama Ketahanan pangan - Depok mandek: Kesepakatan Bersama ditandatangani "
        "9 Mei 2025 belum diikuti PKS setelah 6 bulan."
    )
    assert notices[1].title == (
        "Kerja sama Beras - Surabaya mandek: PKS ditandatangani 1 Maret 2025 belum memiliki "
        "transaksi atau realisasi kegiatan setelah 6 bulan."
    )
    assert [n.url for n in notices] == [f"/agreements/{depok.id}", f"/agreements/{surabaya.id}"]
    assert notices[0].rule.label == "Kerja sama mandek"
    # By email too (the admin has email on); the OPD head and the leadership are not told.
    assert [(o.recipient_id, o.channel, o.item_id) for o in dormant_outbox()] == [
        (world.admin.id, Channel.EMAIL, depok.id),
        (world.admin.id, Channel.EMAIL, surabaya.id),
    ]

    # Again the same day, and later in the month: nothing new.
    again = [p for p in plan() if p.government.id == world.gov.id][0]
    assert (again.queued, again.notified) == (0, 0)
    at(app, date(2025, 11, 30))
    plan()
    assert len(dormant_notifications()) == 2 and len(dormant_outbox()) == 2

    # The next month, while still stalled: one more each.
    at(app, date(2025, 12, 9))
    plan()
    periods = {(n.item_id, n.period) for n in dormant_notifications()}
    assert periods == {
        (depok.id, "kb@2025-11-09"),
        (depok.id, "kb@2025-12-09"),
        (surabaya.id, "pks@2025-11-01"),
        (surabaya.id, "pks@2025-12-01"),
    }
    assert len(dormant_outbox()) == 4


def test_only_stalled_agreements_get_a_notice(app, world, stalled):
    depok, _ = stalled
    recent = factories.make_agreement(world.gov, world.agency, title="Baru - Bekasi")
    factories.make_mou(recent, signed_on=date(2025, 10, 20))
    paused = factories.make_agreement(world.gov, world.agency, title="Ditunda - Kediri")
    factories.make_mou(paused, signed_on=date(2024, 1, 8))
    paused.stage = Stage.DITUNDA
    cancelled = factories.make_agreement(world.gov, world.agency, title="Batal - Madiun")
    factories.make_mou(cancelled, signed_on=date(2024, 1, 8))
    cancelled.stage = Stage.BATAL
    ended = factories.make_agreement(world.gov, world.agency, title="Berakhir - Malang")
    factories.make_mou(ended, signed_on=date(2020, 11, 2), ends_on=date(2025, 11, 1))
    db.session.commit()

    [result] = [p for p in plan() if p.government.id == world.gov.id]

    assert result.ended == 1  # the ended KB's agreement: marked ended, not stalled
    told = {n.item_id for n in dormant_notifications()}
    assert depok.id in told
    # The running agreement (a transaction), the recent KB, the paused, the cancelled and the
    # ended ones, and the other government's recent KB, get nothing.
    for agreement in (world.agreement, recent, paused, cancelled, ended, world.other_agreement):
        assert agreement.id not in told


def test_the_setting_moves_the_notice(app, world, stalled):
    depok, surabaya = stalled
    world.gov.settings = {"dormant_kb_months": 12, "dormant_pks_months": 8}
    db.session.commit()

    plan()

    assert [(n.item_id, n.period) for n in dormant_notifications()] == [
        (surabaya.id, "pks@2025-11-01")  # eight months after 1 March
    ]


def test_an_agreement_that_moves_on_is_no_longer_reported(app, world, stalled):
    depok, _ = stalled
    plan()
    factories.make_pks(depok, depok.mous[0], signed_on=date(2025, 12, 1))
    db.session.commit()

    at(app, date(2025, 12, 9))
    plan()

    assert {(n.item_id, n.period) for n in dormant_notifications() if n.item_id == depok.id} == {
        (depok.id, "kb@2025-11-09")
    }


# --- delivered by the daily digest ----------------------------------------------------------------


def test_reminders_run_mails_the_notice_to_the_admin_once(app, world, stalled, smtp):
    depok, surabaya = stalled
    runner = app.test_cli_runner()

    first = runner.invoke(args=["reminders", "run"])

    assert first.exit_code == 0, first.output
    assert {o.status for o in dormant_outbox()} == {OutboxStatus.SENT}
    [message] = [m for m in smtp.messages if m["To"] == world.admin.email]
    assert "2 kerja sama mandek" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "KERJA SAMA MANDEK (2)" in body
    assert (
        "Kerja sama: Kerja sama Ketahanan pangan - Depok mandek: Kesepakatan Bersama "
        "ditandatangani 9 Mei 2025 belum diikuti PKS setelah 6 bulan." in body
    )
    assert f"{BASE_URL}/agreements/{depok.id}" in body
    assert f"{BASE_URL}/agreements/{surabaya.id}" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="{BASE_URL}/agreements/{depok.id}"' in html
    assert world.opd.email not in {m["To"] for m in smtp.messages if "mandek" in m["Subject"]}

    second = runner.invoke(args=["reminders", "run"])

    assert second.exit_code == 0, second.output
    assert len([m for m in smtp.messages if m["To"] == world.admin.email]) == 1
