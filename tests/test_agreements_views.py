"""The agreement form, the detail page, manual stage actions and who may see what, through the
test client as real users."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.activity.services import log_action
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, AgreementKind, Partner, PartnerKind
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, count, primary_button, text


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def agreement_data(world, **overrides) -> dict:
    data = {
        "title": "Kerja sama ketahanan pangan dengan Kota Depok",
        "kind": "ksdd",
        "partners": [str(world.partner.id)],
        "new_partner_name": "",
        "new_partner_kind": "pemda_kota",
        "sectors": ["pangan", "umkm"],
        "commodities": "beras ,  telur ayam;cabai",
        "lead_agency": str(world.agency.id),
        "origin_event": "Indonesia City Expo 2025 / Munas VII APEKSI",
        "description": "Pasokan komoditas pangan dari Kota Blitar.",
        "external_ref": "",
    }
    data.update(overrides)
    return data


# --- creating an agreement --------------------------------------------------------------------


def test_admin_creates_agreement_with_new_partner_and_sees_it(client, world, auth):
    auth.login(world.admin)
    before = count(Agreement)
    response = client.post(
        "/agreements/new",
        data=agreement_data(
            world,
            partners=[],
            new_partner_name="  Pemerintah Kota   Depok ",
            new_partner_kind="pemda_kota",
        ),
    )
    assert response.status_code == 302
    assert count(Agreement) == before + 1
    agreement = db.session.scalar(
        db.select(Agreement).where(Agreement.title.startswith("Kerja sama ketahanan"))
    )
    assert response.headers["Location"] == f"/agreements/{agreement.id}"
    assert [p.name for p in agreement.partners] == ["Pemerintah Kota Depok"]
    assert agreement.partners[0].kind == PartnerKind.PEMDA_KOTA
    assert list(agreement.sectors) == ["pangan", "umkm"]
    assert agreement.commodities == "beras, telur ayam, cabai"
    assert agreement.kind == AgreementKind.KSDD
    assert agreement.stage == Stage.PENJAJAKAN

    page = text(client.get(response.headers["Location"]))
    assert "dicatat" in page  # the flash
    assert "Pemerintah Kota Depok" in page
    assert "Ketahanan pangan" in page and "UMKM dan perdagangan" in page
    assert "Indonesia City Expo 2025 / Munas VII APEKSI" in page
    assert "Dinas Ketahanan Pangan dan Pertanian (DKPP)" in page
    assert "mencatat kerja sama" in page  # the activity log


def test_existing_partner_name_is_reused_not_duplicated(client, world, auth):
    auth.login(world.admin)
    partners = count(Partner)
    client.post(
        "/agreements/new",
        data=agreement_data(world, partners=[], new_partner_name="pemerintah provinsi dki jakarta"),
    )
    assert count(Partner) == partners


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"title": ""}, "title", "Wajib diisi."),
        ({"partners": []}, "partners", "Pilih minimal satu mitra, atau tambahkan mitra baru."),
        ({"sectors": ["pangan", "sihir"]}, "sectors", "Sektor tidak dikenal: sihir."),
        ({"title": "x" * 301}, "title", "Paling banyak 300 karakter."),
    ],
)
def test_bad_agreement_input_is_refused_next_to_its_field(
    client, world, auth, overrides, field_id, message
):
    auth.login(world.admin)
    before = count(Agreement), count(Partner), count(ActivityLog)
    response = client.post("/agreements/new", data=agreement_data(world, **overrides))
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, field_id, message)
    assert "Belum ada yang disimpan" in page
    assert (count(Agreement), count(Partner), count(ActivityLog)) == before
    # input kept
    assert "Indonesia City Expo 2025 / Munas VII APEKSI" in page


def test_duplicate_external_reference_is_refused(client, world, auth):
    world.agreement.external_ref = "IMP-001"
    db.session.commit()
    auth.login(world.admin)
    before = count(Agreement)
    response = client.post("/agreements/new", data=agreement_data(world, external_ref="IMP-001"))
    assert response.status_code == 200
    assert_field_error(
        text(response), "external_ref", "Nomor referensi ini sudah dipakai kerja sama lain."
    )
    assert count(Agreement) == before


# --- editing ----------------------------------------------------------------------------------


def test_admin_edits_agreement_and_log_says_what_changed(client, world, auth):
    auth.login(world.admin)
    agreement = world.agreement
    form_page = text(client.get(f"/agreements/{agreement.id}/edit"))
    assert 'value="Pasokan pangan ke DKI"' in form_page
    assert f'name="version" type="hidden" value="{agreement.version}"' in form_page
    assert f'name="partners" id="partners-1" value="{world.partner.id}" checked' in form_page
    assert 'name="sectors" id="sectors-1" value="pangan" checked' in form_page
    response = client.post(
        f"/agreements/{agreement.id}/edit",
        data=agreement_data(
            world, title="Pasokan pangan ke DKI Jakarta", version=str(agreement.version)
        ),
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.title == "Pasokan pangan ke DKI Jakarta"
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Perubahan kerja sama disimpan." in page
    assert "mengubah kerja sama" in page
    assert "Pasokan pangan ke DKI → Pasokan pangan ke DKI Jakarta" in page


def test_edit_with_stale_version_changes_nothing(client, world, auth):
    auth.login(world.admin)
    agreement = world.agreement
    stale = agreement.version
    agreement.description = "Diubah oleh admin lain"
    db.session.commit()
    assert agreement.version == stale + 1
    logs = count(ActivityLog)
    response = client.post(
        f"/agreements/{agreement.id}/edit",
        data=agreement_data(world, title="Judul saya", version=str(stale)),
    )
    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in text(response)
    assert 'value="Judul saya"' in text(response)  # the user's input is kept
    db.session.refresh(agreement)
    assert agreement.title == "Pasokan pangan ke DKI"
    assert agreement.description == "Diubah oleh admin lain"
    assert count(ActivityLog) == logs


# --- the detail page --------------------------------------------------------------------------


def test_detail_page_shows_everything_in_indonesian(client, world, auth):
    world.agreement.commodities = "telur ayam, beras"
    world.agreement.origin_event = "Indonesia City Expo 2025"
    factories.make_task(
        world.agreement, world.agency, title="Kirim daftar harga", due_on=date(2025, 11, 1)
    )
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    # header
    assert "Pasokan pangan ke DKI" in page
    assert "Pemerintah Provinsi DKI Jakarta" in page
    assert "KSDD (dengan daerah lain)" in page
    assert "telur ayam, beras" in page and "Indonesia City Expo 2025" in page
    # stepper: the agreement is in pelaksanaan
    assert '<li class="current" aria-current="step">Pelaksanaan</li>' in page
    assert '<li class="done">Perjanjian Kerja Sama (PKS)</li>' in page
    # timeline, in Indonesian dates and Rupiah
    assert "16 Juni 2025" in page and "14 Agustus 2025" in page
    assert "Rp 1.250.000" in page
    assert page.index("16 Juni 2025 · Kunjungan kerja") < page.index("1 Oktober 2025 · Transaksi")
    # tasks: the overdue one in red, linking to the task, with "Tambah tugas"
    assert 'class="overdue-row"' in page
    assert f'href="/tasks/{world.task.id}"' in page
    assert "Terlambat 15 hari" in page
    assert "Kirim daftar harga" in page
    assert f'href="/agreements/{world.agreement.id}/tasks/new"' in page
    # manual stage actions
    assert "Tandai selesai" in page and "Tunda" in page and "Batalkan" in page


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ((), "Catat kunjungan kerja"),
        (("visit",), "Catat Kesepakatan Bersama"),
        (("visit", "mou"), "Catat PKS"),
        (("mou",), "Catat PKS"),
        (("mou", "pks"), "Catat transaksi"),
        (("mou", "pks", "transaction"), "Catat transaksi"),
    ],
)
def test_primary_button_is_the_next_sensible_action(client, world, auth, milestones, expected):
    agreement = factories.make_agreement(world.gov, world.agency)
    mou = pks = None
    if "visit" in milestones:
        factories.make_visit(agreement)
    if "mou" in milestones:
        mou = factories.make_mou(agreement)
    if "pks" in milestones:
        pks = factories.make_pks(agreement, mou)
    if "transaction" in milestones:
        factories.make_transaction(agreement, pks)
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert primary_button(page) == expected
    # the other recordings are offered as secondary actions
    for label in ("Catat kunjungan kerja", "Catat Kesepakatan Bersama", "Catat PKS"):
        assert label in page


def test_pimpinan_and_opd_see_no_edit_buttons(client, world, auth):
    """Neither edits the agreement or its visits, KB and PKS; the OPD that carries the PKS
    out is offered its realisations only (``test_opd_realisations``)."""
    for user in (world.pimpinan, world.opd):
        auth.login(user)
        response = client.get(f"/agreements/{world.agreement.id}")
        assert response.status_code == 200
        page = text(response)
        assert "Ubah data" not in page
        assert "Tambah tugas" not in page
        assert "/stage" not in page
        for kind in ("visit", "mou", "pks"):
            assert f"/milestones/{kind}/" not in page, (user.role, kind)
        if user is world.pimpinan:
            assert "Catat transaksi" not in page
            assert "Hapus" not in page
        auth.logout()


def test_closed_agreement_shows_no_edit_buttons_and_refuses_forms(client, world, auth):
    world.agreement.stage = Stage.SELESAI
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert "Selesai." in page
    for label in ("Ubah data", "Tambah tugas", "Catat transaksi", ">Hapus<", ">Ubah<"):
        assert label not in page
    for url in (
        f"/agreements/{world.agreement.id}/edit",
        f"/agreements/{world.agreement.id}/milestones/visit/new",
        f"/agreements/{world.agreement.id}/milestones/mou/{world.mou.id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/agreements/{world.agreement.id}"
    assert "tidak dapat diubah lagi" in text(client.get(f"/agreements/{world.agreement.id}"))


# --- manual stage actions ---------------------------------------------------------------------


def test_stall_needs_a_reason_then_resume(client, world, auth):
    auth.login(world.admin)
    agreement = world.agreement
    url = f"/agreements/{agreement.id}/stage"
    logs = count(ActivityLog)

    data = {"action": "tunda", "reason": " ", "version": agreement.version, "confirm": "1"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert_field_error(text(response), "reason", "Sebutkan alasan penundaan")
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN
    assert count(ActivityLog) == logs

    response = client.post(
        url,
        data={
            "action": "tunda",
            "reason": "Menunggu APBD perubahan",
            "version": agreement.version,
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.stage == Stage.DITUNDA
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Ditunda." in page and "Menunggu APBD perubahan" in page
    assert "mengubah tahap kerja sama" in page
    assert "Pelaksanaan → Ditunda" in page
    # the stepper still shows how far the milestones got, with nothing current
    assert '<li class="done">Pelaksanaan</li>' in page
    assert 'aria-current="step"' not in page

    data = {"action": "lanjutkan", "reason": "", "version": agreement.version, "confirm": "1"}
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN


def test_cancel_closes_the_agreement(client, world, auth):
    auth.login(world.admin)
    agreement = world.agreement
    client.post(
        f"/agreements/{agreement.id}/stage",
        data={
            "action": "batalkan",
            "reason": "Mitra mundur",
            "version": agreement.version,
            "confirm": "1",
        },
    )
    db.session.refresh(agreement)
    assert agreement.stage == Stage.BATAL
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Dibatalkan." in page and "Mitra mundur" in page
    assert "Ubah data" not in page


def test_action_not_allowed_from_the_stage_is_refused(client, world, auth):
    agreement = factories.make_agreement(world.gov, world.agency)  # penjajakan
    db.session.commit()
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{agreement.id}/stage",
        data={"action": "selesaikan", "reason": "", "version": agreement.version},
        follow_redirects=True,
    )
    assert "tidak dapat dilakukan pada tahap Penjajakan" in text(response)
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PENJAJAKAN


def test_stage_change_with_stale_version_changes_nothing(client, world, auth):
    auth.login(world.admin)
    agreement = world.agreement
    stale = agreement.version
    agreement.description = "Diubah oleh admin lain"
    db.session.commit()
    response = client.post(
        f"/agreements/{agreement.id}/stage",
        data={"action": "tunda", "reason": "Menunggu", "version": stale, "confirm": "1"},
        follow_redirects=True,
    )
    assert "sudah diubah oleh pengguna lain" in text(response)
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN


# --- who may see what -------------------------------------------------------------------------


def test_opd_reads_only_agreements_its_agency_is_involved_in(client, world, auth):
    with_task = factories.make_agreement(world.gov, world.other_agency, title="Ada tugas DKPP")
    factories.make_task(with_task, world.agency)
    unrelated = factories.make_agreement(world.gov, world.other_agency, title="Urusan Bappeda")
    factories.make_task(unrelated, world.other_agency)
    db.session.commit()
    auth.login(world.opd)
    assert client.get(f"/agreements/{world.agreement.id}").status_code == 200
    assert client.get(f"/agreements/{with_task.id}").status_code == 200
    assert client.get(f"/agreements/{unrelated.id}").status_code == 403
    assert client.get(f"/agreements/{world.other_agreement.id}").status_code == 404

    page = text(client.get("/agreements"))
    assert "Pasokan pangan ke DKI" in page and "Ada tugas DKPP" in page
    assert "Urusan Bappeda" not in page
    assert "2 kerja sama" in page


def test_an_agency_is_involved_when_it_leads_or_has_a_task(world):
    """``Agreement.involves_agency``: on a loaded agreement (the detail page's check) and as
    the list's SQL condition."""
    with_task = factories.make_agreement(world.gov, world.other_agency, title="Ada tugas DKPP")
    factories.make_task(with_task, world.agency)
    unrelated = factories.make_agreement(world.gov, world.other_agency, title="Urusan Bappeda")
    db.session.commit()
    agency_id = world.agency.id
    assert world.agreement.involves_agency(agency_id)  # it leads
    assert with_task.involves_agency(agency_id)  # it has a task
    assert not unrelated.involves_agency(agency_id)
    involved = db.session.scalars(
        select(Agreement.id).where(
            Agreement.government_id == world.gov.id, Agreement.involves_agency(agency_id)
        )
    ).all()
    assert sorted(involved) == sorted([world.agreement.id, with_task.id])
    # Not saved yet: only the lead agency can say.
    assert Agreement(lead_agency_id=agency_id).involves_agency(agency_id)


def test_another_governments_records_are_404_for_admin(client, world, auth):
    auth.login(world.admin)
    other = world.other_agreement
    urls = [
        f"/agreements/{other.id}",
        f"/agreements/{other.id}/edit",
        f"/agreements/{other.id}/milestones/mou/new",
        f"/agreements/{other.id}/milestones/mou/{world.other_mou.id}/edit",
        f"/agreements/{world.agreement.id}/milestones/mou/{world.other_mou.id}/edit",
        f"/partners/{other.partners[0].id}/edit",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/agreements/{other.id}/stage", data={}).status_code == 404
    assert (
        client.post(
            f"/agreements/{other.id}/milestones/mou/{world.other_mou.id}/delete", data={}
        ).status_code
        == 404
    )


def test_unknown_milestone_kind_is_404(client, world, auth):
    auth.login(world.admin)
    assert client.get(f"/agreements/{world.agreement.id}/milestones/rapat/new").status_code == 404
    assert (
        client.get(f"/agreements/{world.agreement.id}/milestones/visit/9999/edit").status_code
        == 404
    )


def test_non_admins_cannot_open_forms(client, world, auth):
    for user in (world.opd, world.pimpinan):
        auth.login(user)
        for url in (
            "/agreements/new",
            f"/agreements/{world.agreement.id}/edit",
            f"/agreements/{world.agreement.id}/milestones/visit/new",
            "/partners/new",
        ):
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.post(f"/agreements/{world.agreement.id}/stage").status_code == 403
        auth.logout()


def test_task_counts_follow_task_status(client, world, auth):
    world.task.status = TaskStatus.DONE
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert 'class="overdue-row"' not in page


# --- with CSRF on, as in production -----------------------------------------------------------


def _csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_detail_page_forms_carry_csrf_tokens(app, client, world, auth):
    auth.login(world.admin)  # logging in before CSRF is switched on
    app.config["WTF_CSRF_ENABLED"] = True
    agreement = world.agreement
    page = text(client.get(f"/agreements/{agreement.id}"))
    token = _csrf_token(page)
    # without the token: refused, nothing changes
    response = client.post(
        f"/agreements/{agreement.id}/stage",
        data={"action": "tunda", "reason": "Menunggu", "version": agreement.version},
    )
    assert response.status_code == 400
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN
    # with it: done
    response = client.post(
        f"/agreements/{agreement.id}/stage",
        data={
            "action": "tunda",
            "reason": "Menunggu",
            "version": agreement.version,
            "csrf_token": token,
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.stage == Stage.DITUNDA
    # the delete buttons' forms carry a token too
    page = text(client.get(f"/agreements/{agreement.id}"))
    delete_form = page[page.index("/milestones/transaction/") :]
    delete_form = delete_form[: delete_form.index("</form>")]
    assert 'name="csrf_token"' in delete_form


def test_activity_log_shows_the_latest_five_and_folds_the_rest(client, auth, world):
    # A busy agreement's log ran to metres of screen on a phone (issue 13): the latest five
    # stay open, the rest opens with "Tampilkan semua riwayat" (a <details>, no script).
    for number in range(8):
        log_action(
            world.admin,
            world.agreement,
            "update",
            before={"title": f"Judul {number}"},
            after={"title": f"Judul {number + 1}"},
        )
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    log = page[page.index('id="aktivitas"') :]
    shown, folded = log.split('id="aktivitas-lainnya"')
    assert shown.count('class="list-group-item px-0"') == 5
    assert "Tampilkan semua riwayat (3 lainnya)" in folded
    assert folded.count('class="list-group-item px-0"') == 3
    # Newest first: the latest change is open, the oldest folded.
    assert "Judul 8" in shown and "Judul 0" in folded and "Judul 0" not in shown


def test_a_short_activity_log_has_nothing_to_fold(client, auth, world):
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}"))
    assert "Tampilkan semua riwayat" not in page
