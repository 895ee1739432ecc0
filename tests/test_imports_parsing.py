"""Checking rows, said once: the dates the importer reads are the forms' dates, and the text
limits are the model columns' lengths (``db.max_length``)."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from werkzeug.datastructures import MultiDict

from kerjasama_flow.agreements.models import Agreement, Mou, Partner
from kerjasama_flow.db import max_length
from kerjasama_flow.forms_common import DATE_FORMATS, BaseForm, date_field
from kerjasama_flow.imports.columns import COLUMN_BY_KEY, COLUMNS, DATA_SHEET, is_sample
from kerjasama_flow.imports.parsing import parse_rows
from kerjasama_flow.imports.reading import Table, read_table
from kerjasama_flow.imports.template import build_template

HEADERS = {column.key: index for index, column in enumerate(COLUMNS)}


def parse(world, **values):
    """One row of the given values (by column key), parsed for the world's government."""
    cells = [values.get(column.key) for column in COLUMNS]
    (parsed,) = parse_rows(world.gov.id, Table(columns=HEADERS, rows=[(2, cells)]))
    return parsed


def good(**values):
    return {"external_ref": "KS-1", "title": "Judul", "kind": "KSDD", "partners": "Mitra"} | values


# --- dates ------------------------------------------------------------------------------------


SAME_DAY = ["2024-03-01", "01-03-2024", "01/03/2024", "01.03.2024"]


def test_every_date_format_is_defined_once_and_shared():
    assert len(DATE_FORMATS) == 4 == len(set(DATE_FORMATS))


@pytest.mark.parametrize("text", SAME_DAY)
def test_the_importer_reads_each_date_format(app, world, text):
    parsed = parse(world, **good(signed_on=text))
    assert parsed.is_valid, parsed.messages()
    assert parsed.values["signed_on"] == date(2024, 3, 1)


@pytest.mark.parametrize("text", SAME_DAY)
def test_the_forms_read_the_same_dates(app, text):
    class OneDate(BaseForm):
        day = date_field("Tanggal")

    with app.test_request_context(method="POST"):
        form = OneDate(formdata=MultiDict({"day": text}), meta={"csrf": False})
        assert form.validate(), form.errors
        assert form.day.data == date(2024, 3, 1)


@pytest.mark.parametrize("text", ["1 Maret 2024", "2024/03/01", "31-02-2024", "01.03.24"])
def test_other_dates_are_refused_with_the_same_message(app, world, text):
    parsed = parse(world, **good(signed_on=text))
    assert parsed.messages() == [
        "Baris 2, kolom Tanggal MoU: Tanggal tidak sah. Tulis mis. 31-12-2024."
    ]


OUT_OF_RANGE = "Tanggal harus antara tahun 1945 dan 2100."


@pytest.mark.parametrize(
    "value", ["01-01-0001", "31-12-9999", "31-12-1944", date(1, 1, 1), datetime(9999, 12, 31)]
)
def test_dates_outside_the_range_are_refused_as_the_forms_refuse_them(app, world, value):
    """Typed or an Excel date cell: a year 1 or 9999 is refused with the forms' message."""
    parsed = parse(world, **good(signed_on=value))
    assert parsed.messages() == [f"Baris 2, kolom Tanggal MoU: {OUT_OF_RANGE}"]

    class OneDate(BaseForm):
        day = date_field("Tanggal")

    text = value if isinstance(value, str) else value.strftime("%d-%m-") + f"{value.year:04d}"
    with app.test_request_context(method="POST"):
        form = OneDate(formdata=MultiDict({"day": text}), meta={"csrf": False})
        assert not form.validate() and form.day.errors == [OUT_OF_RANGE]


def test_the_range_ends_are_taken(app, world):
    parsed = parse(world, **good(signed_on="01-01-1945", starts_on="01-01-2100"))
    assert parsed.values["signed_on"] == date(1945, 1, 1), parsed.messages()


def test_a_nul_byte_in_a_cell_is_refused(app, world):
    """An XLSX cell can carry one (written ``_x0000_``); no database text can hold it."""
    parsed = parse(world, **good(title="Judul\x00rahasia"))
    assert parsed.messages() == [
        "Baris 2, kolom Judul: Isian memuat karakter yang tidak sah (karakter NUL)."
    ]


# --- lengths ----------------------------------------------------------------------------------


def test_max_length_reads_the_model_column():
    assert max_length(Agreement.title) == Agreement.__table__.c.title.type.length == 300
    assert max_length(Agreement.__table__.c.external_ref) == 80
    with pytest.raises(TypeError):
        max_length(Agreement.id)


@pytest.mark.parametrize(
    ("key", "attribute"),
    [
        ("external_ref", Agreement.external_ref),
        ("title", Agreement.title),
        ("partners", Partner.name),
        ("commodities", Agreement.commodities),
        ("origin_event", Agreement.origin_event),
        ("number_own", Mou.number_own),
    ],
)
def test_column_limits_are_the_models(key, attribute):
    assert COLUMN_BY_KEY[key].max_length == max_length(attribute)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("title", "Baris 2, kolom Judul: Paling banyak 300 karakter."),
        ("number_own", "Baris 2, kolom Nomor MoU: Paling banyak 120 karakter."),
        ("partners", "Baris 2, kolom Mitra: Nama mitra paling banyak 200 karakter."),
    ],
)
def test_a_text_over_the_column_length_is_refused(app, world, key, message):
    limit = COLUMN_BY_KEY[key].max_length
    values = good(signed_on="01-03-2024")
    assert parse(world, **(values | {key: "x" * limit})).is_valid
    assert parse(world, **(values | {key: "x" * (limit + 1)})).messages() == [message]


# --- the template's example row ---------------------------------------------------------------


def test_the_reader_skips_the_templates_example_row_and_says_which():
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    sheet = workbook[DATA_SHEET]
    sheet.append([None, "KS-9", "Judul", "KSDD", "Mitra"])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table(out.getvalue(), "xlsx")
    assert table.samples == [2]
    assert [number for number, _ in table.rows] == [3]


@pytest.mark.parametrize(
    ("note", "ref", "title", "skipped"),
    [
        ("CONTOH - hapus baris ini", "KS-1", "Judul", True),
        ("  contoh saja", "KS-1", "Judul", True),
        (None, "KS-2024-001", "Kerja sama ketahanan pangan dengan Pemprov DKI Jakarta", True),
        (None, "KS-2024-001", "Judul lain", False),  # a real reference that looks alike
        ("Dari daftar lama", "KS-1", "Judul", False),
        ("Bukan CONTOH", "KS-1", "Judul", False),
    ],
)
def test_what_marks_a_row_as_the_example(note, ref, title, skipped):
    columns = {"note": 0, "external_ref": 1, "title": 2}
    assert is_sample([note, ref, title], columns) is skipped
