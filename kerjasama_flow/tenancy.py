"""Loading records for the current user: another government's record is a 404, never a hint.

Generic: any model with a ``government_id``. A record reached through another one (a
milestone of an agreement) is checked by its domain against that record."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user

from kerjasama_flow.extensions import db

T = TypeVar("T")


def get_owned_or_404(model: type[T], record_id: int) -> T:
    """A record with a ``government_id`` of the current user's government, else 404."""
    obj = db.session.get(model, record_id)
    if obj is None or obj.government_id != current_user.government_id:
        abort(404)
    return obj
