"""Which reminders apply on a given day: pure functions, no Flask, no database.

The planner gathers the facts (a task's due date, a document's end date, the government's
"today" and its working-day calendar), calls these functions and writes what they return.
Every reminder is a ``Due(rule, period)``; the outbox and the notifications are unique on
(recipient, item, rule, period), so a period names the one occasion a reminder is for:

* task, ``due_soon``: today is exactly ``due_soon_working_days`` (3) working days before the
  due date; period = the due date (ISO), so moving the due date gives a new notice.
* task, ``due_today``: today is the due date; period = the due date.
* task, ``overdue``: the 1st working day after the due date (H+1), then every
  ``overdue_repeat_working_days`` (3) working days (H+4, H+7, ...) while the task is open;
  period = today (ISO), one reminder per occurrence.
* task, ``escalation``: exactly ``escalation_working_days`` (7) working days after the due
  date (H+7), to leadership and the admins; period = the due date, so once per due date.
* MoU/KB or PKS, ``ending``: at 180, 90, 60, 30, 7 and 0 calendar days before its end date;
  period = ``"H-90@2030-08-13"`` (threshold and end date: an extension is a new document with
  a new end date and gets notices of its own).
* agreement, ``dormant``: stalled ("mandek", ``agreements.lifecycle.dormancy``), once a month
  from the day it became stalled (its KB or PKS signed N months before) on the same day of
  each later month; period = ``"kb@2025-11-09"`` (what it waits after and the day of the
  notice's month: a new KB or PKS gives new periods).

Working-day rules fire only on working days (no reminder on a Saturday; a sweep on Saturday and
one on Monday would otherwise both see "H+1"). The day counts use the working-day calendar's
convention (``kerjasama_flow.workdays.calendar``): the distance from ``today`` to ``day`` is
the number of working days in ``(today, day]``, negative when ``day`` is before ``today``.

A missed sweep: end-date and stalled notices catch up by themselves (the notice of a threshold
or a month is due for as long as its window lasts, and the unique key sends it once). The task
rules are tied to exact days; a day that was missed is replayed with ``flask reminders run --date
YYYY-MM-DD`` (idempotent: whatever that day already planned is not planned again).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kerjasama_flow import government_settings
from kerjasama_flow.agreements.lifecycle import months_after
from kerjasama_flow.reminders.models import Rule
from kerjasama_flow.workdays import calendar

# After an end date has passed, a missed "H-0" notice is still sent for this many days.
ENDED_GRACE_DAYS = 7

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Due:
    """A reminder that applies today: its rule and the period that makes it unique."""

    rule: Rule
    period: str


@dataclass(frozen=True)
class TaskRuleSettings:
    due_soon_working_days: int = 3
    overdue_repeat_working_days: int = 3
    escalation_working_days: int = 7

    @classmethod
    def for_government(cls, government) -> TaskRuleSettings:
        return cls(
            **{
                name: government_settings.get(government, name)
                for name in (
                    "due_soon_working_days",
                    "overdue_repeat_working_days",
                    "escalation_working_days",
                )
            }
        )


class WorkingDays:
    """Working-day distances from one fixed ``today``, memoised.

    ``distance(day)`` equals ``calendar.working_days_between(today, day, extra_days_off)`` but
    costs O(1) after the first call that reaches as far: the sweep asks for the distance of
    every candidate due date, from years back to a few days ahead.
    """

    def __init__(self, today: date, is_working_day: Callable[[date], bool]):
        self.today = today
        self._is_working_day = is_working_day
        self._ahead = [0]  # _ahead[k]: working days in (today, today + k]
        self._behind = [0]  # _behind[k]: working days in (today - k, today]
        self._known: dict[date, bool] = {}

    @classmethod
    def with_days_off(cls, today: date, extra_days_off: Collection[date] = ()) -> WorkingDays:
        """National holidays, cuti bersama and weekends from the calendar, plus a government's
        own ``extra_days_off``."""
        off = frozenset(extra_days_off)
        return cls(today, lambda day: calendar.is_working_day(day, off))

    def is_working_day(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_working_day(day)
        return known

    def distance(self, day: date) -> int:
        """Working days in ``(today, day]``; minus those in ``(day, today]`` before today."""
        offset = (day - self.today).days
        if offset >= 0:
            while len(self._ahead) <= offset:
                k = len(self._ahead)
                step = self.is_working_day(self.today + timedelta(days=k))
                self._ahead.append(self._ahead[-1] + step)
            return self._ahead[offset]
        back = -offset
        while len(self._behind) <= back:
            k = len(self._behind)
            # (today - k, today] adds the day today - k + 1
            step = self.is_working_day(self.today - timedelta(days=k - 1))
            self._behind.append(self._behind[-1] + step)
        return -self._behind[back]


def task_reminders(
    due_on: date, today: date, days: WorkingDays, rules: TaskRuleSettings = TaskRuleSettings()
) -> list[Due]:
    """The reminders an open task due on ``due_on`` gets on ``today`` (``days`` is built for
    that same ``today``)."""
    if days.today != today:
        raise ValueError("WorkingDays built for another day")
    due = due_on.isoformat()
    result: list[Due] = []
    if due_on == today:
        result.append(Due(Rule.DUE_TODAY, due))
    if not days.is_working_day(today):
        return result
    if due_on > today:
        if days.distance(due_on) == rules.due_soon_working_days:
            result.append(Due(Rule.DUE_SOON, due))
    elif due_on < today:
        late = -days.distance(due_on)  # >= 1: today is a working day after the due date
        if late >= 1 and (late - 1) % rules.overdue_repeat_working_days == 0:
            result.append(Due(Rule.OVERDUE, today.isoformat()))
        if late == rules.escalation_working_days:
            result.append(Due(Rule.ESCALATION, due))
    return result


def due_dates_with_reminders(
    today: date,
    oldest: date,
    days: WorkingDays,
    rules: TaskRuleSettings = TaskRuleSettings(),
) -> dict[date, list[Due]]:
    """Every due date from ``oldest`` up to the due-soon horizon whose open tasks get a
    reminder ``today``, with those reminders.

    The rules depend only on the due date, so the planner asks the database for the tasks due
    on these dates and nothing else: a task that is long overdue but not on an overdue day
    today is never read.
    """
    horizon = today  # the last day at most ``due_soon_working_days`` working days ahead
    while days.distance(horizon + _ONE_DAY) <= rules.due_soon_working_days:
        horizon += _ONE_DAY
    result: dict[date, list[Due]] = {}
    day = min(oldest, today)
    while day <= horizon:
        found = task_reminders(day, today, days, rules)
        if found:
            result[day] = found
        day += _ONE_DAY
    return result


def ending_notice(
    ends_on: date,
    today: date,
    notice_days: Iterable[int] = (180, 90, 60, 30, 7, 0),
    grace_days: int = ENDED_GRACE_DAYS,
) -> Due | None:
    """The end-date notice an MoU/PKS ending on ``ends_on`` gets on ``today``, if any.

    The notice of threshold ``t`` is due while the days left are in its window, from ``t`` down
    to (but not including) the next smaller threshold: 90 days before, or 89 when the sweep of
    the 90th day was missed, and so on. A document recorded with 85 days left gets the "H-90"
    notice only (the earlier ones are past). Once the end date has passed, only a missed "H-0"
    notice is still sent, for ``grace_days`` days.
    """
    thresholds = sorted({int(t) for t in notice_days})
    if not thresholds:
        return None
    days_left = (ends_on - today).days
    if days_left < 0:
        if thresholds[0] == 0 and -days_left <= grace_days:
            return Due(Rule.ENDING, period_for_ending(0, ends_on))
        return None
    for threshold in thresholds:
        if days_left <= threshold:
            return Due(Rule.ENDING, period_for_ending(threshold, ends_on))
    return None


def period_for_ending(threshold: int, ends_on: date) -> str:
    """``"H-90@2030-08-13"``: at most 16 characters (the column holds 20)."""
    return f"H-{threshold}@{ends_on.isoformat()}"


def ending_window(
    today: date, notice_days: Sequence[int], grace_days: int = ENDED_GRACE_DAYS
) -> tuple[date, date]:
    """The end dates that can have a notice ``today`` (both included), for the query."""
    longest = max(notice_days, default=0)
    return today - timedelta(days=grace_days), today + timedelta(days=longest)


def dormant_notice(waits_after: str, signed_on: date, today: date, months: int) -> Due | None:
    """The monthly notice of an agreement stalled since the document it waits after
    (``waits_after``: "kb" or "pks") was signed on ``signed_on``, ``months`` months being the
    government's threshold; None before it is stalled. The notice of a month is due from its
    day (the signing day, ``months``, ``months + 1``... months later) until the next one, so a
    missed sweep still sends it, once."""
    elapsed = (today.year - signed_on.year) * 12 + today.month - signed_on.month
    if months_after(signed_on, elapsed) > today:
        elapsed -= 1
    if elapsed < months:
        return None
    return Due(Rule.DORMANT, f"{waits_after}@{months_after(signed_on, elapsed).isoformat()}")
