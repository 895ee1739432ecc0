"""The spreadsheet's columns and limits: what the template offers, the reader expects and the
rows are checked against. Text lengths come from the model columns the values end up in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kerjasama_flow.agreements.models import Agreement, Mou, Partner
from kerjasama_flow.db import max_length

MAX_ROWS = 5000
MAX_COLUMNS = 60  # columns read from a sheet; the template has 14
# Rows read from a sheet, blank ones included: room for the header and blank lines between the
# data. A blank row costs as much to read as a full one (Excel keeps a row that was ever
# formatted), so reading stops here however few rows hold data.
MAX_SHEET_ROWS = MAX_ROWS + 1000
# An XLSX is a zip archive: what its parts add up to once unpacked. A 5,000-row file unpacks to
# about 3 MB; above the limit the file is refused before any part of it is read.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# How far the upload request reads a file that is too large to check in the request: the
# data rows it looks for (``IMPORT_INLINE_ROWS``) plus this many blank rows.
PEEK_BLANK_ROWS = 500
# The upload request opens an XLSX only if openpyxl does so cheaply: the parts it reads whole
# on opening (shared strings, styles, any sheet that declares no dimension) add up to at most
# this much, in at most ``PEEK_PARTS`` parts (about 0.5 s of parsing). Otherwise the job
# runner opens it.
PEEK_OPEN_BYTES = 2 * 1024 * 1024
PEEK_PARTS = 100
DATA_SHEET = "Kerja Sama"
GUIDE_SHEET = "Petunjuk"
# The template's example row says what it is in its first column ("Catatan"); the reader skips
# a row whose note starts with ``SAMPLE_WORD``, and a row with the example's own reference and
# title (a sample whose note was cleared), and the preview says so.
SAMPLE_WORD = "CONTOH"
SAMPLE_MARK = f"{SAMPLE_WORD} - hapus baris ini"


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
        "note",
        "Catatan",
        False,
        "Catatan untuk Anda sendiri; tidak diimpor. Baris yang catatannya diawali "
        f"\u201c{SAMPLE_WORD}\u201d (baris contoh templat) dilewati, tidak diimpor.",
        None,
        SAMPLE_MARK,
    ),
    Column(
        "external_ref",
        "Referensi",
        True,
        "Nomor referensi unik kerja sama di lembar kerja Anda (mis. KS-2024-001). Dipakai untuk "
        "mencocokkan: bila referensi sudah ada, kerja sama itu diperbarui, bukan ditambah.",
        max_length(Agreement.external_ref),
        "KS-2024-001",
    ),
    Column(
        "title",
        "Judul",
        True,
        f"Judul kerja sama, paling banyak {max_length(Agreement.title)} karakter.",
        max_length(Agreement.title),
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
        max_length(Partner.name),  # of each name
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
        max_length(Agreement.commodities),
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
        max_length(Agreement.origin_event),
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
        "number_own",
        "Nomor MoU",
        False,
        "Nomor MoU/KB pihak kita.",
        max_length(Mou.number_own),
        "415.4/12/410.010/2024",
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
DATE_KEYS = ("signed_on", "starts_on", "ends_on")
# A service's field name -> the column its message belongs to.
FIELD_COLUMNS = {
    **{column.key: column.header for column in COLUMNS},
    "new_partner_name": "Mitra",
}


def norm(text: Any) -> str:
    """A header or a choice as compared: spaces collapsed, asterisks dropped, case folded."""
    return " ".join(str(text or "").replace("*", " ").split()).casefold()


HEADER_KEYS = {norm(column.header): column.key for column in COLUMNS}


def is_sample(cells: list[Any], columns: dict[str, int]) -> bool:
    """The template's example row: its note starts with ``SAMPLE_WORD``, or it still holds the
    example's own reference and title."""

    def text(key: str) -> str:
        index = columns.get(key)
        return norm(cells[index]) if index is not None and index < len(cells) else ""

    if text("note").startswith(norm(SAMPLE_WORD)):
        return True
    return (text("external_ref"), text("title")) == (
        norm(COLUMN_BY_KEY["external_ref"].example),
        norm(COLUMN_BY_KEY["title"].example),
    )
