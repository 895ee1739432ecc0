"""The one generic milestone form (visit, MoU/KB, PKS, transaction): happy paths, every
lifecycle rule refused next to its field with nothing saved, conflicts and deletion."""

from __future__ import annotations

from datetime import date

import pytest

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import (
    Mou,
    MouKind,
    Pks,
    Transaction,
    Visit,
    VisitDirection,
)
from kerjasama_flow.extensions import db
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, count, text

MODELS = (Visit, Mou, Pks, Transaction, ActivityLog)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def counts() -> tuple[int, ...]:
    return tuple(count(model) for model in MODELS)


def url(agreement, kind: str, milestone=None, action: str = "new") -> str:
    base = f"/agreements/{agreement.id}/milestones/{kind}"
    return f"{base}/{action}" if milestone is None else f"{base}/{milestone.id}/{action}"


def visit_data(**overrides) -> dict:
    data = {
        "visited_on": "2025-06-16",
        "place": "Balai Kota Batam",
        "direction": "keluar",
        "delegation": "Bupati Malang dan Kepala Bappeda",
        "topics": "Pasokan susu sapi, ikan nila, cabai",
        "notes": "",
    }
    data.update(overrides)
    return data


def mou_data(**overrides) -> dict:
    data = {
        "document_kind": "kb",
        "number_own": "119/2025",
        "number_partner": "12/KB/2025",
        "signed_on": "2025-08-14",
        "place": "Balai Kota DKI Jakarta",
        "signatory_own": "Wali Kota Blitar",
        "signatory_partner": "Gubernur DKI Jakarta",
        "starts_on": "2025-08-14",
        "ends_on": "2028-08-14",
        "notes": "",
    }
    data.update(overrides)
    return data


def pks_data(world, mou=None, **overrides) -> dict:
    data = {
        "title": "PKS penyediaan telur ayam",
        "mou": str(mou.id) if mou else "__None",
        "direct_reason": "",
        "agencies": [str(world.agency.id)],
        "partner_agency": "Perumda Pasar Jaya",
        "number_own": "500/12/2025",
        "number_partner": "",
        "signed_on": "2025-09-01",
        "starts_on": "2025-09-01",
        "ends_on": "2026-09-01",
        "scope": "Pasokan telur ayam",
        "notes": "",
    }
    data.update(overrides)
    return data


def transaction_data(pks=None, **overrides) -> dict:
    data = {
        "pks": str(pks.id) if pks else "__None",
        "transacted_on": "2025-10-01",
        "buyer": "Perumda Pasar Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "volume": "1.250,5",
        "unit": "kg",
        "value_rp": "Rp 12.500.000",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def fresh(world):
    """An agreement of government A with no milestones yet (penjajakan)."""
    agreement = factories.make_agreement(world.gov, world.agency, title="Kerja sama baru")
    db.session.commit()
    return agreement


# --- happy paths ------------------------------------------------------------------------------


def test_record_the_whole_lifecycle_through_the_forms(client, world, auth, fresh):
    auth.login(world.admin)

    response = client.post(url(fresh, "visit"), data=visit_data())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{fresh.id}#riwayat"
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "Kunjungan kerja dicatat." in page
    assert "16 Juni 2025" in page and "Balai Kota Batam" in page
    assert "Pasokan susu sapi, ikan nila, cabai" in page

    response = client.post(url(fresh, "mou"), data=mou_data())
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert fresh.stage == Stage.KESEPAKATAN
    mou = fresh.mous[0]
    assert mou.document_kind == MouKind.KB
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "Kesepakatan Bersama" in page and "119/2025" in page
    assert "14 Agustus 2025 s.d. 14 Agustus 2028" in page

    # the new PKS form proposes the agreement's MoU and its lead agency
    form_page = text(client.get(url(fresh, "pks")))
    assert f'<option selected value="{mou.id}">' in form_page
    assert f'value="{world.agency.id}" checked' in form_page

    response = client.post(url(fresh, "pks"), data=pks_data(world, mou))
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert fresh.stage == Stage.PKS
    pks = fresh.pks_list[0]
    assert pks.mou == mou and pks.agencies == [world.agency] and not pks.is_direct
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "PKS: PKS penyediaan telur ayam" in page and "Perumda Pasar Jaya" in page

    response = client.post(url(fresh, "transaction"), data=transaction_data(pks))
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert fresh.stage == Stage.PELAKSANAAN
    transaction = fresh.transactions[0]
    assert transaction.value_rp == 12_500_000
    assert str(transaction.volume) in ("1250.50", "1250.5")
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "Rp 12.500.000" in page
    assert "1.250,5 kg" in page

    # the activity log tells the story, newest first
    log = page[page.index("Log aktivitas") :]
    assert log.index("mencatat transaksi") < log.index("mencatat PKS")
    assert "mengubah tahap kerja sama" in log
    assert "Penjajakan → Kesepakatan Bersama (KB)" in log


def test_direct_pks_with_reason_needs_no_mou(client, world, auth, fresh):
    auth.login(world.admin)
    before = count(Pks)
    response = client.post(
        url(fresh, "pks"),
        data=pks_data(world, is_direct="y", direct_reason="Kerja sama teknis antar-OPD"),
    )
    assert response.status_code == 302
    assert count(Pks) == before + 1
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "PKS langsung" in page and "Kerja sama teknis antar-OPD" in page


def test_edit_a_milestone_and_the_log_shows_before_and_after(client, world, auth):
    auth.login(world.admin)
    mou = world.mou
    form_page = text(client.get(url(world.agreement, "mou", mou, "edit")))
    assert 'value="2028-08-13"' in form_page  # dates as the browser's date input wants them
    response = client.post(
        url(world.agreement, "mou", mou, "edit"),
        data=mou_data(
            document_kind="mou",
            signed_on="2025-08-14",
            starts_on="2025-08-14",
            ends_on="2026-01-01",
            version=str(mou.version),
        ),
    )
    assert response.status_code == 302
    db.session.refresh(mou)
    assert mou.ends_on == date(2026, 1, 1)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert "Perubahan Kesepakatan Bersama/MoU disimpan." in page
    assert "mengubah KB/MoU" in page
    assert "Berakhir: 13 Agu 2028 → 1 Jan 2026" in page


def test_transaction_amount_accepts_plain_digits(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        url(world.agreement, "transaction"),
        data=transaction_data(world.pks, value_rp="1250000", volume=""),
    )
    assert response.status_code == 302
    newest = db.session.scalar(db.select(Transaction).order_by(Transaction.id.desc()))
    assert newest.value_rp == 1_250_000 and newest.volume is None


# --- every rule refused next to its field, nothing saved, input kept -------------------------


def _refused(client, address, data, field_id, message, kept):
    before = counts()
    response = client.post(address, data=data)
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, field_id, message)
    assert "Belum ada yang disimpan" in page
    assert counts() == before
    assert kept in page, "the user's input must be kept"
    return page


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        (
            {"starts_on": "2025-08-14", "ends_on": "2025-08-01"},
            "ends_on",
            "Tanggal berakhir harus sesudah tanggal mulai berlaku.",
        ),
        (
            {"starts_on": "2025-08-14", "ends_on": "2030-08-15"},
            "ends_on",
            "Masa berlaku paling lama 5 tahun",
        ),
        ({"signed_on": "31-02-2025"}, "signed_on", "Tanggal tidak sah."),
        ({"signed_on": ""}, "signed_on", "Wajib diisi."),
        ({"document_kind": "surat"}, "document_kind", "Pilihan tidak sah."),
    ],
)
def test_mou_rules(client, world, auth, fresh, overrides, field_id, message):
    auth.login(world.admin)
    _refused(client, url(fresh, "mou"), mou_data(**overrides), field_id, message, "119/2025")
    db.session.refresh(fresh)
    assert fresh.stage == Stage.PENJAJAKAN


def test_pks_without_mou_and_not_direct_is_refused(client, world, auth, fresh):
    auth.login(world.admin)
    page = _refused(
        client,
        url(fresh, "pks"),
        pks_data(world),
        "mou",
        "PKS memerlukan Kesepakatan Bersama/MoU yang sudah ditandatangani.",
        "PKS penyediaan telur ayam",
    )
    assert "belum memiliki Kesepakatan Bersama" in page  # the hint above the form


def test_direct_pks_without_reason_is_refused(client, world, auth, fresh):
    auth.login(world.admin)
    page = _refused(
        client,
        url(fresh, "pks"),
        pks_data(world, is_direct="y", direct_reason="  "),
        "direct_reason",
        "Sebutkan alasan PKS langsung tanpa Kesepakatan Bersama.",
        "PKS penyediaan telur ayam",
    )
    assert 'id="is_direct" name="is_direct" type="checkbox" value="y"' in page or "checked" in page


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        (
            {"starts_on": "2025-09-01", "ends_on": "2025-08-31"},
            "ends_on",
            "Tanggal berakhir harus sesudah tanggal mulai berlaku.",
        ),
        (
            {"starts_on": "2025-09-01", "ends_on": "2031-09-01"},
            "ends_on",
            "Masa berlaku paling lama 5 tahun",
        ),
        (
            {"signed_on": "2025-08-01"},
            "signed_on",
            "Tanggal penandatanganan tidak boleh sebelum penandatanganan MoU/KB.",
        ),
    ],
)
def test_pks_period_rules(client, world, auth, overrides, field_id, message):
    auth.login(world.admin)
    _refused(
        client,
        url(world.agreement, "pks"),
        pks_data(world, world.mou, **overrides),
        field_id,
        message,
        "PKS penyediaan telur ayam",
    )


def test_transaction_without_pks_is_refused(client, world, auth):
    agreement = factories.make_agreement(world.gov, world.agency)
    factories.make_mou(agreement)
    db.session.commit()
    auth.login(world.admin)
    _refused(
        client,
        url(agreement, "transaction"),
        transaction_data(None),
        "pks",
        "Transaksi memerlukan PKS. Catat PKS terlebih dahulu.",
        "Peternak ayam petelur Kota Blitar",
    )


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"value_rp": "-1.000"}, "value_rp", "Nilai tidak boleh negatif."),
        ({"value_rp": "sejuta"}, "value_rp", "Nilai rupiah tidak sah. Tulis angka saja"),
        ({"value_rp": "1.250.000,50"}, "value_rp", "Nilai rupiah harus bilangan bulat"),
        ({"volume": "-5"}, "volume", "Nilai tidak boleh negatif."),
        ({"volume": "banyak"}, "volume", "Volume tidak sah."),
        (
            {"transacted_on": "2025-08-01"},
            "transacted_on",
            "tidak boleh sebelum penandatanganan PKS",
        ),
        ({"transacted_on": "kemarin"}, "transacted_on", "Tanggal tidak sah."),
        ({"buyer": ""}, "buyer", "Wajib diisi."),
    ],
)
def test_transaction_rules(client, world, auth, overrides, field_id, message):
    auth.login(world.admin)
    kept = overrides.get("value_rp", "Peternak ayam petelur Kota Blitar")
    _refused(
        client,
        url(world.agreement, "transaction"),
        transaction_data(world.pks, **overrides),
        field_id,
        message,
        kept,
    )


def test_pks_of_another_agreement_is_not_a_valid_choice(client, world, auth):
    other = factories.make_agreement(world.gov, world.agency)
    other_mou = factories.make_mou(other)
    other_pks = factories.make_pks(other, other_mou)
    db.session.commit()
    auth.login(world.admin)
    _refused(
        client,
        url(world.agreement, "transaction"),
        transaction_data(other_pks),
        "pks",
        "Pilihan tidak tersedia. Muat ulang halaman lalu pilih lagi.",
        "Peternak ayam petelur Kota Blitar",
    )


def test_visit_rules(client, world, auth, fresh):
    auth.login(world.admin)
    _refused(
        client,
        url(fresh, "visit"),
        visit_data(place=""),
        "place",
        "Wajib diisi.",
        "Pasokan susu sapi",
    )
    _refused(
        client,
        url(fresh, "visit"),
        visit_data(visited_on="2025-13-40"),
        "visited_on",
        "Tanggal tidak sah.",
        "Balai Kota Batam",
    )


def test_edit_that_breaks_a_rule_changes_nothing(client, world, auth):
    auth.login(world.admin)
    pks = world.pks
    _refused(
        client,
        url(world.agreement, "pks", pks, "edit"),
        pks_data(world, None, version=str(pks.version)),
        "mou",
        "PKS memerlukan Kesepakatan Bersama/MoU",
        "PKS penyediaan telur ayam",
    )
    db.session.refresh(pks)
    assert pks.mou == world.mou and pks.title == "PKS uji"


# --- conflicts --------------------------------------------------------------------------------


def test_milestone_edit_with_stale_version_changes_nothing(client, world, auth):
    auth.login(world.admin)
    visit = world.visit
    stale = visit.version
    visit.place = "Gedung Sate"
    db.session.commit()
    before = counts()
    response = client.post(
        url(world.agreement, "visit", visit, "edit"),
        data=visit_data(place="Balai Kota Batam", version=str(stale)),
    )
    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in text(response)
    db.session.refresh(visit)
    assert visit.place == "Gedung Sate"
    assert counts() == before


# --- deleting ---------------------------------------------------------------------------------


def test_delete_a_milestone_moves_the_stage_back(client, world, auth):
    auth.login(world.admin)
    transaction = world.transaction
    transaction_id = transaction.id
    response = client.post(
        url(world.agreement, "transaction", transaction, "delete"),
        data={"version": transaction.version},
    )
    assert response.status_code == 302
    assert db.session.get(Transaction, transaction_id) is None
    db.session.refresh(world.agreement)
    assert world.agreement.stage == Stage.PKS
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert "Transaksi dihapus." in page
    assert "menghapus transaksi Telur ayam" in page


def test_delete_refused_while_later_milestones_depend_on_it(client, world, auth):
    auth.login(world.admin)
    before = counts()
    response = client.post(
        url(world.agreement, "mou", world.mou, "delete"),
        data={"version": world.mou.version},
        follow_redirects=True,
    )
    assert "masih menjadi dasar PKS" in text(response)
    assert counts() == before


def test_delete_with_stale_version_is_refused(client, world, auth):
    auth.login(world.admin)
    visit = world.visit
    stale = visit.version
    visit.place = "Gedung Sate"
    db.session.commit()
    response = client.post(
        url(world.agreement, "visit", visit, "delete"),
        data={"version": stale},
        follow_redirects=True,
    )
    assert "sudah diubah oleh pengguna lain" in text(response)
    assert db.session.get(Visit, visit.id) is not None


def test_delete_needs_post(client, world, auth):
    auth.login(world.admin)
    response = client.get(url(world.agreement, "visit", world.visit, "delete"))
    assert response.status_code == 405


def test_visit_direction_label_is_shown(client, world, auth):
    world.visit.direction = VisitDirection.INCOMING
    db.session.commit()
    auth.login(world.admin)
    assert "Menerima kunjungan mitra" in text(client.get(f"/agreements/{world.agreement.id}"))
