"""The PDF report: a real PDF with the pages it says it has, the government, the agreements
and the figures of the period; a bad period gets a message and no PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest

from kerjasama_flow.extensions import db
from kerjasama_flow.reports.pdf_report import period_error, printable
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
