"""Reading an uploaded XLSX or CSV file into a header and raw rows.

Anything wrong with the file as a whole (not a spreadsheet, an XML bomb, a wrong header, no
rows, too many rows) raises ``ImportFileError`` with an Indonesian message, and nothing is
imported. XLSX is read by openpyxl with defusedxml (no DTDs, no entities), read-only and at
most ``MAX_COLUMNS`` wide; CSV is read as UTF-8 (with or without a BOM) or Windows-1252, with
the delimiter Excel used (semicolon, comma or tab).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from defusedxml.common import DefusedXmlException

from kerjasama_flow.errors import DomainError
from kerjasama_flow.imports.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    HEADER_KEYS,
    MAX_COLUMNS,
    MAX_ROWS,
    norm,
)


class ImportFileError(DomainError):
    """The file as a whole cannot be imported; ``message`` says why, in Indonesian, on the
    upload form's ``file`` field."""

    def __init__(self, message: str):
        super().__init__(message, "file")


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
        key = HEADER_KEYS.get(norm(title))
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
