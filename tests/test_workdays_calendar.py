"""The pure working-day calendar: weekends, national holidays, cuti bersama, extra days off.

The main expectations are the real 2025/2026 dates (SKB 3 Menteri on cuti bersama 2025),
written out by hand, so that a change in the library or in the counting shows up here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kerjasama_flow.workdays.calendar import (
    add_working_days,
    is_cuti_bersama,
    is_working_day,
    national_days_off,
    working_days_between,
)

NONE: frozenset[date] = frozenset()


# --- the library's data -----------------------------------------------------------------------


def test_idul_fitri_2025_and_its_cuti_bersama_are_off_with_indonesian_names():
    days = national_days_off([2025])
    assert days[date(2025, 3, 31)] == "Hari Raya Idul Fitri"
    assert days[date(2025, 4, 1)] == "Hari kedua dari Hari Raya Idul Fitri"
    for day in (2, 3, 4, 7):
        assert days[date(2025, 4, day)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2025, 3, 28)] == "Cuti Bersama Hari Suci Nyepi"
    assert days[date(2025, 12, 25)] == "Hari Raya Natal"
    assert days[date(2025, 12, 26)] == "Cuti Bersama Hari Raya Natal"
    assert date(2025, 4, 8) not in days


def test_national_days_off_takes_one_year_or_several_and_returns_a_copy():
    both = national_days_off(range(2025, 2027))
    assert date(2025, 8, 17) in both and date(2026, 1, 1) in both
    assert national_days_off(2026) == {d: n for d, n in both.items() if d.year == 2026}
    both.clear()  # the caller's copy: the cache is untouched
    assert date(2025, 8, 17) in national_days_off(2025)


def test_cuti_bersama_is_told_apart_from_national_holidays():
    assert is_cuti_bersama("Cuti Bersama Hari Raya Natal")
    assert not is_cuti_bersama("Hari Raya Natal")


# --- is_working_day ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 7, 14), True),  # an ordinary Monday
        (date(2025, 7, 12), False),  # Saturday
        (date(2025, 7, 13), False),  # Sunday
        (date(2025, 3, 31), False),  # Idul Fitri (Monday)
        (date(2025, 4, 7), False),  # cuti bersama Idul Fitri (Monday)
        (date(2025, 4, 8), True),  # first working day after Lebaran
        (date(2025, 8, 18), False),  # cuti bersama for Independence Day (Monday)
        (date(2026, 1, 1), False),  # New Year (Thursday)
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day, NONE) is expected


def test_an_extra_day_off_is_not_a_working_day():
    assert not is_working_day(date(2025, 7, 14), {date(2025, 7, 14)})
    assert not is_working_day(date(2025, 7, 14), [date(2025, 7, 14)])  # any collection


# --- add_working_days -------------------------------------------------------------------------


def test_weekend_is_skipped():
    friday = date(2025, 7, 11)
    assert add_working_days(friday, 1, NONE) == date(2025, 7, 14)
    assert add_working_days(friday, 5, NONE) == date(2025, 7, 18)
    assert add_working_days(date(2025, 7, 12), 1, NONE) == date(2025, 7, 14)  # from Saturday


def test_idul_fitri_2025_with_cuti_bersama():
    # Thu 27 March: Fri 28 (Nyepi cuti bersama), the weekend, Mon 31 and Tue 1 April (Idul
    # Fitri), Wed 2 - Fri 4 and Mon 7 April (cuti bersama) are all skipped.
    assert add_working_days(date(2025, 3, 27), 1, NONE) == date(2025, 4, 8)
    assert add_working_days(date(2025, 3, 27), 2, NONE) == date(2025, 4, 9)
    assert add_working_days(date(2025, 3, 26), 2, NONE) == date(2025, 4, 8)
    assert working_days_between(date(2025, 3, 27), date(2025, 4, 8), NONE) == 1


def test_year_end_christmas_cuti_bersama_and_new_year():
    # Wed 24 Dec 2025: Thu 25 (Christmas), Fri 26 (cuti bersama), the weekend are skipped;
    # Mon 29, Tue 30, Wed 31 count; Thu 1 Jan 2026 (New Year) is skipped.
    start = date(2025, 12, 24)
    assert add_working_days(start, 1, NONE) == date(2025, 12, 29)
    assert add_working_days(start, 3, NONE) == date(2025, 12, 31)
    assert add_working_days(start, 4, NONE) == date(2026, 1, 2)
    assert add_working_days(start, 5, NONE) == date(2026, 1, 5)


def test_negative_counts_backwards():
    # "H-3 working days" before Tue 8 April 2025 (first day after Lebaran): Tue 25 March.
    assert add_working_days(date(2025, 4, 8), -1, NONE) == date(2025, 3, 27)
    assert add_working_days(date(2025, 4, 8), -3, NONE) == date(2025, 3, 25)
    assert add_working_days(date(2026, 1, 5), -5, NONE) == date(2025, 12, 24)
    assert add_working_days(date(2025, 7, 14), -1, NONE) == date(2025, 7, 11)  # Mon -> Fri


def test_zero_is_start_when_working_else_the_next_working_day():
    assert add_working_days(date(2025, 7, 14), 0, NONE) == date(2025, 7, 14)
    assert add_working_days(date(2025, 7, 12), 0, NONE) == date(2025, 7, 14)  # Saturday
    assert add_working_days(date(2025, 3, 31), 0, NONE) == date(2025, 4, 8)  # Idul Fitri
    assert add_working_days(date(2025, 12, 25), 0, NONE) == date(2025, 12, 29)


def test_extra_days_off_are_skipped():
    off = {date(2025, 7, 14), date(2025, 7, 15)}
    assert add_working_days(date(2025, 7, 11), 1, off) == date(2025, 7, 16)
    assert add_working_days(date(2025, 7, 16), -1, off) == date(2025, 7, 11)
    assert working_days_between(date(2025, 7, 11), date(2025, 7, 18), off) == 3


# --- working_days_between ---------------------------------------------------------------------


def test_working_days_between_counts_after_start_up_to_and_including_end():
    monday, friday = date(2025, 7, 14), date(2025, 7, 18)
    assert working_days_between(monday, friday, NONE) == 4
    assert working_days_between(monday, monday, NONE) == 0
    assert working_days_between(friday, date(2025, 7, 21), NONE) == 1  # over the weekend
    assert working_days_between(date(2025, 7, 11), date(2025, 7, 13), NONE) == 0  # Fri -> Sun
    assert working_days_between(date(2025, 12, 24), date(2026, 1, 5), NONE) == 5


def test_working_days_between_is_antisymmetric():
    pairs = [
        (date(2025, 7, 14), date(2025, 7, 18)),
        (date(2025, 3, 27), date(2025, 4, 8)),
        (date(2025, 12, 24), date(2026, 1, 5)),
        (date(2025, 7, 12), date(2025, 7, 20)),  # weekend to weekend
    ]
    for a, b in pairs:
        assert working_days_between(b, a, NONE) == -working_days_between(a, b, NONE)
    # Overdue: a task due Fri 18 July 2025 seen on Mon 21 July is one working day late.
    assert working_days_between(date(2025, 7, 21), date(2025, 7, 18), NONE) == -1


# --- properties over three years --------------------------------------------------------------


def test_add_and_between_agree_every_day_2025_to_2027():
    extra = {date(2025, 7, 14), date(2026, 2, 20), date(2027, 4, 1)}
    day = date(2025, 1, 1)
    while day <= date(2027, 12, 31):
        for k in range(1, 16):
            result = add_working_days(day, k, extra)
            assert is_working_day(result, extra), (day, k, result)
            assert result > day
            assert working_days_between(day, result, extra) == k, (day, k, result)
            assert working_days_between(day, result - timedelta(days=1), extra) == k - 1
            if is_working_day(day, extra):
                assert add_working_days(result, -k, extra) == day, (day, k, result)
        day += timedelta(days=1)


def test_library_cuti_bersama_years_are_covered():
    """The library lists cuti bersama for 2025-2027 at least: deadlines in those years skip
    them. (Derived from the library on purpose: it documents what we rely on.)"""
    for year in (2025, 2026, 2027):
        assert any(is_cuti_bersama(name) for name in national_days_off(year).values()), year
