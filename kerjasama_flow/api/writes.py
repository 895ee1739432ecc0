"""Changes through the API: the web's own services, committed once, and their refusals as
JSON. A refused rule is a 422 with the rule's message next to its field; a change over
someone else's is a 409 with the record as it now is; a change that names no ``version`` is a
428. Nothing is saved in any of these cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import request
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from kerjasama_flow.api import errors
from kerjasama_flow.api.messages import VERSION_INVALID
from kerjasama_flow.db import MAX_ID, MISSING_VERSION
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db


def actor():
    """The token's user as the model object the services compare and store."""
    return current_user._get_current_object()


def version_of(body: Any) -> int:
    """The ``version`` a change names: missing is a 428, anything but a whole number a 422."""
    value = body.get("version") if isinstance(body, Mapping) else None
    if value is None:
        errors.abort(428)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        errors.abort(422, fields={"version": [VERSION_INVALID]})
    return value


def json_body() -> Any:
    """The request's JSON: not JSON is a 415, JSON that does not parse a 400."""
    if not request.is_json:
        errors.abort(415)
    body = request.get_json(silent=True)
    if body is None:
        errors.abort(400)
    return body


def load_body(schema_class, body: Any = None) -> dict[str, Any]:
    """The request's JSON body (or ``body``, read already) checked by ``schema_class``: a 422
    naming each field. Views read it after loading the record and checking the permission:
    another government's id is a 404, a forbidden change a 403, whatever the body says."""
    try:
        return schema_class().load(json_body() if body is None else body)
    except ValidationError as error:
        errors.abort(422, fields=errors.flatten_fields({"json": error.messages}))


def field_errors(error: DomainError, names: Mapping[str, str] | None = None) -> dict:
    """A refusal's messages by the API's field names (``lead_agency`` is ``lead_agency_id``)."""
    fields: dict[str, list[str]] = {}
    for field, message in error.field_errors():
        if field:
            fields.setdefault((names or {}).get(field, field), []).append(message)
    return fields


def commit(
    service: Callable[..., Any],
    *args: Any,
    current: Callable[[], Any] | None = None,
    names: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Call ``service`` and commit; on a refusal roll everything back and answer it. ``current``
    gives the record as it now is, for a 409 (called after the rollback, so it reads the
    other person's change); ``names`` renames the services' fields to the API's."""
    try:
        result = service(*args, **kwargs)
        db.session.commit()
    except (StaleDataError, ConflictError) as error:
        db.session.rollback()
        if isinstance(error, ConflictError) and error.message == MISSING_VERSION:
            errors.abort(428)
        errors.abort(409, current=_current(current))
    except DomainError as error:
        db.session.rollback()
        errors.abort(422, error.message, field_errors(error, names))
    return result


def _current(current: Callable[[], Any] | None) -> Any:
    """The record as it now is, for a 409; a record someone else removed meanwhile is a 404."""
    if current is None:
        return None
    try:
        return current()
    except ObjectDeletedError:
        errors.abort(404)
