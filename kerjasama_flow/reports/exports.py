"""The lists as spreadsheets: agreements, tasks and transactions as XLSX and CSV.

Each export is exactly what its list shows, with the list's own filters and search read from
the same query string, every page at once, and only what the user may see (an OPD head gets
their scope). A ``Table`` is built once from the list's query and written by ``to_xlsx``
(typed cells: real dates, Rupiah as integers with a Rupiah number format, frozen header,
autofilter) or ``to_csv`` (UTF-8 with a BOM so that Excel opens it, ISO dates). A text that a
spreadsheet would run as a formula is neutralised in both (``cells``).

Built in memory: these lists are hundreds to a few thousand rows per government.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import Form, SelectField, StringField

from kerjasama_flow import cells
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.agreements import queries as agreement_queries
from kerjasama_flow.agreements import register
from kerjasama_flow.agreements.forms import AgreementFilterForm, RegisterFilterForm
from kerjasama_flow.agreements.models import Agreement, Transaction
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_datetime
from kerjasama_flow.tasks import queries as task_queries
from kerjasama_flow.tasks.forms import TaskFilterForm
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# Excel number formats. Dates as "14/08/2025" (unambiguous in Indonesia, independent of the
# reader's Excel language); Rupiah as "Rp 1.250.000" in an Indonesian Excel.
DATE_FORMAT = "dd/mm/yyyy"
RUPIAH_FORMAT = '"Rp" #,##0'
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"  # only for a value with decimals: a whole one gets INTEGER_FORMAT

_ID_CHUNK = 500  # agreement ids per IN (...) of the per-row figures


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | date | rupiah | int | decimal (a whole number shown as int)
    width: int = 18


@dataclass
class Table:
    """A list ready to be written: a sheet title, a file name stem, columns and rows."""

    title: str
    stem: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # "Tahap: PKS", for the title rows
    government: str = ""  # "Kota Blitar" (``stamp``)
    exported: str = ""  # "3 Desember 2026 14.05 WIB oleh Freddy Hermawan" (``stamp``)

    def filename(self, today: date, fmt: str) -> str:
        return f"{self.stem}-{today.isoformat()}.{fmt}"


# --- the lists' filters, read as the lists read them ------------------------------------------


def describe(form: Form) -> list[str]:
    """The filters chosen in a filled filter form, as its labels say them ("Tahap: PKS",
    "Cari: “pangan”"); an option left at its first choice ("Semua ...") is not a filter."""
    chosen = []
    for item in form:
        if isinstance(item, SelectField):
            options = list(item.iter_choices())
            chosen += [
                f"{item.label.text}: {label}" for _, label, is_on, *_ in options[1:] if is_on
            ]
        elif isinstance(item, StringField) and str(item.data or "").strip():
            chosen.append(f"{item.label.text}: \u201c{str(item.data).strip()}\u201d")
    return chosen


def agreement_filter_form(args: Mapping[str, str], user: User) -> AgreementFilterForm:
    form = AgreementFilterForm(args)
    form.fill_choices(user)
    return form


def agreement_filters(args: Mapping[str, str], user: User) -> agreement_queries.AgreementFilters:
    """The agreement list's filters from its query string, read exactly as the list reads
    them (``AgreementFilterForm.filters``)."""
    return agreement_filter_form(args, user).filters()


def task_filters(args: Mapping[str, str], user: User) -> task_queries.TaskFilters:
    """The task list's filters, as ``tasks.index`` reads them: an OPD head's "Tugas Saya"
    only knows "include the done ones"; the others get the full filter row."""
    return task_filters_described(args, user)[0]


def task_filters_described(
    args: Mapping[str, str], user: User
) -> tuple[task_queries.TaskFilters, list[str]]:
    """``task_filters`` and how the title rows say them."""
    if user.role == Role.OPD:
        include_closed = args.get("selesai") == "1"
        described = ["Termasuk tugas yang sudah selesai"] if include_closed else []
        return task_queries.TaskFilters(include_closed=include_closed), described
    form = TaskFilterForm(args)
    form.fill_choices(user)
    return form.filters(), describe(form)


def register_filters(
    args: Mapping[str, str], user: User, rows: list[register.RegisterRow]
) -> register.RegisterFilters:
    """The register's filters, as ``agreements.register`` reads them."""
    return register_filter_form(args, user, rows).filters()


def register_filter_form(
    args: Mapping[str, str], user: User, rows: list[register.RegisterRow]
) -> RegisterFilterForm:
    form = RegisterFilterForm(args)
    form.fill_choices(user, register.year_choices(rows))
    return form


# --- the tables -------------------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def agreement_table(user: User, filters: agreement_queries.AgreementFilters, today: date) -> Table:
    stmt = agreement_queries.agreement_list(user, filters).options(
        selectinload(Agreement.sector_rows)
    )
    agreements = list(db.session.scalars(stmt))
    figures: dict[int, agreement_queries.RowFigures] = {}
    for ids in _chunks([a.id for a in agreements]):
        figures.update(agreement_queries.row_figures(ids, today))
    empty = agreement_queries.RowFigures()
    table = Table(
        title="Kerja Sama",
        stem="kerja-sama",
        columns=[
            Column("Kerja sama", width=48),
            Column("Jenis", width=26),
            Column("Tahap", width=20),
            Column("Mitra", width=36),
            Column("Sektor", width=24),
            Column("OPD pengampu", width=30),
            Column("Komoditas", width=28),
            Column("Tahapan terakhir", "date", 16),
            Column("Tugas terbuka", "int", 14),
            Column("Tugas terlambat", "int", 15),
        ],
    )
    for agreement in agreements:
        fig = figures.get(agreement.id, empty)
        table.rows.append(
            [
                agreement.title,
                agreement.kind.label,
                agreement.stage.label,
                agreement.partner_names,
                ", ".join(agreement.sector_labels),
                agreement.lead_agency.name if agreement.lead_agency else None,
                agreement.commodities,
                fig.last_milestone_on,
                fig.open_tasks,
                fig.overdue_tasks,
            ]
        )
    return table


def register_table(user: User, args: Mapping[str, str], today: date) -> Table:
    """The register (Daftar Kerja Sama) with the page's filters."""
    every = register.register_rows(user, today)
    form = register_filter_form(args, user, every)
    rows = register.narrow(every, form.filters())
    table = Table(
        title="Daftar Kerja Sama",
        stem="daftar-kerja-sama",
        filters=describe(form),
        columns=[
            Column("Jenis", width=26),
            Column("Judul", width=48),
            Column("Kerja sama", width=40),
            Column("Nomor pihak kesatu", width=28),
            Column("Nomor pihak kedua", width=28),
            Column("Pihak kesatu", width=36),
            Column("Pihak kedua", width=36),
            Column("Ditandatangani", "date", 16),
            Column("Mulai berlaku", "date", 16),
            Column("Berakhir", "date", 16),
            Column("Status", width=20),
        ],
    )
    for row in rows:
        table.rows.append(
            [
                row.kind_label,
                row.title,
                row.agreement.title,
                row.number_own,
                row.number_partner,
                row.party_own,
                row.party_partner,
                row.signed_on,
                row.starts_on,
                row.ends_on,
                row.standing.label,
            ]
        )
    return table


def task_table(user: User, filters: task_queries.TaskFilters, today: date) -> Table:
    stmt = task_queries.task_list(user, filters, today).options(selectinload(Task.assignee))
    zone = ZoneInfo(user.government.timezone)  # "done on" is the government's calendar date
    table = Table(
        title="Tugas Tindak Lanjut",
        stem="tugas",
        columns=[
            Column("Tugas", width=44),
            Column("Kerja sama", width=40),
            Column("OPD", width=30),
            Column("Penanggung jawab", width=24),
            Column("Tenggat", "date", 14),
            Column("Status", width=16),
            Column("Hari terlambat", "int", 11),
            Column("Selesai pada", "date", 14),
            Column("Catatan", width=40),
        ],
    )
    for task in db.session.scalars(stmt):
        done_on = task.done_at.astimezone(zone).date() if task.done_at else None
        table.rows.append(
            [
                task.title,
                task.agreement.title,
                task.agency.name,
                task.assignee.name if task.assignee else None,
                task.due_on,
                task.status.label,
                days_overdue(task, today, done_on),
                done_on,
                task.note,
            ]
        )
    return table


def days_overdue(task: Task, today: date, done_on: date | None) -> int | None:
    """How many days late: an open task, today after its due date; a task done after its due
    date, on the day it was done; 0 when not late; None for a cancelled task."""
    if task.status in OPEN_STATUSES:
        return max((today - task.due_on).days, 0)
    if done_on is not None:
        return max((done_on - task.due_on).days, 0)
    return None


def transaction_table(user: User, filters: agreement_queries.AgreementFilters) -> Table:
    """The transactions of the agreements the agreement list shows with ``filters``, the
    latest first."""
    listed = agreement_queries.agreement_list(user, filters).order_by(None).subquery()
    stmt = (
        select(Transaction)
        .join(Transaction.agreement)
        .where(Transaction.agreement_id.in_(select(listed.c.id)))
        .options(selectinload(Transaction.agreement), selectinload(Transaction.pks))
        .order_by(Transaction.transacted_on.desc(), Transaction.id.desc())
    )
    table = Table(
        title="Transaksi",
        stem="transaksi",
        columns=[
            Column("Kerja sama", width=44),
            Column("PKS", width=36),
            Column("Tanggal", "date", 14),
            Column("Pembeli", width=30),
            Column("Penjual", width=30),
            Column("Komoditas", width=24),
            Column("Volume", "decimal", 12),
            Column("Satuan", width=10),
            Column("Nilai (Rp)", "rupiah", 18),
        ],
    )
    for transaction in db.session.scalars(stmt):
        table.rows.append(
            [
                transaction.agreement.title,
                transaction.pks.title,
                transaction.transacted_on,
                transaction.buyer,
                transaction.seller,
                transaction.commodity,
                transaction.volume,
                transaction.unit,
                int(transaction.value_rp or 0),
            ]
        )
    return table


# --- writers ----------------------------------------------------------------------------------


def stamp(table: Table, user: User, now: datetime) -> Table:
    """Say whose list it is and when it was exported, for the title rows."""
    zone = user.government.timezone
    table.government = user.government.name
    table.exported = f"{format_datetime(now, zone)} oleh {user.name}"
    return table


_NUMBER_FORMATS = {
    "date": DATE_FORMAT,
    "rupiah": RUPIAH_FORMAT,
    "int": INTEGER_FORMAT,
    "decimal": DECIMAL_FORMAT,
}


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "date":
        return value.date() if isinstance(value, datetime) else value
    if kind in ("rupiah", "int"):
        return int(value)
    if kind == "decimal":
        # Excel has no decimal type; a volume with 2 decimals is exact enough as a float.
        return int(value) if value == int(value) else float(value)
    return str(value)


TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="555555")


def _title_rows(table: Table) -> list[tuple[str, Font | None]]:
    title = f"{table.title} Pemerintah {table.government}" if table.government else table.title
    filters = "; ".join(table.filters) if table.filters else "tanpa filter (semua data)"
    rows = [(title, TITLE_FONT), (f"Filter: {filters}", None)]
    if table.exported:
        rows.append((f"Diekspor {table.exported}", NOTE_FONT))
    return [*rows, ("", None)]


def _number_format(value: Any, kind: str) -> str | None:
    if kind == "decimal":
        return INTEGER_FORMAT if isinstance(value, int) else DECIMAL_FORMAT
    return _NUMBER_FORMATS.get(kind)


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]  # Excel's limit
    for text, font in _title_rows(table):
        sheet.append([text])
        if font is not None:
            sheet.cell(sheet.max_row, 1).font = font
    header_row = sheet.max_row + 1
    sheet.append([column.header for column in table.columns])
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in table.rows:
        values = [_cell_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
        sheet.append(values)
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
            # Text is text, never a formula: openpyxl takes a text starting with "=" for one.
            # Marked quotePrefix, it stays text when someone edits the cell in Excel.
            if isinstance(cell.value, str) and cells.looks_like_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
            number_format = _number_format(cell.value, column.kind)
            if number_format and cell.value is not None:
                cell.number_format = number_format
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(table.rows), 1)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (Excel reads it as UTF-8 then), comma-separated, ISO dates, plain
    integers for amounts; a text that starts like a formula is neutralised
    (``cells.csv_writer``)."""
    buffer = io.StringIO()
    writer = cells.csv_writer(buffer)
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def render(table: Table, fmt: str) -> bytes:
    return to_xlsx(table) if fmt == "xlsx" else to_csv(table)
