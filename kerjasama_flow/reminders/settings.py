"""Reminder settings: the shipped defaults and a government's own overrides.

A government stores only the values it changed, in ``Government.settings`` (a JSON dict); every
other key falls back to ``DEFAULTS``. Values are read when needed (never into module globals),
so a change takes effect at the next sweep. The meaning of each key is documented in
``docs/reminders.md``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from kerjasama_flow.errors import DomainError

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


# --- what the admin may set (Pengaturan → Pengingat) ------------------------------------------

# The time zones of Indonesia, with the abbreviations everybody uses.
TIMEZONES: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

# Whole-number settings: (smallest, largest). An escalation on H+1 would land on the same day
# as the first "Terlambat", so it comes at H+2 at the earliest. The "nearing its end" playbook
# needs at least one day before the end date (``get`` ignores 0 for it, as it always has).
LIMITS: dict[str, tuple[int, int]] = {
    "due_soon_working_days": (1, 20),
    "overdue_repeat_working_days": (1, 20),
    "escalation_working_days": (2, 60),
    "ending_playbook_days": (1, 730),
}
NOTICE_DAY_MAX = 730
NOTICE_DAYS_MAX_COUNT = 10

_UNITS = {
    "due_soon_working_days": "hari kerja",
    "overdue_repeat_working_days": "hari kerja",
    "escalation_working_days": "hari kerja",
    "ending_playbook_days": "hari",
}


def clean(key: str, value: Any) -> Any:
    """``value`` (as typed in the form, or sent by a caller) as the stored value of ``key``;
    a ``DomainError`` with an Indonesian message and the field ``key`` when it is not valid."""
    if key in LIMITS:
        low, high = LIMITS[key]
        message = f"Isi bilangan bulat {low} sampai {high} {_UNITS[key]}."
        if isinstance(value, bool):
            raise DomainError(message, key)
        try:
            number = int(str(value).strip()) if value is not None else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise DomainError(message, key)
        return number
    if key == "ending_notice_days":
        return _clean_notice_days(value)
    if key == "sweep_time":
        text = str(value or "").strip()
        if len(text) == 4 and text[1] == ":":
            text = f"0{text}"  # 7:00 -> 07:00
        if not _TIME.match(text):
            raise DomainError("Isi jam dengan format JJ:MM, 00:00 sampai 23:59.", key)
        return text
    if key == "timezone":
        if value not in TIMEZONES:
            raise DomainError("Pilih zona waktu WIB, WITA atau WIT.", key)
        return value
    raise KeyError(f"unknown reminder setting {key!r}")


def _clean_notice_days(value: Any) -> list[int]:
    key = "ending_notice_days"
    parts = (
        [part.strip() for part in value.split(",")]
        if isinstance(value, str)
        else list(value or [])
    )
    parts = [part for part in parts if part != ""]
    if not parts:
        raise DomainError("Isi paling sedikit satu jumlah hari, mis. 180, 90, 30, 0.", key)
    days: set[int] = set()
    for part in parts:
        try:
            if isinstance(part, bool):
                raise ValueError(part)
            number = int(str(part).strip())
        except ValueError:
            raise DomainError(
                f"“{part}” bukan bilangan bulat. Pisahkan jumlah hari dengan koma, "
                "mis. 180, 90, 30, 0.",
                key,
            ) from None
        if not 0 <= number <= NOTICE_DAY_MAX:
            raise DomainError(f"Setiap jumlah hari harus 0 sampai {NOTICE_DAY_MAX}.", key)
        days.add(number)
    if len(days) > NOTICE_DAYS_MAX_COUNT:
        raise DomainError(f"Paling banyak {NOTICE_DAYS_MAX_COUNT} jumlah hari.", key)
    return sorted(days, reverse=True)


def effective(government) -> dict[str, Any]:
    """The time zone and every reminder setting in force: what the settings page shows, and
    the before/after of its activity-log entry."""
    return {"timezone": government.timezone, **all_for(government)}


def fingerprint(government) -> str:
    """A digest of the time zone and the stored overrides, sent with the settings form and
    compared on save: ``Government`` has no version column, and a concurrent change must not
    be overwritten silently."""
    payload = json.dumps(
        {"timezone": government.timezone, "settings": government.settings or {}},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
