"""Stalled agreements ("mandek"): a KB with no PKS, or a PKS with no realisation, for N months
(a setting per government, 6 by default) is flagged on its page and found by the list's
filter; the rule, its month arithmetic and the setting."""

from __future__ import annotations

from datetime import date

import pytest

from kerjasama_flow.agreements.lifecycle import Stage, dormancy, months_after
from kerjasama_flow.extensions import db
from tests import factories
from tests.agreements_helpers import text

TODAY = date(2025, 11, 15)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = "2025-11-15T10:00:00+07:00"


def judge(stage=Stage.KESEPAKATAN, kb=None, pks=None, kb_months=6, pks_months=6):
    return dormancy(
        stage=stage,
        last_kb_signed_on=kb,
        last_pks_signed_on=pks,
        kb_months=kb_months,
        pks_months=pks_months,
        today=TODAY,
    )


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(date(2025, 5, 9), 6) == date(2025, 11, 9)
    assert months_after(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert months_after(date(2025, 11, 15), -6) == date(2025, 5, 15)
    assert months_after(date(2025, 3, 31), -13) == date(2024, 2, 29)


def test_a_kb_waiting_for_its_pks():
    assert "belum diikuti PKS setelah 6 bulan" in judge(kb=date(2025, 5, 15))  # exactly 6
    assert judge(kb=date(2025, 5, 16)) is None  # a day short
    assert judge(kb=date(2025, 5, 9), kb_months=12) is None  # the government waits longer


def test_a_pks_waiting_for_its_realisation():
    message = judge(stage=Stage.PKS, kb=date(2024, 1, 1), pks=date(2025, 3, 1))
    assert "belum memiliki transaksi atau realisasi kegiatan setelah 6 bulan" in message
    assert judge(stage=Stage.PKS, pks=date(2025, 10, 1)) is None


@pytest.mark.parametrize(
    "stage", [Stage.PENJAJAKAN, Stage.PELAKSANAAN, Stage.DITUNDA, Stage.SELESAI, Stage.BATAL]
)
def test_only_stages_waiting_for_the_next_step_can_stall(stage):
    assert judge(stage=stage, kb=date(2020, 1, 1), pks=date(2020, 2, 1)) is None


@pytest.fixture
def apeksi(world):
    """Blitar's KB with Depok, signed at APEKSI in May 2025 and never followed by a PKS, and
    a KB signed last month."""
    depok = factories.make_agreement(world.gov, world.agency, title="Ketahanan pangan - Depok")
    factories.make_mou(depok, signed_on=date(2025, 5, 9))
    recent = factories.make_agreement(world.gov, world.agency, title="Kerja sama baru - Bekasi")
    factories.make_mou(recent, signed_on=date(2025, 10, 20))
    db.session.commit()
    return depok, recent


def test_the_page_and_the_list_show_the_stalled_kb(client, auth, world, apeksi):
    depok, recent = apeksi
    auth.login(world.pimpinan)
    page = text(client.get(f"/agreements/{depok.id}"))
    assert 'id="mandek"' in page
    assert "Kesepakatan Bersama ditandatangani 9 Mei 2025 belum diikuti PKS" in page
    assert 'id="mandek"' not in text(client.get(f"/agreements/{recent.id}"))
    listing = text(client.get("/agreements?stage=mandek"))
    assert depok.title in listing and recent.title not in listing


def test_the_setting_moves_the_threshold(client, auth, world, apeksi):
    depok, _ = apeksi
    world.gov.settings = {**(world.gov.settings or {}), "dormant_kb_months": 12}
    db.session.commit()
    auth.login(world.admin)
    assert 'id="mandek"' not in text(client.get(f"/agreements/{depok.id}"))
    assert depok.title not in text(client.get("/agreements?stage=mandek"))
    page = text(client.get("/settings/reminders"))
    assert "KB tanpa PKS ditandai mandek sesudah (bulan)" in page and 'value="12"' in page
