"""Loading records for the current user: another government's record is a 404, never a hint."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user

from kerjasama_flow.agreements.models import MILESTONE_MODELS, Agreement
from kerjasama_flow.extensions import db

T = TypeVar("T")


def get_owned_or_404(model: type[T], record_id: int) -> T:
    """A record with a ``government_id`` of the current user's government, else 404."""
    obj = db.session.get(model, record_id)
    if obj is None or obj.government_id != current_user.government_id:
        abort(404)
    return obj


def get_milestone_or_404(agreement: Agreement, kind: str, milestone_id: int):
    model = MILESTONE_MODELS.get(kind)
    if model is None:
        abort(404)
    milestone = db.session.get(model, milestone_id)
    if milestone is None or milestone.agreement_id != agreement.id:
        abort(404)
    return milestone
