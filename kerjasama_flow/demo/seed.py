"""Loading the demo data (``data``) through the domain services.

Everything declared in ``GOVERNMENTS`` is applied by one loop in ``seed_demo`` through the
domain services, so that the lifecycle rules and the activity log apply exactly as when an
officer types it in.

Running it again changes nothing: governments are found by region code, agencies by code,
users by email and agreements by ``external_ref``; an agreement that exists is skipped whole
(its milestones and tasks included). ``seed_demo`` flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kerjasama_flow.accounts.models import ROLE_LABELS, Agency, Government, Role, User
from kerjasama_flow.accounts.services import (
    AGENCY_FIELDS,
    agency_by_code,
    create_government,
    government_by_code,
    save_agency,
    save_user,
    user_by_email,
)
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.agreements.services import (
    create_agreement,
    find_or_create_partner,
    record_milestone,
)
from kerjasama_flow.demo.data import DEMO_PASSWORD, DEMO_TIMEZONE, GOVERNMENTS, PROVINCE
from kerjasama_flow.demo.specs import (
    DONE,
    OPEN,
    AgencySpec,
    AgreementSpec,
    GovernmentSpec,
    TaskSpec,
    UserSpec,
)
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.tasks.services import create_task, set_task_status


@dataclass
class SeedSummary:
    """What the demo data holds after seeding, and what this run created."""

    governments: int = 0
    agencies: int = 0
    users: int = 0
    agreements: int = 0
    tasks: int = 0
    new: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        """How many governments, agencies, users, agreements and tasks this run created."""
        return sum(self.new.values())

    def count_new(self, what: str, number: int = 1) -> None:
        self.new[what] = self.new.get(what, 0) + number

    def describe(self) -> str:
        totals = _counts(
            {
                "governments": self.governments,
                "agencies": self.agencies,
                "users": self.users,
                "agreements": self.agreements,
                "tasks": self.tasks,
            }
        )
        if not self.created:
            return f"Data demo: {totals} (baru dibuat: 0; data demo sudah lengkap, tidak diubah)"
        return f"Data demo: {totals} (baru dibuat: {_counts(self.new)})"


_NOUNS = {
    "governments": "Pemda",
    "agencies": "OPD",
    "users": "akun",
    "agreements": "kerja sama",
    "tasks": "tugas",
}


def _counts(numbers: dict[str, int]) -> str:
    return ", ".join(f"{numbers[key]} {noun}" for key, noun in _NOUNS.items() if key in numbers)


def seed_demo() -> SeedSummary:
    """Build the demo data that is missing; flush, never commit (the caller commits)."""
    summary = SeedSummary()
    account_rows: list[tuple[str, str, str]] = []
    for spec in GOVERNMENTS:
        government = _ensure_government(spec, summary)
        agencies = {a.code: _ensure_agency(government, a, summary) for a in spec.agencies}
        users = [_ensure_user(government, agencies, u, summary) for u in spec.users]
        admin = _actor(government, spec)
        heads = {
            u.agency.code: u
            for u in users
            if u.role == Role.OPD and u.agency is not None and u.government_id == government.id
        }
        for agreement_spec in spec.agreements:
            agreement = _find_agreement(government, agreement_spec.ref)
            if agreement is None:
                agreement = _build_agreement(admin, agencies, heads, agreement_spec)
                summary.count_new("agreements")
                summary.count_new("tasks", _task_count(agreement))
            summary.agreements += 1
            summary.tasks += _task_count(agreement)
        for user_spec in spec.users:
            role = ROLE_LABELS[user_spec.role]
            if user_spec.role == Role.OPD:
                role = f"{role} {user_spec.agency}"
            elif user_spec.office:
                role = f"{role} ({user_spec.office})"
            account_rows.append((user_spec.email, role, government.name))
    width = max(len(email) for email, _, _ in account_rows)
    summary.accounts = [
        f"{email:<{width}}  · {role} · {name}" for email, role, name in account_rows
    ]
    return summary


def _ensure_government(spec: GovernmentSpec, summary: SeedSummary) -> Government:
    government = government_by_code(spec.region_code)
    if government is None:
        government = create_government(
            spec.region_code, spec.name, DEMO_TIMEZONE, province=PROVINCE
        )
        summary.count_new("governments")
    summary.governments += 1
    return government


def _ensure_agency(government: Government, spec: AgencySpec, summary: SeedSummary) -> Agency:
    agency = agency_by_code(government, spec.code)
    if agency is None:
        agency = save_agency(None, government, None, _agency_data(spec))
        summary.count_new("agencies")
    elif spec.is_coordinator and not _has_coordinator(government):
        # Demo data seeded before agencies could be marked: mark it, unless an admin chose.
        save_agency(None, government, agency, _agency_data(agency, is_coordinator=True))
    summary.agencies += 1
    return agency


def _agency_data(source: AgencySpec | Agency, **changes: Any) -> dict[str, Any]:
    """What ``save_agency`` takes, from a declaration or from the agency as it is (a field the
    source lacks, such as a declaration's email, is empty)."""
    return {name: getattr(source, name, None) for name in AGENCY_FIELDS} | changes


def _has_coordinator(government: Government) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Agency.id)).where(
                Agency.government_id == government.id, Agency.is_coordinator.is_(True)
            )
        )
    )


def _ensure_user(
    government: Government, agencies: dict[str, Agency], spec: UserSpec, summary: SeedSummary
) -> User:
    user = user_by_email(spec.email)
    if user is None:
        data = {
            "email": spec.email,
            "name": spec.name,
            "role": spec.role,
            "agency": agencies[spec.agency] if spec.agency else None,
            "password": DEMO_PASSWORD,
            "is_active": True,
        }
        user = save_user(None, government, None, data)
        summary.count_new("users")
    summary.users += 1
    return user


def _actor(government: Government, spec: GovernmentSpec) -> User:
    """The government's demo admin, in whose name the agreements and tasks are recorded."""
    email = next(u.email for u in spec.users if u.role == Role.ADMIN)
    admin = user_by_email(email)
    if admin is None or admin.government_id != government.id or admin.role != Role.ADMIN:
        raise DomainError(
            f"Akun demo {email} sudah dipakai untuk keperluan lain; data demo "
            f"{government.name} tidak dapat dibuat."
        )
    return admin


def _task_count(agreement: Agreement) -> int:
    return db.session.scalar(select(func.count(Task.id)).where(Task.agreement_id == agreement.id))


def _find_agreement(government: Government, ref: str) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).where(
            Agreement.government_id == government.id, Agreement.external_ref == ref
        )
    )


def _build_agreement(
    admin: User,
    agencies: dict[str, Agency],
    heads: dict[str, User],
    spec: AgreementSpec,
) -> Agreement:
    partners = [
        find_or_create_partner(admin, p.name, p.kind, p.region_code, p.province)
        for p in spec.partners
    ]
    agreement = create_agreement(
        admin,
        {
            "title": spec.title,
            "kind": spec.kind,
            "partners": partners,
            "lead_agency": agencies[spec.lead],
            "sectors": list(spec.sectors),
            "commodities": spec.commodities,
            "origin_event": spec.origin_event,
            "description": spec.description,
            "external_ref": spec.ref,
        },
    )
    latest: dict[str, Any] = {}
    for milestone_spec in spec.milestones:
        data = dict(milestone_spec.data)
        if milestone_spec.kind == "pks":
            data["mou"] = latest["mou"]
            data["agencies"] = [agencies[code] for code in milestone_spec.agencies]
        elif milestone_spec.kind == "transaction":
            data["pks"] = latest["pks"]
        milestone = record_milestone(
            admin, agreement, milestone_spec.kind, data, follow_up=False
        ).value
        latest[milestone_spec.kind] = milestone
        for task_spec in milestone_spec.tasks:
            _build_task(admin, agreement, milestone, agencies, heads, task_spec)
    return agreement


def _build_task(
    admin: User,
    agreement: Agreement,
    milestone: Any,
    agencies: dict[str, Agency],
    heads: dict[str, User],
    spec: TaskSpec,
) -> Task:
    head = heads.get(spec.agency)
    new_task = create_task(
        admin,
        agreement,
        {
            "title": spec.title,
            "description": spec.description,
            "agency": agencies[spec.agency],
            "assignee": head,
            "due_on": spec.due_on,
            "milestone_kind": milestone.kind,
            "milestone_id": milestone.id,
        },
        allow_past_due=True,  # the demo's story: deadlines set back then, many passed since
    )
    if spec.status != OPEN:
        # The agency's head reports progress on their own task where the demo has one.
        set_task_status(head or admin, new_task, spec.status, spec.note, None)
    if spec.status == DONE and spec.done_on:
        # Finished when the story says, not when the demo was loaded.
        finished = datetime.combine(spec.done_on, time(15, 0), ZoneInfo(DEMO_TIMEZONE))
        new_task.done_at = finished
        db.session.flush()
    return new_task
