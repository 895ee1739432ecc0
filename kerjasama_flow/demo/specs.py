"""The shape of the demo declarations, and the helpers that write them briefly.

The demo's governments, agencies, accounts, agreements, steps and tasks are plain frozen
dataclasses (``kota_blitar``, ``malang``, gathered in ``data``); ``seed`` applies them through
the domain services. The step helpers (``offer``, ``visit``, ``tkksd``, ``legal_review``,
``mou``, ``pks``, ``report``, ``transaction``, ``activity``) give a step's fields the names the
services expect (``agreements.services.MILESTONE_FIELDS``), so that the declarations read like
the reports.

Each step is recorded as an officer would record it, so its playbook creates its follow-up
tasks (``playbooks.defaults``). What became of those tasks is declared with ``followed`` (by
the template's key); ``task`` declares the further tasks the reports themselves imply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kerjasama_flow.accounts.models import GovernmentKind, Role
from kerjasama_flow.agreements.models import (
    AgreementKind,
    MouKind,
    OfferDirection,
    PartnerKind,
    TkksdRecommendation,
    VisitDirection,
)
from kerjasama_flow.documents.models import DocumentKind
from kerjasama_flow.tasks.models import TaskStatus

ILLUSTRATIVE = "Angka ilustratif untuk demo: berita tidak menyebut volume dan nilai transaksi."
DEMO_NUMBERS = (
    "Nomor registrasi di sini adalah nomor contoh untuk demo, bukan nomor sebenarnya: berita "
    "tidak menyebutnya."
)
DEMO_STEP = (
    "Langkah ini ilustrasi untuk demo: berita tidak menyebutnya; tanggal dan nomor suratnya contoh."
)

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
    """A task the report implies beyond the playbook's, created with its step."""

    agency: str  # agency code
    title: str
    due_on: date
    status: TaskStatus = OPEN
    note: str | None = None  # the completion note (done) or progress note (in progress)
    done_on: date | None = None  # when a done task was finished, as the story goes
    description: str | None = None


@dataclass(frozen=True)
class FollowUpSpec:
    """What became of the task a step's playbook created from the template ``key``
    (``playbooks.defaults``): started or finished, with its note. A task the playbook lets
    a later step complete ("Susun draf PKS" by the PKS) needs no declaration."""

    key: str
    status: TaskStatus
    note: str
    done_on: date | None = None  # when a done task was finished (else: the step's day)


@dataclass(frozen=True)
class DocumentSpec:
    """A placeholder PDF attached to its step, visibly marked as demo data."""

    kind: DocumentKind
    title: str
    file_name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Signatory:
    """Who signs for one party: the office always, the name only where a report gives it."""

    office: str
    name: str | None = None


@dataclass(frozen=True)
class MilestoneSpec:
    kind: str  # a key of agreements.models.MILESTONE_MODELS
    data: dict[str, Any]
    agencies: tuple[str, ...] = ()  # PKS: its own agencies; offer: the proposing agency
    about: str | None = None  # "mou" or "pks": the latest one this step is about or under
    tasks: tuple[TaskSpec, ...] = ()
    follow_ups: tuple[FollowUpSpec, ...] = ()
    documents: tuple[DocumentSpec, ...] = ()


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
    kind: GovernmentKind
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


def _signatories(own: Signatory, partner: Signatory) -> dict[str, str | None]:
    return {
        "signatory_own": own.name,
        "signatory_own_office": own.office,
        "signatory_partner": partner.name,
        "signatory_partner_office": partner.office,
    }


def _joined(*notes: str | None) -> str | None:
    return " ".join(note for note in notes if note) or None


def offer(
    direction: OfferDirection,
    letter_on: date,
    letter_number: str,
    *,
    reply_on: date | None = None,
    reply_number: str | None = None,
    proposing_agency: str | None = None,
    plan_summary: str | None = None,
    notes: str | None = None,
    follow_ups: tuple[FollowUpSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "direction": direction,
        "letter_on": letter_on,
        "letter_number": letter_number,
        "reply_on": reply_on,
        "reply_number": reply_number,
        "plan_summary": plan_summary,
        "notes": notes,
    }
    agencies = (proposing_agency,) if proposing_agency else ()
    return MilestoneSpec("offer", data, agencies=agencies, follow_ups=follow_ups)


def visit(
    on: date,
    place: str,
    direction: VisitDirection,
    delegation: str,
    topics: str,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
    follow_ups: tuple[FollowUpSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "visited_on": on,
        "place": place,
        "direction": direction,
        "delegation": delegation,
        "topics": topics,
        "notes": notes,
    }
    return MilestoneSpec("visit", data, tasks=tasks, follow_ups=follow_ups)


def tkksd(
    held_on: date,
    chaired_by: str,
    subject: str,
    minutes: str,
    *,
    recommendation: TkksdRecommendation = TkksdRecommendation.PROCEED,
    notes: str | None = DEMO_STEP,
    follow_ups: tuple[FollowUpSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "held_on": held_on,
        "chaired_by": chaired_by,
        "subject": subject,
        "recommendation": recommendation,
        "minutes": minutes,
        "notes": notes,
    }
    return MilestoneSpec("tkksd", data, follow_ups=follow_ups)


def legal_review(
    reviewed_on: date,
    draft: str,
    result: str,
    paraf: tuple[date | None, date | None, date | None],
    *,
    notes: str | None = DEMO_STEP,
) -> MilestoneSpec:
    """Bagian Hukum's review, then the initials of the Kabag, the Asisten and the Sekda."""
    kabag, asisten, sekda = paraf
    data = {
        "reviewed_on": reviewed_on,
        "draft": draft,
        "result": result,
        "paraf_kabag_on": kabag,
        "paraf_asisten_on": asisten,
        "paraf_sekda_on": sekda,
        "notes": notes,
    }
    return MilestoneSpec("legal_review", data)


def mou(
    signed_on: date,
    place: str,
    own: Signatory,
    partner: Signatory,
    *,
    numbers: tuple[str | None, str | None] = (None, None),
    years: int = 5,
    document_kind: MouKind = MouKind.MOU,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
    follow_ups: tuple[FollowUpSpec, ...] = (),
    documents: tuple[DocumentSpec, ...] = (),
) -> MilestoneSpec:
    """A KB/MoU; ``numbers`` are the registration numbers of both parties (own, partner), a
    demo number marked as such in the notes."""
    number_own, number_partner = numbers
    data = {
        "document_kind": document_kind,
        "number_own": number_own,
        "number_partner": number_partner,
        **_in_force(signed_on, years),
        "place": place,
        **_signatories(own, partner),
        "notes": _joined(notes, DEMO_NUMBERS if number_own or number_partner else None),
    }
    return MilestoneSpec("mou", data, tasks=tasks, follow_ups=follow_ups, documents=documents)


def pks(
    title: str,
    signed_on: date,
    agencies: tuple[str, ...],
    partner_agency: str,
    scope: str,
    *,
    own: Signatory,
    partner: Signatory,
    numbers: tuple[str | None, str | None] = (None, None),
    proxy: tuple[str, date] | None = None,
    years: int = 2,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
    follow_ups: tuple[FollowUpSpec, ...] = (),
) -> MilestoneSpec:
    """A PKS under the agreement's latest MoU/KB; ``proxy`` is the surat kuasa (number, day)
    when an OPD head signs on the head of region's behalf."""
    number_own, number_partner = numbers
    data = {
        "title": title,
        "is_direct": False,
        "partner_agency": partner_agency,
        "number_own": number_own,
        "number_partner": number_partner,
        **_in_force(signed_on, years),
        "scope": scope,
        **_signatories(own, partner),
        "signed_by_proxy": proxy is not None,
        "proxy_letter_number": proxy[0] if proxy else None,
        "proxy_letter_on": proxy[1] if proxy else None,
        "notes": _joined(notes, DEMO_NUMBERS if number_own or number_partner or proxy else None),
    }
    return MilestoneSpec(
        "pks", data, agencies=agencies, about="mou", tasks=tasks, follow_ups=follow_ups
    )


def report(about: str, sent_on: date, letter_number: str, notes: str | None = None):
    """The report of the agreement's latest KB (``about="mou"``) or PKS to the Gubernur (the
    services name the recipient from the government: "Gubernur Jawa Timur")."""
    data = {
        "sent_on": sent_on,
        "letter_number": letter_number,
        "recipient": None,
        "notes": _joined(notes, DEMO_STEP),
    }
    return MilestoneSpec("report", data, about=about)


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
    follow_ups: tuple[FollowUpSpec, ...] = (),
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
    return MilestoneSpec("transaction", data, about="pks", tasks=tasks, follow_ups=follow_ups)


def activity(
    held_on: date,
    name: str,
    place: str,
    participants: str,
    output: str,
    *,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
    follow_ups: tuple[FollowUpSpec, ...] = (),
) -> MilestoneSpec:
    """A realised non-trade activity under the agreement's latest KB."""
    data = {
        "held_on": held_on,
        "name": name,
        "place": place,
        "participants": participants,
        "output": output,
        "notes": notes,
    }
    return MilestoneSpec("activity", data, about="mou", tasks=tasks, follow_ups=follow_ups)


def task(agency: str, title: str, due_on: date, status: TaskStatus = OPEN, **kw) -> TaskSpec:
    return TaskSpec(agency, title, due_on, status, **kw)


def followed(key: str, status: TaskStatus, note: str, done_on: date | None = None):
    return FollowUpSpec(key, status, note, done_on)
