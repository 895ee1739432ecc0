"""The lists as XLSX and CSV: read back with openpyxl and csv, checked against the data and the
lists' filters and scope."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.cells import FORMULA_STARTS
from kerjasama_flow.extensions import db
from kerjasama_flow.reports import exports
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.import_helpers import confirm, job_id_of, upload


@pytest.fixture
def data(world):
    """Beside the world: a second agreement of gov A led by another agency (with a task of that
    agency) still in penjajakan, and a transaction with a volume."""
    extra = factories.make_agreement(
        world.gov, world.other_agency, title="Kajian e-government Bappeda"
    )
    extra_task = factories.make_task(extra, world.other_agency, title="Susun kajian Bappeda")
    factories.make_transaction(
        world.agreement,
        world.pks,
        transacted_on=date(2025, 11, 3),
        commodity="Beras premium",
        value_rp=98_500_000,
        volume=12.5,
        unit="ton",
    )
    factories.make_pks(world.other_agreement)
    db.session.commit()
    world.extra, world.extra_task = extra, extra_task
    return world


def _xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == exports.MIMETYPES["xlsx"]
    return load_workbook(io.BytesIO(response.data)).active


# The title rows (the list and the Pemda, the filters, when and by whom, a blank row), then
# the header row, then the data.
HEADER = 5


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(min_row=HEADER, values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def _titles(sheet) -> list[str]:
    return [sheet.cell(row=n, column=1).value for n in range(1, HEADER)]


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_agreements_xlsx_is_typed_frozen_and_filtered(client, auth, data):
    auth.login(data.admin)
    response = client.get("/agreements/export.xlsx")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="kerja-sama-')
    assert '.xlsx"' in response.headers["Content-Disposition"]
    sheet = _xlsx(response)
    assert sheet.title == "Kerja Sama"
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:J7"
    assert sheet.print_title_rows == "$5:$5"
    header = [cell.value for cell in sheet[HEADER]]
    assert header[:4] == ["Kerja sama", "Jenis", "Tahap", "Mitra"]
    rows = _rows(sheet)
    assert {row["Kerja sama"] for row in rows} == {data.agreement.title, data.extra.title}
    food = next(row for row in rows if row["Kerja sama"] == data.agreement.title)
    assert food["Tahap"] == Stage.PELAKSANAAN.label
    assert food["Mitra"] == data.partner.name
    assert isinstance(food["Tahapan terakhir"], datetime)  # openpyxl reads dates as datetimes
    assert food["Tahapan terakhir"].date() == date(2025, 11, 3)
    assert food["Tugas terbuka"] == 1 and isinstance(food["Tugas terbuka"], int)
    date_col = header.index("Tahapan terakhir") + 1
    assert sheet.cell(row=HEADER + 1, column=date_col).number_format == exports.DATE_FORMAT

    # The stage filter of the list: only those agreements, and the title rows say so.
    response = client.get("/agreements/export.xlsx?stage=penjajakan")
    sheet = _xlsx(response)
    assert [row["Kerja sama"] for row in _rows(sheet)] == [data.extra.title]
    assert _titles(sheet)[1] == "Filter: Tahap: Penjajakan"
    # The search of the list, all pages (page is ignored).
    response = client.get("/agreements/export.xlsx?q=bappeda&page=3")
    assert [row["Kerja sama"] for row in _rows(_xlsx(response))] == [data.extra.title]


def test_export_holds_every_page(app, client, auth, data):
    app.config["PAGE_SIZE"] = 1
    auth.login(data.admin)
    assert len(_csv(client.get("/agreements/export.csv"))) == 2


def test_agreements_csv_round_trips(client, auth, data):
    auth.login(data.pimpinan)
    xlsx_rows = _rows(_xlsx(client.get("/agreements/export.xlsx")))
    csv_rows = _csv(client.get("/agreements/export.csv"))
    assert [r["Kerja sama"] for r in csv_rows] == [r["Kerja sama"] for r in xlsx_rows]
    food = next(r for r in csv_rows if r["Kerja sama"] == data.agreement.title)
    assert food["Tahapan terakhir"] == "2025-11-03"
    assert food["Tugas terbuka"] == "1"


def test_transactions_xlsx_has_rupiah_integers(client, auth, data):
    auth.login(data.admin)
    sheet = _xlsx(client.get("/transactions/export.xlsx"))
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref
    header = [cell.value for cell in sheet[HEADER]]
    assert header == [
        "Kerja sama",
        "PKS",
        "Tanggal",
        "Pembeli",
        "Penjual",
        "Komoditas",
        "Volume",
        "Satuan",
        "Nilai (Rp)",
    ]
    rows = _rows(sheet)
    assert [r["Nilai (Rp)"] for r in rows] == [98_500_000, 1_250_000]  # the latest first
    assert all(type(r["Nilai (Rp)"]) is int for r in rows)
    assert rows[0]["Volume"] == 12.5 and rows[0]["Satuan"] == "ton"
    assert rows[0]["Tanggal"].date() == date(2025, 11, 3)
    value_cell = sheet.cell(row=HEADER + 1, column=header.index("Nilai (Rp)") + 1)
    assert value_cell.number_format == exports.RUPIAH_FORMAT
    assert sheet.cell(row=HEADER + 1, column=3).number_format == exports.DATE_FORMAT
    assert {r["Kerja sama"] for r in rows} == {data.agreement.title}

    csv_rows = _csv(client.get("/transactions/export.csv"))
    assert [(r["Tanggal"], r["Nilai (Rp)"], r["Volume"]) for r in csv_rows] == [
        ("2025-11-03", "98500000", "12.5"),
        ("2025-10-01", "1250000", ""),
    ]
    # The agreement list's filters apply: none of the penjajakan agreements has transactions.
    assert _csv(client.get("/transactions/export.csv?stage=penjajakan")) == []


def test_tasks_export_follows_the_list_filters(client, auth, data):
    data.task.status = TaskStatus.DONE
    auth.login(data.admin)
    rows = _rows(_xlsx(client.get("/tasks/export.xlsx")))
    assert {r["Tugas"] for r in rows} == {data.task.title, data.extra_task.title}
    assert all(isinstance(r["Tenggat"], datetime) for r in rows)
    rows = _csv(client.get(f"/tasks/export.csv?agency={data.other_agency.id}"))
    assert [r["Tugas"] for r in rows] == [data.extra_task.title]
    assert rows[0]["Tenggat"] == "2025-09-30" and int(rows[0]["Hari terlambat"]) > 0
    rows = _csv(client.get("/tasks/export.csv?status=done"))
    assert [r["Tugas"] for r in rows] == [data.task.title]


def test_opd_exports_only_their_scope(client, auth, data):
    auth.login(data.opd)
    agreements = _csv(client.get("/agreements/export.csv"))
    assert [r["Kerja sama"] for r in agreements] == [data.agreement.title]
    tasks = _rows(_xlsx(client.get("/tasks/export.xlsx")))
    assert [r["Tugas"] for r in tasks] == [data.task.title]
    transactions = _csv(client.get("/transactions/export.csv"))
    assert {r["Kerja sama"] for r in transactions} == {data.agreement.title}
    # A filter naming another agency does not widen an OPD head's view.
    tasks = _csv(client.get(f"/tasks/export.csv?agency={data.other_agency.id}"))
    assert [r["Tugas"] for r in tasks] == [data.task.title]


@pytest.mark.parametrize("path", ["/agreements/export", "/tasks/export", "/transactions/export"])
@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_another_government_never_appears(client, auth, data, path, fmt):
    auth.login(data.admin)
    response = client.get(f"{path}.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        text = "\n".join(str(v) for row in _xlsx(response).iter_rows(values_only=True) for v in row)
    else:
        text = response.data.decode("utf-8-sig")
    for marker in (data.other_agreement.title, data.other_task.title, data.other_agency_b.name):
        assert marker not in text


def test_unknown_format_is_404(client, auth, data):
    auth.login(data.admin)
    assert client.get("/agreements/export.pdf").status_code == 404
    assert client.get("/tasks/export.json").status_code == 404


# Texts a spreadsheet would run as a formula (OWASP "CSV Injection"), as agreement and task
# titles.
FORMULAS = ['=HYPERLINK("http://x","klik")', "+1", "-2", "@SUM(A1)", "\tcmd|' /C calc'!A0"]
# What an import makes of each: itself (the tab-led one with its spaces collapsed, as the
# importer does with every cell).
IMPORTED = [" ".join(title.split()) for title in FORMULAS]


@pytest.fixture
def formulas(data):
    """An agreement and a task of gov A per formula-like title, in penjajakan."""
    for title in FORMULAS:
        agreement = factories.make_agreement(data.gov, data.agency, title=title)
        factories.make_task(agreement, data.agency, title=title)
    db.session.commit()
    return data


@pytest.mark.parametrize(("path", "column"), [("agreements", "Kerja sama"), ("tasks", "Tugas")])
def test_no_csv_cell_starts_like_a_formula(client, auth, formulas, path, column):
    auth.login(formulas.admin)
    response = client.get(f"/{path}/export.csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert cells and not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    # The one mark OWASP names: a single quote in front, the text itself unchanged; every
    # cell in double quotes.
    titles = [row[column] for row in _csv(response)]
    assert {f"'{title}" for title in FORMULAS} <= set(titles)
    assert text.splitlines()[1].startswith('"')
    # Numbers stay numbers: a count, an ISO date.
    if path == "agreements":
        row = next(r for r in _csv(response) if r["Kerja sama"] == "'+1")
        assert (row["Tugas terbuka"], row["Tahapan terakhir"]) == ("1", "")


@pytest.mark.parametrize(("path", "column"), [("agreements", "Kerja sama"), ("tasks", "Tugas")])
def test_no_xlsx_cell_is_a_formula_and_text_keeps_its_type(client, auth, formulas, path, column):
    auth.login(formulas.admin)
    sheet = _xlsx(client.get(f"/{path}/export.xlsx"))
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    index = [c.value for c in sheet[HEADER]].index(column)
    by_title = {row[index].value: row[index] for row in sheet.iter_rows(min_row=HEADER + 1)}
    for title in FORMULAS:  # the text as it is, typed as text, kept text when edited
        assert by_title[title].data_type == "s" and by_title[title].quotePrefix
    plain = formulas.agreement.title if path == "agreements" else formulas.task.title
    assert not by_title[plain].quotePrefix
    # Dates and numbers keep their types beside them.
    if path == "agreements":
        row = _rows(sheet)
        assert all(type(r["Tugas terbuka"]) is int for r in row)


def test_exported_csv_imports_back_to_the_original_titles(client, auth, formulas):
    """The export's neutralised titles, copied into the import template, come back without
    the mark: the import undoes exactly what the export did."""
    auth.login(formulas.admin)
    exported = [r["Kerja sama"] for r in _csv(client.get("/agreements/export.csv"))]
    marked = [title for title in exported if title.startswith("'")]
    assert len(marked) == len(FORMULAS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Referensi", "Judul", "Jenis", "Mitra"])
    for number, title in enumerate(marked):
        writer.writerow([f"RT-{number}", title, "KSDD", "Mitra uji impor"])
    # A title that starts with a quote but no formula keeps its quote.
    writer.writerow(["RT-quote", "'Kutipan' di depan", "KSDD", "Mitra uji impor"])
    response = upload(client, buffer.getvalue().encode("utf-8"), "kembali.csv")
    confirm(client, job_id_of(response))
    imported = {
        agreement.external_ref: agreement.title
        for agreement in db.session.scalars(
            select(Agreement).where(Agreement.external_ref.like("RT-%"))
        )
    }
    assert sorted(v for k, v in imported.items() if k != "RT-quote") == sorted(IMPORTED)
    assert imported["RT-quote"] == "'Kutipan' di depan"


def test_list_pages_link_to_the_exports_with_their_filters(client, auth, data):
    auth.login(data.admin)
    body = client.get("/agreements?stage=penjajakan").get_data(as_text=True)
    assert "/agreements/export.xlsx?stage=penjajakan" in body
    assert "/agreements/export.csv?stage=penjajakan" in body
    assert "/transactions/export.xlsx?stage=penjajakan" in body
    body = client.get("/tasks?status=open").get_data(as_text=True)
    assert "/tasks/export.csv?status=open" in body
    auth.logout()
    auth.login(data.opd)
    body = client.get("/tasks?selesai=1").get_data(as_text=True)
    assert "/tasks/export.xlsx?selesai=1" in body


def test_agreements_export_honours_every_list_filter_incl_the_monev_recommendation(
    client, auth, data
):
    """The export reads the filters exactly as the list does (one parser): here the latest
    monev recommendation, which narrows the list to one agreement."""
    from kerjasama_flow.evaluations.models import Recommendation

    factories.make_evaluation(data.agreement, recommendation=Recommendation.STOP)
    db.session.commit()
    auth.login(data.pimpinan)

    listed = client.get("/agreements?recommendation=hentikan").get_data(as_text=True)
    exported = _csv(client.get("/agreements/export.csv?recommendation=hentikan"))

    assert data.agreement.title in listed and data.extra.title not in listed
    assert [row["Kerja sama"] for row in exported] == [data.agreement.title]


# --- title rows, days overdue, number formats -------------------------------------------------


def test_xlsx_title_rows_say_which_pemda_which_filters_and_when(app, client, auth, data):
    app.config["KERJASAMA_NOW"] = "2025-10-10T09:00:00+07:00"
    auth.login(data.admin)
    sheet = _xlsx(client.get(f"/tasks/export.xlsx?agency={data.other_agency.id}&status=terlambat"))
    assert _titles(sheet) == [
        "Tugas Tindak Lanjut Pemerintah Kota Blitar",
        "Filter: OPD: BAPPEDA – Bappeda; Status: Terlambat",
        f"Diekspor 10 Oktober 2025 09.00 WIB oleh {data.admin.name}",
        None,
    ]
    assert sheet["A1"].font.bold
    sheet = _xlsx(client.get("/register/export.xlsx"))
    assert _titles(sheet)[:2] == [
        "Daftar Kerja Sama Pemerintah Kota Blitar",
        "Filter: tanpa filter (semua data)",
    ]
    # The CSV stays a plain table for machines: the header row first, no title rows.
    response = client.get(f"/tasks/export.csv?agency={data.other_agency.id}")
    first_line = response.data.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith('"Tugas","Kerja sama","OPD"')


def test_tasks_export_gives_days_overdue_as_a_number(app, client, auth, data):
    app.config["KERJASAMA_NOW"] = "2025-10-10T09:00:00+07:00"
    factories.make_task(
        data.agreement,
        data.agency,
        title="Selesai terlambat",
        due_on=date(2025, 10, 1),
        status=TaskStatus.DONE,
        done_at=datetime(2025, 10, 4, 3, 0, tzinfo=UTC),
    )
    factories.make_task(
        data.agreement, data.agency, title="Belum jatuh tempo", due_on=date(2025, 11, 1)
    )
    db.session.commit()
    auth.login(data.admin)
    sheet = _xlsx(client.get("/tasks/export.xlsx"))
    rows = {row["Tugas"]: row for row in _rows(sheet)}
    assert rows[data.extra_task.title]["Hari terlambat"] == 10  # due 30 September, open
    assert rows["Selesai terlambat"]["Hari terlambat"] == 3  # done 4 Oktober (WIB)
    assert rows["Belum jatuh tempo"]["Hari terlambat"] == 0
    assert all(type(row["Hari terlambat"]) is int for row in rows.values())
    header = [cell.value for cell in sheet[HEADER]]
    column = header.index("Hari terlambat") + 1
    assert sheet.cell(row=HEADER + 1, column=column).number_format == exports.INTEGER_FORMAT
    csv_rows = {r["Tugas"]: r for r in _csv(client.get("/tasks/export.csv"))}
    assert csv_rows[data.extra_task.title]["Hari terlambat"] == "10"


def test_whole_volumes_have_no_decimal_separator(client, auth, data):
    factories.make_transaction(
        data.agreement,
        data.pks,
        transacted_on=date(2025, 12, 1),
        value_rp=5_000_000,
        volume=12,
        unit="ton",
    )
    db.session.commit()
    auth.login(data.admin)
    sheet = _xlsx(client.get("/transactions/export.xlsx"))
    header = [cell.value for cell in sheet[HEADER]]
    column = header.index("Volume") + 1
    cells = {
        sheet.cell(row=n, column=column).value: sheet.cell(row=n, column=column)
        for n in range(HEADER + 1, sheet.max_row + 1)
        if sheet.cell(row=n, column=column).value is not None
    }
    assert type(cells[12].value) is int and cells[12].number_format == exports.INTEGER_FORMAT
    assert cells[12.5].number_format == exports.DECIMAL_FORMAT
    assert "." not in exports.INTEGER_FORMAT  # "12", never "12."
    date_cell = sheet.cell(row=HEADER + 1, column=header.index("Tanggal") + 1)
    assert date_cell.is_date and date_cell.number_format == exports.DATE_FORMAT
