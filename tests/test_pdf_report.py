"""The PDF report: a real PDF with the pages it says it has, the government, the agreements
and the figures of the period; a bad period gets a message and no PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import MouKind
from kerjasama_flow.evaluations.models import Recommendation
from kerjasama_flow.extensions import db
from kerjasama_flow.reports.pdf_report import (
    NBSP,
    REPORT_CHARTS,
    Line,
    collect,
    period_error,
    printable,
)
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.identity_helpers import lambang_png

MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
BROKEN_DATE = re.compile(rf"\b\d{{1,2}}\s*\n\s*(?:{MONTHS})\b|\b(?:{MONTHS})\s*\n\s*\d{{4}}\b")


def _pages(body: bytes) -> list:
    return PdfReader(io.BytesIO(body)).pages


def pdf_text(body: bytes) -> str:
    """The text of every page, read back with pypdf; the report's unbreakable spaces (in
    dates) read as spaces."""
    return "\n".join(page.extract_text() for page in _pages(body)).replace(NBSP, " ")


def page_count(body: bytes) -> int:
    return len(_pages(body))


def image_count(body: bytes) -> int:
    return sum(len(page.images) for page in _pages(body))


def _report(client, start="2025-01-01", end="2025-12-31"):
    return client.get(f"/reports/pdf?dari={start}&sampai={end}")


def test_report_is_a_pdf_with_summary_and_agreements(client, auth, world):
    auth.login(world.pimpinan)
    response = _report(client)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "laporan-kerja-sama-2025-01-01-2025-12-31.pdf" in response.headers["Content-Disposition"]
    pages = page_count(response.data)
    text = pdf_text(response.data)
    assert "LAPORAN PELAKSANAAN KERJA SAMA DAERAH" in text
    assert "Pemerintah Kota Blitar" in text  # the running header of the later pages
    assert world.agreement.title in text
    assert f"Halaman 1 dari {pages}" in text and f"Halaman {pages} dari {pages}" in text
    assert "Rp 1.250.000" in text  # the world's transaction, in the period
    assert world.other_agreement.title not in text
    assert world.other_gov.name not in text
    assert image_count(response.data) == len(REPORT_CHARTS)  # the charts; no lambang yet


def test_a_report_the_sekda_signs(app, client, auth, world):
    """Kop surat with the lambang, the charts, the OPD ranking, the monev of the period,
    page numbers and the signature block, read back from the PDF."""
    world.gov.settings = {
        "letterhead_address": "Jl. Merdeka No. 105 Blitar 66112",
        "signatory_name": "Drs. Budi Santoso, M.Si.",
        "signatory_nip": "197001011995031001",
    }
    factories.make_evaluation(
        world.agreement,
        evaluated_on=date(2025, 11, 20),
        period_label="Semester II 2025",
        progress_pct=65,
        recommendation=Recommendation.EXPAND,
        obstacles="Armada pendingin kurang",
    )
    factories.make_evaluation(
        world.agreement, evaluated_on=date(2024, 6, 1), period_label="Semester I 2024"
    )
    db.session.commit()
    auth.login(world.admin)
    client.post(
        "/settings/identity/lambang",
        data={"lambang": (io.BytesIO(lambang_png()), "lambang.png")},
        content_type="multipart/form-data",
    )
    response = _report(client)
    assert response.status_code == 200
    text = pdf_text(response.data)
    pages = page_count(response.data)
    # the kop surat
    assert text.index("PEMERINTAH KOTA BLITAR") < text.index("SEKRETARIAT DAERAH")
    assert "Jl. Merdeka No. 105 Blitar 66112" in text
    # the OPD ranking: the world's overdue DKPP task puts DKPP first
    assert "Peringkat OPD menurut tugas tindak lanjut" in text
    ranking = text[text.index("Peringkat OPD") : text.index("Monitoring dan evaluasi dalam")]
    assert "Dinas Ketahanan Pangan dan Pertanian" in ranking
    # the monev of the period, with its results; not the one of 2024
    assert "Semester II 2025" in text and "65%" in text and "Perluas" in text
    assert "Armada pendingin kurang" in text
    assert "Semester I 2024" not in text
    # page numbers and the signature block
    assert pages >= 2
    assert all(f"Halaman {n} dari {pages}" in text for n in range(1, pages + 1))
    assert "Blitar, " in text and "SEKRETARIS DAERAH" in text
    assert "Drs. Budi Santoso, M.Si." in text and "NIP 19700101 199503 1 001" in text
    assert text.rindex("Drs. Budi Santoso") > text.rindex(world.agreement.title)
    # the lambang and the charts are embedded images
    assert image_count(response.data) == 1 + len(REPORT_CHARTS)
    # no date is broken over two lines ("14 Agustus" at a line's end, "2025" on the next)
    assert "Periode 1 Januari 2025 s.d. 31 Desember 2025" in text
    assert not BROKEN_DATE.search(text), BROKEN_DATE.search(text)


def test_page_numbers_match_the_pages(client, auth, world):
    for n in range(40):
        agreement = factories.make_agreement(world.gov, world.agency, title=f"Kerja sama {n}")
        factories.make_task(agreement, world.agency, title=f"Tugas lama {n}")
    db.session.commit()
    auth.login(world.admin)
    response = _report(client)
    pages = page_count(response.data)
    assert pages > 3
    text = pdf_text(response.data)
    assert f"Halaman {pages} dari {pages}" in text
    assert f"Halaman {pages + 1} " not in text


def test_figures_are_those_of_the_period(client, auth, world):
    factories.make_transaction(
        world.agreement, world.pks, transacted_on=date(2026, 2, 1), value_rp=7_000_000
    )
    db.session.commit()
    auth.login(world.admin)
    text = pdf_text(_report(client, "2026-01-01", "2026-06-30").data)
    assert "Rp 7.000.000" in text
    assert "Rp 1.250.000" not in text  # October 2025: outside the period
    assert "Periode 1 Januari 2026 s.d. 30 Juni 2026" in text


def test_opd_report_covers_only_their_agreements(client, auth, world):
    other = factories.make_agreement(world.gov, world.other_agency, title="Kajian Bappeda")
    db.session.commit()
    auth.login(world.opd)
    text = pdf_text(_report(client).data)
    assert world.agreement.title in text
    assert other.title not in text


def test_typographic_characters_are_printed(client, auth, world):
    world.agreement.title = "Pasokan \u201cpangan\u201d \u2013 DKI\u2026 \u2605"
    db.session.commit()
    auth.login(world.admin)
    response = _report(client)
    assert response.status_code == 200
    assert "Pasokan \u201cpangan\u201d \u2013 DKI\u2026 ?" in pdf_text(response.data)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dari=2025-12-31&sampai=2025-01-01", "Tanggal akhir tidak boleh sebelum tanggal awal."),
        ("dari=2015-01-01&sampai=2025-01-01", "Periode laporan paling panjang 5 tahun."),
        ("dari=kemarin&sampai=2025-01-01", "Tanggal tidak sah."),
        ("", "Periksa kembali tanggal periode laporan."),
    ],
)
def test_bad_period_gets_a_message_and_no_pdf(client, auth, world, query, message):
    auth.login(world.admin)
    response = client.get(f"/reports/pdf?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert not response.data.startswith(b"%PDF")
    assert message in response.get_data(as_text=True)


def test_report_form_and_nav(client, auth, world):
    auth.login(world.pimpinan)
    body = client.get("/reports").get_data(as_text=True)
    assert 'action="/reports/pdf"' in body
    assert 'name="dari"' in body and 'name="sampai"' in body
    assert 'href="/reports"' in body  # the nav's "Laporan"


def test_period_rules():
    assert period_error(date(2025, 1, 1), date(2025, 1, 1)) is None
    assert period_error(date(2021, 1, 1), date(2025, 12, 31)) is None
    assert period_error(None, date(2025, 1, 1))
    assert printable("a\u2212b\u00a0c \u4e2d") == "a-b\u00a0c ?"


def test_collect_reads_each_milestone_kind_of_the_period(world):
    world.mou.number_own = "415.4/12/2025"
    factories.make_visit(world.agreement, visited_on=date(2024, 12, 31), place="Luar periode")
    factories.make_mou(world.agreement, document_kind=MouKind.KB, signed_on=date(2025, 6, 16))
    finished = factories.make_agreement(world.gov, world.agency, title="Selesai, ada kegiatan")
    finished.stage = Stage.SELESAI
    factories.make_pks(finished, title="PKS langsung", signed_on=date(2025, 3, 3))
    quiet = factories.make_agreement(world.gov, world.agency, title="Selesai, tanpa kegiatan")
    quiet.stage = Stage.SELESAI
    for title, done_at in (
        ("Selesai 31 Desember WIB", datetime(2025, 12, 31, 16, 0, tzinfo=UTC)),
        ("Selesai 1 Januari WIB", datetime(2025, 12, 31, 17, 0, tzinfo=UTC)),
    ):
        factories.make_task(
            world.agreement, world.agency, title=title, status=TaskStatus.DONE, done_at=done_at
        )
    db.session.commit()

    data = collect(world.admin, date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 15))

    assert data.milestone_counts == {"visit": 1, "mou": 2, "pks": 2}
    assert (data.transaction_count, data.transaction_value) == (1, 1_250_000)
    assert (data.tasks_done, data.tasks_overdue) == (1, 1)
    sections = {section.agreement.title: section for section in data.sections}
    assert set(sections) == {world.agreement.title, "Selesai, ada kegiatan"}
    section = sections[world.agreement.title]
    assert section.milestones == [  # by date; on one day a visit before an MoU
        Line(date(2025, 6, 16), "Kunjungan kerja (Kunjungan ke mitra) di Balai Kota"),
        Line(date(2025, 6, 16), "Kesepakatan Bersama ditandatangani"),
        Line(date(2025, 8, 14), "Nota Kesepahaman (MoU) ditandatangani nomor 415.4/12/2025"),
        Line(date(2025, 9, 1), "PKS ditandatangani: PKS uji"),
    ]
    assert section.done_tasks == [Line(date(2025, 12, 31), "Selesai 31 Desember WIB (DKPP)")]
    assert section.overdue_tasks == [
        Line(date(2025, 9, 30), f"{world.task.title} (DKPP), terlambat 107 hari")
    ]
    assert section.transactions == [world.transaction]
    assert sections["Selesai, ada kegiatan"].milestones == [
        Line(date(2025, 3, 3), "PKS ditandatangani: PKS langsung")
    ]
