"""The XLSX template a user downloads, fills and uploads: the data sheet (header, an example
row marked as such, frozen header, choice lists, date cells) and a "Petunjuk" sheet explaining
each column. The example row reads "CONTOH - hapus baris ini" in its first column, in grey
italics; the reader skips it (``columns.is_sample``) whether or not it was deleted."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from kerjasama_flow.agreements.models import PARTNER_KIND_LABELS, SECTORS, AgreementKind
from kerjasama_flow.formatting import format_number
from kerjasama_flow.imports.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    GUIDE_SHEET,
    MAX_ROWS,
    SAMPLE_WORD,
)


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
    sample = Font(italic=True, color="808080")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=2, column=index).font = sample
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
    sheet["A2"].comment = Comment(
        "Baris contoh: hapus, lalu isi data Anda mulai baris 2. Bila tertinggal, baris "
        f"bertanda {SAMPLE_WORD} ini dilewati dan tidak diimpor.",
        "kerjasama-flow",
    )
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
            f"Isi data mulai baris 2 lembar \u201c{DATA_SHEET}\u201d. Baris contoh bertanda "
            f"\u201c{SAMPLE_WORD}\u201d di kolom Catatan boleh dihapus; bila tertinggal, baris itu "
            f"dilewati dan tidak diimpor. Paling banyak {format_number(MAX_ROWS)} baris per "
            "berkas. Berkas juga boleh CSV "
            "(UTF-8) dengan judul kolom yang sama. Impor tidak membuat tugas tindak lanjut "
            "dari pola tindak lanjut.",
        ]
    )
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 100
    guide.freeze_panes = "A2"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
