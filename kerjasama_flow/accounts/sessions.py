"""Login sessions: one per login on one device, ended by logging out there; a new password or a
closed account ends all of the user's.

Flask's session cookie and Flask-Login's remember-me cookie are signed, so a copy of one stays
valid as long as the server accepts what it names. Each names a random secret whose SHA-256 is a
``LoginSession`` row; on every request ``load_user`` accepts it only while that row has not
ended or expired and its user is active. A login without "Ingat saya" lasts
``LOGIN_SESSION_DURATION`` (12 hours), one with it ``REMEMBER_COOKIE_DURATION`` (30 days).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, or_, select, update
from ua_parser import parse as parse_user_agent

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import LoginSession, User
from kerjasama_flow.extensions import db

TOKEN_BYTES = 32
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
USER_AGENT_LENGTH = 300


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _is_token(value: str) -> bool:
    return len(value) == TOKEN_LENGTH and set(value) <= TOKEN_CHARACTERS


def start(user: User, *, remember: bool, user_agent: str | None = None) -> None:
    """Begin a login session of ``user`` on this device (flush only); ``login_user`` then puts
    its secret in the cookies (``User.get_session_id``). The user's ended and expired sessions
    are forgotten at the same time."""
    now = clock.wall_now()
    lifetime = current_app.config[
        "REMEMBER_COOKIE_DURATION" if remember else "LOGIN_SESSION_DURATION"
    ]
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.ended_at.is_not(None), LoginSession.expires_at <= now),
        )
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_digest(token),
            remember=remember,
            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    user.session_token = token


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a login session that has not ended, else None
    (the visitor is then anonymous and sent to the login page)."""
    if not _is_token(session_id):
        return None  # not a secret of ours (an id of an older form included: log in again)
    user = db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == _digest(session_id),
            LoginSession.ended_at.is_(None),
            LoginSession.expires_at > clock.wall_now(),
            User.is_active.is_(True),
        )
    )
    if user is not None:
        user.session_token = session_id
    return user


def _end(user: User, *conditions) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), *conditions)
        .values(ended_at=clock.wall_now())
        .execution_options(synchronize_session=False)
    )


def end_this_session(user: User) -> None:
    """Logging out: the session of this device ends (flush only); the user's other devices stay
    logged in."""
    if user.session_token is not None:
        _end(user, LoginSession.token_hash == _digest(user.session_token))


def end_sessions(user: User) -> None:
    """End every session of ``user``, on every device (flush only): a new password, a closed
    account. The user's record is not touched, so that an admin's open edit form of this user
    does not turn into a conflict."""
    _end(user)


def end_other_sessions(user: User) -> None:
    """ "Keluar dari perangkat lain": every session of ``user`` but this device's (flush only)."""
    conditions = []
    if user.session_token is not None:
        conditions.append(LoginSession.token_hash != _digest(user.session_token))
    _end(user, *conditions)


@dataclass(frozen=True)
class ActiveSession:
    """A line of the account page's "Perangkat yang sedang masuk"."""

    device: str
    started_at: datetime
    expires_at: datetime
    remember: bool
    is_this_device: bool


def device_label(user_agent: str | None) -> str:
    """ "Chrome Mobile di Android": the browser and system a user agent names, in words a user
    recognises; "Perangkat tidak dikenal" when it names neither."""
    if not user_agent:
        return "Perangkat tidak dikenal"
    result = parse_user_agent(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    browser = None if browser in (None, "Other") else browser
    system = None if system in (None, "Other") else system
    if browser and system:
        return f"{browser} di {system}"
    return browser or system or "Perangkat tidak dikenal"


def active_sessions(user: User) -> list[ActiveSession]:
    """The user's sessions that have not ended, this device's first, then the newest."""
    rows = db.session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.expires_at > clock.wall_now(),
        )
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
    )
    this_device = _digest(user.session_token) if user.session_token else None
    sessions = [
        ActiveSession(
            device=device_label(row.user_agent),
            started_at=row.created_at,
            expires_at=row.expires_at,
            remember=row.remember,
            is_this_device=row.token_hash == this_device,
        )
        for row in rows
    ]
    return sorted(sessions, key=lambda s: not s.is_this_device)
