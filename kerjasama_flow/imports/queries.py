"""Reading import jobs."""

from __future__ import annotations

from sqlalchemy import select

from kerjasama_flow.extensions import db
from kerjasama_flow.imports.models import QUEUED, RUNNING, ImportJob, ImportStatus


def recent(government_id: int, limit: int = 10) -> list[ImportJob]:
    """The government's latest imports, newest first (the upload page's list)."""
    return db.session.scalars(
        select(ImportJob)
        .where(ImportJob.government_id == government_id)
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
        .limit(limit)
    ).all()


def live_tokens() -> set[str]:
    """The tokens of the jobs whose files are still needed (queued, running, checked)."""
    return set(
        db.session.scalars(
            select(ImportJob.token).where(
                ImportJob.status.in_((*QUEUED, *RUNNING, ImportStatus.CHECKED))
            )
        )
    )
