"""The weekly digest for leaders (pimpinan): "Perlu perhatian" and the week's changes.

Planned by the daily sweep (``planner.plan``), not by a mechanism of its own: on the
government's digest day (``government_settings`` ``weekly_digest``, ``weekly_digest_day``,
``weekly_digest_time``; Monday 07:00 by default) the sweep writes one outbox row per leader,
channel and ISO week (rule ``weekly``, item kind ``government``, period ``2025-W42``), due
from the digest time. The outbox's unique key makes it exactly once however often the sweep
runs; ``delivery`` sends it as a message of its own (never inside the daily digest), and a
mail server that is down only delays it (the usual back-off and retry).

The content is built when the message is sent, so a digest retried on Tuesday still tells
what needs attention now: the same list as the dashboard (``reports.attention``, in the
leader's scope: the whole government) and the activity log of the past seven days. The
wording is the dashboard's (``attention.HEADINGS``); links start with ``KERJASAMA_BASE_URL``
(``links.mail_url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Government, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.db import dialect_insert
from kerjasama_flow.extensions import db
from kerjasama_flow.links import mail_url
from kerjasama_flow.reminders.digest import Digest, render
from kerjasama_flow.reminders.models import Outbox, Rule
from kerjasama_flow.reports import attention
from kerjasama_flow.reports.dashboard import DashboardFilters

ITEM_KIND = "government"
SUBJECT_PREFIX = "Ringkasan mingguan kerja sama daerah"
WEEK_DAYS = 7
CHANGED_LIMIT = 10  # agreements listed under "Perubahan sepekan terakhir"


# --- planning (called by the daily sweep) -----------------------------------------------------


def week_period(day: date) -> str:
    """The ISO week of ``day``: the outbox period of that week's digest, e.g. ``2025-W42``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def is_digest_day(government: Government, today: date) -> bool:
    return bool(government_settings.get(government, "weekly_digest")) and (
        today.isoweekday() == government_settings.get(government, "weekly_digest_day")
    )


def send_from(government: Government, today: date) -> datetime:
    """The digest time on ``today`` in the government's zone, as an aware UTC datetime."""
    hour, minute = (
        int(part) for part in government_settings.get(government, "weekly_digest_time").split(":")
    )
    local = datetime.combine(today, time(hour, minute), tzinfo=ZoneInfo(government.timezone))
    return local.astimezone(UTC)


def recipients(users: list[User]) -> list[User]:
    """The government's active leaders who did not opt out."""
    return [
        user
        for user in users
        if user.role == Role.PIMPINAN and user.is_active and user.is_weekly_digest_enabled
    ]


def plan(
    government: Government, today: date, users: list[User], channels_of
) -> list[tuple[int, str]]:
    """On the digest day, one outbox row per leader and channel (``channels_of(user)``, the
    planner's) for this week; rows already planned are skipped (the unique key). The
    (recipient id, channel) of the rows inserted. Flushes, never commits."""
    if not is_digest_day(government, today):
        return []
    now, due_at = clock.now(), send_from(government, today)
    period = week_period(today)
    rows: list[dict[str, Any]] = [
        {
            "government_id": government.id,
            "recipient_id": user.id,
            "channel": channel,
            "item_kind": ITEM_KIND,
            "item_id": government.id,
            "rule": Rule.WEEKLY,
            "period": period,
            "title": f"{SUBJECT_PREFIX} {period}",
            "url": "/dashboard",
            "due_on": today,
            "next_attempt_at": due_at,
            "created_at": now,
        }
        for user in recipients(users)
        for channel in channels_of(user)
    ]
    if not rows:
        return []
    statement = (
        dialect_insert(db.session)(Outbox.__table__)
        .on_conflict_do_nothing()
        .returning(Outbox.recipient_id, Outbox.channel)
    )
    return [(row[0], row[1]) for row in db.session.execute(statement, rows)]


# --- the content (built when it is sent) ------------------------------------------------------


@dataclass(frozen=True)
class ChangedAgreement:
    agreement_id: int
    title: str
    changes: int
    last_on: date


@dataclass(frozen=True)
class WeekChanges:
    start: date  # the first of the seven days
    end: date  # today
    total: int  # entries in the activity log of those days
    agreements: list[ChangedAgreement]


def week_changes(government: Government, today: date) -> WeekChanges:
    """What the activity log recorded in the past seven days (today included), in the
    government's own calendar: how many changes, and the agreements changed most. Two
    queries."""
    start = today - timedelta(days=WEEK_DAYS - 1)
    zone = ZoneInfo(government.timezone)
    first = datetime.combine(start, time.min, tzinfo=zone)
    after = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    in_week = (
        ActivityLog.government_id == government.id,
        ActivityLog.at >= first,
        ActivityLog.at < after,
    )
    total = db.session.scalar(select(func.count(ActivityLog.id)).where(*in_week)) or 0
    n = func.count(ActivityLog.id)
    rows = db.session.execute(
        select(Agreement.id, Agreement.title, n, func.max(ActivityLog.at))
        .join(Agreement, Agreement.id == ActivityLog.agreement_id)
        .where(*in_week)
        .group_by(Agreement.id, Agreement.title)
        .order_by(n.desc(), func.max(ActivityLog.at).desc(), Agreement.id)
        .limit(CHANGED_LIMIT)
    )
    changed = [
        ChangedAgreement(agreement_id, title, int(count), _local_date(last_at, zone))
        for agreement_id, title, count, last_at in rows
    ]
    return WeekChanges(start, today, int(total), changed)


def _local_date(value, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def _context(recipient: User) -> dict[str, Any]:
    government = recipient.government
    zone = government.timezone
    today = clock.today_in(zone)
    found = attention.attention(recipient, DashboardFilters(), today, zone)
    changes = week_changes(government, today)
    return {
        "recipient": recipient,
        "government": government,
        "today": today,
        "attention": found,
        "headings": attention.HEADINGS,
        "changes": changes,
        "subject": f"{SUBJECT_PREFIX}: {found.count} perlu perhatian, "
        f"{changes.total} perubahan sepekan",
        "link": mail_url,
        "dashboard_url": mail_url("/dashboard"),
        "account_url": mail_url("/account"),
    }


def build_email(recipient: User) -> Digest:
    context = _context(recipient)
    return Digest(
        subject=context["subject"],
        text=render("reminders/weekly_digest_email.txt", context),
        html=render("reminders/weekly_digest_email.html", context),
        item_count=context["attention"].count,
    )


def build_whatsapp(recipient: User) -> Digest:
    context = _context(recipient)
    return Digest(
        subject=context["subject"],
        text=render("reminders/weekly_digest_whatsapp.txt", context),
        html=None,
        item_count=context["attention"].count,
    )
