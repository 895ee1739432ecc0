"""The demo tells the seed reports' story truthfully (issue 11, "Demo true to the reports").

The parties are the ones the reports name (the BUMD of DKI are buyers, not parties; "PT
Darmajaya" is Perumda Dharma Jaya), the steps are recorded through the playbooks as an
officer would, the administrative path is used where the reports support it, the register
shows a registered and an unregistered KB, and the placeholder document says it is one.
"""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import Government, GovernmentKind, User
from kerjasama_flow.agreements.lifecycle import Stage, Standing
from kerjasama_flow.agreements.models import (
    Agreement,
    Mou,
    OfferDirection,
    Partner,
    PartnerKind,
    Pks,
    TkksdRecommendation,
)
from kerjasama_flow.agreements.register import register_rows
from kerjasama_flow.agreements.services import dormancy_of, report_recipient
from kerjasama_flow.demo.seed import seed_demo
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.documents.services import stored_path
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks.models import TaskTemplate
from kerjasama_flow.tasks.models import Closure, Task, TaskStatus
from tests import factories

AFTER_THE_DEMO = "2026-02-02T09:00:00+07:00"  # the reports' last step is in January 2026
TODAY = date(2026, 2, 2)
DKI_BUYERS = {"Perumda Pasar Jaya", "Perumda Dharma Jaya", "PT Food Station Tjipinang Jaya"}
APEKSI_REFS = (
    "DEMO-BLITAR-DEPOK-2025",
    "DEMO-BLITAR-SAMARINDA-2025",
    "DEMO-BLITAR-BEKASI-2025",
    "DEMO-BLITAR-PALANGKARAYA-2025",
)
# Every person the reports name as signing (or as the head of region who signed).
NAMED_IN_THE_REPORTS = {
    "Syauqul Muhibbin",
    "Supian Suri",
    "M. Sanusi",
    "Amsakar Achmad",
    "Wahyu Hidayat",
    "Maulana",
}
KB_REPORT = "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur Jawa Timur"


@pytest.fixture
def seeded(app):
    app.config["KERJASAMA_NOW"] = AFTER_THE_DEMO
    seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    return app


def _agreement(ref: str) -> Agreement:
    return db.session.scalar(select(Agreement).where(Agreement.external_ref == ref))


def _tasks(agreement: Agreement) -> list[Task]:
    return list(
        db.session.scalars(select(Task).where(Task.agreement_id == agreement.id).order_by(Task.id))
    )


def _template_key(task: Task) -> str | None:
    if task.template_id is None:
        return None
    return db.session.get(TaskTemplate, task.template_id).key


def _pdf_text(content: bytes) -> str:
    """The text shown by a PDF written with fpdf2's core fonts (compressed streams)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            shown += re.findall(rb"\((.*?)\) ?Tj", zlib.decompress(stream))
        except zlib.error:
            continue
    return " ".join(text.decode("cp1252") for text in shown)


def test_seeding_gives_the_clock_back(seeded):
    assert seeded.config["KERJASAMA_NOW"] == AFTER_THE_DEMO


def test_the_bumd_of_dki_are_buyers_not_parties(seeded):
    partners = db.session.scalars(select(Partner)).all()
    names = {p.name for p in partners}
    assert not [name for name in names if "darmajaya" in name.lower()]
    assert not names & DKI_BUYERS
    assert not [p for p in partners if p.kind == PartnerKind.BUMD]

    dki = _agreement("DEMO-BLITAR-DKI-2025")
    ((partner),) = dki.partners
    assert (partner.name, partner.kind) == (
        "Pemerintah Provinsi DKI Jakarta",
        PartnerKind.PEMDA_PROVINSI,
    )
    assert {t.buyer for t in dki.transactions} == DKI_BUYERS
    # The report's "PT Darmajaya" is named for what it is, and only as the misspelling.
    assert "yang dimaksud Perumda Dharma Jaya" in dki.description
    assert "bukan pihak MoU" in dki.description
    (pks,) = dki.pks_list
    assert pks.partner_agency.startswith("Dinas Ketahanan Pangan")
    assert "PT Darmajaya" not in pks.partner_agency


def test_every_government_is_a_kota_or_kabupaten_of_jawa_timur(seeded):
    governments = {g.name: g for g in db.session.scalars(select(Government))}
    assert {name: g.kind for name, g in governments.items()} == {
        "Kota Blitar": GovernmentKind.KOTA,
        "Kabupaten Malang": GovernmentKind.KABUPATEN,
        "Kota Malang": GovernmentKind.KOTA,
    }
    for government in governments.values():
        assert government.province == "Jawa Timur"
        assert report_recipient(government) == "Gubernur Jawa Timur"


def test_the_steps_run_their_playbooks(seeded):
    """Every agreement has tasks its playbooks created; the tasks they wait for close them."""
    for agreement in db.session.scalars(select(Agreement)):
        assert any(t.template_id is not None for t in _tasks(agreement)), agreement.title

    dki = _agreement("DEMO-BLITAR-DKI-2025")
    by_key = {_template_key(t): t for t in _tasks(dki) if t.template_id is not None}
    report = by_key["mou.report_governor"]
    assert report.title == KB_REPORT
    assert report.status == TaskStatus.DONE
    assert (report.closure, report.closed_by_kind) == (Closure.STEP, "report")
    assert by_key["pks.report_governor"].closed_by_kind == "report"
    assert by_key["mou.draft_pks"].closed_by_kind == "pks"
    assert by_key["pks.first_transaction"].closed_by_kind == "transaction"
    # Due counted from the day of the signing (the clock pinned then), not from the seeding.
    (mou,) = dki.mous
    assert by_key["mou.report_governor"].created_at.date() == mou.signed_on
    assert date(2025, 8, 14) < by_key["mou.report_governor"].due_on < date(2025, 9, 1)

    # A KB not reported yet keeps its report task open (and overdue).
    depok = _agreement("DEMO-BLITAR-DEPOK-2025")
    (waiting,) = [t for t in _tasks(depok) if t.title == KB_REPORT]
    assert waiting.status == TaskStatus.OPEN and waiting.is_overdue(TODAY)
    assert not depok.reports


def test_registered_and_unregistered_kbs_in_the_register(seeded, client):
    blitar_admin = db.session.scalar(select(User).where(User.email == "admin@blitarkota.demo"))
    rows = register_rows(blitar_admin, TODAY)
    standing = {(row.kind, row.agreement.external_ref): row.standing for row in rows}
    assert standing[("kb", "DEMO-BLITAR-DKI-2025")] == Standing.IN_FORCE
    assert standing[("pks", "DEMO-BLITAR-DKI-2025")] == Standing.IN_FORCE
    for ref in APEKSI_REFS:
        assert standing[("kb", ref)] == Standing.UNREGISTERED
    dki_kb = next(
        r for r in rows if (r.kind, r.agreement.external_ref) == ("kb", "DEMO-BLITAR-DKI-2025")
    )
    assert (dki_kb.number_own, dki_kb.number_partner) == ("180/15/410.010/2025", "119/2025")
    # Numbers the reports do not give are marked as examples.
    for document in [*db.session.scalars(select(Mou)), *db.session.scalars(select(Pks))]:
        if document.number_own or document.number_partner:
            assert "nomor contoh untuk demo" in document.notes

    client.post(
        "/login", data={"email": "admin@blitarkota.demo", "password": factories.DEMO_PASSWORD}
    )
    page = client.get("/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Belum diregistrasi" in html and "Berlaku" in html
    assert "180/15/410.010/2025" in html


def test_the_administrative_path_where_the_reports_support_it(seeded):
    jambi = _agreement("DEMO-KOTAMALANG-JAMBI-2026")
    (offer,) = jambi.offers
    assert offer.direction == OfferDirection.INCOMING and offer.reply_on is not None
    assert offer.proposing_agency.code == "PEM"
    (meeting,) = jambi.tkksd_meetings
    assert meeting.recommendation == TkksdRecommendation.PROCEED
    (review,) = jambi.legal_reviews
    assert review.is_initialled
    (report,) = jambi.reports
    assert report.recipient == "Gubernur Jawa Timur" and report.letter_number
    assert report.mou is jambi.mous[0]

    batam = _agreement("DEMO-KABMALANG-BATAM-2025")
    (meeting,) = batam.tkksd_meetings
    assert meeting.chaired_by.startswith("Budiar")  # the Sekda the report names
    assert batam.legal_reviews[0].is_initialled
    assert not batam.reports  # signed in December 2025, not reported yet

    dki = _agreement("DEMO-BLITAR-DKI-2025")
    assert {(r.mou_id is not None, r.pks_id is not None) for r in dki.reports} == {
        (True, False),
        (False, True),
    }
    (pks,) = dki.pks_list
    assert pks.signed_by_proxy and pks.proxy_letter_number and pks.proxy_letter_on
    assert pks.signatory_own is None and pks.signatory_own_office.startswith("Kepala Dinas")
    # Steps the reports do not mention say they are illustrations.
    for step in [*jambi.offers, *jambi.tkksd_meetings, *jambi.legal_reviews, *dki.reports]:
        assert "ilustrasi untuk demo" in step.notes


def test_signatories_are_named_only_as_the_reports_name_them(seeded):
    documents = [*db.session.scalars(select(Mou)), *db.session.scalars(select(Pks))]
    for document in documents:
        assert document.signatory_own_office and document.signatory_partner_office
        for name in (document.signatory_own, document.signatory_partner):
            assert name is None or name in NAMED_IN_THE_REPORTS, name
    dki_kb = _agreement("DEMO-BLITAR-DKI-2025").mous[0]
    assert (dki_kb.signatory_own, dki_kb.signatory_own_office) == (
        "Syauqul Muhibbin",
        "Wali Kota Blitar",
    )
    assert (dki_kb.signatory_partner, dki_kb.signatory_partner_office) == (
        None,
        "Gubernur DKI Jakarta",
    )
    jambi_kb = _agreement("DEMO-KOTAMALANG-JAMBI-2026").mous[0]
    assert (jambi_kb.signatory_own, jambi_kb.signatory_partner) == ("Wahyu Hidayat", "Maulana")


def test_malang_jambi_reaches_pelaksanaan_through_an_activity(seeded):
    jambi = _agreement("DEMO-KOTAMALANG-JAMBI-2026")
    assert jambi.stage == Stage.PELAKSANAAN
    assert not jambi.pks_list and not jambi.transactions
    (activity,) = jambi.activities
    assert activity.mou is jambi.mous[0]
    assert "pajak dan retribusi" in activity.name
    assert {"egov", "pad"} <= set(jambi.sectors)


def test_the_kbs_of_apeksi_are_stalled_without_pks(seeded):
    for ref in APEKSI_REFS:
        agreement = _agreement(ref)
        assert agreement.stage == Stage.KESEPAKATAN
        assert not agreement.pks_list
        assert agreement.mous[0].signed_on == date(2025, 5, 9)
        assert dormancy_of(agreement, TODAY), ref


def test_the_placeholder_document_says_it_is_demo_data(seeded):
    (document,) = db.session.scalars(select(Document)).all()
    dki = _agreement("DEMO-BLITAR-DKI-2025")
    assert document.agreement_id == dki.id
    assert (document.milestone_kind, document.milestone_id) == ("mou", dki.mous[0].id)
    assert document.kind == DocumentKind.KB_TEXT
    assert "CONTOH – data demo" in document.title
    content = stored_path(document).read_bytes()
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "CONTOH – data demo" in text
    assert "Bukan dokumen resmi" in text


def test_the_dki_agreement_page_renders_the_story(seeded, client):
    dki = _agreement("DEMO-BLITAR-DKI-2025")
    client.post(
        "/login", data={"email": "admin@blitarkota.demo", "password": factories.DEMO_PASSWORD}
    )
    page = client.get(f"/agreements/{dki.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Pemerintah Provinsi DKI Jakarta", "Perumda Dharma Jaya", "Gubernur Jawa Timur"):
        assert text in html, text
