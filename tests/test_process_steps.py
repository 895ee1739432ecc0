"""The administrative path of Permendagri 22/2020 as steps of an agreement: penawaran, pembahasan
TKKSD, telaah hukum and the paraf chain, persetujuan DPRD (which gates the PKS), signatories and
the surat kuasa, pelaporan to the Gubernur or the Menteri Dalam Negeri, addendum and
pengakhiran of one KB or PKS; the tasks they create and close, and what the agreement page says
is still missing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import GovernmentKind
from kerjasama_flow.agreements import lifecycle, services
from kerjasama_flow.agreements.lifecycle import Facts, PathFacts, SignedDocument, Stage
from kerjasama_flow.agreements.models import (
    MILESTONE_MODELS,
    Amendment,
    AmendmentKind,
    DprdBasis,
    Pks,
    TerminationReason,
)
from kerjasama_flow.documents.models import Document
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Closure, TaskStatus
from tests import factories
from tests.agreements_helpers import NOW, text
from tests.document_helpers import pdf_bytes
from tests.test_tasks_follow_up import SIGNED_KB, kb_values, pks_values, tasks_of

TODAY = date(2025, 10, 15)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


@pytest.fixture
def fresh(world, coordinator):
    world.gov.kind = GovernmentKind.KOTA
    world.gov.province = "Jawa Timur"
    agreement = factories.make_agreement(world.gov, world.agency, title="Pasokan telur ke DKI")
    db.session.commit()
    return agreement


def record(world, agreement, kind, **data):
    outcome = services.record_milestone(world.admin, agreement, kind, data)
    db.session.commit()
    return outcome.value


def refused(world, agreement, kind, **data) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        services.record_milestone(world.admin, agreement, kind, data)
    db.session.rollback()
    return getattr(caught.value, "errors", None) or {caught.value.field: caught.value.message}


# --- pure rules -------------------------------------------------------------------------------


def test_the_recipient_follows_the_kind_of_government_not_its_name():
    assert lifecycle.report_recipient("kota", "Jawa Timur") == "Gubernur Jawa Timur"
    assert lifecycle.report_recipient("kabupaten", "Jambi") == "Gubernur Jambi"
    assert lifecycle.report_recipient("provinsi", "DKI Jakarta") == "Menteri Dalam Negeri"


def test_the_paraf_chain_goes_up_in_order():
    day = date(2025, 9, 1)
    assert lifecycle.check_paraf_chain(day, day, day + timedelta(1), day + timedelta(2)) == {}
    assert lifecycle.check_paraf_chain(day, None, None, None) == {}
    skipped = lifecycle.check_paraf_chain(day, None, day, None)
    assert skipped == {
        "paraf_asisten_on": "Paraf Asisten memerlukan paraf Kepala Bagian terlebih dahulu."
    }
    backwards = lifecycle.check_paraf_chain(day, day + timedelta(3), day + timedelta(1), None)
    assert "paraf_asisten_on" in backwards and "Kepala Bagian" in backwards["paraf_asisten_on"]
    before_review = lifecycle.check_paraf_chain(day, day - timedelta(1), None, None)
    assert "telaah hukum" in before_review["paraf_kabag_on"]


def test_a_pks_waits_for_the_dprd_when_the_agreement_needs_it():
    lifecycle.check_dprd_before_pks(False, None, date(2025, 9, 1))
    with pytest.raises(lifecycle.RuleViolation, match="Catat persetujuan DPRD"):
        lifecycle.check_dprd_before_pks(True, None, date(2025, 9, 1))
    with pytest.raises(lifecycle.RuleViolation, match="sebelum persetujuan DPRD"):
        lifecycle.check_dprd_before_pks(True, date(2025, 9, 2), date(2025, 9, 1))
    lifecycle.check_dprd_before_pks(True, date(2025, 9, 1), date(2025, 9, 1))


def test_a_proxy_signing_needs_its_surat_kuasa_before_the_signing():
    signed = date(2025, 9, 1)
    assert lifecycle.check_proxy(False, None, None, signed) == {}
    assert set(lifecycle.check_proxy(True, None, None, signed)) == {
        "proxy_letter_number",
        "proxy_letter_on",
    }
    late = lifecycle.check_proxy(True, "800/12/2025", signed + timedelta(1), signed)
    assert late == {"proxy_letter_on": "Surat kuasa harus terbit sebelum penandatanganan PKS."}
    assert lifecycle.check_proxy(True, "800/12/2025", signed, signed) == {}


def test_what_is_missing_follows_the_stage():
    start = PathFacts(stage=Stage.PENJAJAKAN, facts=Facts())
    lines = lifecycle.missing_steps(start)
    assert lines[0].startswith("Belum ada penawaran kerja sama atau kunjungan kerja")
    assert "Usulan kerja sama belum dibahas dalam rapat TKKSD." in lines
    assert lines[-1] == "Kesepakatan Bersama belum ditandatangani."

    refused_by_tkksd = PathFacts(
        stage=Stage.PENJAJAKAN,
        facts=Facts(has_visit=True),
        tkksd_recommendation="tolak",
        has_legal_review=True,
        initialled=False,
    )
    lines = lifecycle.missing_steps(refused_by_tkksd)
    assert "TKKSD merekomendasikan usulan ini ditolak." in lines
    assert any(line.startswith("Paraf koordinasi belum lengkap") for line in lines)

    signed = PathFacts(
        stage=Stage.KESEPAKATAN,
        facts=Facts(has_mou=True),
        needs_dprd=True,
        documents=(SignedDocument("Kesepakatan Bersama 6 Oktober 2025", False, False),),
        report_recipient="Gubernur Jawa Timur",
    )
    assert lifecycle.missing_steps(signed) == [
        "Kesepakatan Bersama 6 Oktober 2025: nomor registrasi kedua pihak belum lengkap, "
        "sehingga belum tercatat berlaku.",
        "Kesepakatan Bersama 6 Oktober 2025 belum dilaporkan kepada Gubernur Jawa Timur.",
        "Persetujuan DPRD belum dicatat; PKS baru dapat ditandatangani sesudahnya.",
        "Belum ada PKS yang ditandatangani untuk melaksanakan kesepakatan ini.",
    ]
    done = PathFacts(
        stage=Stage.PELAKSANAAN,
        facts=Facts(has_mou=True, has_pks=True, has_transaction=True),
        documents=(SignedDocument("KB", True, True), SignedDocument("PKS", True, True)),
    )
    assert lifecycle.missing_steps(done) == []
    assert lifecycle.missing_steps(PathFacts(stage=Stage.DITUNDA, facts=Facts())) == []


# --- steps, their tasks and their rules ---------------------------------------------------------


def test_an_offer_asks_for_a_reply_and_a_tkksd_meeting_which_closes_its_task(world, fresh):
    offer = record(
        world,
        fresh,
        "offer",
        direction="masuk",
        letter_on=date(2025, 9, 1),
        letter_number="415/211/2025",
        plan_summary="Pasokan telur dan beras ke DKI Jakarta",
    )
    tasks = tasks_of(fresh)
    assert {"Jawab surat penawaran kerja sama", "Bahas usulan kerja sama dalam rapat TKKSD"} <= set(
        tasks
    )
    assert fresh.stage == Stage.PENJAJAKAN  # a process step does not move the stage

    meeting = record(
        world,
        fresh,
        "tkksd",
        held_on=date(2025, 9, 20),
        chaired_by="Sekretaris Daerah",
        recommendation="lanjut",
    )
    tkksd_task = tasks_of(fresh)["Bahas usulan kerja sama dalam rapat TKKSD"]
    assert tkksd_task.status == TaskStatus.DONE
    assert (tkksd_task.closure, tkksd_task.closed_by_kind, tkksd_task.closed_by_id) == (
        Closure.STEP,
        "tkksd",
        meeting.id,
    )
    assert tasks_of(fresh)["Jawab surat penawaran kerja sama"].status == TaskStatus.OPEN
    review_task = tasks_of(fresh)["Telaah hukum draf dan paraf koordinasi"]
    assert review_task.status == TaskStatus.OPEN
    record(
        world,
        fresh,
        "legal_review",
        reviewed_on=date(2025, 10, 1),
        draft="Draf Kesepakatan Bersama",
        paraf_kabag_on=date(2025, 10, 2),
    )
    assert tasks_of(fresh)["Telaah hukum draf dan paraf koordinasi"].status == TaskStatus.DONE
    assert offer.occurred_on == date(2025, 9, 1)


def test_an_offer_reply_cannot_come_before_the_offer_nor_lie_in_the_future(world, fresh):
    errors = refused(
        world,
        fresh,
        "offer",
        direction="keluar",
        letter_on=date(2025, 9, 10),
        reply_on=date(2025, 9, 1),
    )
    assert errors == {"reply_on": "Surat jawaban tidak boleh sebelum surat penawaran."}
    errors = refused(
        world,
        fresh,
        "offer",
        direction="keluar",
        letter_on=date(2025, 9, 10),
        reply_on=date(2025, 10, 16),
    )
    assert "tidak boleh melewati hari ini" in errors["reply_on"]
    assert not fresh.offers


def test_the_dprd_gates_the_pks_and_says_why(world, fresh):
    fresh.needs_dprd, fresh.dprd_basis = True, DprdBasis.NOT_BUDGETED
    record(world, fresh, "mou", **kb_values())
    errors = refused(world, fresh, "pks", **pks_values(fresh))
    assert "memerlukan persetujuan DPRD" in errors["signed_on"]
    record(world, fresh, "dprd", requested_on=date(2025, 10, 7), request_number="170/5/2025")
    assert (
        "memerlukan persetujuan DPRD"
        in refused(world, fresh, "pks", **pks_values(fresh))["signed_on"]
    )  # requested, not approved
    approval = fresh.dprd_approvals[0]
    services.update_milestone(
        world.admin,
        approval,
        {"approved_on": date(2025, 10, 13), "decision_number": "2/DPRD/2025"},
        approval.version,
    )
    db.session.commit()
    too_early = refused(world, fresh, "pks", **pks_values(fresh, on=date(2025, 10, 10)))
    assert too_early == {
        "signed_on": "PKS tidak boleh ditandatangani sebelum persetujuan DPRD (13 Oktober 2025)."
    }
    record(world, fresh, "pks", **pks_values(fresh, on=date(2025, 10, 14)))
    assert fresh.stage == Stage.PKS


def test_a_dprd_approval_needs_its_decision_number(world, fresh):
    errors = refused(
        world, fresh, "dprd", requested_on=date(2025, 9, 1), approved_on=date(2025, 9, 2)
    )
    assert set(errors) == {"decision_number"}


def test_a_report_closes_the_report_task_of_its_own_document_only(world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    pks = record(world, fresh, "pks", **pks_values(fresh))
    kb_task = "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur Jawa Timur"
    pks_task = "Laporkan penandatanganan PKS kepada Gubernur Jawa Timur"
    assert {kb_task, pks_task} <= set(tasks_of(fresh))

    report = record(
        world,
        fresh,
        "report",
        pks=pks,
        mou=None,
        sent_on=date(2025, 10, 14),
        letter_number="180/77/410/2025",
    )
    assert report.recipient == "Gubernur Jawa Timur"  # by the government's kind and province
    assert tasks_of(fresh)[pks_task].status == TaskStatus.DONE
    assert tasks_of(fresh)[kb_task].status == TaskStatus.OPEN  # the KB is not reported yet

    record(world, fresh, "report", mou=kb, pks=None, sent_on=date(2025, 10, 15))
    assert tasks_of(fresh)[kb_task].status == TaskStatus.DONE


def test_a_report_is_about_one_signed_document_and_not_before_it(world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    assert "Pilih satu dokumen" in refused(world, fresh, "report", sent_on=TODAY)["mou"]
    early = refused(world, fresh, "report", mou=kb, sent_on=SIGNED_KB - timedelta(1))
    assert "sebelum dokumennya ditandatangani" in early["sent_on"]


def test_a_province_reports_to_the_minister(world, fresh):
    world.gov.kind = GovernmentKind.PROVINSI
    kb = record(world, fresh, "mou", **kb_values())
    report = record(world, fresh, "report", mou=kb, sent_on=TODAY)
    assert report.recipient == "Menteri Dalam Negeri"


def test_an_addendum_extends_its_document_and_removing_it_restores_the_end(world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    original_end = kb.ends_on
    addendum = record(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.ADDENDUM,
        signed_on=TODAY,
        number="ADD-1/2025",
        new_ends_on=SIGNED_KB + timedelta(days=365 * 4),
    )
    assert kb.ends_on == SIGNED_KB + timedelta(days=365 * 4)
    assert addendum.previous_ends_on == original_end

    too_long = refused(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.ADDENDUM,
        signed_on=TODAY,
        new_ends_on=SIGNED_KB + timedelta(days=365 * 6),
    )
    assert "paling lama 5 tahun" in too_long["new_ends_on"]

    services.delete_milestone(world.admin, addendum, addendum.version)
    db.session.commit()
    assert kb.ends_on == original_end


def test_a_termination_ends_the_document_says_why_and_closes_it_to_amendments(world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    no_reason = refused(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.TERMINATION,
        signed_on=TODAY,
    )
    assert no_reason == {"termination_reason": "Pilih alasan pengakhiran."}
    ending = record(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.TERMINATION,
        signed_on=TODAY,
        termination_reason=TerminationReason.MUTUAL,
        number="180/90/2025",
    )
    assert kb.ends_on == TODAY and ending.is_termination
    again = refused(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.ADDENDUM,
        signed_on=TODAY,
    )
    assert "sudah diakhiri" in next(iter(again.values()))
    with pytest.raises(DomainError, match="pengakhiran"):
        services.delete_milestone(world.admin, kb, kb.version)  # the termination is about it
    db.session.rollback()


def test_only_the_latest_amendment_of_a_document_changes(world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    first = record(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.ADDENDUM,
        signed_on=date(2025, 10, 10),
        new_ends_on=SIGNED_KB + timedelta(days=365 * 4),
    )
    record(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.ADDENDUM,
        signed_on=TODAY,
        new_ends_on=SIGNED_KB + timedelta(days=365 * 5 - 10),
    )
    with pytest.raises(DomainError, match="terakhir"):
        services.delete_milestone(world.admin, first, first.version)
    db.session.rollback()
    assert db.session.scalar(select(Amendment).where(Amendment.id == first.id)) is not None


def test_a_pks_signed_by_proxy_records_its_surat_kuasa(world, fresh):
    record(world, fresh, "mou", **kb_values())
    errors = refused(world, fresh, "pks", **pks_values(fresh), signed_by_proxy=True)
    assert set(errors) == {"proxy_letter_number", "proxy_letter_on"}
    pks = record(
        world,
        fresh,
        "pks",
        **pks_values(fresh),
        signatory_own="Kepala DKPP",
        signatory_own_office="Kepala Dinas Ketahanan Pangan dan Pertanian",
        signed_by_proxy=True,
        proxy_letter_number="800/45/410.010/2025",
        proxy_letter_on=date(2025, 10, 9),
    )
    assert (pks.proxy_letter_number, pks.proxy_letter_on) == (
        "800/45/410.010/2025",
        date(2025, 10, 9),
    )
    services.update_milestone(world.admin, pks, {"signed_by_proxy": False}, pks.version)
    db.session.commit()
    assert (pks.proxy_letter_number, pks.proxy_letter_on) == (None, None)


# --- the web ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MILESTONE_MODELS))
def test_every_step_has_its_form(client, auth, world, fresh, kind):
    factories.make_mou(fresh, signed_on=date(2025, 8, 14))
    db.session.commit()
    auth.login(world.admin)
    response = client.get(f"/agreements/{fresh.id}/milestones/{kind}/new")
    assert response.status_code == 200
    assert "Simpan" in text(response)


def test_the_steps_appear_on_the_page_with_what_is_still_missing(client, auth, world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    record(
        world,
        fresh,
        "legal_review",
        reviewed_on=date(2025, 10, 1),
        draft="Draf Kesepakatan Bersama dengan Pemprov DKI Jakarta",
        paraf_kabag_on=date(2025, 10, 2),
        paraf_asisten_on=date(2025, 10, 3),
    )
    record(world, fresh, "report", mou=kb, sent_on=TODAY, letter_number="180/77/2025")
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "Telaah hukum: Draf Kesepakatan Bersama dengan Pemprov DKI Jakarta" in page
    assert "Paraf Sekretaris Daerah belum" in page
    assert "Pelaporan kepada Gubernur Jawa Timur" in page
    assert "Yang belum ada pada tahap Kesepakatan Bersama (KB)" in page
    assert "nomor registrasi kedua pihak belum lengkap" in page
    assert "belum dilaporkan" not in page  # the KB's report is recorded
    assert "Belum ada PKS yang ditandatangani" in page


def test_the_dprd_refusal_shows_on_the_pks_form_and_saves_nothing(client, auth, world, fresh):
    fresh.needs_dprd, fresh.dprd_basis = True, DprdBasis.BURDENS_PUBLIC
    mou = factories.make_mou(fresh, signed_on=date(2025, 8, 14))
    db.session.commit()
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{fresh.id}/milestones/pks/new",
        data={
            "title": "PKS pasokan telur",
            "mou": str(mou.id),
            "agencies": [str(world.agency.id)],
            "signed_on": "2025-09-01",
        },
    )
    assert response.status_code == 200
    assert "Catat persetujuan DPRD sebelum PKS" in text(response)
    assert db.session.scalar(select(Pks).where(Pks.agreement_id == fresh.id)) is None


def test_the_agreement_form_asks_why_the_dprd_must_approve(client, auth, world, fresh):
    auth.login(world.admin)
    data = {
        "title": fresh.title,
        "kind": "ksdd",
        "partners": [str(p.id) for p in fresh.partners],
        "lead_agency": str(world.agency.id),
        "needs_dprd": "y",
        "version": str(fresh.version),
    }
    response = client.post(f"/agreements/{fresh.id}/edit", data=data)
    assert "Pilih alasan kerja sama ini memerlukan persetujuan DPRD" in text(response)
    response = client.post(
        f"/agreements/{fresh.id}/edit", data=data | {"dprd_basis": "belum_dianggarkan"}
    )
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert fresh.needs_dprd and fresh.dprd_basis == DprdBasis.NOT_BUDGETED
    assert "Belum dianggarkan dalam APBD" in text(client.get(f"/agreements/{fresh.id}"))


def test_the_register_shows_a_terminated_document_as_ended_early(client, auth, world, fresh):
    kb = record(world, fresh, "mou", **kb_values())
    kb.number_own, kb.number_partner = "180/15/410.010/2025", "119/2025"
    record(
        world,
        fresh,
        "amendment",
        mou=kb,
        amendment_kind=AmendmentKind.TERMINATION,
        signed_on=TODAY,
        termination_reason=TerminationReason.ACHIEVED,
    )
    auth.login(world.admin)
    page = text(client.get("/register?standing=diakhiri"))
    assert "180/15/410.010/2025" in page
    assert "Diakhiri" in page
    assert "180/15/410.010/2025" not in text(client.get("/register?standing=berlaku"))


def test_the_minutes_of_a_tkksd_meeting_are_uploaded_to_it(app, client, auth, world, fresh):
    meeting = record(world, fresh, "tkksd", held_on=date(2025, 10, 1), recommendation="perbaiki")
    auth.login(world.admin)
    url = f"/agreements/{fresh.id}/documents/new"
    form = text(client.get(f"{url}?tahapan=tkksd-{meeting.id}"))
    assert '<option selected value="notulen_tkksd">' in form
    assert f'<option selected value="tkksd-{meeting.id}">' in form
    response = client.post(
        url,
        data={
            "file": (io.BytesIO(pdf_bytes()), "Notulen TKKSD.pdf"),
            "kind": "notulen_tkksd",
            "step": f"tkksd-{meeting.id}",
            "title": "Notulen rapat TKKSD 1 Oktober 2025",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(Document).where(Document.agreement_id == fresh.id))
    assert (document.milestone_kind, document.milestone_id) == ("tkksd", meeting.id)
    page = text(client.get(f"/agreements/{fresh.id}"))
    assert "Notulen rapat TKKSD 1 Oktober 2025" in page
    assert "TKKSD meminta usulan atau drafnya diperbaiki" in page
