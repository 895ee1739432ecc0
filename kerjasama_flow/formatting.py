"""Indonesian presentation: dates like "14 Agustus 2025", money like "Rp 1.250.000".

Python callers use the English names; templates use the Indonesian filter names in ``FILTERS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "id_ID"


def format_date(value: date | datetime | None, empty: str = "–") -> str:
    """14 Agustus 2025"""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, format="d MMMM y", locale=LOCALE)


def format_short_date(value: date | None, empty: str = "–") -> str:
    """14 Agu 2025"""
    if value is None:
        return empty
    return babel_dates.format_date(value, format="d MMM y", locale=LOCALE)


def format_datetime(value: datetime | None, zone: str = "Asia/Jakarta", empty: str = "–") -> str:
    """14 Agustus 2025 09.30 WIB: a UTC timestamp shown in the government's zone, with the
    zone's abbreviation as ``zone_abbreviation`` gives it."""
    if value is None:
        return empty
    local = value.astimezone(ZoneInfo(zone))
    return babel_dates.format_datetime(local, format="d MMMM y HH.mm z", locale=LOCALE)


def zone_abbreviation(zone: str, at: datetime | None = None) -> str:
    """WIB, WITA or WIT: the short name of ``zone`` in Indonesian, from Babel (CLDR's id
    locale), at the instant ``at`` (default now). Indonesia's zones keep one offset all year;
    a zone without a short Indonesian name shows its offset, e.g. "+0200"."""
    return babel_dates.format_datetime(
        at or datetime.now(UTC), format="z", tzinfo=ZoneInfo(zone), locale=LOCALE
    )


def format_number(value: int | float | Decimal | None, empty: str = "–") -> str:
    """1.250.000 or 12,5"""
    if value is None:
        return empty
    return format_decimal(value, locale=LOCALE)


def parse_number(text: str) -> Decimal:
    """A number written the Indonesian way ("1.250.000", "1.250,5", "-12,5"), read by Babel
    strictly: a misplaced separator ("1.25", "1,250,000") or a dot as the decimal mark
    ("1250.5") is a ``ValueError``, never a silent misreading."""
    try:
        return parse_decimal(text, locale=LOCALE, strict=True)
    except NumberFormatError as error:
        raise ValueError(text) from error


def format_rupiah(value: int | None, empty: str = "–") -> str:
    """Rp 1.250.000"""
    if value is None:
        return empty
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {format_decimal(abs(int(value)), locale=LOCALE)}"


def format_file_size(size: int | None, empty: str = "–") -> str:
    """ "850 KB", "1,4 MB" (Indonesian decimal comma)."""
    if size is None:
        return empty
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)), locale=LOCALE)} KB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), locale=LOCALE)} MB"


FILTERS = {
    "tanggal": format_date,
    "tanggal_pendek": format_short_date,
    "waktu": format_datetime,
    "zona_waktu": zone_abbreviation,
    "angka": format_number,
    "rupiah": format_rupiah,
    "ukuran_berkas": format_file_size,
}
