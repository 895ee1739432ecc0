"""Sessions: whose a session is, and when it ends.

Sessions are signed cookies (Flask's session and Flask-Login's remember-me cookie), so a copy
of one stays valid as long as the server accepts what it names. Each names the user, the
user's session version when it started and the login time (``User.get_session_id``); on every
request ``load_user`` accepts it only while the user is active, the version is still the
user's and the login is less than ``REMEMBER_COOKIE_DURATION`` old (30 days by default).
``end_sessions`` raises the version: logging out, changing or resetting the password and
deactivating the account end every session of the user, on every device.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import update

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import User, parse_session_id
from kerjasama_flow.extensions import db


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a session that has not ended, else None (the
    visitor is then anonymous and sent to the login page)."""
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, session_version, logged_in_at = parsed
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != session_version:
        return None
    age = clock.wall_now() - logged_in_at
    if age > current_app.config["REMEMBER_COOKIE_DURATION"] or age.total_seconds() < -300:
        return None  # too old, or from the future (a forged clock gains nothing)
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` (flush only). An UPDATE of the one column, so that the
    record's edit version (optimistic locking of the user forms) does not change: logging
    out must not make an admin's open edit form of this user a conflict."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )
