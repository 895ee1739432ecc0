"""The register (Daftar Kerja Sama): every signed Kesepakatan Bersama and PKS of a government,
with both parties' numbers, the parties, the signing date, validity and standing.

Read-only: one row per document, built from the agreements the user may read (an OPD head
sees those of their agency), narrowed by ``RegisterFilters`` in Python (a government signs
tens of documents a year, not thousands). The standing of a document is
the lifecycle's (``lifecycle.standing``); the register page and its export use the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.lifecycle import Standing, standing
from kerjasama_flow.agreements.models import Agreement, Amendment, AmendmentKind, Mou, Pks
from kerjasama_flow.agreements.queries import visible_to
from kerjasama_flow.extensions import db

KINDS = {"kb": "Kesepakatan Bersama", "pks": "Perjanjian Kerja Sama"}


@dataclass(frozen=True)
class RegisterFilters:
    kind: str | None = None  # "kb" or "pks"
    standing: Standing | None = None
    year: int | None = None  # of signing
    partner_id: int | None = None
    q: str | None = None

    @property
    def is_narrowed(self) -> bool:
        return any(
            v is not None for v in (self.kind, self.standing, self.year, self.partner_id, self.q)
        )


@dataclass(frozen=True)
class RegisterRow:
    kind: str  # "kb" or "pks"
    document_id: int  # the Mou's or the Pks's id
    title: str
    agreement: Agreement
    number_own: str | None
    number_partner: str | None
    party_own: str  # the government, or the PKS's OPD pelaksana
    party_partner: str
    agency_ids: tuple[int, ...]  # the PKS's OPD pelaksana (none for a KB)
    signed_on: date
    starts_on: date | None
    ends_on: date | None
    standing: Standing

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def ending_soon_days(government) -> int:
    """The first end-date notice the government set (180 days by default) marks "segera
    berakhir" in the register too."""
    days = government_settings.get(government, "ending_notice_days") or [0]
    return max(days)


def _partners(agreement: Agreement) -> str:
    return ", ".join(partner.name for partner in agreement.partners) or "–"


@dataclass(frozen=True)
class _Context:
    """What every row of one register needs: the government's name, today, the ending-soon
    window and the days documents were ended early (kind, id) -> day."""

    government_name: str
    today: date
    soon: int
    terminated: dict[tuple[str, int], date]


def _kb_row(mou: Mou, context: _Context) -> RegisterRow:
    return RegisterRow(
        kind="kb",
        document_id=mou.id,
        title=mou.agreement.title,
        agreement=mou.agreement,
        number_own=mou.number_own,
        number_partner=mou.number_partner,
        party_own=context.government_name,
        party_partner=_partners(mou.agreement),
        agency_ids=(),
        signed_on=mou.signed_on,
        starts_on=mou.starts_on,
        ends_on=mou.ends_on,
        standing=_standing(mou, context),
    )


def _pks_row(pks: Pks, context: _Context) -> RegisterRow:
    own = ", ".join(agency.name for agency in pks.agencies) or context.government_name
    return RegisterRow(
        kind="pks",
        document_id=pks.id,
        title=pks.title,
        agreement=pks.agreement,
        number_own=pks.number_own,
        number_partner=pks.number_partner,
        party_own=own,
        party_partner=pks.partner_agency or _partners(pks.agreement),
        agency_ids=tuple(agency.id for agency in pks.agencies),
        signed_on=pks.signed_on,
        starts_on=pks.starts_on,
        ends_on=pks.ends_on,
        standing=_standing(pks, context),
    )


def _standing(document: Mou | Pks, context: _Context) -> Standing:
    return standing(
        number_own=document.number_own,
        number_partner=document.number_partner,
        starts_on=document.starts_on,
        ends_on=document.ends_on,
        today=context.today,
        ending_soon_days=context.soon,
        terminated_on=context.terminated.get((document.kind, document.id)),
    )


def _terminations(government_id: int) -> dict[tuple[str, int], date]:
    """The day each KB/PKS of the government was ended early by a pengakhiran."""
    rows = db.session.execute(
        select(Amendment.mou_id, Amendment.pks_id, Amendment.signed_on)
        .join(Amendment.agreement)
        .where(
            Agreement.government_id == government_id,
            Amendment.amendment_kind == AmendmentKind.TERMINATION,
        )
    ).all()
    return {
        ("pks", pks_id) if pks_id is not None else ("mou", mou_id): on
        for mou_id, pks_id, on in rows
    }


def _matches(row: RegisterRow, filters: RegisterFilters) -> bool:
    if filters.kind is not None and row.kind != filters.kind:
        return False
    if filters.standing is not None and row.standing != filters.standing:
        return False
    if filters.year is not None and row.signed_on.year != filters.year:
        return False
    if filters.partner_id is not None and filters.partner_id not in {
        partner.id for partner in row.agreement.partners
    }:
        return False
    if filters.q:
        needle = filters.q.strip().casefold()
        haystack = " ".join(
            text or ""
            for text in (
                row.title,
                row.agreement.title,
                row.number_own,
                row.number_partner,
                row.party_own,
                row.party_partner,
            )
        ).casefold()
        return needle in haystack
    return True


def narrow(rows: list[RegisterRow], filters: RegisterFilters) -> list[RegisterRow]:
    return [row for row in rows if _matches(row, filters)]


def register_rows(user: User, today: date) -> list[RegisterRow]:
    """Every register row ``user`` may read, newest signing first. Cancelled agreements'
    papers stay in the register (they were signed); the standing says what they are worth
    today."""
    government = user.government
    context = _Context(
        government.name, today, ending_soon_days(government), _terminations(government.id)
    )
    agreement_options = selectinload(Mou.agreement).selectinload(Agreement.partners)
    mous = db.session.scalars(
        select(Mou).join(Mou.agreement).where(visible_to(user)).options(agreement_options)
    ).all()
    pks_list = db.session.scalars(
        select(Pks)
        .join(Pks.agreement)
        .where(visible_to(user))
        .options(
            selectinload(Pks.agreement).selectinload(Agreement.partners),
            selectinload(Pks.agencies),
        )
    ).all()
    rows = [_kb_row(mou, context) for mou in mous]
    rows += [_pks_row(pks, context) for pks in pks_list]
    return sorted(rows, key=lambda row: (row.signed_on, row.kind, row.title), reverse=True)


def year_choices(rows: list[RegisterRow]) -> list[int]:
    return sorted({row.signed_on.year for row in rows}, reverse=True)
