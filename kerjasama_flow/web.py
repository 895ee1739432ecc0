"""Helpers the thin views share: run a service, commit once, turn refusals into messages; read
a list's page; and what every request is checked for before any view (a NUL byte, an id
beyond the database's integers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.local import LocalProxy
from werkzeug.routing import IntegerConverter

from kerjasama_flow.db import MAX_ID
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


# --- lists ------------------------------------------------------------------------------------


def paginate(statement):
    """One page of ``statement``, the one the list's ``?page=`` asks for: a page past the end
    (up to any number) shows the last page, anything but a whole number the first."""
    try:
        page = min(max(int(request.args.get("page", "1")), 1), MAX_ID)
    except ValueError:
        page = 1
    per_page = current_app.config["PAGE_SIZE"]
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    if pagination.pages and page > pagination.pages:
        pagination = db.paginate(
            statement, page=pagination.pages, per_page=per_page, error_out=False
        )
    return pagination


# --- what every request is checked for --------------------------------------------------------


def digits_up_to(limit: int) -> str:
    """A regular expression of the whole numbers from 0 to ``limit`` (``"2147483647"``: any
    number of up to nine digits, or ten digits no greater than it)."""
    text = str(limit)
    shorter = rf"\d{{1,{len(text) - 1}}}" if len(text) > 1 else ""
    same_length = [
        f"{text[:i]}[{'1' if i == 0 else '0'}-{int(digit) - 1}]" + rf"\d{{{len(text) - i - 1}}}"
        for i, digit in enumerate(text)
        if int(digit) > (1 if i == 0 else 0)
    ]
    return "|".join(part for part in (shorter, *same_length, text) if part)


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route (``app.url_map.converters["int"]``): a whole number up to
    ``db.MAX_ID``. A bigger one matches no route, a 404, instead of reaching the database.
    The limit is in the pattern, not only in ``max``: Werkzeug answers 405 instead of 404
    when a number too big for a route's ``max`` falls on a path that has another method."""

    regex = f"(?:{digits_up_to(MAX_ID)})"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class NulByteError(BadRequest):
    """A NUL byte in the request (``refuse_nul_bytes``)."""

    description = (
        "Permintaan memuat karakter yang tidak diizinkan (karakter NUL). Permintaan tidak "
        "dapat diproses; periksa kembali alamat atau isian Anda lalu kirim ulang."
    )


def refuse_nul_bytes() -> None:
    """Before any view: a NUL byte in the path, the query string, a form field's name or value
    or an uploaded file's name is a 400. No person types one; PostgreSQL refuses it in any
    text (a server error where it reached a query), and it is a classic way to cut a string
    short. An uploaded file's content may hold NUL bytes (a PDF does): it is not looked at."""
    if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
        raise NulByteError()
    if any("\x00" in (upload.filename or "") for _, upload in request.files.items(multi=True)):
        raise NulByteError()


def _has_nul(values: MultiDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))
