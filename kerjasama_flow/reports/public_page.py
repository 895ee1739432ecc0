"""The optional public page (open data): a government's agreements as citizens may see them.

Off by default; an admin turns it on in the settings (``accounts.services.set_public_page``,
read by ``government_settings.is_public``); this module only reads. Only public facts leave
here: title, partners' names, sectors, stage, MoU/PKS dates and the realised transactions'
count and value.
Never tasks, documents, notes, contacts or internal references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import Government
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, Transaction
from kerjasama_flow.extensions import db


def published_government(region_code: str) -> Government | None:
    """The government with this region code if its public page is on, else None."""
    government = db.session.scalar(select(Government).where(Government.region_code == region_code))
    if government is None or not government_settings.is_public(government):
        return None
    return government


@dataclass(frozen=True)
class PublicRow:
    title: str
    partners: list[str]
    sectors: list[str]
    stage: Stage
    mou_signed_on: date | None
    mou_ends_on: date | None
    pks_signed_on: date | None
    pks_ends_on: date | None
    transaction_count: int
    transaction_total: int


def _dates(model):
    return (
        select(
            model.agreement_id.label("agreement_id"),
            func.min(model.signed_on).label("signed_on"),
            func.max(model.ends_on).label("ends_on"),
        )
        .group_by(model.agreement_id)
        .subquery()
    )


def public_rows(government: Government) -> list[PublicRow]:
    """Every agreement of ``government`` with its public figures (a fixed number of
    queries: the agreements, their partners and sectors, and one aggregate query)."""
    agreements = list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.government_id == government.id)
            .options(selectinload(Agreement.partners), selectinload(Agreement.sector_rows))
            .order_by(Agreement.title, Agreement.id)
        )
    )
    if not agreements:
        return []
    mou, pks = _dates(Mou), _dates(Pks)
    trx = (
        select(
            Transaction.agreement_id,
            func.count(Transaction.id).label("count"),
            func.coalesce(func.sum(Transaction.value_rp), 0).label("total"),
        )
        .group_by(Transaction.agreement_id)
        .subquery()
    )
    figures = {
        row.id: row
        for row in db.session.execute(
            select(
                Agreement.id,
                mou.c.signed_on.label("mou_signed_on"),
                mou.c.ends_on.label("mou_ends_on"),
                pks.c.signed_on.label("pks_signed_on"),
                pks.c.ends_on.label("pks_ends_on"),
                trx.c.count,
                trx.c.total,
            )
            .outerjoin(mou, mou.c.agreement_id == Agreement.id)
            .outerjoin(pks, pks.c.agreement_id == Agreement.id)
            .outerjoin(trx, trx.c.agreement_id == Agreement.id)
            .where(Agreement.government_id == government.id)
        )
    }
    rows = []
    for agreement in agreements:
        figure = figures[agreement.id]
        rows.append(
            PublicRow(
                title=agreement.title,
                partners=[partner.name for partner in agreement.partners],
                sectors=agreement.sector_labels,
                stage=agreement.stage,
                mou_signed_on=figure.mou_signed_on,
                mou_ends_on=figure.mou_ends_on,
                pks_signed_on=figure.pks_signed_on,
                pks_ends_on=figure.pks_ends_on,
                transaction_count=int(figure.count or 0),
                transaction_total=int(figure.total or 0),
            )
        )
    return rows
