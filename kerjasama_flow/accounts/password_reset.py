"""A forgotten password: an emailed link that lets its owner choose a new one.

The link carries a token signed with ``SECRET_KEY`` (itsdangerous): the user, when the link was
made and a fingerprint of the password hash at that time. It works for
``PASSWORD_RESET_MINUTES`` (60 by default) and once: the new password changes the hash, so the
fingerprint no longer matches, and any other link sent before stops working with it. Nothing is
stored; the times are real time (``clock.wall_now``), passed in by the callers.

Whether an email exists is never told: a request for an unknown or inactive account gets the
same answer, and no mail (the view sends mail after the response, so the time does not tell
either).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from kerjasama_flow.accounts import passwords
from kerjasama_flow.accounts.models import User
from kerjasama_flow.accounts.services import user_by_email
from kerjasama_flow.accounts.sessions import end_sessions
from kerjasama_flow.activity.services import log_action
from kerjasama_flow.channels import OutgoingEmail
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.links import mail_url

SALT = "kerjasama-password-reset"
SUBJECT = "Tautan untuk membuat kata sandi baru"

INVALID = "Tautan ini tidak sah. Pastikan tautan dari surel tersalin utuh, atau minta tautan baru."
USED = (
    "Tautan ini sudah dipakai atau tidak berlaku lagi, karena kata sandi akun sudah diganti "
    "sejak tautan dikirim. Bila Anda masih perlu mengganti kata sandi, minta tautan baru."
)


def expired_message() -> str:
    return (
        f"Tautan ini sudah kedaluwarsa: tautan hanya berlaku {minutes_valid()} menit setelah "
        "dikirim. Minta tautan baru."
    )


def minutes_valid() -> int:
    return int(current_app.config["PASSWORD_RESET_MINUTES"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    """Changes whenever the password does. The token is signed, not encrypted: it holds a
    digest of the stored hash, never the hash."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User, now: datetime) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "t": int(now.timestamp())})


def user_for_token(token: str, now: datetime) -> User:
    """The user whose link this is, or ``DomainError`` saying why it does not work."""
    try:
        data = _serializer().loads(token)
        user_id, fingerprint, made = int(data["u"]), str(data["f"]), int(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise DomainError(INVALID) from error
    made_at = datetime.fromtimestamp(made, UTC)
    if now - made_at > timedelta(minutes=minutes_valid()) or made_at - now > timedelta(minutes=5):
        raise DomainError(expired_message())
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or _fingerprint(user) != fingerprint:
        raise DomainError(USED)
    return user


def reset_email(email: str, now: datetime) -> OutgoingEmail | None:
    """The mail with a link for the active account of ``email``, None when there is none. Reads
    only: the caller sends it (after its response)."""
    user = user_by_email(email or "")
    if user is None or not user.is_active:
        return None
    link = mail_url(url_for("accounts.reset_password", token=make_token(user, now)))
    text = render_template(
        "auth/password_reset_email.txt", user=user, link=link, minutes=minutes_valid()
    )
    return OutgoingEmail(to=user.email, subject=SUBJECT, text=text)


def reset_password(token: str, password: str, now: datetime) -> User:
    """Set the new password of the link's user (flush only): the rule applies, the link is used
    up, and every session of the user ends."""
    user = user_for_token(token, now)
    passwords.check_new(password, "password", user.email, user.name)
    user.set_password(password)
    db.session.flush()
    end_sessions(user)
    log_action(user, user, "updated", after={"password": "(dibuat ulang lewat tautan surel)"})
    return user
