"""Text in spreadsheet cells that a spreadsheet would run as a formula (OWASP "CSV Injection").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
for a formula by Excel, LibreOffice and Google Sheets when a CSV file is opened: an agreement
titled ``=HYPERLINK("http://...", "klik")`` would become a link that sends the sheet's data
away. Every CSV the app writes goes through ``csv_writer``: such a text gets a leading single
quote (the spreadsheets' "this is text" mark, which Excel hides) and every cell is quoted. An
imported cell comes back without that quote (``restore``), so an export can be imported again.

The XLSX exports need no quote: their cells are typed, and a text cell is text. They mark such a
cell ``quotePrefix`` as well (``reports.exports.to_xlsx``), so that editing it in Excel does not
turn it into a formula.

defusedcsv does the CSV part but changes the text itself (``|`` becomes ``\\|``, so an import
would not give back what was exported) and, depending on its version, skips numbers written as
text and the tab and carriage return: too little and too much for a round trip.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# What a spreadsheet reads as the start of a formula (OWASP), and the mark that makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` as a CSV cell: with the text mark in front when it starts like a formula."""
    return TEXT_MARK + text if looks_like_formula(text) else text


def restore(text: str) -> str:
    """An imported cell's text as it was before ``neutralise``: a text mark followed by the
    start of a formula is dropped; any other text is kept as it is."""
    if text.startswith(TEXT_MARK) and looks_like_formula(text[1:]):
        return text[1:]
    return text


def csv_cell(value: Any) -> str | int | float:
    """One value as a CSV cell: text neutralised; numbers as numbers (a negative amount is
    not a formula); dates in ISO form; nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


class _CsvWriter:
    def __init__(self, stream):
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    def writerow(self, values) -> None:
        self._writer.writerow([csv_cell(value) for value in values])


def csv_writer(stream) -> _CsvWriter:
    """The one way the app writes CSV: every cell through ``csv_cell`` and in double quotes,
    rows ended by CRLF (RFC 4180)."""
    return _CsvWriter(stream)
