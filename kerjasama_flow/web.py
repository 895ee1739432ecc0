"""Helpers the thin views share: run a service, commit once, turn refusals into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.local import LocalProxy

from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import put_errors_on_form

_FAILED = object()


def run_service(form, service: Callable[..., Any], *args, **kwargs) -> Any:
    """Call ``service``, commit, and return its result; on a refusal roll back everything,
    put the message next to its field (or flash it) and return ``None``.

    A concurrent edit detected at flush time (the version counter) becomes the same conflict
    message as one detected by comparing the submitted version.
    """
    # Services compare and store users as model objects, never as Flask-Login's proxy.
    args = tuple(_unproxy(arg) for arg in args)
    kwargs = {key: _unproxy(value) for key, value in kwargs.items()}
    try:
        result = service(*args, **kwargs)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        _show(form, ConflictError())
        return None
    except DomainError as error:
        db.session.rollback()
        _show(form, error)
        return None
    return result if result is not None else True


def _unproxy(value: Any) -> Any:
    return value._get_current_object() if isinstance(value, LocalProxy) else value


def _show(form, error: DomainError) -> None:
    if isinstance(error, ConflictError) or form is None:
        flash(error.message, "danger")
        return
    for message in put_errors_on_form(form, error):
        flash(message, "danger")


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are accepted as a redirect target after login."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target


def absolute_url(path: str) -> str:
    """A link for outside the app (mail, WhatsApp), from ``KERJASAMA_BASE_URL``: never from the
    request's Host header, which a client chooses (a reset link must not point elsewhere)."""
    if path.startswith(("http://", "https://")):
        return path
    base = current_app.config.get("KERJASAMA_BASE_URL") or "http://127.0.0.1:5000"
    return base.rstrip("/") + "/" + path.lstrip("/")
