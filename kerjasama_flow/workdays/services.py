"""A government's working-day calendar: its own days off (flush, never commit) and the
working-day arithmetic other domains call (playbooks for due dates, reminders for H-3/H+1).

The counting convention is the pure module's (``kerjasama_flow.workdays.calendar``): ``n``
working days after ``start`` counts from the day after ``start``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.activity.services import log_action, snapshot
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.workdays import calendar
from kerjasama_flow.workdays.models import DayOff

DAY_OFF_FIELDS = ("on", "name")
WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MAX_NAME_LENGTH = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the calendar pages and the days off an admin may add


def _government_id(government: Government | int) -> int:
    return government if isinstance(government, int) else government.id


# --- reads --------------------------------------------------------------------------------------


def days_off(government: Government | int, start: date, end: date) -> set[date]:
    """The government's own days off from ``start`` to ``end``, both included (one query)."""
    if end < start:
        start, end = end, start
    return set(
        db.session.scalars(
            select(DayOff.on).where(
                DayOff.government_id == _government_id(government),
                DayOff.on >= start,
                DayOff.on <= end,
            )
        )
    )


def days_off_in_year(government: Government | int, year: int) -> list[DayOff]:
    """The government's own days off in ``year``, by date (for the settings page)."""
    return list(
        db.session.scalars(
            select(DayOff)
            .where(
                DayOff.government_id == _government_id(government),
                DayOff.on >= date(year, 1, 1),
                DayOff.on <= date(year, 12, 31),
            )
            .order_by(DayOff.on)
        )
    )


def _window_days(n: int) -> int:
    """Calendar days that comfortably hold ``n`` working days: weeks of five working days,
    plus a month for Idul Fitri's holidays and cuti bersama and the government's own."""
    return abs(n) * 2 + 31


def add_working_days_for(government: Government | int, start: date, n: int) -> date:
    """``n`` working days after ``start`` (before it when ``n`` < 0) for ``government``:
    weekends, national holidays, cuti bersama and the government's own days off are skipped.

    Loads the government's days off for a window around the count in one query; only when the
    result falls outside that window (a government with an unusual number of days off) is the
    window widened and the count redone, so the answer never depends on the window.
    """
    span = _window_days(n)
    while True:
        if n >= 0:
            low, high = start, start + timedelta(days=span)
        else:
            low, high = start - timedelta(days=span), start
        result = calendar.add_working_days(start, n, days_off(government, low, high))
        if low <= result <= high:
            return result
        span *= 2


def working_days_between(government: Government | int, start: date, end: date) -> int:
    """The working days of ``government`` after ``start`` up to and including ``end`` (minus
    the working days in ``(end, start]`` when ``end`` is earlier), as
    ``calendar.working_days_between`` counts them: weekends, national holidays, cuti bersama
    and the government's own days off do not count. One query for the days off."""
    return calendar.working_days_between(start, end, days_off(government, start, end))


# --- changes ------------------------------------------------------------------------------------


def _already_off(on: date) -> str | None:
    """Why ``on`` is a day off anyway (a weekend, a national holiday, cuti bersama), or None."""
    if on.weekday() >= calendar.SATURDAY:
        return f"hari {WEEKDAY_NAMES[on.weekday()]}"
    return calendar.national_day_off_name(on)


def add_day_off(actor: User | None, government: Government, on: date | None, name: str) -> DayOff:
    """Add one of the government's own days off, e.g. the regional anniversary holiday."""
    if on is None:
        raise DomainError("Tanggal wajib diisi.", "on")
    if not FIRST_YEAR <= on.year <= LAST_YEAR:
        raise DomainError(f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.", "on")
    name = (name or "").strip()
    if not name:
        raise DomainError("Nama hari libur wajib diisi.", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(f"Paling banyak {MAX_NAME_LENGTH} karakter.", "name")
    existing = db.session.scalar(
        select(DayOff).where(DayOff.government_id == government.id, DayOff.on == on)
    )
    if existing is not None:
        raise DomainError(
            f"{format_date(on)} sudah terdaftar sebagai hari libur daerah ({existing.name}).", "on"
        )
    reason = _already_off(on)
    if reason is not None:
        raise DomainError(f"Tanggal itu sudah hari libur ({reason}).", "on")
    day_off = DayOff(government_id=government.id, on=on, name=name)
    db.session.add(day_off)
    db.session.flush()
    log_action(actor, day_off, "created", after=snapshot(day_off, DAY_OFF_FIELDS))
    return day_off


def remove_day_off(actor: User | None, day_off: DayOff) -> None:
    """Remove one of the government's own days off. Due dates already computed stay as they
    are; only dates computed from now on count the day as a working day again."""
    log_action(actor, day_off, "deleted", before=snapshot(day_off, DAY_OFF_FIELDS))
    db.session.delete(day_off)
    db.session.flush()
