"""Reads of the monev: an agreement's history and its latest recommendation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.extensions import db


def agreement_evaluations(agreement: Agreement) -> list[Evaluation]:
    """The agreement's evaluations, newest first."""
    return list(
        db.session.scalars(
            select(Evaluation)
            .where(
                Evaluation.agreement_id == agreement.id,
                Evaluation.government_id == agreement.government_id,
            )
            .options(selectinload(Evaluation.created_by))
            .order_by(Evaluation.evaluated_on.desc(), Evaluation.id.desc())
        )
    )


def latest_recommendation():
    """The recommendation of the agreement's latest evaluation (a correlated scalar
    subquery on ``Agreement``; NULL when it was never evaluated)."""
    return (
        select(Evaluation.recommendation)
        .where(Evaluation.agreement_id == Agreement.id)
        .order_by(Evaluation.evaluated_on.desc(), Evaluation.id.desc())
        .limit(1)
        .correlate(Agreement)
        .scalar_subquery()
    )
