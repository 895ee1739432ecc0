"""The shape of the demo declarations, and the helpers that write them briefly.

The demo's governments, agencies, accounts, agreements, milestones and tasks are plain frozen
dataclasses (``kota_blitar``, ``malang``, gathered in ``data``); ``seed`` applies them through
the domain services. ``visit``, ``mou``, ``pks`` and ``transaction`` give a milestone's fields
the names the services expect, so that the declarations read like the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.models import AgreementKind, MouKind, PartnerKind, VisitDirection
from kerjasama_flow.tasks.models import TaskStatus

ILLUSTRATIVE = "Angka ilustratif untuk demo: berita tidak menyebut volume dan nilai transaksi."

OPEN = TaskStatus.OPEN
IN_PROGRESS = TaskStatus.IN_PROGRESS
DONE = TaskStatus.DONE


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    head_name: str | None = None
    # Bagian Pemerintahan / Kerja Sama: receives the playbooks' coordination tasks.
    is_coordinator: bool = False


@dataclass(frozen=True)
class UserSpec:
    email: str
    name: str
    role: Role
    agency: str | None = None  # agency code
    office: str | None = None  # a leader's office, shown in the list of demo accounts


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    kind: PartnerKind
    region_code: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    agency: str  # agency code
    title: str
    due_on: date
    status: TaskStatus = OPEN
    note: str | None = None  # the completion note (done) or progress note (in progress)
    done_on: date | None = None  # when a done task was finished, as the story goes
    description: str | None = None


@dataclass(frozen=True)
class MilestoneSpec:
    kind: str  # visit | mou | pks | transaction
    data: dict[str, Any]
    agencies: tuple[str, ...] = ()  # PKS: the agencies of the own side, by code
    tasks: tuple[TaskSpec, ...] = ()  # follow-up tasks this milestone gave rise to


@dataclass(frozen=True)
class AgreementSpec:
    ref: str  # external_ref: the natural key that makes seeding idempotent
    title: str
    partners: tuple[PartnerSpec, ...]
    lead: str  # agency code
    sectors: tuple[str, ...]
    origin_event: str
    description: str
    milestones: tuple[MilestoneSpec, ...]
    commodities: str | None = None
    kind: AgreementKind = AgreementKind.KSDD


@dataclass(frozen=True)
class GovernmentSpec:
    region_code: str
    name: str
    agencies: tuple[AgencySpec, ...]
    users: tuple[UserSpec, ...]
    agreements: tuple[AgreementSpec, ...]


def _years_after(start: date, years: int) -> date:
    """The last day of a validity of ``years`` years starting on ``start``."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


def _in_force(signed_on: date, years: int) -> dict[str, date]:
    """An MoU/KB or PKS in force from the day it is signed, for ``years`` years."""
    return {
        "signed_on": signed_on,
        "starts_on": signed_on,
        "ends_on": _years_after(signed_on, years),
    }


def visit(
    on: date,
    place: str,
    direction: VisitDirection,
    delegation: str,
    topics: str,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "visited_on": on,
        "place": place,
        "direction": direction,
        "delegation": delegation,
        "topics": topics,
        "notes": notes,
    }
    return MilestoneSpec("visit", data, tasks=tasks)


def mou(
    signed_on: date,
    place: str,
    signatory_own: str,
    signatory_partner: str | None,
    *,
    years: int = 5,
    document_kind: MouKind = MouKind.MOU,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "document_kind": document_kind,
        **_in_force(signed_on, years),
        "place": place,
        "signatory_own": signatory_own,
        "signatory_partner": signatory_partner,
        "notes": notes,
    }
    return MilestoneSpec("mou", data, tasks=tasks)


def pks(
    title: str,
    signed_on: date,
    agencies: tuple[str, ...],
    partner_agency: str,
    scope: str,
    *,
    years: int = 2,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    """A PKS under the agreement's latest MoU/KB."""
    data = {
        "title": title,
        "is_direct": False,
        "partner_agency": partner_agency,
        **_in_force(signed_on, years),
        "scope": scope,
        "notes": notes,
    }
    return MilestoneSpec("pks", data, agencies=agencies, tasks=tasks)


def transaction(
    on: date,
    buyer: str,
    seller: str,
    commodity: str,
    volume: int,
    unit: str,
    value_rp: int,
    notes: str = ILLUSTRATIVE,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    """A transaction under the agreement's latest PKS."""
    data = {
        "transacted_on": on,
        "buyer": buyer,
        "seller": seller,
        "commodity": commodity,
        "volume": Decimal(volume),
        "unit": unit,
        "value_rp": value_rp,
        "notes": notes,
    }
    return MilestoneSpec("transaction", data, tasks=tasks)


def task(agency: str, title: str, due_on: date, status: TaskStatus = OPEN, **kw) -> TaskSpec:
    return TaskSpec(agency, title, due_on, status, **kw)
