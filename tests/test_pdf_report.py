"""The PDF report: a real PDF with the pages it says it has, the government, the agreements
and the figures of the period; a bad period gets a message and no PDF."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime

import pytest

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import MouKind
from kerjasama_flow.extensions import db
from kerjasama_flow.reports.pdf_report import Line, collect, period_error, printable
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")
# A stream's bytes are exactly /Length long; compressed data may itself end in "\r" or
# contain "endstream", so the length, not a delimiter, says where it stops.
STREAM = re.compile(rb"/Length (\d+)\b[^>]*>>\s*stream\r?\n")


def pdf_text(body: bytes) -> str:
    """The text drawn on the pages: every content stream inflated (fpdf2 compresses them)."""
    parts = []
    for match in STREAM.finditer(body):
        raw = body[match.end() : match.end() + int(match.group(1))]
        try:
            parts.append(zlib.decompress(raw))
        except zlib.error:
            parts.append(raw)
    # Core-font strings are cp1252 inside (...) Tj; unescape \( \) \\.
    text = b"\n".join(parts).decode("cp1252", errors="replace")
    text = text.replace(") Tj (", "")  # a line drawn in pieces (the page-count alias)
    return re.sub(r"\\([()\\])", r"\1", text)


def page_count(body: bytes) -> int:
    return len(PAGE.findall(body))


def _report(client, start="2025-01-01", end="2025-12-31"):
    return client.get(f"/reports/pdf?dari={start}&sampai={end}")


def test_report_is_a_pdf_with_summary_and_agreements(client, auth, world):
    auth.login(world.pimpinan)
    response = _report(client)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "laporan-kerja-sama-2025-01-01-2025-12-31.pdf" in response.headers["Content-Disposition"]
    assert page_count(response.data) == 2  # the summary, then one page of agreements
    text = pdf_text(response.data)
    assert "Laporan Pelaksanaan Kerja Sama Daerah" in text
    assert "Pemerintah Kota Blitar" in text
    assert world.agreement.title in text
    assert "Halaman 1 dari 2" in text and "Halaman 2 dari 2" in text
    assert "Rp 1.250.000" in text  # the world's transaction, in the period
    assert world.other_agreement.title not in text
    assert world.other_gov.name not in text


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
    assert printable("a\u2212b\u00a0c \u4e2d") == "a-b c ?"


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
