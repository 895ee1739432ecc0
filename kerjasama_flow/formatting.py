"""Indonesian presentation: dates like "14 Agustus 2025", money like "Rp 1.250.000"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "id_ID"


def tanggal(value: date | datetime | None, empty: str = "–") -> str:
    """14 Agustus 2025"""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="d MMMM y", locale=LOCALE)


def tanggal_pendek(value: date | None, empty: str = "–") -> str:
    """14 Agu 2025"""
    if value is None:
        return empty
    return format_date(value, format="d MMM y", locale=LOCALE)


def waktu(value: datetime | None, zone: str = "Asia/Jakarta", empty: str = "–") -> str:
    """14 Agustus 2025 09.30 WIB: a UTC timestamp shown in the government's zone."""
    if value is None:
        return empty
    local = value.astimezone(ZoneInfo(zone))
    abbreviation = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
        zone, local.tzname() or ""
    )
    return f"{format_datetime(local, format='d MMMM y HH.mm', locale=LOCALE)} {abbreviation}"


def angka(value: int | float | Decimal | None, empty: str = "–") -> str:
    """1.250.000 or 12,5"""
    if value is None:
        return empty
    return format_decimal(value, locale=LOCALE)


def rupiah(value: int | None, empty: str = "–") -> str:
    """Rp 1.250.000"""
    if value is None:
        return empty
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {format_decimal(abs(int(value)), locale=LOCALE)}"


FILTERS = {
    "tanggal": tanggal,
    "tanggal_pendek": tanggal_pendek,
    "waktu": waktu,
    "angka": angka,
    "rupiah": rupiah,
}
