"""Loading the demo data (``data``) through the domain services.

Everything declared in ``GOVERNMENTS`` is applied by one loop in ``seed_demo`` through the
domain services, so that the lifecycle rules, the playbooks and the activity log apply exactly
as when an officer types it in: each step is recorded with its follow-up (its playbook creates
the tasks, and the tasks it completes close), with the clock pinned to the day the step was
recorded, so that the tasks are due counted from that day as they were then. The tasks'
progress is then reported in the order of its days, by the agency's head where the demo has
one.

Running it again changes nothing: governments are found by region code, agencies by code,
users by email and agreements by ``external_ref``; an agreement that exists is skipped whole
(its milestones and tasks included). ``seed_demo`` flushes; the caller commits.

Demo data never mixes with real data: ``seed_demo`` refuses (``DemoRefused``) a database that
holds a government the demo did not create (``Government.is_demo``) or a user it does not
declare, unless told to fill it all the same. The demo accounts' password is made once per
installation (``demo_password``), never a constant: a known password must not open a Pemda.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

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
from kerjasama_flow.agreements.lifecycle import EVENT_DAYS, OTHER_DAYS
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.agreements.services import (
    create_agreement,
    find_or_create_partner,
    record_milestone,
)
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.demo.data import DEMO_TIMEZONE, GOVERNMENTS, PROVINCE
from kerjasama_flow.demo.placeholder import placeholder_pdf
from kerjasama_flow.demo.specs import (
    OPEN,
    AgencySpec,
    AgreementSpec,
    DocumentSpec,
    GovernmentSpec,
    MilestoneSpec,
    TaskSpec,
    UserSpec,
)
from kerjasama_flow.documents.services import Attachment, upload_document
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks.models import TaskTemplate
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.tasks.services import create_task, set_task_status

# The hours of the demo's pinned clock: steps are recorded in the morning of their day, the
# tasks' progress reported in the afternoon.
STEP_HOUR = time(10, 0)
PROGRESS_HOUR = time(15, 0)


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


PASSWORD_FILE = "demo_password"


def demo_password(instance_path: str | Path) -> str:
    """The demo accounts' password of this installation: made at random the first time and
    kept in the instance folder (readable by its owner only), so that every demo has its own."""
    path = Path(instance_path) / PASSWORD_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


class DemoRefused(DomainError):
    """The database holds real data; the demo is not loaded into it."""


def foreign_data() -> list[str]:
    """What the database holds that the demo did not create: governments not marked as the
    demo's, and users of the demo's governments that it does not declare."""
    demo_emails = {user.email for spec in GOVERNMENTS for user in spec.users}
    found = [
        f"Pemda {name} ({code})"
        for name, code in db.session.execute(
            select(Government.name, Government.region_code)
            .where(Government.is_demo.is_(False))
            .order_by(Government.region_code)
        )
    ]
    found += [
        f"pengguna {email}"
        for (email,) in db.session.execute(
            select(User.email)
            .join(Government, User.government_id == Government.id)
            .where(Government.is_demo.is_(True), User.email.not_in(demo_emails))
            .order_by(User.email)
        )
    ]
    return found


def seed_demo(password: str, *, into_existing: bool = False) -> SeedSummary:
    """Build the demo data that is missing, its accounts with ``password``; flush, never
    commit (the caller commits). Refused (``DemoRefused``) when the database holds data the
    demo did not create, unless ``into_existing``: then the demo is added to it as well."""
    foreign = foreign_data()
    if foreign and not into_existing:
        shown = ", ".join(foreign[:5]) + (
            f" dan {len(foreign) - 5} lainnya" if len(foreign) > 5 else ""
        )
        raise DemoRefused(
            f"Basis data ini berisi data yang bukan data demo ({shown}). Data demo tidak "
            "dimuat agar akun demo tidak masuk ke Pemda sungguhan. Gunakan basis data lain, "
            "atau tambahkan --force-demo-into-existing bila memang disengaja."
        )
    summary = SeedSummary()
    account_rows: list[tuple[str, str, str]] = []
    for spec in GOVERNMENTS:
        government = _ensure_government(spec, summary)
        agencies = {a.code: _ensure_agency(government, a, summary) for a in spec.agencies}
        users = [_ensure_user(government, agencies, u, password, summary) for u in spec.users]
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
            spec.region_code, spec.name, DEMO_TIMEZONE, kind=spec.kind, province=PROVINCE
        )
        government.is_demo = True
        summary.count_new("governments")
    elif government.province is None:
        # Registered by hand without its province: its reports go to "Gubernur Jawa Timur".
        government.province = PROVINCE
        db.session.flush()
    summary.governments += 1
    return government


def _ensure_agency(government: Government, spec: AgencySpec, summary: SeedSummary) -> Agency:
    agency = agency_by_code(government, spec.code)
    if agency is None:
        agency = save_agency(None, government, None, _agency_data(spec))
        summary.count_new("agencies")
    elif spec.is_coordinator and not _has_coordinator(government):
        # Demo data seeded before agencies could be marked: mark it, unless an admin chose.
        data = _agency_data(agency, is_coordinator=True)
        save_agency(None, government, agency, data, SYSTEM_CHANGE)
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
    government: Government,
    agencies: dict[str, Agency],
    spec: UserSpec,
    password: str,
    summary: SeedSummary,
) -> User:
    user = user_by_email(spec.email)
    if user is None:
        data = {
            "email": spec.email,
            "name": spec.name,
            "role": spec.role,
            "agency": agencies[spec.agency] if spec.agency else None,
            "password": password,
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


@contextmanager
def _clock_at(day: date, hour: time) -> Iterator[None]:
    """Pin the app's clock (``clock.now``) to ``hour`` of ``day`` in the demo's zone, and
    give back what it was."""
    config = current_app.config
    had, saved = "KERJASAMA_NOW" in config, config.get("KERJASAMA_NOW")
    config["KERJASAMA_NOW"] = datetime.combine(day, hour, ZoneInfo(DEMO_TIMEZONE))
    try:
        yield
    finally:
        if had:
            config["KERJASAMA_NOW"] = saved
        else:
            config.pop("KERJASAMA_NOW", None)


def _recorded_on(spec: MilestoneSpec) -> date:
    """The day a step is recorded: its own day, or its latest one (the reply to an offer, the
    last initial of a legal review) when it is recorded whole."""
    names = [EVENT_DAYS[spec.kind][0], *(name for name, _ in OTHER_DAYS.get(spec.kind, ()))]
    return max(spec.data[name] for name in names if spec.data.get(name) is not None)


@dataclass
class _Progress:
    """A status a task reaches on a day of the story."""

    on: date
    task: Task
    status: TaskStatus
    note: str | None


class _Timeline:
    """The tasks' progress, reported in the order of its days between the steps."""

    def __init__(self, admin: User, heads: dict[str, User]):
        self.admin, self.heads = admin, heads
        self.pending: list[_Progress] = []

    def add(self, on: date, task: Task, status: TaskStatus, note: str | None) -> None:
        if status != OPEN:
            self.pending.append(_Progress(on, task, status, note))

    def report_until(self, day: date | None = None) -> None:
        """Report the progress dated before ``day`` (all of it when None), oldest first."""
        due, later = [], []
        for progress in self.pending:
            (due if day is None or progress.on < day else later).append(progress)
        self.pending = later
        for progress in sorted(due, key=lambda p: p.on):
            task = progress.task
            if not task.status.is_open:
                raise DomainError(f"Data demo keliru: tugas “{task.title}” sudah ditutup.")
            with _clock_at(progress.on, PROGRESS_HOUR):
                # The agency's head reports progress on their own task where the demo has one.
                actor = self.heads.get(task.agency.code, self.admin)
                set_task_status(actor, task, progress.status, progress.note, SYSTEM_CHANGE)


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
    timeline = _Timeline(admin, heads)
    for step in spec.milestones:
        day = _recorded_on(step)
        timeline.report_until(day)
        with _clock_at(day, STEP_HOUR):
            outcome = record_milestone(
                admin, agreement, step.kind, _step_data(step, latest, agencies)
            )
            if outcome.warnings:
                raise DomainError(f"Data demo {spec.ref}: {' '.join(outcome.warnings)}")
            milestone = outcome.value
            latest[step.kind] = milestone
            for task_spec in step.tasks:
                new_task = _build_task(admin, agreement, milestone, agencies, heads, task_spec)
                timeline.add(task_spec.done_on or day, new_task, task_spec.status, task_spec.note)
            for document in step.documents:
                _attach(admin, agreement, milestone, document)
        generated = _by_template_key(outcome.tasks)
        for follow_up in step.follow_ups:
            if follow_up.key not in generated:
                raise DomainError(
                    f"Data demo {spec.ref}: langkah {step.kind} tidak membuat tugas "
                    f"{follow_up.key}."
                )
            timeline.add(
                follow_up.done_on or day, generated[follow_up.key], follow_up.status, follow_up.note
            )
    timeline.report_until()
    return agreement


def _step_data(
    step: MilestoneSpec, latest: dict[str, Any], agencies: dict[str, Agency]
) -> dict[str, Any]:
    """The step's fields as the services take them: the KB or PKS it is about or under, its
    agencies as records."""
    data = dict(step.data)
    if step.about is not None:
        data[step.about] = latest[step.about]
    if step.kind == "pks":
        data["agencies"] = [agencies[code] for code in step.agencies]
    if step.kind == "offer" and step.agencies:
        data["proposing_agency"] = agencies[step.agencies[0]]
    return data


def _by_template_key(tasks: list[Task]) -> dict[str, Task]:
    """The tasks a playbook created, by the key of their template (``playbooks.defaults``)."""
    ids = [t.template_id for t in tasks if t.template_id is not None]
    rows = db.session.execute(
        select(TaskTemplate.id, TaskTemplate.key).where(TaskTemplate.id.in_(ids))
    ).all()
    keys = {template_id: key for template_id, key in rows}
    return {keys[t.template_id]: t for t in tasks if keys.get(t.template_id)}


def _attach(admin: User, agreement: Agreement, milestone: Any, spec: DocumentSpec) -> None:
    """A placeholder PDF, visibly marked as demo data, uploaded as an officer would."""
    upload = FileStorage(
        stream=io.BytesIO(placeholder_pdf(spec.title, spec.lines)), filename=spec.file_name
    )
    upload_document(
        admin,
        agreement,
        upload,
        {"kind": spec.kind, "title": spec.title},
        Attachment(milestone_kind=milestone.kind, milestone_id=milestone.id),
    )


def _build_task(
    admin: User,
    agreement: Agreement,
    milestone: Any,
    agencies: dict[str, Agency],
    heads: dict[str, User],
    spec: TaskSpec,
) -> Task:
    """A task the report implies beyond the playbook's, created with its step."""
    return create_task(
        admin,
        agreement,
        {
            "title": spec.title,
            "description": spec.description,
            "agency": agencies[spec.agency],
            "assignee": heads.get(spec.agency),
            "due_on": spec.due_on,
            "milestone_kind": milestone.kind,
            "milestone_id": milestone.id,
        },
        allow_past_due=True,  # the demo's story: deadlines set back then, many passed since
    )
