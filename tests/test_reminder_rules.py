"""The reminder rules, pure: which (rule, period) apply on a day. No app, no database.

Calendar facts used below (Indonesia, from the ``holidays`` library):
* 2025-10-01..20: an ordinary fortnight (weekends only).
* Nyepi and Idul Fitri 2025: Fri 28 Mar (cuti bersama) to Mon 7 Apr are all days off.
* Christmas 2025: Thu 25 Dec (holiday), Fri 26 Dec (cuti bersama); Thu 1 Jan 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from kerjasama_flow import clock
from kerjasama_flow.reminders import rules
from kerjasama_flow.reminders.models import Rule
from kerjasama_flow.reminders.rules import Due, TaskRuleSettings, WorkingDays
from kerjasama_flow.workdays import calendar

D = date


def days_between(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


DEFAULT_RULES = TaskRuleSettings()


def schedule(due_on, start, end, extra=(), task_rules=DEFAULT_RULES):
    """{day: reminders} for every day from ``start`` to ``end`` that has any."""
    found = {}
    for today in days_between(start, end):
        result = rules.task_reminders(
            due_on, today, WorkingDays.with_days_off(today, extra), task_rules
        )
        if result:
            found[today] = result
    return found


# --- the memoised working-day distance --------------------------------------------------------


@pytest.mark.parametrize("today", [D(2025, 10, 8), D(2025, 4, 2), D(2025, 12, 27), D(2026, 1, 5)])
def test_distance_agrees_with_the_calendar(today):
    extra = frozenset({D(2025, 10, 6), D(2025, 12, 30)})
    days = WorkingDays.with_days_off(today, extra)
    # Far points first, then near ones: the memo must not depend on the order of questions.
    probes = [today - timedelta(days=400), today + timedelta(days=60)]
    probes += list(days_between(today - timedelta(days=40), today + timedelta(days=40)))
    for day in probes:
        assert days.distance(day) == calendar.working_days_between(today, day, extra), day


def test_distance_uses_the_given_callable():
    every_day = WorkingDays(D(2025, 10, 4), lambda day: True)  # a Saturday, yet "working"
    assert every_day.distance(D(2025, 10, 7)) == 3
    assert every_day.distance(D(2025, 10, 1)) == -3
    assert every_day.is_working_day(D(2025, 10, 4))


def test_rules_refuse_a_calendar_built_for_another_day():
    with pytest.raises(ValueError):
        rules.task_reminders(
            D(2025, 10, 8), D(2025, 10, 9), WorkingDays.with_days_off(D(2025, 10, 8))
        )


# --- task rules -------------------------------------------------------------------------------


def test_an_ordinary_fortnight():
    due = D(2025, 10, 8)  # Wednesday
    assert schedule(due, D(2025, 9, 1), D(2025, 10, 31)) == {
        D(2025, 10, 3): [Due(Rule.DUE_SOON, "2025-10-08")],  # Friday: Mon, Tue, Wed left
        D(2025, 10, 8): [Due(Rule.DUE_TODAY, "2025-10-08")],
        D(2025, 10, 9): [Due(Rule.OVERDUE, "2025-10-09")],  # H+1
        D(2025, 10, 14): [Due(Rule.OVERDUE, "2025-10-14")],  # H+4
        D(2025, 10, 17): [  # H+7: the overdue repeat and the escalation, once
            Due(Rule.OVERDUE, "2025-10-17"),
            Due(Rule.ESCALATION, "2025-10-08"),
        ],
        D(2025, 10, 22): [Due(Rule.OVERDUE, "2025-10-22")],  # H+10
        D(2025, 10, 27): [Due(Rule.OVERDUE, "2025-10-27")],  # H+13
        D(2025, 10, 30): [Due(Rule.OVERDUE, "2025-10-30")],  # H+16
    }


def test_overdue_repeats_while_open_long_after_the_due_date():
    due = D(2025, 10, 8)
    found = schedule(due, D(2026, 3, 1), D(2026, 3, 31))
    assert found, "still reminded months later"
    assert all(r == [Due(Rule.OVERDUE, day.isoformat())] for day, r in found.items())
    gaps = {
        calendar.working_days_between(a, b)
        for a, b in zip(sorted(found), sorted(found)[1:], strict=False)
    }
    assert gaps == {3}


def test_nothing_on_weekends_except_a_due_date_that_falls_on_one():
    due = D(2025, 10, 11)  # Saturday (set by hand)
    found = schedule(due, D(2025, 10, 1), D(2025, 10, 20))
    assert found == {
        D(2025, 10, 7): [Due(Rule.DUE_SOON, "2025-10-11")],  # Wed, Thu, Fri... and Sat counts 0
        D(2025, 10, 11): [Due(Rule.DUE_TODAY, "2025-10-11")],
        D(2025, 10, 13): [Due(Rule.OVERDUE, "2025-10-13")],  # Monday is H+1
        D(2025, 10, 16): [Due(Rule.OVERDUE, "2025-10-16")],
    }
    for day in found:
        assert day == due or calendar.is_working_day(day)


def test_due_soon_counts_across_idul_fitri():
    due = D(2025, 4, 9)  # Wednesday after the Idul Fitri holidays and cuti bersama
    found = schedule(due, D(2025, 3, 1), D(2025, 4, 9))
    # (26 Mar, 9 Apr] holds three working days: 27 Mar, 8 Apr and 9 Apr.
    assert found == {
        D(2025, 3, 26): [Due(Rule.DUE_SOON, "2025-04-09")],
        D(2025, 4, 9): [Due(Rule.DUE_TODAY, "2025-04-09")],
    }


def test_overdue_and_escalation_across_christmas_and_new_year():
    due = D(2025, 12, 23)  # Tuesday
    found = schedule(due, D(2025, 12, 24), D(2026, 1, 8))
    assert found == {
        D(2025, 12, 24): [Due(Rule.OVERDUE, "2025-12-24")],  # H+1
        D(2025, 12, 31): [Due(Rule.OVERDUE, "2025-12-31")],  # 29, 30, 31 Dec: H+4
        D(2026, 1, 6): [  # 2 Jan, 5 Jan, 6 Jan: H+7
            Due(Rule.OVERDUE, "2026-01-06"),
            Due(Rule.ESCALATION, "2025-12-23"),
        ],
    }


def test_the_governments_own_days_off_move_the_reminders():
    due = D(2025, 10, 8)
    extra = {D(2025, 10, 6), D(2025, 10, 10)}  # Monday and Friday off (regional holidays)
    found = schedule(due, D(2025, 9, 25), D(2025, 10, 20), extra)
    assert found == {
        D(2025, 10, 2): [Due(Rule.DUE_SOON, "2025-10-08")],  # Fri, Tue, Wed: Mon is off
        D(2025, 10, 8): [Due(Rule.DUE_TODAY, "2025-10-08")],
        D(2025, 10, 9): [Due(Rule.OVERDUE, "2025-10-09")],
        D(2025, 10, 15): [Due(Rule.OVERDUE, "2025-10-15")],  # 13, 14, 15: Friday is off
        D(2025, 10, 20): [Due(Rule.OVERDUE, "2025-10-20"), Due(Rule.ESCALATION, "2025-10-08")],
    }


def test_settings_change_the_numbers():
    due = D(2025, 10, 8)
    tight = TaskRuleSettings(
        due_soon_working_days=5, overdue_repeat_working_days=1, escalation_working_days=2
    )
    found = schedule(due, D(2025, 9, 25), D(2025, 10, 14), task_rules=tight)
    assert found == {
        D(2025, 10, 1): [Due(Rule.DUE_SOON, "2025-10-08")],
        D(2025, 10, 8): [Due(Rule.DUE_TODAY, "2025-10-08")],
        D(2025, 10, 9): [Due(Rule.OVERDUE, "2025-10-09")],
        D(2025, 10, 10): [Due(Rule.OVERDUE, "2025-10-10"), Due(Rule.ESCALATION, "2025-10-08")],
        D(2025, 10, 13): [Due(Rule.OVERDUE, "2025-10-13")],
        D(2025, 10, 14): [Due(Rule.OVERDUE, "2025-10-14")],
    }


def test_task_rule_settings_read_the_governments_overrides():
    government = SimpleNamespace(id=1, settings={"escalation_working_days": 10})
    assert TaskRuleSettings.for_government(government) == TaskRuleSettings(3, 3, 10)
    assert TaskRuleSettings.for_government(SimpleNamespace(id=2, settings={})) == (
        TaskRuleSettings()
    )


@pytest.mark.parametrize("today", [D(2025, 10, 3), D(2025, 10, 4), D(2025, 3, 26), D(2026, 1, 6)])
@pytest.mark.parametrize("task_rules", [TaskRuleSettings(), TaskRuleSettings(5, 2, 4)])
def test_due_dates_with_reminders_is_task_reminders_for_every_date(today, task_rules):
    extra = {D(2025, 10, 6)}
    days = WorkingDays.with_days_off(today, extra)
    oldest = today - timedelta(days=120)
    by_date = rules.due_dates_with_reminders(today, oldest, days, task_rules)
    for due_on in days_between(oldest - timedelta(days=5), today + timedelta(days=40)):
        expected = rules.task_reminders(due_on, today, days, task_rules)
        if due_on < oldest:
            assert due_on not in by_date
        else:
            assert by_date.get(due_on, []) == expected, due_on


def test_due_dates_include_a_weekend_due_date_at_the_due_soon_horizon():
    today = D(2025, 10, 7)  # Tuesday: Wed, Thu, Fri are the three working days
    by_date = rules.due_dates_with_reminders(today, today, WorkingDays.with_days_off(today))
    assert by_date == {
        D(2025, 10, 7): [Due(Rule.DUE_TODAY, "2025-10-07")],
        D(2025, 10, 10): [Due(Rule.DUE_SOON, "2025-10-10")],
        D(2025, 10, 11): [Due(Rule.DUE_SOON, "2025-10-11")],
        D(2025, 10, 12): [Due(Rule.DUE_SOON, "2025-10-12")],
    }


def test_no_open_task_due_dates_far_in_the_past_are_listed_without_reminders():
    today = D(2025, 10, 17)
    by_date = rules.due_dates_with_reminders(today, D(2020, 1, 1), WorkingDays.with_days_off(today))
    assert min(by_date) < D(2020, 1, 15)
    assert all(found for found in by_date.values())
    # About one overdue day in three working days (and the weekends next to them).
    assert len(by_date) < 0.4 * (today - D(2020, 1, 1)).days


# --- the government's "today" ------------------------------------------------------------------


def test_a_wita_government_is_already_in_tomorrow_at_2330_wib():
    at = datetime(2025, 10, 7, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WITA, 01:30 WIT
    wib = clock.today_in("Asia/Jakarta", at)
    wita = clock.today_in("Asia/Makassar", at)
    wit = clock.today_in("Asia/Jayapura", at)
    assert (wib, wita, wit) == (D(2025, 10, 7), D(2025, 10, 8), D(2025, 10, 8))
    due = D(2025, 10, 8)
    in_makassar = rules.task_reminders(due, wita, WorkingDays.with_days_off(wita))
    in_jakarta = rules.task_reminders(due, wib, WorkingDays.with_days_off(wib))
    assert in_makassar == [Due(Rule.DUE_TODAY, "2025-10-08")]
    assert in_jakarta == []
    # A task due on the 7th is already overdue in Makassar, still due today in Jakarta.
    due = D(2025, 10, 7)
    assert rules.task_reminders(due, wita, WorkingDays.with_days_off(wita)) == [
        Due(Rule.OVERDUE, "2025-10-08")
    ]
    assert rules.task_reminders(due, wib, WorkingDays.with_days_off(wib)) == [
        Due(Rule.DUE_TODAY, "2025-10-07")
    ]


# --- end-date notices --------------------------------------------------------------------------

ENDS = D(2030, 8, 13)


def daily_notices(ends_on, start, end, notice_days=(180, 90, 60, 30, 7, 0), skip=()):
    """Run a sweep every day (but ``skip``); the unique key keeps one row per period."""
    sent: dict[str, date] = {}
    for today in days_between(start, end):
        if today in skip:
            continue
        due = rules.ending_notice(ends_on, today, notice_days)
        if due is not None:
            assert due.rule == Rule.ENDING
            sent.setdefault(due.period, today)
    return sent


def test_each_end_date_notice_once_on_its_day():
    sent = daily_notices(ENDS, ENDS - timedelta(days=400), ENDS + timedelta(days=60))
    assert sent == {f"H-{n}@2030-08-13": ENDS - timedelta(days=n) for n in (180, 90, 60, 30, 7, 0)}


def test_a_missed_sweep_still_sends_the_notice_the_next_day():
    missed = {ENDS - timedelta(days=90), ENDS - timedelta(days=7), ENDS}
    sent = daily_notices(ENDS, ENDS - timedelta(days=200), ENDS + timedelta(days=30), skip=missed)
    assert sent["H-90@2030-08-13"] == ENDS - timedelta(days=89)
    assert sent["H-7@2030-08-13"] == ENDS - timedelta(days=6)
    assert sent["H-0@2030-08-13"] == ENDS + timedelta(days=1)  # the day after the end
    assert len(sent) == 6


@pytest.mark.parametrize(
    ("days_left", "period"),
    [
        (181, None),
        (180, "H-180"),
        (179, "H-180"),
        (91, "H-180"),
        (90, "H-90"),
        (85, "H-90"),
        (61, "H-90"),
        (60, "H-60"),
        (31, "H-60"),
        (30, "H-30"),
        (8, "H-30"),
        (7, "H-7"),
        (1, "H-7"),
        (0, "H-0"),
        (-1, "H-0"),
        (-rules.ENDED_GRACE_DAYS, "H-0"),
        (-rules.ENDED_GRACE_DAYS - 1, None),
        (-400, None),
    ],
)
def test_the_notice_for_each_window(days_left, period):
    today = ENDS - timedelta(days=days_left)
    due = rules.ending_notice(ENDS, today)
    expected = None if period is None else Due(Rule.ENDING, f"{period}@2030-08-13")
    assert due == expected


def test_a_document_recorded_late_gets_only_the_current_notice():
    recorded = ENDS - timedelta(days=85)
    sent = daily_notices(ENDS, recorded, ENDS)
    assert list(sent) == [f"H-{n}@2030-08-13" for n in (90, 60, 30, 7, 0)]
    assert sent["H-90@2030-08-13"] == recorded


def test_notice_days_from_settings_without_a_day_zero():
    sent = daily_notices(ENDS, ENDS - timedelta(days=100), ENDS + timedelta(days=10), (45, 14))
    assert sent == {
        "H-45@2030-08-13": ENDS - timedelta(days=45),
        "H-14@2030-08-13": ENDS - timedelta(days=14),
    }
    assert rules.ending_notice(ENDS, ENDS + timedelta(days=1), (45, 14)) is None
    assert rules.ending_notice(ENDS, ENDS, ()) is None


def test_an_extension_gets_notices_of_its_own():
    extended = D(2035, 8, 13)
    first = rules.ending_notice(ENDS, ENDS - timedelta(days=30))
    second = rules.ending_notice(extended, extended - timedelta(days=30))
    assert first.period != second.period


def test_periods_fit_the_column():
    assert len(rules.period_for_ending(9999, D(2030, 12, 31))) <= 20


def test_the_ending_window_covers_every_possible_notice():
    today = D(2025, 10, 8)
    first, last = rules.ending_window(today, [180, 90, 0])
    assert (first, last) == (today - timedelta(days=rules.ENDED_GRACE_DAYS), D(2026, 4, 6))
    for ends_on in days_between(today - timedelta(days=30), today + timedelta(days=400)):
        if rules.ending_notice(ends_on, today, [180, 90, 0]) is not None:
            assert first <= ends_on <= last
