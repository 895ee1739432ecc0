"""The working-day calendar, pure: no Flask, no database.

A working day is Monday to Friday, not an Indonesian national holiday (``libur nasional``),
not a ``cuti bersama`` day (the collective leave days set each year by joint ministerial
decree), and not one of the government's own extra days off (passed in by the caller as
``extra_days_off``; see ``kerjasama_flow.workdays.services`` for the database side).

National holidays and cuti bersama come from the maintained ``holidays`` library
(``holidays.country_holidays("ID", categories=("public", "government"))``, Indonesian names).
The library publishes cuti bersama only for the years the decree is known (2018-2027 in
``holidays`` 0.109); in later years only the national holidays are skipped, and an admin adds
the cuti bersama as the government's own days off once the decree is out.

Counting convention (both functions use the same half-open interval, so they agree):

* ``add_working_days(start, n)`` with ``n > 0`` is the n-th working day *after* ``start``: the
  count starts the day after ``start``, and ``start`` itself never counts, working day or not.
  With ``n < 0`` it is the |n|-th working day *before* ``start`` (the count starts the day
  before). With ``n == 0`` it is ``start`` when that is a working day, else the next one.
* ``working_days_between(start, end)`` is the number of working days in ``(start, end]``
  (after ``start``, up to and including ``end``) when ``end >= start``, and minus the number in
  ``(end, start]`` when ``end < start``: ``working_days_between(a, b) ==
  -working_days_between(b, a)``.
* Hence ``working_days_between(d, add_working_days(d, n)) == n`` for every ``d`` and ``n >= 1``,
  and ``working_days_between(add_working_days(d, -n), d) == n`` when ``d`` is a working day
  (the usual case: a due date computed by ``add_working_days`` is one).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

COUNTRY = "ID"
CATEGORIES = ("public", "government")  # national holidays; cuti bersama
LANGUAGE = "id"
SATURDAY = 5  # date.weekday(): Monday is 0

_ONE_DAY = timedelta(days=1)
_NO_DAYS: frozenset[date] = frozenset()


@lru_cache(maxsize=256)  # bounded: years come from user input too
def _national_year(year: int) -> MappingProxyType:
    """One year of national holidays and cuti bersama, read-only (it is shared by the cache)."""
    days = holidays.country_holidays(COUNTRY, years=year, categories=CATEGORIES, language=LANGUAGE)
    return MappingProxyType(dict(sorted(days.items())))


def national_days_off(years: int | Iterable[int]) -> dict[date, str]:
    """Indonesian national holidays and cuti bersama of ``years`` (one year or several), by
    date, with their Indonesian names, e.g. ``{date(2025, 3, 31): "Hari Raya Idul Fitri"}``.
    Two holidays on one date share an entry, their names joined by "; ". The result is a new
    dict the caller may change; the per-year lookups are cached."""
    if isinstance(years, int):
        years = (years,)
    result: dict[date, str] = {}
    for year in sorted(set(years)):
        result.update(_national_year(year))
    return result


def is_cuti_bersama(name: str) -> bool:
    """Whether a holiday name from ``national_days_off`` is a cuti bersama day."""
    return name.startswith("Cuti Bersama")


def national_day_off_name(day: date) -> str | None:
    """The national holiday or cuti bersama on ``day``, or None."""
    return _national_year(day.year).get(day)


def _as_set(extra_days_off: Collection[date]) -> Collection[date]:
    if isinstance(extra_days_off, set | frozenset):
        return extra_days_off
    return frozenset(extra_days_off)


def is_working_day(day: date, extra_days_off: Collection[date] = _NO_DAYS) -> bool:
    """Monday to Friday, not a national holiday or cuti bersama, not in ``extra_days_off``."""
    return (
        day.weekday() < SATURDAY
        and day not in _national_year(day.year)
        and day not in extra_days_off
    )


def add_working_days(start: date, n: int, extra_days_off: Collection[date] = _NO_DAYS) -> date:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

    ``n > 0``: the count starts the day after ``start`` (``start`` never counts): from Thursday
    27 March 2025, 1 working day later is Tuesday 8 April 2025 (Nyepi's cuti bersama, the
    weekend and the Idul Fitri holidays and cuti bersama are skipped).
    ``n < 0``: the same backwards, the count starting the day before ``start`` ("H-3 working
    days before the due date" is ``add_working_days(due_on, -3)``).
    ``n == 0``: ``start`` when it is a working day, else the next working day.
    """
    off = _as_set(extra_days_off)
    day = start
    if n == 0:
        while not is_working_day(day, off):
            day += _ONE_DAY
        return day
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day, off):
            remaining -= 1
    return day


def working_days_between(
    start: date, end: date, extra_days_off: Collection[date] = _NO_DAYS
) -> int:
    """Signed number of working days after ``start`` up to and including ``end``.

    ``end >= start``: the working days in ``(start, end]`` (0 when ``end == start``).
    ``end < start``: minus the working days in ``(end, start]``, so the function is
    antisymmetric: ``working_days_between(a, b) == -working_days_between(b, a)``.
    A task due Friday counted from the Monday before is 4; a task due Friday counted from the
    Monday after (overdue) is -1 (Monday itself counts, the weekend does not).
    """
    if end < start:
        return -working_days_between(end, start, extra_days_off)
    off = _as_set(extra_days_off)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_working_day(day, off):
            count += 1
    return count
