"""Delivery of the outbox: one digest per recipient and channel, sent at most once.

The steps for each (recipient, channel) group of due, pending, unclaimed rows:

1. **Claim** the group in a short transaction of its own and COMMIT: the rows get a fresh
   ``claim_token`` and ``claimed_at``. On PostgreSQL the rows are selected with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` under a transaction-scoped advisory lock on the
   (recipient, channel) pair, so two senders never split one recipient's rows into two digests;
   on SQLite (no FOR UPDATE) one conditional ``UPDATE ... WHERE claimed_at IS NULL OR
   claimed_at < lease`` claims the whole group atomically (SQLite serialises writers), and the
   rows are read back by their token.
2. **Send** the digest outside any transaction.
3. **Record** the outcome in a new transaction: accepted -> ``status = sent``, ``sent_at``;
   refused -> ``attempts + 1``, ``last_error``, ``next_attempt_at = now + back-off`` (5 min
   doubling, at most 6 h) and the claim released.

A sender that crashes between 1 and 3 leaves the rows claimed; another sender takes them again
once the lease (``REMINDER_LEASE_MINUTES``) has run out. So a crash or a mail server that is
down delays a reminder but never loses it. The one at-least-once edge: the server accepted the
message and the database then failed before step 3 committed (a window of milliseconds); the
lease will send that digest again. Everything else is exactly once.

Users who turned a channel off after the rows were planned (or who have no phone number, or
whose account was deactivated) get nothing: their rows are closed as sent with ``last_error``
saying why, so that they neither linger nor come back later. The same goes for the reminders of
a task that is no longer open when its digest is sent (done, cancelled, or paused with its
agreement since the sweep planned it): nobody is reminded of work already done.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.channels import (
    ChannelError,
    EmailChannel,
    OutgoingEmail,
    OutgoingWhatsApp,
    WhatsAppChannel,
)
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import weekly
from kerjasama_flow.reminders.digest import Digest, build_email, build_whatsapp
from kerjasama_flow.reminders.models import Channel, Outbox, OutboxStatus, Rule
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
CHANNEL_LABELS = {Channel.EMAIL: "surel", Channel.WHATSAPP: "WhatsApp"}
# The advisory-lock namespace of the (recipient, channel) claim on PostgreSQL.
_LOCK_NAMESPACE = {Channel.EMAIL: 0x6B660001, Channel.WHATSAPP: 0x6B660002}

OPTED_OUT = "dinonaktifkan oleh pengguna"
NO_PHONE = "tidak dikirim: pengguna tidak punya nomor WhatsApp"
INACTIVE = "tidak dikirim: akun pengguna nonaktif"
TASK_CLOSED = "tidak dikirim: tugas sudah tidak terbuka (selesai, dibatalkan atau ditunda)"
WEEKLY_OPTED_OUT = "tidak dikirim: pengguna berhenti berlangganan ringkasan mingguan"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 5, 10, 20 ... minutes, at most 6 hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass
class GovernmentDelivery:
    government_id: int
    name: str
    sent: int = 0  # outbox rows delivered (or closed because the user opted out)
    failed: int = 0  # outbox rows whose digest the channel refused this time
    digests: int = 0  # messages the channels accepted
    errors: list[str] = field(default_factory=list)


@dataclass
class DeliveryResult:
    governments: dict[int, GovernmentDelivery] = field(default_factory=dict)

    def for_government(self, government_id: int) -> GovernmentDelivery:
        if government_id not in self.governments:
            government = db.session.get(Government, government_id)
            name = government.name if government else f"Pemda #{government_id}"
            self.governments[government_id] = GovernmentDelivery(government_id, name)
        return self.governments[government_id]

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.governments.values())

    @property
    def failed(self) -> int:
        return sum(g.failed for g in self.governments.values())

    @property
    def digests(self) -> int:
        return sum(g.digests for g in self.governments.values())

    @property
    def errors(self) -> list[str]:
        return [error for g in self.governments.values() for error in g.errors]


def _due_and_unclaimed(now: datetime, lease_cutoff: datetime, retry_now: bool):
    conditions = [
        Outbox.status == OutboxStatus.PENDING,
        or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < lease_cutoff),
    ]
    if not retry_now:
        conditions.append(Outbox.next_attempt_at <= now)
    return and_(*conditions)


def _lease() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("REMINDER_LEASE_MINUTES") or 15))


def deliver(*, now: datetime | None = None, retry_now: bool = False) -> DeliveryResult:
    """Send every due digest once. ``retry_now`` also sends the rows still waiting out their
    back-off (a sweep run by hand). Commits its own short transactions."""
    now = now or clock.now()
    lease_cutoff = now - _lease()
    result = DeliveryResult()
    db.session.commit()  # start from a clean session: every step below commits on its own
    groups = db.session.execute(
        select(Outbox.recipient_id, Outbox.channel)
        .where(_due_and_unclaimed(now, lease_cutoff, retry_now))
        .distinct()
        .order_by(Outbox.recipient_id, Outbox.channel)
    ).all()
    db.session.rollback()
    channels = {
        Channel.EMAIL: EmailChannel.from_app(),
        Channel.WHATSAPP: WhatsAppChannel.from_app(),
    }
    for recipient_id, channel in groups:
        channel = Channel(channel)
        token = _claim(recipient_id, channel, now, lease_cutoff, retry_now)
        if token is None:
            continue  # another sender has it
        _deliver_group(token, recipient_id, channel, channels[channel], now, result)
    return result


def _claim(
    recipient_id: int, channel: Channel, now: datetime, lease_cutoff: datetime, retry_now: bool
) -> str | None:
    """Claim all of a recipient's due rows on one channel; the token, or None when there was
    nothing left to claim."""
    token = uuid.uuid4().hex
    group = and_(
        Outbox.recipient_id == recipient_id,
        Outbox.channel == channel,
        _due_and_unclaimed(now, lease_cutoff, retry_now),
    )
    claim = {"claim_token": token, "claimed_at": now}
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            locked = db.session.scalar(
                select(func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE[channel], recipient_id))
            )
            if not locked:
                db.session.rollback()
                return None
            ids = db.session.scalars(
                select(Outbox.id).where(group).with_for_update(skip_locked=True)
            ).all()
            if ids:
                db.session.execute(
                    update(Outbox).where(Outbox.id.in_(ids)).values(**claim),
                    execution_options={"synchronize_session": False},
                )
            claimed = len(ids)
        else:
            claimed = db.session.execute(
                update(Outbox).where(group).values(**claim),
                execution_options={"synchronize_session": False},
            ).rowcount
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return token if claimed else None


def _deliver_group(
    token: str,
    recipient_id: int,
    channel: Channel,
    sender: EmailChannel | WhatsAppChannel,
    now: datetime,
    result: DeliveryResult,
) -> None:
    rows = db.session.scalars(
        select(Outbox).where(Outbox.claim_token == token).order_by(Outbox.id)
    ).all()
    if not rows:
        return
    tally = result.for_government(rows[0].government_id)
    closed = _rows_of_closed_tasks(rows)
    if closed:
        _mark_rows_sent([row.id for row in closed], now, TASK_CLOSED)
        tally.sent += len(closed)
        rows = [row for row in rows if row not in closed]
        if not rows:
            return
    recipient = db.session.get(User, recipient_id)

    skip_reason = _skip_reason(recipient, channel)
    if skip_reason:
        _mark_sent(token, now, note=skip_reason)
        tally.sent += len(rows)
        return

    # The leaders' weekly digest is a message of its own, recorded on its own rows.
    weekly_rows = [row for row in rows if row.rule == Rule.WEEKLY]
    if weekly_rows:
        rows = [row for row in rows if row.rule != Rule.WEEKLY]
        _deliver_weekly([row.id for row in weekly_rows], recipient, channel, sender, now, tally)
        if not rows:
            return
        db.session.rollback()
        recipient = db.session.get(User, recipient_id)

    count = len(rows)
    _send(
        lambda: _compose(
            channel,
            recipient,
            partial(build_email, recipient, rows),
            partial(build_whatsapp, recipient, rows),
        ),
        sender,
        recipient,
        channel,
        count,
        tally,
        on_failed=partial(_mark_failed, token, now),
        on_sent=partial(_mark_sent, token, now),
    )


def _deliver_weekly(
    ids: list[int],
    recipient: User,
    channel: Channel,
    sender: EmailChannel | WhatsAppChannel,
    now: datetime,
    tally: GovernmentDelivery,
) -> None:
    """Send the weekly digest of ``ids`` (one row per week; a retry that spans weeks sends
    one message for all) and record the outcome on those rows only."""
    count = len(ids)
    if not recipient.is_weekly_digest_enabled:
        _mark_rows_sent(ids, now, WEEKLY_OPTED_OUT)
        tally.sent += count
        return
    _send(
        lambda: _compose(
            channel,
            recipient,
            partial(weekly.build_email, recipient),
            partial(weekly.build_whatsapp, recipient),
        ),
        sender,
        recipient,
        channel,
        count,
        tally,
        on_failed=partial(_mark_failed_rows, ids, now),
        on_sent=partial(_mark_rows_sent, ids, now, None),
        what="Ringkasan mingguan",
    )


def _skip_reason(recipient: User | None, channel: Channel) -> str | None:
    if recipient is None or not recipient.is_active:
        return INACTIVE
    if channel == Channel.EMAIL and not recipient.is_email_enabled:
        return OPTED_OUT
    if channel == Channel.WHATSAPP:
        if not recipient.is_whatsapp_enabled:
            return OPTED_OUT
        if not (recipient.phone or "").strip():
            return NO_PHONE
    return None


def _compose(
    channel: Channel,
    recipient: User,
    email_digest: Callable[[], Digest],
    whatsapp_digest: Callable[[], Digest],
) -> OutgoingEmail | OutgoingWhatsApp:
    if channel == Channel.EMAIL:
        digest = email_digest()
        return OutgoingEmail(recipient.email, digest.subject, digest.text, digest.html)
    return OutgoingWhatsApp(recipient.phone, whatsapp_digest().text)


def _send(
    compose: Callable[[], OutgoingEmail | OutgoingWhatsApp],
    sender: EmailChannel | WhatsAppChannel,
    recipient: User,
    channel: Channel,
    count: int,
    tally: GovernmentDelivery,
    *,
    on_failed: Callable[[str], None],
    on_sent: Callable[[], None],
    what: str = "Pesan pengingat",
) -> None:
    """Compose one message of ``count`` outbox rows, send it, and record the outcome
    (``on_failed(reason)``: retried after the backoff, never dropped; or ``on_sent()``)."""
    who = f"{recipient.name} <{recipient.email}> ({CHANNEL_LABELS[channel]})"
    try:
        message = compose()
    except Exception as error:  # a broken template must not hold the rows until the lease
        log.exception("%s untuk %s tidak dapat disusun", what, who)
        db.session.rollback()
        on_failed(f"Pesan tidak dapat disusun: {error}")
        tally.failed += count
        tally.errors.append(f"{who}: {what.lower()} tidak dapat disusun: {error}")
        return
    # No transaction stays open while the channel talks to the network (on SQLite an open
    # read would hold up every writer).
    db.session.rollback()
    try:
        sender.send(message)
    except ChannelError as error:
        on_failed(error.message)
        tally.failed += count
        tally.errors.append(f"{who}: {error.message}")
        log.warning("%s untuk %s gagal dikirim: %s", what, who, error.message)
        return
    # Accepted: record it at once, in a transaction of its own. If this commit fails, the
    # claim stays and the lease sends the message again (the documented at-least-once edge).
    on_sent()
    tally.sent += count
    tally.digests += 1


def _mark_sent(token: str, now: datetime, note: str | None = None) -> None:
    db.session.rollback()
    db.session.execute(
        update(Outbox)
        .where(Outbox.claim_token == token, Outbox.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=now, last_error=note),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _rows_of_closed_tasks(rows: list[Outbox]) -> list[Outbox]:
    """The rows about tasks that are no longer open."""
    task_ids = {row.item_id for row in rows if row.item_kind == "task"}
    if not task_ids:
        return []
    closed = set(
        db.session.scalars(
            select(Task.id).where(Task.id.in_(task_ids), Task.status.not_in(sorted(OPEN_STATUSES)))
        )
    )
    return [row for row in rows if row.item_kind == "task" and row.item_id in closed]


def _mark_rows_sent(ids: list[int], now: datetime, note: str | None) -> None:
    """Close ``ids`` as sent without sending them, with ``note`` saying why."""
    db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=now, last_error=note, claim_token=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _mark_failed(token: str, now: datetime, message: str) -> None:
    _record_failure(
        select(Outbox).where(Outbox.claim_token == token, Outbox.status == OutboxStatus.PENDING),
        now,
        message,
    )


def _mark_failed_rows(ids: list[int], now: datetime, message: str) -> None:
    _record_failure(
        select(Outbox).where(Outbox.id.in_(ids), Outbox.status == OutboxStatus.PENDING),
        now,
        message,
    )


def _record_failure(query, now: datetime, message: str) -> None:
    """A refused send: one more attempt, the error, the back-off, the claim released."""
    db.session.rollback()
    rows = db.session.scalars(query).all()
    for row in rows:
        row.attempts = (row.attempts or 0) + 1
        row.last_error = message[:2000]
        row.next_attempt_at = now + backoff(row.attempts)
        row.claim_token = None
        row.claimed_at = None
    db.session.commit()
