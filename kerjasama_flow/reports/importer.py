"""Importing agreements from a spreadsheet (XLSX or CSV): the template, reading the file,
checking each row, and applying the rows through the agreements' own services.

Three layers, from pure to transactional:

* ``read_table`` turns the uploaded bytes into a header and raw rows; anything wrong with the
  file as a whole (not a spreadsheet, an XML bomb, a wrong header, no rows, too many rows)
  raises ``ImportFileError`` with an Indonesian message, and nothing is imported.
* ``parse_rows`` checks the shape of each cell the way the agreement and MoU forms do
  (required, lengths, choices, dates, ``lifecycle.check_period``) and returns ``RowInput``\\ s
  with their errors by column.
* ``import_rows`` runs every clean row through the real services
  (``create_agreement``/``update_agreement`` and ``record_milestone``/``update_milestone``),
  each row in a SAVEPOINT of its own so that a refused row leaves nothing behind, in the
  caller's transaction (the view commits once). ``validate_rows``, the preview, is the same
  import inside a SAVEPOINT that is rolled back: it applies exactly the rules of the forms,
  and each row sees the rows before it, as it will on confirmation.

Rows are matched to existing agreements by ``external_ref`` ("Referensi") within the
importing user's government, so re-importing a file updates instead of duplicating.

Playbooks are NOT run for imported milestones: an import records history that already
happened (often years ago), and the follow-up tasks a playbook creates ("kirim salinan MoU ke
OPD dalam 7 hari kerja") would all be overdue on arrival. Tasks are planned by hand afterwards.

Cost: what can be read once for the whole file is (existing agreements with their collections,
the partners); what remains is the services' own work, several flushes and about nine SQL
statements per row: ~4.5 ms a row on SQLite, ~9-10 ms on PostgreSQL (``bench/import_rows.py``),
so a file of ``MAX_ROWS`` rows takes 30-50 s: a large file is checked and imported by the
``scheduler`` process, not in the request (``reports.import_jobs``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from defusedxml.common import DefusedXmlException
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from kerjasama_flow.accounts.models import Agency, User
from kerjasama_flow.agreements import lifecycle, services
from kerjasama_flow.agreements.models import (
    PARTNER_KIND_LABELS,
    SECTORS,
    Agreement,
    AgreementKind,
    Mou,
    MouKind,
    Partner,
    PartnerKind,
)
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db

MAX_ROWS = 5000
MAX_COLUMNS = 60  # columns read from a sheet; the template has 13
DATA_SHEET = "Kerja Sama"
GUIDE_SHEET = "Petunjuk"
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
OnRow = Callable[[int, int], None]  # (rows done, rows to do)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in Indonesian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    guide: str
    max_length: int | None = None
    example: Any = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_ref",
        "Referensi",
        True,
        "Nomor referensi unik kerja sama di lembar kerja Anda (mis. KS-2024-001). Dipakai untuk "
        "mencocokkan: bila referensi sudah ada, kerja sama itu diperbarui, bukan ditambah.",
        80,
        "KS-2024-001",
    ),
    Column(
        "title",
        "Judul",
        True,
        "Judul kerja sama, paling banyak 300 karakter.",
        300,
        "Kerja sama ketahanan pangan dengan Pemprov DKI Jakarta",
    ),
    Column(
        "kind",
        "Jenis",
        True,
        "KSDD (dengan daerah lain) atau KSDPK (dengan pihak ketiga).",
        None,
        "KSDD",
    ),
    Column(
        "partners",
        "Mitra",
        True,
        "Nama mitra; lebih dari satu dipisahkan titik koma (;). Mitra yang belum tercatat "
        "ditambahkan otomatis.",
        200,
        "Pemerintah Provinsi DKI Jakarta; Perumda Pasar Jaya",
    ),
    Column(
        "new_partner_kind",
        "Jenis mitra",
        False,
        "Jenis untuk mitra yang belum tercatat; kosong berarti Lainnya.",
        None,
        "Pemerintah Provinsi",
    ),
    Column(
        "sectors",
        "Sektor",
        False,
        "Kode atau nama sektor, dipisahkan titik koma (;).",
        None,
        "pangan; umkm",
    ),
    Column(
        "commodities",
        "Komoditas",
        False,
        "Dipisahkan koma, mis. beras, telur ayam.",
        500,
        "beras, telur ayam",
    ),
    Column(
        "lead_agency",
        "OPD pengampu",
        False,
        "Kode perangkat daerah pengampu (lihat menu Pengaturan > Perangkat daerah).",
        None,
        "DKPP",
    ),
    Column(
        "origin_event",
        "Asal kerja sama",
        False,
        "Acara asal kerja sama, mis. Indonesia City Expo 2025.",
        300,
        "Indonesia City Expo 2024",
    ),
    Column(
        "signed_on",
        "Tanggal MoU",
        False,
        "Tanggal penandatanganan MoU/KB (wajib bila kolom MoU lain diisi). Format tanggal "
        "Excel atau 31-12-2024.",
        None,
        date(2024, 3, 1),
    ),
    Column(
        "number_own", "Nomor MoU", False, "Nomor MoU/KB pihak kita.", 120, "415.4/12/410.010/2024"
    ),
    Column(
        "starts_on", "Berlaku mulai", False, "Tanggal mulai berlaku MoU/KB.", None, date(2024, 3, 1)
    ),
    Column(
        "ends_on",
        "Berakhir",
        False,
        "Tanggal berakhir MoU/KB: sesudah tanggal mulai, paling lama 5 tahun.",
        None,
        date(2027, 3, 1),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
MOU_KEYS = ("signed_on", "number_own", "starts_on", "ends_on")
# A service's field name -> the column its message belongs to.
FIELD_COLUMNS = {
    **{column.key: column.header for column in COLUMNS},
    "new_partner_name": "Mitra",
}


def _norm(text: Any) -> str:
    return " ".join(str(text or "").replace("*", " ").split()).casefold()


HEADER_KEYS = {_norm(column.header): column.key for column in COLUMNS}


# --- the template -----------------------------------------------------------------------------


def build_template() -> bytes:
    """The XLSX template: the data sheet (header, an example row, frozen header, choice
    lists) and a "Petunjuk" sheet explaining each column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    sheet.append([column.example for column in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = (
            16 if column.example is None else max(14, min(45, len(str(column.example)) + 4))
        )
        if isinstance(column.example, date):
            sheet.cell(row=2, column=index).number_format = "DD-MM-YYYY"
            for_dates = DataValidation(
                type="date", operator="greaterThan", formula1="1", allow_blank=True
            )
            for_dates.error = "Isi tanggal, mis. 31-12-2024."
            sheet.add_data_validation(for_dates)
            for_dates.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"

    lists = {
        "kind": [kind.name for kind in AgreementKind],
        "new_partner_kind": list(PARTNER_KIND_LABELS.values()),
    }
    for key, values in lists.items():
        letter = sheet.cell(row=1, column=COLUMNS.index(COLUMN_BY_KEY[key]) + 1).column_letter
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
        validation.error = "Pilih dari daftar."
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append(["Kolom", "Wajib", "Keterangan"])
    for cell in guide[1]:
        cell.font = bold
    for column in COLUMNS:
        guide.append([column.header, "Ya" if column.required else "Tidak", column.guide])
    guide.append([])
    guide.append(["Nilai Jenis", "", "; ".join(f"{k.name} = {k.label}" for k in AgreementKind)])
    guide.append(["Nilai Jenis mitra", "", "; ".join(PARTNER_KIND_LABELS.values())])
    guide.append(
        ["Nilai Sektor", "", "; ".join(f"{code} = {label}" for code, label in SECTORS.items())]
    )
    guide.append([])
    guide.append(
        [
            "Catatan",
            "",
            f"Isi data mulai baris 2 lembar \u201c{DATA_SHEET}\u201d (hapus baris contoh). Paling "
            f"banyak {MAX_ROWS:,} baris per berkas".replace(",", ".")
            + ". Berkas juga boleh CSV "
            "(UTF-8) dengan judul kolom yang sama. Impor tidak membuat tugas tindak lanjut "
            "dari playbook.",
        ]
    )
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 100
    guide.freeze_panes = "A2"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading the file -------------------------------------------------------------------------


@dataclass
class Table:
    columns: dict[str, int]  # column key -> index in a row
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


def read_table(content: bytes, extension: str) -> Table:
    """The header and the non-blank rows of an uploaded XLSX or CSV file."""
    if not content:
        raise ImportFileError("Berkas kosong. Unggah templat yang sudah diisi.")
    if extension == "xlsx":
        raw_rows = _xlsx_rows(content)
    elif extension == "csv":
        raw_rows = _csv_rows(content)
    else:
        raise ImportFileError("Jenis berkas tidak didukung. Unggah berkas .xlsx atau .csv.")
    return _table(raw_rows)


def _xlsx_rows(content: bytes):
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ImportFileError(
            "Impor XLSX tidak tersedia di server ini (pustaka defusedxml belum terpasang)."
        )
    unreadable = (
        "Berkas tidak dapat dibaca sebagai XLSX. Pastikan berkas disimpan dari Excel sebagai "
        "\u201cExcel Workbook (.xlsx)\u201d, atau unggah CSV."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, Exception) as error:  # openpyxl raises many kinds
        raise ImportFileError(_UNSAFE_XML if _is_unsafe_xml(error) else unreadable) from error
    try:
        sheet = (
            workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged sheet
        raise ImportFileError(_UNSAFE_XML if _is_unsafe_xml(error) else unreadable) from error
    finally:
        workbook.close()


def _is_unsafe_xml(error: BaseException | None) -> bool:
    """defusedxml refused a DTD or an entity somewhere in the chain (openpyxl wraps it)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


_UNSAFE_XML = (
    "Berkas ditolak: isinya memuat definisi entitas XML yang tidak diizinkan (bisa dipakai "
    "untuk serangan \u201cXML bomb\u201d). Simpan ulang data ke templat yang baru diunduh."
)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252: what Excel on Windows
    writes for "CSV (Comma delimited)"."""
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            "Berkas bukan CSV teks (mungkin UTF-16 atau berkas biner). Simpan sebagai "
            "\u201cCSV UTF-8\u201d dari Excel, atau unggah berkas .xlsx."
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                "Pengodean karakter berkas CSV tidak dikenali. "
                "Simpan sebagai \u201cCSV UTF-8\u201d."
            ) from error


def _csv_rows(content: bytes):
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            yield row[:MAX_COLUMNS]
    except csv.Error as error:
        raise ImportFileError(
            f"Berkas CSV rusak atau tidak lengkap ({error}). Simpan ulang dari Excel."
        ) from error


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _table(raw_rows) -> Table:
    header: list[Any] | None = None
    columns: dict[str, int] = {}
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        cells = list(cells)
        if header is None:
            if _is_blank(cells):
                continue
            header = cells
            columns = _columns(header)
            continue
        if _is_blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"Berkas berisi lebih dari {MAX_ROWS:,} baris data".replace(",", ".")
                + ". Bagi menjadi beberapa berkas."
            )
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("Berkas kosong. Unggah templat yang sudah diisi.")
    if not rows:
        raise ImportFileError("Berkas tidak berisi baris data di bawah judul kolom.")
    return Table(columns=columns, rows=rows)


def _columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADER_KEYS.get(_norm(title))
        if key is None:
            continue
        if key in columns:
            raise ImportFileError(
                f"Kolom \u201c{COLUMN_BY_KEY[key].header}\u201d muncul lebih dari sekali."
            )
        columns[key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise ImportFileError(
            "Judul kolom tidak sesuai templat. Kolom wajib yang tidak ada: "
            + ", ".join(missing)
            + ". Unduh templat lalu salin data ke sana (judul kolom di baris pertama)."
        )
    return columns


# --- checking each row ------------------------------------------------------------------------


@dataclass
class RowInput:
    number: int
    values: dict[str, Any]  # parsed values of the columns present in the file
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)
    action: str | None = None  # "create" or "update" once validated

    @property
    def external_ref(self) -> str | None:
        return self.values.get("external_ref")

    @property
    def title(self) -> str | None:
        return self.values.get("title")

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add_error(self, key: str | None, message: str) -> None:
        self.errors.append((FIELD_COLUMNS.get(key) if key else None, message))

    def messages(self) -> list[str]:
        return [
            f"Baris {self.number}, kolom {column}: {message}"
            if column
            else f"Baris {self.number}: {message}"
            for column, message in self.errors
        ]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d-%m-%Y")
    text = " ".join(str(value).split())
    return text or None


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Tanggal tidak sah. Tulis mis. 31-12-2024.")


def _choice(enum_cls, labels: dict, text: str):
    wanted = _norm(text).replace("_", " ")
    for member in enum_cls:
        names = {member.name, member.value, labels.get(member, "")}
        if wanted in {_norm(n).replace("_", " ") for n in names if n}:
            return member
    raise ValueError


def _split(text: str | None, separators: str = ";") -> list[str]:
    if not text:
        return []
    items = (" ".join(item.split()) for item in re.split(f"[{separators}]", text))
    return list(dict.fromkeys(item for item in items if item))


_SECTOR_BY_NAME = {
    **{_norm(label): code for code, label in SECTORS.items()},
    **{_norm(code): code for code in SECTORS},
}


def _parse_cell(row: RowInput, key: str, raw: Any, agencies: dict[str, Agency]) -> None:
    column = COLUMN_BY_KEY[key]
    try:
        if key in ("signed_on", "starts_on", "ends_on"):
            row.values[key] = _date(raw)
            return
        text = _text(raw)
        if column.required and not text:
            raise ValueError("Wajib diisi.")
        if key == "partners":
            names = _split(text)
            too_long = [n for n in names if len(n) > column.max_length]
            if too_long:
                raise ValueError(f"Nama mitra paling banyak {column.max_length} karakter.")
            row.values[key] = names
            return
        if text and column.max_length and len(text) > column.max_length:
            raise ValueError(f"Paling banyak {column.max_length} karakter.")
        if key == "kind":
            row.values[key] = _choice(AgreementKind, {}, text)
        elif key == "new_partner_kind":
            row.values[key] = (
                _choice(PartnerKind, PARTNER_KIND_LABELS, text) if text else PartnerKind.LAINNYA
            )
        elif key == "sectors":
            # Unknown sectors pass through: the service names them in its own message.
            row.values[key] = [_SECTOR_BY_NAME.get(_norm(s), s) for s in _split(text, ";,")]
        elif key == "commodities":
            row.values[key] = ", ".join(_split(text, ",;\n")) or None
        elif key == "lead_agency":
            if text and _norm(text) not in agencies:
                raise ValueError(f"Perangkat daerah dengan kode \u201c{text}\u201d tidak dikenal.")
            row.values[key] = agencies[_norm(text)] if text else None
        else:
            row.values[key] = text
    except ValueError as error:
        message = str(error) or _CHOICE_MESSAGES.get(key, "Isian tidak sah.")
        row.add_error(key, message)


_CHOICE_MESSAGES = {
    "kind": "Pilihan tidak sah. Isi KSDD atau KSDPK.",
    "new_partner_kind": "Pilihan tidak sah. Lihat daftar jenis mitra di lembar Petunjuk.",
}


def parse_rows(government_id: int, table: Table) -> list[RowInput]:
    """Each row's values, with the errors the forms would show (shape and dates)."""
    agencies = {
        _norm(agency.code): agency
        for agency in db.session.scalars(
            select(Agency).where(Agency.government_id == government_id)
        )
    }
    first_seen: dict[str, int] = {}
    parsed = []
    for number, cells in table.rows:
        row = RowInput(number=number, values={})
        for key, index in table.columns.items():
            _parse_cell(row, key, cells[index] if index < len(cells) else None, agencies)
        ref = row.external_ref
        if ref:
            key = ref.casefold()
            if key in first_seen:
                row.add_error(
                    "external_ref", f"Referensi ini sudah dipakai di baris {first_seen[key]}."
                )
            else:
                first_seen[key] = number
        if (
            _has_mou(row)
            and row.values.get("signed_on") is None
            and not _has_error(row, "signed_on")
        ):
            row.add_error("signed_on", "Wajib diisi bila kolom MoU lain diisi.")
        if not _has_error(row, "starts_on") and not _has_error(row, "ends_on"):
            try:
                lifecycle.check_period(row.values.get("starts_on"), row.values.get("ends_on"))
            except DomainError as error:
                row.add_error(error.field, error.message)
        parsed.append(row)
    return parsed


def _has_error(row: RowInput, key: str) -> bool:
    return any(column == FIELD_COLUMNS[key] for column, _ in row.errors)


def _has_mou(row: RowInput) -> bool:
    return any(row.values.get(key) for key in MOU_KEYS)


# --- applying rows through the services -------------------------------------------------------
#
# The rows go through the services one by one, as the forms would send them; what is done once
# for the whole file instead of once per row only saves queries whose answer is already known:
# the existing agreements are read in one query with the collections the services read
# (partners, sectors, MoUs, PKS, transactions), the government's partners in another, and an
# agreement just created gets empty milestone lists instead of three lazy loads that can only
# find nothing. The rules themselves are all in the services.


def existing_agreements(government_id: int, rows: list[RowInput]) -> dict[str, Agreement]:
    """The government's agreements whose reference appears in ``rows``, by folded reference,
    with the collections the services read loaded (one query each, not one per row)."""
    refs = {row.external_ref.casefold() for row in rows if row.external_ref}
    if not refs:
        return {}
    found = db.session.scalars(
        select(Agreement)
        .where(
            Agreement.government_id == government_id,
            func.lower(Agreement.external_ref).in_(refs),
        )
        .options(*(selectinload(getattr(Agreement, name)) for name in _LOADED_COLLECTIONS))
    )
    return {agreement.external_ref.casefold(): agreement for agreement in found}


# What the agreement and milestone services read of an agreement: its partners and sectors
# (the form's data and the activity log's snapshot) and its milestones (the stage's facts and
# the MoU a row may match).
_LOADED_COLLECTIONS = ("partners", "sector_rows", "mous", "pks_list", "transactions")
_MILESTONE_COLLECTIONS = ("visits", "mous", "pks_list", "transactions")


def _mark_new(agreement: Agreement) -> None:
    """An agreement created in this transaction has no milestones in the database yet: say so,
    instead of letting the milestone service lazy-load three empty lists."""
    for name in _MILESTONE_COLLECTIONS:
        if name not in agreement.__dict__:
            set_committed_value(agreement, name, [])


class PartnerFinder:
    """``services.find_or_create_partner`` with the government's partners read once.

    A name found among them is the partner the service's query would return (the same
    case-insensitive match); any other name goes to the service, which looks it up again and
    creates it (with its activity log) when new. Only ASCII names are matched here: SQL
    ``lower()`` folds only ASCII on SQLite, so for other names the service's own query decides.
    """

    def __init__(self, actor: User):
        self.actor = actor
        self.by_name: dict[str, Partner] = {}
        self.added: list[str] = []
        query = select(Partner).where(Partner.government_id == actor.government_id)
        for partner in db.session.scalars(query.order_by(Partner.id)):
            if partner.name.isascii():
                self.by_name.setdefault(partner.name.lower(), partner)

    def __call__(self, name: str, kind: PartnerKind) -> Partner:
        name = " ".join(name.split())
        key = name.lower() if name.isascii() else None
        if key is not None and key in self.by_name:
            return self.by_name[key]
        partner = services.find_or_create_partner(self.actor, name, kind)
        if key is not None and partner.name.isascii():
            self.by_name[key] = partner
            self.added.append(key)
        return partner

    def mark(self) -> int:
        return len(self.added)

    def forget_since(self, mark: int) -> None:
        """The partners created after ``mark`` were rolled back with their row."""
        for key in self.added[mark:]:
            self.by_name.pop(key, None)
        del self.added[mark:]


def _agreement_data(
    actor: User, row: RowInput, agreement: Agreement | None, partners: PartnerFinder | None = None
) -> dict[str, Any]:
    """What the agreement form would submit: the current values (for an update) overlaid with
    the columns present in the file. An empty cell in a present column clears the value."""
    data: dict[str, Any] = {}
    if agreement is not None:
        data = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
        data["partners"] = list(agreement.partners)
        data["sectors"] = list(agreement.sectors)
    values = row.values
    for key in (
        "title",
        "kind",
        "commodities",
        "origin_event",
        "external_ref",
        "lead_agency",
        "sectors",
    ):
        if key in values:
            data[key] = values[key]
    if "partners" in values:
        kind = values.get("new_partner_kind") or PartnerKind.LAINNYA
        find = partners or (lambda name, kind: services.find_or_create_partner(actor, name, kind))
        data["partners"] = [find(name, kind) for name in values["partners"]]
    return data


def _mou_data(row: RowInput) -> dict[str, Any]:
    data = {key: row.values[key] for key in MOU_KEYS if key in row.values}
    return data


def _matching_mou(agreement: Agreement, data: dict[str, Any]) -> Mou | None:
    number = (data.get("number_own") or "").casefold()
    for mou in agreement.mous:
        if number and (mou.number_own or "").casefold() == number:
            return mou
        if not number and mou.signed_on == data.get("signed_on"):
            return mou
    return None


def apply_row(
    actor: User, row: RowInput, agreement: Agreement | None, partners: PartnerFinder | None = None
) -> Agreement:
    """Create or update the row's agreement and its MoU through the services (they flush;
    the caller commits or rolls back). ``partners`` finds partners from a list read once."""
    data = _agreement_data(actor, row, agreement, partners)
    if agreement is None:
        agreement = services.create_agreement(actor, data)
        _mark_new(agreement)
    else:
        agreement = services.update_agreement(actor, agreement, data, agreement.version)
    if _has_mou(row):
        mou_data = _mou_data(row)
        existing = _matching_mou(agreement, mou_data)
        if existing is None:
            services.record_milestone(
                actor, agreement, "mou", {"document_kind": MouKind.MOU, **mou_data}
            )
        else:
            services.update_milestone(actor, existing, mou_data, existing.version)
    return agreement


def _run_rows(actor: User, rows: list[RowInput], on_row: OnRow | None = None) -> None:
    """Apply each clean row in a SAVEPOINT of its own, in file order; a row the services
    refuse gets their message and only its own changes are rolled back. ``on_row(done,
    total)`` is told after each row (the job's progress)."""
    todo = [row for row in rows if row.is_valid]
    existing = existing_agreements(actor.government_id, todo)
    partners = PartnerFinder(actor)
    for done, row in enumerate(todo, start=1):
        key = row.external_ref.casefold()
        agreement = existing.get(key)
        row.action = "update" if agreement is not None else "create"
        mark = partners.mark()
        savepoint = db.session.begin_nested()
        try:
            created = apply_row(actor, row, agreement, partners)
        except StaleDataError:
            savepoint.rollback()
            partners.forget_since(mark)
            row.add_error(None, "Kerja sama ini sedang diubah pengguna lain. Coba lagi.")
        except DomainError as error:
            savepoint.rollback()
            partners.forget_since(mark)
            row.add_error(error.field, error.message)
        else:
            savepoint.commit()
            existing[key] = created
        if on_row is not None:
            on_row(done, len(todo))


def validate_rows(actor: User, rows: list[RowInput], on_row: OnRow | None = None) -> None:
    """The preview: the import itself (every clean row through the real services, each row
    seeing the rows before it, as it will on confirmation), inside a SAVEPOINT that is rolled
    back, so nothing is kept."""
    preview = db.session.begin_nested()
    try:
        _run_rows(actor, rows, on_row)
    finally:
        preview.rollback()


def import_rows(
    actor: User, rows: list[RowInput], on_row: OnRow | None = None
) -> list[RowInput]:
    """Apply the valid rows in the current transaction; returns the rows applied. The caller
    commits once."""
    _run_rows(actor, rows, on_row)
    return [row for row in rows if row.is_valid]
