"""Personal API tokens: a user creates one (the secret is shown once), lists and revokes
theirs; the API (``kerjasama_flow.api``) finds the token a request presents. Only the secret's
SHA-256 is stored, with its first characters to tell the tokens apart (flush, never commit).

A token acts as its user, whatever their role, government and agency are at the time of the
request. It stops working when revoked, when it expires, or while its user is deactivated; a
new password does not revoke it (a token is revoked on its own, on the account page).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import ApiToken, User
from kerjasama_flow.activity.services import log_action
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db

SECRET_PREFIX = "kf_"
SECRET_BYTES = 32
PREFIX_LENGTH = len(SECRET_PREFIX) + 6  # shown next to the token's name: "kf_AbC12x"
NAME_LENGTH = 80
MAX_DAYS = 3650
# ``last_used_at`` is written at most this often, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def issue(user: User, name: str | None = None, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of ``user``, valid for ``days`` (None: until revoked); returns the token and
    its secret, which is not stored and cannot be shown again."""
    name = (name or "").strip() or "Token API"
    if len(name) > NAME_LENGTH:
        raise DomainError(f"Nama token paling banyak {NAME_LENGTH} karakter.", "name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise DomainError(f"Masa berlaku token antara 1 dan {MAX_DAYS} hari.", "days")
    if not user.is_active:
        raise DomainError("Akun ini tidak aktif; token API tidak dapat dibuat.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    now = clock.wall_now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days) if days is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    log_action(user, user, "api_token_created", after={"token": token.prefix, "name": name})
    return token, secret


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens (another user's is not found)."""
    token = own_token(user, token_id)
    if token is None:
        raise DomainError("Token tidak ditemukan.")
    if token.revoked_at is None:
        token.revoked_at = clock.wall_now()
        db.session.flush()
        log_action(user, user, "api_token_revoked", after={"token": token.prefix})
    return token


def own_token(user: User, token_id: int) -> ApiToken | None:
    """``user``'s token ``token_id``; None when there is none or it is another user's."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first (expired ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def find_usable(secret: str) -> ApiToken | None:
    """The token ``secret`` names, if it may be used now: not revoked or expired and its user
    active; else None."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.is_usable(clock.wall_now()):
        return None
    return token


def mark_used(token: ApiToken, now: datetime | None = None) -> None:
    """Remember when ``token`` was last used (at most once a minute)."""
    now = now or clock.wall_now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.flush()
