from datetime import UTC, date, datetime

import pytest

from kerjasama_flow.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_rupiah,
    zone_abbreviation,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 8, 14), "14 Agustus 2025"),
        (date(2026, 1, 12), "12 Januari 2026"),
        (date(2025, 5, 9), "9 Mei 2025"),
        (None, "–"),
    ],
)
def test_dates_are_indonesian(value, expected):
    assert format_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_250_000, "Rp 1.250.000"), (0, "Rp 0"), (999, "Rp 999"), (None, "–")],
)
def test_rupiah(value, expected):
    assert format_rupiah(value) == expected


def test_numbers_use_indonesian_separators():
    assert format_number(1234567) == "1.234.567"


def test_timestamps_are_shown_in_the_government_zone():
    at = datetime(2025, 8, 14, 16, 30, tzinfo=UTC)
    assert format_datetime(at, "Asia/Jakarta") == "14 Agustus 2025 23.30 WIB"
    assert format_datetime(at, "Asia/Makassar") == "15 Agustus 2025 00.30 WITA"
    assert format_datetime(at, "Asia/Jayapura") == "15 Agustus 2025 01.30 WIT"


@pytest.mark.parametrize(
    "at", [datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 7, 15, 23, 59, tzinfo=UTC), None]
)
def test_zone_abbreviations_come_from_babel_and_do_not_change_with_the_season(at):
    zones = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    assert [zone_abbreviation(zone, at) for zone in zones] == ["WIB", "WITA", "WIT"]
    # A zone with no Indonesian short name shows its offset (Babel's fallback).
    assert zone_abbreviation("Asia/Tokyo", at) == "+0900"
