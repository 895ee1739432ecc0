"""OPD heads record their PKS's realisations (issue 11): the OPD that carries a PKS out
records its transactions and realised activities and their proof itself; Bagian Pemerintahan
can correct them; visits, KB and PKS stay Bagian Pemerintahan's; another agency's OPD, the
pimpinan and another government get nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, RealisedActivity, Transaction
from kerjasama_flow.documents import services as documents
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.permissions import (
    can_change_milestone,
    can_record_milestone,
    can_record_realisation,
    can_record_realisation_under,
)
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, count, field_errors, text
from tests.document_helpers import FakeUpload, image_bytes, pdf_bytes


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW  # Wednesday 15 October 2025


@dataclass
class Carried:
    agreement: Agreement
    kb: Mou
    own: Pks  # carried out by DKPP, the agency of ``world.opd``
    other: Pks  # carried out by Bappeda
    bappeda: User  # the head of Bappeda: leads the agreement, carries ``other`` out
    disperindag: User  # the head of an agency with a task in it but no PKS
    disperindag_agency: Agency


@pytest.fixture
def carried(world):
    """An agreement at the PKS stage, led by Bappeda, with two PKS under one KB: DKPP
    carries out one, Bappeda the other. DKPP and Disperindag have a task in it, so their
    heads read it; it is the PKS, not the lead, that decides who records realisations."""
    agreement = factories.make_agreement(
        world.gov, world.other_agency, title="Pasokan pangan ke Batam"
    )
    kb = factories.make_mou(agreement, signed_on=date(2025, 8, 14))
    own = factories.make_pks(agreement, kb, agencies=[world.agency], title="PKS pasokan telur DKPP")
    other = factories.make_pks(
        agreement,
        kb,
        agencies=[world.other_agency],
        title="PKS pertukaran data Bappeda",
        signed_on=date(2025, 9, 2),
    )
    disperindag_agency = factories.make_agency(world.gov, "DISPERINDAG", name="Disperindag")
    factories.make_task(agreement, world.agency, title="Siapkan pasokan telur")
    factories.make_task(agreement, disperindag_agency, title="Data pasar Disperindag")
    bappeda = factories.make_user(
        world.gov, Role.OPD, agency=world.other_agency, email="bappeda@blitarkota.go.id"
    )
    disperindag = factories.make_user(
        world.gov, Role.OPD, agency=disperindag_agency, email="disperindag@blitarkota.go.id"
    )
    db.session.commit()
    return Carried(agreement, kb, own, other, bappeda, disperindag, disperindag_agency)


def transaction_form(pks, **overrides) -> dict:
    data = {
        "pks": str(pks.id),
        "transacted_on": "2025-10-10",
        "buyer": "Perumda Pasar Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "volume": "2000",
        "unit": "kg",
        "value_rp": "Rp 52.000.000",
        "notes": "",
    }
    data.update(overrides)
    return data


def activity_form(pks=None, mou=None, **overrides) -> dict:
    data = {
        "pks": str(pks.id) if pks else "",
        "mou": str(mou.id) if mou else "",
        "held_on": "2025-10-13",
        "name": "Pelatihan penanganan telur bagi peternak",
        "place": "Aula DKPP Kota Blitar",
        "participants": "30 peternak",
        "output": "Standar pengemasan telur",
    }
    data.update(overrides)
    return data


def new_url(agreement, kind: str) -> str:
    return f"/agreements/{agreement.id}/milestones/{kind}/new"


def milestone_url(milestone, action: str) -> str:
    return (
        f"/agreements/{milestone.agreement_id}/milestones/{milestone.kind}/{milestone.id}/{action}"
    )


def realisation_log(milestone) -> list[ActivityLog]:
    return list(
        db.session.scalars(
            select(ActivityLog)
            .where(ActivityLog.entity == milestone.kind, ActivityLog.entity_id == milestone.id)
            .order_by(ActivityLog.id)
        )
    )


# --- the rule ---------------------------------------------------------------------------------


def test_the_rule_follows_the_pks_agencies_not_the_lead(world, carried):
    agreement, own, other = carried.agreement, carried.own, carried.other
    # DKPP carries ``own`` out: it records under it, and only under it.
    assert can_record_realisation(world.opd, agreement)
    assert can_record_realisation_under(world.opd, agreement, own)
    assert not can_record_realisation_under(world.opd, agreement, other)
    assert not can_record_realisation_under(world.opd, agreement, None)  # a KB alone
    # A PKS of another agreement that DKPP carries out is no ground here.
    assert not can_record_realisation_under(world.opd, agreement, world.pks)
    # Bappeda leads and carries ``other`` out; Disperindag has a task but no PKS.
    assert can_record_realisation_under(carried.bappeda, agreement, other)
    assert not can_record_realisation_under(carried.bappeda, agreement, own)
    assert not can_record_realisation(carried.disperindag, agreement)
    # Bagian Pemerintahan: any PKS, or none; the pimpinan never; another government never.
    assert can_record_realisation_under(world.admin, agreement, None)
    assert can_record_realisation_under(world.admin, agreement, other)
    assert not can_record_realisation(world.pimpinan, agreement)
    assert not can_record_realisation_under(world.pimpinan, agreement, own)
    assert not can_record_realisation(world.other_admin, agreement)
    # Visits, KB and PKS stay with Bagian Pemerintahan.
    for kind in ("visit", "mou", "pks"):
        assert not can_record_milestone(world.opd, agreement, kind)
        assert can_record_milestone(world.admin, agreement, kind)
    assert can_record_milestone(world.opd, agreement, "transaction")
    assert not can_change_milestone(world.opd, carried.kb)
    assert not can_change_milestone(world.opd, own)


# --- recording through the page ---------------------------------------------------------------


def test_the_opd_of_the_pks_records_a_transaction(client, auth, world, carried):
    agreement = carried.agreement
    auth.login(world.opd)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert f'href="{new_url(agreement, "transaction")}">Catat transaksi</a>' in page
    assert f'href="{new_url(agreement, "activity")}">Catat realisasi kegiatan</a>' in page
    assert "Ubah data" not in page and "Catat PKS" not in page
    assert "/milestones/mou/" not in page and "/milestones/pks/" not in page

    form = text(client.get(new_url(agreement, "transaction")))
    assert f'<option selected value="{carried.own.id}">PKS pasokan telur DKPP' in form
    assert "PKS pertukaran data Bappeda" not in form  # only their agency's PKS is offered

    response = client.post(new_url(agreement, "transaction"), data=transaction_form(carried.own))
    assert response.status_code == 302
    transaction = db.session.scalar(
        select(Transaction).where(Transaction.agreement_id == agreement.id)
    )
    assert (transaction.pks_id, transaction.value_rp) == (carried.own.id, 52_000_000)
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN
    assert [e.actor_id for e in realisation_log(transaction)] == [world.opd.id]
    assert "Transaksi dicatat." in text(client.get(f"/agreements/{agreement.id}"))


def test_the_opd_of_the_pks_records_an_activity_but_not_under_a_kb_alone(
    client, auth, world, carried
):
    agreement = carried.agreement
    auth.login(world.opd)
    url = new_url(agreement, "activity")
    response = client.post(url, data=activity_form(mou=carried.kb))
    assert response.status_code == 200
    assert_field_error(text(response), "pks", "Pilih PKS yang dilaksanakan OPD Anda.")
    assert count(RealisedActivity) == 0

    response = client.post(url, data=activity_form(pks=carried.own))
    assert response.status_code == 302
    activity = db.session.scalar(select(RealisedActivity))
    assert activity.pks_id == carried.own.id
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PELAKSANAAN


def test_the_opd_edits_and_deletes_its_own_transaction(client, auth, world, carried):
    agreement = carried.agreement
    transaction = factories.make_transaction(agreement, carried.own, value_rp=1_000_000)
    activity = factories.make_activity(agreement, carried.own)
    db.session.commit()
    auth.login(world.opd)
    page = text(client.get(f"/agreements/{agreement.id}"))
    for milestone in (transaction, activity):
        assert f'href="{milestone_url(milestone, "edit")}">Ubah</a>' in page
        assert milestone_url(milestone, "delete") in page
    for step in (carried.kb, carried.own, carried.other):  # not theirs to change
        assert milestone_url(step, "edit") not in page

    response = client.post(
        milestone_url(transaction, "edit"),
        data=transaction_form(carried.own, value_rp="Rp 1.500.000", version=transaction.version),
    )
    assert response.status_code == 302
    db.session.refresh(transaction)
    assert transaction.value_rp == 1_500_000
    assert [e.action for e in realisation_log(transaction)] == ["updated"]

    for milestone in (transaction, activity):
        response = client.post(
            milestone_url(milestone, "delete"), data={"version": milestone.version}
        )
        assert response.status_code == 302
    assert count(Transaction) == 1 and count(RealisedActivity) == 0  # world's own remains
    db.session.refresh(agreement)
    assert agreement.stage == Stage.PKS


def test_bagian_pemerintahan_corrects_an_opds_transaction(client, auth, world, carried):
    agreement = carried.agreement
    auth.login(world.opd)
    client.post(new_url(agreement, "transaction"), data=transaction_form(carried.own))
    auth.logout()
    transaction = db.session.scalar(
        select(Transaction).where(Transaction.agreement_id == agreement.id)
    )

    auth.login(world.admin)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert f'href="{milestone_url(transaction, "edit")}">Ubah</a>' in page
    form = text(client.get(milestone_url(transaction, "edit")))
    assert "PKS pertukaran data Bappeda" in form  # every PKS of the agreement
    response = client.post(
        milestone_url(transaction, "edit"),
        data=transaction_form(carried.other, value_rp="Rp 50.000.000", version=transaction.version),
    )
    assert response.status_code == 302
    db.session.refresh(transaction)
    assert (transaction.pks_id, transaction.value_rp) == (carried.other.id, 50_000_000)
    assert [(e.action, e.actor_id) for e in realisation_log(transaction)] == [
        ("created", world.opd.id),
        ("updated", world.admin.id),
    ]


# --- refusals ---------------------------------------------------------------------------------


# A PKS the form does not offer is "not available" to the form; one it would accept but the
# OPD does not carry out is refused by the view's own check. Either way, next to the field.
REFUSED_PKS = (
    "Pilihan tidak tersedia. Muat ulang halaman lalu pilih lagi.",
    "PKS ini bukan PKS yang dilaksanakan OPD Anda.",
)


def assert_pks_refused(response) -> None:
    assert response.status_code == 200
    errors = field_errors(text(response), "pks")
    assert errors and all(e.strip() in REFUSED_PKS for e in errors), errors


def test_a_forged_pks_of_another_agency_is_refused(client, auth, world, carried):
    agreement = carried.agreement
    own = factories.make_transaction(agreement, carried.own, value_rp=1_000_000)
    db.session.commit()
    auth.login(world.opd)
    response = client.post(new_url(agreement, "transaction"), data=transaction_form(carried.other))
    assert_pks_refused(response)
    assert count(Transaction) == 2  # world's and ``own``: nothing new

    response = client.post(
        new_url(agreement, "activity"), data=activity_form(pks=carried.other, mou=carried.kb)
    )
    assert_pks_refused(response)
    assert count(RealisedActivity) == 0

    # Moving their own transaction under Bappeda's PKS is refused as well.
    response = client.post(
        milestone_url(own, "edit"), data=transaction_form(carried.other, version=own.version)
    )
    assert_pks_refused(response)
    db.session.refresh(own)
    assert (own.pks_id, own.version) == (carried.own.id, 1)


def test_an_opd_of_another_agency_gets_403(client, auth, world, carried):
    agreement = carried.agreement
    transaction = factories.make_transaction(agreement, carried.own)
    activity = factories.make_activity(agreement, carried.own)
    db.session.commit()
    # Disperindag reads the agreement (its task) but carries out no PKS.
    auth.login(carried.disperindag)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Catat transaksi" not in page and "/milestones/" not in page
    for kind, data in (
        ("transaction", transaction_form(carried.own)),
        ("activity", activity_form(carried.own)),
    ):
        assert client.get(new_url(agreement, kind)).status_code == 403
        assert client.post(new_url(agreement, kind), data=data).status_code == 403
    auth.logout()
    # Bappeda carries out the other PKS: it records there, not on DKPP's realisations.
    auth.login(carried.bappeda)
    assert client.get(new_url(agreement, "transaction")).status_code == 200
    page = text(client.get(f"/agreements/{agreement.id}"))
    for milestone in (transaction, activity):
        assert milestone_url(milestone, "edit") not in page
        assert client.get(milestone_url(milestone, "edit")).status_code == 403
        response = client.post(
            milestone_url(milestone, "edit"),
            data=transaction_form(carried.other, version=milestone.version),
        )
        assert response.status_code == 403
        response = client.post(
            milestone_url(milestone, "delete"), data={"version": milestone.version}
        )
        assert response.status_code == 403
    assert count(Transaction) == 2 and count(RealisedActivity) == 1
    db.session.refresh(transaction)
    assert transaction.version == 1


def test_the_opd_cannot_record_visits_kb_or_pks(client, auth, world, carried):
    agreement = carried.agreement
    kb_activity = factories.make_activity(agreement)  # under the KB alone
    db.session.commit()
    logs = count(ActivityLog)
    auth.login(world.opd)
    for kind in ("visit", "mou", "pks"):
        assert client.get(new_url(agreement, kind)).status_code == 403, kind
        assert client.post(new_url(agreement, kind), data={}).status_code == 403, kind
    for milestone in (carried.kb, carried.own, kb_activity):
        assert client.get(milestone_url(milestone, "edit")).status_code == 403
        assert client.post(milestone_url(milestone, "edit"), data={}).status_code == 403
        response = client.post(
            milestone_url(milestone, "delete"), data={"version": milestone.version}
        )
        assert response.status_code == 403
    assert count(ActivityLog) == logs
    assert db.session.get(Pks, carried.own.id) is not None
    assert db.session.get(RealisedActivity, kb_activity.id) is not None


def test_the_pimpinan_gets_403(client, auth, world, carried):
    transaction = factories.make_transaction(carried.agreement, carried.own)
    db.session.commit()
    auth.login(world.pimpinan)
    page = text(client.get(f"/agreements/{carried.agreement.id}"))
    assert "Catat transaksi" not in page and "/milestones/" not in page
    url = new_url(carried.agreement, "transaction")
    assert client.get(url).status_code == 403
    assert client.post(url, data=transaction_form(carried.own)).status_code == 403
    assert client.get(milestone_url(transaction, "edit")).status_code == 403
    response = client.post(milestone_url(transaction, "delete"), data={"version": 1})
    assert response.status_code == 403
    assert count(Transaction) == 2


def test_another_governments_agreement_is_404(client, auth, world):
    other = world.other_agreement
    other_pks = factories.make_pks(other, world.other_mou, agencies=[world.other_agency_b])
    other_transaction = factories.make_transaction(other, other_pks)
    db.session.commit()
    auth.login(world.opd)
    assert client.get(new_url(other, "transaction")).status_code == 404
    assert (
        client.post(new_url(other, "transaction"), data=transaction_form(other_pks)).status_code
        == 404
    )
    assert client.get(milestone_url(other_transaction, "edit")).status_code == 404
    # Another government's transaction through the OPD's own agreement: 404 as well.
    url = f"/agreements/{world.agreement.id}/milestones/transaction/{other_transaction.id}/edit"
    assert client.get(url).status_code == 404
    assert count(Transaction) == 2


def test_a_closed_agreement_stays_closed(client, auth, world, carried):
    transaction = factories.make_transaction(carried.agreement, carried.own)
    carried.agreement.stage = Stage.SELESAI
    db.session.commit()
    auth.login(world.opd)
    page = text(client.get(f"/agreements/{carried.agreement.id}"))
    assert "Catat transaksi" not in page and milestone_url(transaction, "edit") not in page
    for url in (new_url(carried.agreement, "transaction"), milestone_url(transaction, "edit")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/agreements/{carried.agreement.id}"


# --- proof ------------------------------------------------------------------------------------


def test_the_opd_uploads_proof_to_its_own_realisation(app, client, auth, world, carried):
    agreement = carried.agreement
    own = factories.make_transaction(agreement, carried.own)
    theirs = factories.make_transaction(agreement, carried.other, commodity="Beras")
    documents.upload_document(  # the signed KB: its link shows, its upload link does not
        world.admin,
        agreement,
        FakeUpload("kb.pdf", pdf_bytes()),
        {"kind": DocumentKind.KB_TEXT, "title": "Naskah KB bertanda tangan"},
        documents.Attachment("mou", carried.kb.id),
    )
    db.session.commit()
    auth.login(world.opd)
    page = text(client.get(f"/agreements/{agreement.id}"))
    upload = f"/agreements/{agreement.id}/documents/new"
    assert "Naskah KB bertanda tangan" in page
    assert f"{upload}?tahapan=transaction-{own.id}" in page
    assert f"tahapan=transaction-{theirs.id}" not in page
    assert f"tahapan=mou-{carried.kb.id}" not in page

    form = text(client.get(f"{upload}?tahapan=transaction-{own.id}"))
    assert f'<option selected value="transaction-{own.id}">' in form
    assert f'value="transaction-{theirs.id}"' not in form
    assert f'value="mou-{carried.kb.id}"' not in form and "Kerja sama secara umum" not in form
    assert '<option selected value="bukti">' in form and 'value="naskah_kb"' not in form

    def post(step: str):
        return client.post(
            upload,
            data={
                "file": (io.BytesIO(image_bytes("JPEG")), "serah terima telur.jpg"),
                "kind": "bukti",
                "step": step,
                "title": "Foto serah terima",
            },
            content_type="multipart/form-data",
        )

    for refused in (f"transaction-{theirs.id}", f"mou-{carried.kb.id}", ""):
        response = post(refused)
        assert response.status_code == 200, refused
        assert "Anda tidak berhak mengunggah dokumen di sini." in text(response)
    assert count(Document) == 1  # the KB's

    assert post(f"transaction-{own.id}").status_code == 302
    document = db.session.scalar(select(Document).where(Document.milestone_kind == "transaction"))
    assert (document.milestone_kind, document.milestone_id) == ("transaction", own.id)
    assert (document.kind, document.uploaded_by_id) == (DocumentKind.PROOF, world.opd.id)
    page = text(client.get(f"/agreements/{agreement.id}"))
    assert "Foto serah terima" in page
    # Their agency's proof they may replace and delete; Bagian Pemerintahan's they may not.
    assert client.get(f"/documents/{document.id}/replace").status_code == 200
    by_admin = documents.upload_document(
        world.admin,
        agreement,
        FakeUpload("ba.pdf", pdf_bytes()),
        {"kind": "bukti", "title": "Berita acara"},
        documents.Attachment("transaction", own.id),
    )
    db.session.commit()
    assert client.get(f"/documents/{by_admin.id}/replace").status_code == 403
    document_id = document.id
    response = client.post(f"/documents/{document_id}/delete", data={"version": document.version})
    assert response.status_code == 302
    assert db.session.get(Document, document_id) is None
    assert db.session.get(Document, by_admin.id) is not None


def test_an_opds_upload_is_always_proof_and_only_to_its_realisations(world, carried):
    own = factories.make_transaction(carried.agreement, carried.own)
    theirs = factories.make_activity(carried.agreement, carried.other)
    document = documents.upload_document(
        world.opd,
        carried.agreement,
        FakeUpload("ba.pdf", pdf_bytes()),
        {"kind": DocumentKind.KB_TEXT},
        documents.Attachment("transaction", own.id),
    )
    assert document.kind == DocumentKind.PROOF
    for attachment in (
        documents.Attachment("activity", theirs.id),
        documents.Attachment("pks", carried.own.id),
        documents.Attachment(),
    ):
        with pytest.raises(DomainError, match="tidak berhak"):
            documents.upload_document(
                world.opd,
                carried.agreement,
                FakeUpload("ba.pdf", pdf_bytes()),
                {"kind": DocumentKind.PROOF},
                attachment,
            )


def test_an_opd_without_a_realisation_to_prove_gets_403_on_the_upload_form(
    client, auth, world, carried
):
    auth.login(carried.disperindag)
    assert client.get(f"/agreements/{carried.agreement.id}/documents/new").status_code == 403
    auth.logout()
    auth.login(world.opd)  # carries a PKS out, but nothing is realised under it yet
    assert client.get(f"/agreements/{carried.agreement.id}/documents/new").status_code == 403


def test_an_opd_that_only_carries_a_pks_out_reads_the_agreement_and_records(
    client, auth, world, carried
):
    """An agency named only as OPD pelaksana of a PKS (not the lead, no task) still sees the
    agreement in its list and records the PKS's realisations."""
    dinkes = factories.make_agency(world.gov, "DINKES", name="Dinas Kesehatan")
    head = factories.make_user(world.gov, Role.OPD, agency=dinkes, email="dinkes@blitarkota.go.id")
    unrelated = factories.make_agreement(world.gov, world.other_agency, title="Tak terkait")
    pks = factories.make_pks(
        carried.agreement,
        carried.kb,
        agencies=[dinkes],
        title="PKS layanan kesehatan",
        signed_on=date(2025, 9, 3),
    )
    db.session.commit()
    auth.login(head)
    listing = text(client.get("/agreements"))
    assert carried.agreement.title in listing and unrelated.title not in listing
    assert client.get(f"/agreements/{carried.agreement.id}").status_code == 200
    assert client.get(f"/agreements/{unrelated.id}").status_code == 403
    response = client.post(new_url(carried.agreement, "transaction"), data=transaction_form(pks))
    assert response.status_code == 302
    recorded = db.session.scalars(select(Transaction).where(Transaction.pks_id == pks.id)).all()
    assert [t.commodity for t in recorded] == ["Telur ayam"]
