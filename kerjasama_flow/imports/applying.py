"""Applying checked rows through the agreements' own services
(``create_agreement``/``update_agreement`` and ``record_milestone``/``update_milestone``), each
row in a SAVEPOINT of its own so that a refused row leaves nothing behind, in the caller's
transaction: the services flush, the job runner (``imports.jobs``) commits once.
``validate_rows``, the preview, is the same import inside a SAVEPOINT that is rolled back: it
applies exactly the rules of the forms, and each row sees the rows before it, as it will on
confirmation.

Rows are matched to existing agreements by ``external_ref`` ("Referensi") within the
importing user's government, so re-importing a file updates instead of duplicating.

Playbooks are NOT run for imported milestones: an import records history that already
happened (often years ago), and the follow-up tasks a playbook creates ("kirim salinan MoU ke
OPD dalam 7 hari kerja") would all be overdue on arrival. Tasks are planned by hand afterwards.

Cost: what can be read once for the whole file is (existing agreements with their collections,
the partners); what remains is the services' own work, several flushes and about nine SQL
statements per row: ~4.5 ms a row on SQLite, ~9-10 ms on PostgreSQL (``bench/import_rows.py``),
so a file of ``MAX_ROWS`` rows takes 30-50 s: a large file is checked and imported by the
``scheduler`` process, not in the request (``imports.jobs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.models import Agreement, Mou, MouKind, Partner, PartnerKind
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.imports.columns import MOU_KEYS
from kerjasama_flow.imports.parsing import RowInput, has_mou

OnRow = Callable[[int, int], None]  # (rows done, rows to do)

# The rows go through the services one by one, as the forms would send them; what is done once
# for the whole file instead of once per row only saves queries whose answer is already known:
# the existing agreements are read in one query with the collections the services read
# (partners, sectors, MoUs, PKS, transactions), the government's partners in another, and an
# agreement just created gets empty milestone lists instead of three lazy loads that can only
# find nothing. The rules themselves are all in the services.


def existing_agreements(government_id: int, rows: list[RowInput]) -> dict[str, Agreement]:
    """The government's agreements whose reference appears in ``rows``, by folded reference,
    with the collections the services read loaded (one query each, not one per row)."""
    refs = {row.external_ref.casefold() for row in rows if row.external_ref}
    if not refs:
        return {}
    found = db.session.scalars(
        select(Agreement)
        .where(
            Agreement.government_id == government_id,
            func.lower(Agreement.external_ref).in_(refs),
        )
        .options(*(selectinload(getattr(Agreement, name)) for name in _LOADED_COLLECTIONS))
    )
    return {agreement.external_ref.casefold(): agreement for agreement in found}


# What the agreement and milestone services read of an agreement: its partners and sectors
# (the form's data and the activity log's snapshot) and its milestones (the stage's facts and
# the MoU a row may match).
_LOADED_COLLECTIONS = ("partners", "sector_rows", "mous", "pks_list", "transactions")
_MILESTONE_COLLECTIONS = ("visits", "mous", "pks_list", "transactions")


def _mark_new(agreement: Agreement) -> None:
    """An agreement created in this transaction has no milestones in the database yet: say so,
    instead of letting the milestone service lazy-load three empty lists."""
    for name in _MILESTONE_COLLECTIONS:
        if name not in agreement.__dict__:
            set_committed_value(agreement, name, [])


class PartnerFinder:
    """``services.find_or_create_partner`` with the government's partners read once.

    A name found among them is the partner the service's query would return (the same
    case-insensitive match); any other name goes to the service, which looks it up again and
    creates it (with its activity log) when new. Only ASCII names are matched here: SQL
    ``lower()`` folds only ASCII on SQLite, so for other names the service's own query decides.
    """

    def __init__(self, actor: User):
        self.actor = actor
        self.by_name: dict[str, Partner] = {}
        self.added: list[str] = []
        query = select(Partner).where(Partner.government_id == actor.government_id)
        for partner in db.session.scalars(query.order_by(Partner.id)):
            if partner.name.isascii():
                self.by_name.setdefault(partner.name.lower(), partner)

    def __call__(self, name: str, kind: PartnerKind) -> Partner:
        name = " ".join(name.split())
        key = name.lower() if name.isascii() else None
        if key is not None and key in self.by_name:
            return self.by_name[key]
        partner = services.find_or_create_partner(self.actor, name, kind)
        if key is not None and partner.name.isascii():
            self.by_name[key] = partner
            self.added.append(key)
        return partner

    def mark(self) -> int:
        return len(self.added)

    def forget_since(self, mark: int) -> None:
        """The partners created after ``mark`` were rolled back with their row."""
        for key in self.added[mark:]:
            self.by_name.pop(key, None)
        del self.added[mark:]


def _agreement_data(
    actor: User, row: RowInput, agreement: Agreement | None, partners: PartnerFinder | None = None
) -> dict[str, Any]:
    """What the agreement form would submit: the current values (for an update) overlaid with
    the columns present in the file. An empty cell in a present column clears the value."""
    data: dict[str, Any] = {}
    if agreement is not None:
        data = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
        data["partners"] = list(agreement.partners)
        data["sectors"] = list(agreement.sectors)
    values = row.values
    for key in (
        "title",
        "kind",
        "commodities",
        "origin_event",
        "external_ref",
        "lead_agency",
        "sectors",
    ):
        if key in values:
            data[key] = values[key]
    if "partners" in values:
        kind = values.get("new_partner_kind") or PartnerKind.LAINNYA
        find = partners or (lambda name, kind: services.find_or_create_partner(actor, name, kind))
        data["partners"] = [find(name, kind) for name in values["partners"]]
    return data


def _mou_data(row: RowInput) -> dict[str, Any]:
    data = {key: row.values[key] for key in MOU_KEYS if key in row.values}
    return data


def _matching_mou(agreement: Agreement, data: dict[str, Any]) -> Mou | None:
    number = (data.get("number_own") or "").casefold()
    for mou in agreement.mous:
        if number and (mou.number_own or "").casefold() == number:
            return mou
        if not number and mou.signed_on == data.get("signed_on"):
            return mou
    return None


def apply_row(
    actor: User, row: RowInput, agreement: Agreement | None, partners: PartnerFinder | None = None
) -> Agreement:
    """Create or update the row's agreement and its MoU through the services (they flush;
    the caller commits or rolls back). ``partners`` finds partners from a list read once."""
    data = _agreement_data(actor, row, agreement, partners)
    if agreement is None:
        agreement = services.create_agreement(actor, data)
        _mark_new(agreement)
    else:
        agreement = services.update_agreement(actor, agreement, data, SYSTEM_CHANGE).value
    if has_mou(row):
        mou_data = _mou_data(row)
        existing = _matching_mou(agreement, mou_data)
        if existing is None:
            services.record_milestone(
                actor, agreement, "mou", {"document_kind": MouKind.MOU, **mou_data}, follow_up=False
            )
        else:
            services.update_milestone(actor, existing, mou_data, SYSTEM_CHANGE)
    return agreement


def _run_rows(actor: User, rows: list[RowInput], on_row: OnRow | None = None) -> None:
    """Apply each clean row in a SAVEPOINT of its own, in file order; a row the services
    refuse gets their message and only its own changes are rolled back. ``on_row(done,
    total)`` is told after each row (the job's progress)."""
    todo = [row for row in rows if row.is_valid]
    existing = existing_agreements(actor.government_id, todo)
    partners = PartnerFinder(actor)
    for done, row in enumerate(todo, start=1):
        key = row.external_ref.casefold()
        agreement = existing.get(key)
        row.action = "update" if agreement is not None else "create"
        mark = partners.mark()
        savepoint = db.session.begin_nested()
        try:
            created = apply_row(actor, row, agreement, partners)
        except StaleDataError:
            savepoint.rollback()
            partners.forget_since(mark)
            row.add_error(None, "Kerja sama ini sedang diubah pengguna lain. Coba lagi.")
        except DomainError as error:
            savepoint.rollback()
            partners.forget_since(mark)
            for field, message in error.field_errors():
                row.add_error(field, message)
        else:
            savepoint.commit()
            existing[key] = created
        if on_row is not None:
            on_row(done, len(todo))


def validate_rows(actor: User, rows: list[RowInput], on_row: OnRow | None = None) -> None:
    """The preview: the import itself (every clean row through the real services, each row
    seeing the rows before it, as it will on confirmation), inside a SAVEPOINT that is rolled
    back, so nothing is kept."""
    preview = db.session.begin_nested()
    try:
        _run_rows(actor, rows, on_row)
    finally:
        preview.rollback()


def import_rows(actor: User, rows: list[RowInput], on_row: OnRow | None = None) -> list[RowInput]:
    """Apply the valid rows in the current transaction; returns the rows applied. The caller
    commits once."""
    _run_rows(actor, rows, on_row)
    return [row for row in rows if row.is_valid]
