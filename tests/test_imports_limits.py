"""Spreadsheets that would stall the site: bounded before they are read, never read whole by
the upload request, and never read past the row limit, blank rows included (issue 12, item 7).

A file whose sheet XML stops being XML at some row (``broken_at``) shows how far a reader went:
one that reached the break would refuse the file as unreadable."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from kerjasama_flow.extensions import db
from kerjasama_flow.imports.columns import (
    MAX_ROWS,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
    PEEK_BLANK_ROWS,
    PEEK_OPEN_BYTES,
)
from kerjasama_flow.imports.models import ImportJob, ImportStatus
from kerjasama_flow.imports.reading import ImportFileError, peek_table, read_table
from kerjasama_flow.reminders.models import Notification
from tests.import_helpers import (
    agreement_count,
    by_ref,
    confirm,
    job_id_of,
    row,
    run_scheduler_job,
    upload,
    xlsx,
    xlsx_with_blank_rows,
)

ROWS = [row(f"KS-{n:03d}", f"Kerja sama {n}") for n in range(1, 4)]
# Far enough past the limit that the XML parser's read-ahead (16 KB) does not reach the break.
PAST_THE_LIMIT = MAX_SHEET_ROWS + 3000
# Blank rows that unpack to more than ``PEEK_OPEN_BYTES`` (about 37 bytes each).
LARGE = PEEK_OPEN_BYTES // 30
UNREADABLE = "tidak dapat dibaca sebagai XLSX"
TOO_LONG = f"lebih dari {MAX_SHEET_ROWS:,} baris (baris kosong ikut terhitung)".replace(",", ".")


@pytest.fixture
def admin(world, auth):
    auth.login(world.admin)
    return world.admin


def jobs_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ImportJob))


def only_job() -> ImportJob:
    db.session.rollback()
    return db.session.scalars(select(ImportJob)).one()


def refused_in_the_request(response, text: str) -> None:
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert text in body, body
    assert "/confirm" not in body
    assert jobs_count() == 0  # nothing stored, nothing queued


# --- the reader ---------------------------------------------------------------------------------


def test_the_break_marks_how_far_a_reader_went():
    """The probe itself: a reader that reaches the break refuses the file as unreadable."""
    content = xlsx_with_blank_rows(ROWS, 20, dimension=None, broken_at=30)
    with pytest.raises(ImportFileError, match=UNREADABLE):
        read_table(content, "xlsx")


def test_reading_stops_at_the_row_limit_counting_blank_rows():
    # A dimension that lies (three rows) neither stops nor shortens the reading.
    content = xlsx_with_blank_rows(ROWS, PAST_THE_LIMIT, "A1:M3", broken_at=PAST_THE_LIMIT)
    with pytest.raises(ImportFileError, match=re.escape(TOO_LONG)):
        read_table(content, "xlsx")


def test_a_sheet_without_a_dimension_is_refused_past_the_row_limit():
    """Refused for its length too; but openpyxl reads such a sheet to its end when it opens
    the workbook (``reading``'s docstring), which only the job runner does for a large one."""
    content = xlsx_with_blank_rows(ROWS, PAST_THE_LIMIT, dimension=None)
    with pytest.raises(ImportFileError, match=re.escape(TOO_LONG)):
        read_table(content, "xlsx")


def test_a_sheet_that_declares_too_many_rows_is_refused_before_any_row_is_read():
    content = xlsx_with_blank_rows(ROWS, 10, dimension="A1:M300006", broken_at=20)
    for read in (lambda: read_table(content, "xlsx"), lambda: peek_table(content, "xlsx", 300)):
        with pytest.raises(ImportFileError) as refused:
            read()
        assert "berisi 300.006 baris (baris kosong yang pernah diformat" in refused.value.message


def test_the_peek_reads_a_bounded_start_and_says_whether_it_saw_the_end():
    blank = xlsx_with_blank_rows(ROWS, PAST_THE_LIMIT, dimension="A1:M3")
    peeked = peek_table(blank, "xlsx", 300)
    assert not peeked.complete
    assert peeked.sheet_rows == 300 + PEEK_BLANK_ROWS + 1  # the first row past the bound
    assert [number for number, _ in peeked.rows] == [2, 3, 4]

    lines = ["Referensi,Judul,Jenis,Mitra"] + [f"KS-{n},Judul {n},KSDD,Mitra" for n in range(1000)]
    peeked = peek_table("\n".join(lines).encode(), "csv", 300)
    assert (peeked.complete, len(peeked.rows), peeked.sheet_rows) == (False, 300, 302)

    small = peek_table(xlsx(ROWS), "xlsx", 300)
    assert small.complete and small.rows == read_table(xlsx(ROWS), "xlsx").rows


def test_a_large_sheet_without_a_dimension_is_not_opened_by_the_peek():
    """openpyxl's read-only mode reads such a sheet to its end when it opens the workbook, so
    the request leaves one larger than ``PEEK_OPEN_BYTES``, unread, to the job runner; a
    small one it opens."""
    content = xlsx_with_blank_rows(ROWS, LARGE, dimension=None, broken_at=LARGE + 10)
    peeked = peek_table(content, "xlsx", 300)
    assert (peeked.complete, peeked.sheet_rows, peeked.rows) == (False, 0, [])

    small = xlsx_with_blank_rows(ROWS, 10, dimension=None)
    assert len(peek_table(small, "xlsx", 300).rows) == 3


def unpacking_to(size: int) -> bytes:
    """A valid XLSX carrying a part (an image, say) that unpacks to ``size`` bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx(ROWS))) as good,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in good.infolist():
            archive.writestr(item.filename, good.read(item.filename))
        with archive.open("xl/media/image1.bmp", "w") as part:
            block = bytes(1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
            part.write(bytes(size % len(block)))
    return out.getvalue()


def test_an_archive_that_unpacks_beyond_the_limit_is_refused(client, admin):
    before = agreement_count()
    content = unpacking_to(MAX_UNPACKED_BYTES + 1)
    assert len(content) < 1024 * 1024  # a small upload
    refused_in_the_request(upload(client, content), "lebih dari batas 50 MB")
    with pytest.raises(ImportFileError, match="lebih dari batas 50 MB"):
        read_table(content, "xlsx")
    assert agreement_count() == before


# --- through the web and the job runner -------------------------------------------------------


def test_a_file_declaring_300000_blank_rows_is_refused_by_the_upload_unread(client, admin):
    content = xlsx_with_blank_rows(ROWS, 10, dimension="A1:M300006", broken_at=20)
    refused_in_the_request(upload(client, content), "berisi 300.006 baris")


@pytest.mark.parametrize(
    ("blank_rows", "dimension", "broken_at"),
    [(PAST_THE_LIMIT, "A1:M3", PAST_THE_LIMIT), (LARGE, None, None)],
    ids=["false dimension", "no dimension"],
)
def test_blank_rows_past_the_limit_are_queued_then_refused_by_the_job_runner(
    client, admin, app, world, blank_rows, dimension, broken_at
):
    before = agreement_count()
    content = xlsx_with_blank_rows(ROWS, blank_rows, dimension, broken_at)
    response = upload(client, content)
    job = only_job()
    assert job.status == ImportStatus.CHECK_QUEUED
    assert job.rows_total == 0  # not counted by the request
    assert "jumlah baris dihitung saat diperiksa" in response.get_data(as_text=True)

    run_scheduler_job(app)
    failed = only_job()
    assert failed.status == ImportStatus.FAILED
    assert TOO_LONG in failed.message  # stopped at the limit, never reached the break
    assert agreement_count() == before
    notice = db.session.scalars(select(Notification)).one()
    assert notice.user_id == world.admin.id and notice.period == "failed"
    assert notice.title.startswith("Impor data.xlsx gagal: Berkas berisi lebih dari")
    body = client.get(f"/agreements/import/jobs/{failed.id}").get_data(as_text=True)
    assert TOO_LONG in body


def test_too_many_data_rows_are_refused_by_the_job_runner(client, admin, app):
    lines = ["Referensi,Judul,Jenis,Mitra"] + [
        f"KS-{n},Judul {n},KSDD,Mitra {n}" for n in range(MAX_ROWS + 1)
    ]
    upload(client, "\n".join(lines).encode(), "besar.csv")
    assert only_job().status == ImportStatus.CHECK_QUEUED
    run_scheduler_job(app)
    failed = only_job()
    assert failed.status == ImportStatus.FAILED
    assert "lebih dari 5.000 baris data" in failed.message


def test_the_upload_checks_the_header_of_a_file_it_does_not_read_whole(client, admin):
    lines = ["Nama,Judul"] + [f"x{n},Judul {n}" for n in range(1000)]
    response = upload(client, "\n".join(lines).encode(), "besar.csv")
    refused_in_the_request(response, "Kolom wajib yang tidak ada: Referensi, Jenis, Mitra")


def test_a_file_with_formatted_blank_rows_within_the_limit_still_imports(client, admin, world):
    before = agreement_count()
    content = xlsx_with_blank_rows(ROWS, 400)  # the dimension says A1:M404, as Excel writes
    response = upload(client, content)
    assert "Kerja sama 3" in response.get_data(as_text=True)
    job = only_job()
    assert (job.status, job.rows_total) == (ImportStatus.CHECKED, 3)  # checked in the request
    confirm(client, job_id_of(response))
    assert agreement_count() == before + 3
    assert by_ref("KS-002", world.gov.id).title == "Kerja sama 2"


def test_a_file_of_more_rows_than_the_request_checks_is_counted_by_the_job_runner(
    client, admin, app
):
    app.config["IMPORT_INLINE_ROWS"] = 2
    upload(client, xlsx_with_blank_rows(ROWS, 100))
    assert (only_job().status, only_job().rows_total) == (ImportStatus.CHECK_QUEUED, 0)
    run_scheduler_job(app)
    assert (only_job().status, only_job().rows_total) == (ImportStatus.CHECKED, 3)
