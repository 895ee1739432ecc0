"""Reminder settings: the shipped defaults and a government's own overrides.

A government stores only the values it changed, in ``Government.settings`` (a JSON dict); every
other key falls back to ``DEFAULTS``. Values are read when needed (never into module globals),
so a change takes effect at the next sweep. The meaning of each key is documented in
``docs/reminders.md``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # "Segera jatuh tempo": this many working days before a task's due date.
    "due_soon_working_days": 3,
    # "Terlambat": the first working day after the due date, then every this many working days.
    "overdue_repeat_working_days": 3,
    # "Eskalasi" to leadership and the admins: this many working days after the due date.
    "escalation_working_days": 7,
    # End-date notices for an MoU/KB or PKS: this many calendar days before its end date.
    "ending_notice_days": [180, 90, 60, 30, 7, 0],
    # Local time of the daily sweep, in the government's time zone.
    "sweep_time": "07:00",
    # The "nearing its end" playbook runs this many calendar days before an end date.
    "ending_playbook_days": 180,
}

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _days_list(value: Any) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(value)
    days = sorted({int(v) for v in value if not isinstance(v, bool)}, reverse=True)
    if len(days) != len(value) or days[-1] < 0:
        raise ValueError(value)
    return days


def _time(value: Any) -> str:
    if not isinstance(value, str) or not _TIME.match(value):
        raise ValueError(value)
    return value


_PARSERS = {
    "due_soon_working_days": _positive_int,
    "overdue_repeat_working_days": _positive_int,
    "escalation_working_days": _positive_int,
    "ending_notice_days": _days_list,
    "sweep_time": _time,
    "ending_playbook_days": _positive_int,
}


def get(government, key: str) -> Any:
    """The government's value for ``key``, else the default.

    An override that is not a valid value (a typo in the JSON) is ignored with a warning: the
    sweep must still run on the default rather than stop for every government.
    ``ending_notice_days`` comes back sorted from the largest to the smallest.
    """
    if key not in DEFAULTS:
        raise KeyError(f"unknown reminder setting {key!r}")
    overrides = getattr(government, "settings", None) or {}
    if key in overrides:
        try:
            return _PARSERS[key](overrides[key])
        except (TypeError, ValueError):
            log.warning(
                "government %s: invalid %s=%r in settings, using the default %r",
                getattr(government, "id", "?"),
                key,
                overrides[key],
                DEFAULTS[key],
            )
    return _PARSERS[key](DEFAULTS[key])


def all_for(government) -> dict[str, Any]:
    """Every reminder setting of ``government`` (overrides applied)."""
    return {key: get(government, key) for key in DEFAULTS}
