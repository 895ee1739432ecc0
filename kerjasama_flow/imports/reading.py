"""Reading an uploaded XLSX or CSV file into a header and raw rows.

Anything wrong with the file as a whole (not a spreadsheet, an XML bomb, too large once
unpacked, too many rows, a wrong header, no rows) raises ``ImportFileError`` with an
Indonesian message, and nothing is imported. XLSX is read by openpyxl with defusedxml (no
DTDs, no entities), in its streaming read-only mode and at most ``MAX_COLUMNS`` wide; CSV is
read as UTF-8 (with or without a BOM) or Windows-1252, with the delimiter Excel used
(semicolon, comma or tab).

Reading is bounded before it starts, because a blank row costs as much to read as a full one:
an XLSX whose parts unpack to more than ``MAX_UNPACKED_BYTES``, or whose data sheet declares
(``<dimension ref="A1:M400000">``) more than ``MAX_SHEET_ROWS`` rows, is refused unread, and
reading stops at that many rows, blank ones included, whatever the sheet declares. The upload
request reads only a bounded start of the file (``peek_table``), and opens an XLSX only when
openpyxl can open it cheaply: on opening, its read-only mode reads the shared strings whole,
and every sheet that declares no dimension (openpyxl's own write-only mode writes none) to its
end. The job runner reads the whole file (``read_table``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import iterparse

from kerjasama_flow.errors import DomainError
from kerjasama_flow.formatting import format_file_size, format_number
from kerjasama_flow.imports.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    HEADER_KEYS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
    PEEK_BLANK_ROWS,
    PEEK_OPEN_BYTES,
    PEEK_PARTS,
    SAMPLE_WORD,
    is_sample,
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
    # False: ``peek_table`` stopped before the end of the file (the job runner reads it all).
    complete: bool = True
    sheet_rows: int = 0  # rows of the file read, blank ones included
    # Row numbers of the template's example row(s) (``columns.is_sample``): skipped, not in
    # ``rows``, and named in the preview.
    samples: list[int] = field(default_factory=list)


def read_table(content: bytes, extension: str) -> Table:
    """The header and the non-blank rows of an uploaded XLSX or CSV file: the whole file,
    which may hold at most ``MAX_ROWS`` data rows within ``MAX_SHEET_ROWS`` rows."""
    return _read(content, extension, MAX_ROWS, MAX_SHEET_ROWS, peek=False)


def peek_table(content: bytes, extension: str, data_rows: int) -> Table:
    """What the upload request may read: the checks made before reading (the archive's
    unpacked size, the sheet's declared dimension), the header, and at most ``data_rows``
    data rows within ``data_rows + PEEK_BLANK_ROWS`` rows of the file. ``complete`` says
    whether that was the whole file (then it is the table ``read_table`` gives)."""
    data_rows = min(data_rows, MAX_ROWS)
    return _read(
        content, extension, data_rows, min(data_rows + PEEK_BLANK_ROWS, MAX_SHEET_ROWS), peek=True
    )


def _read(content: bytes, extension: str, data_rows: int, sheet_rows: int, peek: bool) -> Table:
    if not content:
        raise ImportFileError("Berkas kosong. Unggah templat yang sudah diisi.")
    if extension == "xlsx":
        if not _check_archive(content, peek):
            return Table(columns={}, rows=[], complete=False)  # the job runner opens it
        raw_rows = _xlsx_rows(content, sheet_rows + 1)
    elif extension == "csv":
        raw_rows = _csv_rows(content)
    else:
        raise ImportFileError("Jenis berkas tidak didukung. Unggah berkas .xlsx atau .csv.")
    try:
        return _table(raw_rows, data_rows, sheet_rows, peek)
    finally:
        raw_rows.close()  # an XLSX read that stopped early closes its workbook now


_UNREADABLE = (
    "Berkas tidak dapat dibaca sebagai XLSX. Pastikan berkas disimpan dari Excel sebagai "
    "\u201cExcel Workbook (.xlsx)\u201d, atau unggah CSV."
)


def _xlsx_rows(content: bytes, max_row: int):
    """The data sheet's rows, at most ``max_row`` of them (the rows it really holds, not the
    ones its dimension declares), after refusing a file too large to read."""
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ImportFileError(
            "Impor XLSX belum dapat dipakai di server ini. Unggah CSV, atau minta pengelola "
            "server memeriksa pemasangan aplikasi."
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds
        raise ImportFileError(_UNSAFE_XML if _is_unsafe_xml(error) else _UNREADABLE) from error
    try:
        sheet = (
            workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        _check_declared_rows(sheet.title, sheet.max_row)
        yield from sheet.iter_rows(max_row=max_row, max_col=MAX_COLUMNS, values_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged sheet
        raise ImportFileError(_UNSAFE_XML if _is_unsafe_xml(error) else _UNREADABLE) from error
    finally:
        workbook.close()


def _check_archive(content: bytes, peek: bool) -> bool:
    """Refuse an archive whose parts add up to more than ``MAX_UNPACKED_BYTES``, from its
    table of contents alone. For a ``peek``, tell whether openpyxl opens it cheaply
    (``PEEK_OPEN_BYTES``); the job runner opens it anyway.
    The sizes an archive declares bound what reading it can produce: Python's ``zipfile``
    stops at a part's declared size (and a part that claims less than it holds fails its
    checksum)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportFileError(
                    f"Berkas ditolak: bila dibuka, isinya {format_file_size(unpacked)}, lebih "
                    f"dari batas {format_file_size(MAX_UNPACKED_BYTES)}. Salin lembar data saja "
                    "ke templat yang baru diunduh (tanpa gambar atau lembar lain), atau unggah "
                    "CSV."
                )
            if not peek:
                return True
            if len(parts) > PEEK_PARTS:
                return False
            read_whole = sum(
                part.file_size for part in parts if not _declares_dimension(archive, part)
            )
    except ImportFileError:
        raise
    except Exception as error:  # BadZipFile mostly; a damaged directory raises others
        raise ImportFileError(_UNREADABLE) from error
    return read_whole <= PEEK_OPEN_BYTES


def _declares_dimension(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """``part`` is a worksheet that declares its dimension before its rows, so openpyxl
    opens it without reading it. Only the start of the part is parsed; any other part
    (shared strings, styles, a sheet without a dimension, an image) is not one."""
    try:
        with archive.open(part) as source:
            for number, (_event, element) in enumerate(
                iterparse(source, events=("start",), forbid_dtd=True)
            ):
                name = element.tag.rsplit("}", 1)[-1]
                if number == 0 and name != "worksheet":
                    return False
                if name == "dimension":
                    return True
                if name == "sheetData":
                    return False
    except Exception:  # not XML, or not safe XML: not a sheet openpyxl opens cheaply
        return False
    return False


def _check_declared_rows(title: str, declared: int | None) -> None:
    """Refuse a sheet that declares more rows than are ever read (most often blank rows
    that were once formatted: Excel keeps them, and counts them in the dimension)."""
    if declared is not None and declared > MAX_SHEET_ROWS:
        raise ImportFileError(
            f"Lembar \u201c{title}\u201d berisi {format_number(declared)} baris (baris "
            "kosong yang pernah diformat ikut terhitung), lebih dari batas "
            f"{format_number(MAX_SHEET_ROWS)} baris. " + _SHORTEN
        )


_SHORTEN = (
    "Hapus baris kosong di bawah data (pilih barisnya, klik kanan, Hapus), simpan, lalu "
    "unggah ulang; atau bagi menjadi beberapa berkas."
)


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


def _table(raw_rows, data_rows: int, sheet_rows: int, peek: bool) -> Table:
    """The header and the non-blank rows among the first ``sheet_rows`` rows, at most
    ``data_rows`` of them. Past either limit a full read refuses the file and a peek stops,
    with the table marked incomplete; neither reads further."""
    header: list[Any] | None = None
    columns: dict[str, int] = {}
    rows: list[tuple[int, list[Any]]] = []
    samples: list[int] = []
    number = 0
    for number, cells in enumerate(raw_rows, start=1):
        if number > sheet_rows:
            if not peek:
                raise ImportFileError(
                    f"Berkas berisi lebih dari {format_number(sheet_rows)} baris (baris kosong "
                    "ikut terhitung). " + _SHORTEN
                )
            return _peeked(header, columns, rows, number, sheet_rows, samples)
        cells = list(cells)
        if header is None:
            if _is_blank(cells):
                continue
            header = cells
            columns = _columns(header)
            continue
        if _is_blank(cells):
            continue
        if is_sample(cells, columns):
            samples.append(number)
            continue
        if len(rows) >= data_rows:
            if not peek:
                raise ImportFileError(
                    f"Berkas berisi lebih dari {format_number(data_rows)} baris data. "
                    "Bagi menjadi beberapa berkas."
                )
            return _peeked(header, columns, rows, number, sheet_rows, samples)
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("Berkas kosong. Unggah templat yang sudah diisi.")
    if not rows and samples:
        raise ImportFileError(
            f"Berkas hanya berisi baris contoh templat (bertanda \u201c{SAMPLE_WORD}\u201d), "
            "yang tidak diimpor. Isi data kerja sama Anda di bawah judul kolom, lalu unggah "
            "ulang."
        )
    if not rows:
        raise ImportFileError("Berkas tidak berisi baris data di bawah judul kolom.")
    return Table(columns=columns, rows=rows, sheet_rows=number, samples=samples)


def _peeked(header, columns, rows, read: int, searched: int, samples: list[int]) -> Table:
    """A peek that stopped before the end (after ``read`` rows): the job runner reads the
    whole file, once the header was found among the first ``searched`` rows."""
    if header is None:
        raise ImportFileError(
            f"Judul kolom tidak ditemukan di {format_number(searched)} baris pertama. "
            "Tulis judul kolom di baris pertama, seperti pada templat."
        )
    return Table(columns=columns, rows=rows, complete=False, sheet_rows=read, samples=samples)


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
