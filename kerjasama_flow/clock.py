"""The one place that reads the clock, so tests and demos can pin "now".

Set ``KERJASAMA_NOW`` (ISO timestamp with offset) in the app config to freeze time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def now() -> datetime:
    fixed = current_app.config.get("KERJASAMA_NOW") if has_app_context() else None
    if fixed:
        value = fixed if isinstance(fixed, datetime) else datetime.fromisoformat(fixed)
        return value.astimezone(UTC)
    return datetime.now(UTC)


def today_in(zone: str, at: datetime | None = None) -> date:
    """The calendar date in ``zone``: "today", "due" and "overdue" are decided there."""
    return (at or now()).astimezone(ZoneInfo(zone)).date()


def wall_now() -> datetime:
    """The real time, never pinned by ``KERJASAMA_NOW``: for what must run out in real time
    whatever date the app is told it is (sessions, password-reset links)."""
    return datetime.now(UTC)
