"""Playbooks: the standard follow-up tasks created when a milestone is recorded.

A government's templates are its own copies of the shipped defaults (``defaults.py``) plus
whatever its admins added; they are installed the first time they are needed. Running a
playbook for a milestone creates one task per active template of its trigger, due N working
days after the milestone (``workdays.services.add_working_days_for``), and never twice: a task
remembers its template and milestone, and ``task`` has a UNIQUE (template_id, milestone_kind,
milestone_id). Services flush, never commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Agency, Government, User
from kerjasama_flow.activity.services import log_action, log_changes, snapshot
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage, report_recipient
from kerjasama_flow.agreements.models import Agreement, Mou, Pks
from kerjasama_flow.db import check_version
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks.defaults import DEFAULT_TEMPLATES
from kerjasama_flow.playbooks.models import COMPLETION_LABELS, AssigneeKind, TaskTemplate, Trigger
from kerjasama_flow.tasks.follow_up import generated_due_on
from kerjasama_flow.tasks.holding import paused_fields
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.tasks.services import create_task
from kerjasama_flow.workdays.services import add_working_days_for

log = logging.getLogger(__name__)

TEMPLATE_FIELDS = (
    "trigger",
    "title",
    "description",
    "assignee_kind",
    "agency",
    "due_in_working_days",
    "completed_by",
    "is_active",
)
MAX_DUE_IN_WORKING_DAYS = 365

# The trigger of each milestone kind (a transaction or a realised activity only when it is
# the agreement's first realisation).
MILESTONE_TRIGGERS = {
    "offer": Trigger.OFFER,
    "visit": Trigger.VISIT,
    "tkksd": Trigger.TKKSD,
    "mou": Trigger.MOU,
    "pks": Trigger.PKS,
    "transaction": Trigger.TRANSACTION,
    "activity": Trigger.TRANSACTION,
}
REALISATIONS = ("transaction", "activity")
# The trigger run when a document of each kind nears its end date.
ENDING_TRIGGERS = {"mou": Trigger.MOU_ENDING, "pks": Trigger.PKS_ENDING}


@dataclass(frozen=True)
class SkippedTemplate:
    """A template whose task was not created, and why (shown to the admin)."""

    template: TaskTemplate
    reason: str

    @property
    def message(self) -> str:
        return f"Tugas \u201c{self.template.title}\u201d tidak dibuat: {self.reason}."


class PlaybookRun(list):
    """The tasks a playbook run created (a plain ``list[Task]``), plus ``skipped``: the
    templates that could not be turned into a task, with the reason."""

    def __init__(self, tasks=(), skipped=()):
        super().__init__(tasks)
        self.skipped: list[SkippedTemplate] = list(skipped)


# --- the government's templates ---------------------------------------------------------------


def _lock_government(government: Government) -> None:
    """Serialise installs of one government's defaults (PostgreSQL; SQLite has one writer)."""
    db.session.execute(
        select(Government.id).where(Government.id == government.id).with_for_update()
    )


def has_defaults(government: Government) -> bool:
    """Whether ``government`` has a copy of every shipped default (a default added in a later
    release is missing until installed; copies are switched off, never deleted)."""
    keys = [default.key for default in DEFAULT_TEMPLATES]
    have = db.session.scalar(
        select(func.count(TaskTemplate.id)).where(
            TaskTemplate.government_id == government.id, TaskTemplate.key.in_(keys)
        )
    )
    return have >= len(keys)


def install_defaults(government: Government, actor: User | None = None) -> list[TaskTemplate]:
    """Add the shipped default templates that ``government`` does not have yet (by key) and
    return them. Templates the admins changed or switched off are left as they are."""
    _lock_government(government)
    have = set(
        db.session.scalars(
            select(TaskTemplate.key).where(
                TaskTemplate.government_id == government.id, TaskTemplate.key.is_not(None)
            )
        )
    )
    added = []
    recipient = report_recipient(government.kind.value, government.province)
    for default in DEFAULT_TEMPLATES:
        if default.key in have:
            continue
        template = TaskTemplate(
            government_id=government.id,
            key=default.key,
            trigger=default.trigger,
            title=default.title.format(penerima_laporan=recipient),
            description=default.description,
            assignee_kind=default.assignee_kind,
            due_in_working_days=default.due_in_working_days,
            completed_by=default.completed_by,
            position=default.position,
            is_active=True,
        )
        db.session.add(template)
        added.append(template)
    if not added:
        return added
    db.session.flush()
    for template in added:
        log_action(
            actor,
            template,
            "created",
            after={"key": template.key, **snapshot(template, TEMPLATE_FIELDS)},
        )
    return added


def ensure_defaults(government: Government) -> None:
    """Install the defaults the government lacks (all of them the first time its templates
    are needed, a new release's later)."""
    if not has_defaults(government):
        install_defaults(government)


def templates_for(
    government: Government, trigger: Trigger, active_only: bool = True
) -> list[TaskTemplate]:
    """The government's templates of ``trigger``, in order (defaults installed on first use)."""
    ensure_defaults(government)
    stmt = select(TaskTemplate).where(
        TaskTemplate.government_id == government.id, TaskTemplate.trigger == trigger
    )
    if active_only:
        stmt = stmt.where(TaskTemplate.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(TaskTemplate.position, TaskTemplate.id)))


def all_templates(government: Government) -> dict[Trigger, list[TaskTemplate]]:
    """Every template of the government, grouped by trigger in the triggers' order."""
    ensure_defaults(government)
    rows = db.session.scalars(
        select(TaskTemplate)
        .where(TaskTemplate.government_id == government.id)
        .order_by(TaskTemplate.position, TaskTemplate.id)
    )
    grouped: dict[Trigger, list[TaskTemplate]] = {trigger: [] for trigger in Trigger}
    for template in rows:
        grouped[template.trigger].append(template)
    return grouped


def coordinator_agency(government: Government | int) -> Agency | None:
    """The government's Bagian Pemerintahan / Kerja Sama (``Agency.is_coordinator``)."""
    government_id = government if isinstance(government, int) else government.id
    return db.session.scalar(
        select(Agency)
        .where(Agency.government_id == government_id, Agency.is_coordinator.is_(True))
        .order_by(Agency.id)
        .limit(1)
    )


# --- editing templates ------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _validated(government: Government, data: dict[str, Any]) -> dict[str, Any]:
    title = _clean(data.get("title"))
    if not title:
        raise DomainError("Judul tugas wajib diisi.", "title")
    if len(title) > 300:
        raise DomainError("Judul tugas paling panjang 300 karakter.", "title")
    try:
        trigger = Trigger(data.get("trigger"))
    except ValueError as exc:
        raise DomainError("Pilih pemicu tugas.", "trigger") from exc
    try:
        assignee_kind = AssigneeKind(data.get("assignee_kind"))
    except ValueError as exc:
        raise DomainError("Pilih penerima tugas.", "assignee_kind") from exc
    agency = data.get("agency")
    if agency is not None and agency.government_id != government.id:
        raise DomainError("Perangkat daerah tidak dikenal.", "agency")
    if assignee_kind == AssigneeKind.AGENCY and agency is None:
        raise DomainError("Pilih OPD yang menerima tugas ini.", "agency")
    if assignee_kind != AssigneeKind.AGENCY:
        agency = None  # only a named-agency template keeps an agency
    days = data.get("due_in_working_days")
    if not isinstance(days, int) or not 0 <= days <= MAX_DUE_IN_WORKING_DAYS:
        raise DomainError(
            f"Tenggat diisi 0 sampai {MAX_DUE_IN_WORKING_DAYS} hari kerja.", "due_in_working_days"
        )
    completed_by = data.get("completed_by") or None
    if completed_by is not None and completed_by not in COMPLETION_LABELS:
        raise DomainError("Pilih langkah yang menyelesaikan tugas ini.", "completed_by")
    return {
        "trigger": trigger,
        "title": title,
        "description": _clean(data.get("description")),
        "assignee_kind": assignee_kind,
        "agency": agency,
        "due_in_working_days": days,
        "completed_by": completed_by,
        "is_active": bool(data.get("is_active")),
    }


def save_template(
    actor: User,
    government: Government,
    template: TaskTemplate | None,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> TaskTemplate:
    """Create (``template`` None) or update one of ``government``'s templates."""
    if template is not None:
        if template.government_id != government.id:
            raise DomainError("Templat tidak dikenal.")
        check_version(template, expected_version)
    values = _validated(government, data)
    creating = template is None
    if creating:
        ensure_defaults(government)  # a custom template first must not hide the defaults
        last = db.session.scalar(
            select(db.func.max(TaskTemplate.position)).where(
                TaskTemplate.government_id == government.id,
                TaskTemplate.trigger == values["trigger"],
            )
        )
        template = TaskTemplate(government_id=government.id, position=(last or 0) + 10)
        db.session.add(template)
    before = {} if creating else snapshot(template, TEMPLATE_FIELDS)
    for name, value in values.items():
        setattr(template, name, value)
    db.session.flush()
    log_changes(
        actor,
        template,
        "created" if creating else "updated",
        before,
        snapshot(template, TEMPLATE_FIELDS),
    )
    return template


# --- running a playbook -----------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """Where a template's task goes: its agency, or None and the reason it cannot be assigned;
    ``awaits_lead_agency`` when it is meant for the OPD pengampu and goes to Bagian
    Pemerintahan because the agreement has none yet (it moves once one is set)."""

    agency: Agency | None
    reason: str | None = None
    awaits_lead_agency: bool = False


def _assignee(
    template: TaskTemplate, agreement: Agreement, coordinator: Agency | None
) -> Assignment:
    lead = agreement.lead_agency
    if template.assignee_kind == AssigneeKind.COORDINATOR:
        if coordinator or lead:
            return Assignment(coordinator or lead)
        return Assignment(
            None,
            "belum ada OPD Bagian Pemerintahan (tandai di Pengaturan \u203a Perangkat Daerah) "
            "dan kerja sama ini belum memiliki OPD pengampu",
        )
    if template.assignee_kind == AssigneeKind.LEAD_AGENCY:
        if lead:
            return Assignment(lead)
        if coordinator:
            return Assignment(coordinator, awaits_lead_agency=True)
        return Assignment(
            None,
            "kerja sama ini belum memiliki OPD pengampu dan belum ada OPD Bagian Pemerintahan",
        )
    agency = template.agency
    if agency is None or agency.government_id != agreement.government_id:
        return Assignment(None, "OPD penerima pada pola tindak lanjut belum dipilih")
    return Assignment(agency)


def _existing_template_ids(milestone_kind: str, milestone_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Task.template_id).where(
                Task.milestone_kind == milestone_kind,
                Task.milestone_id == milestone_id,
                Task.template_id.is_not(None),
            )
        )
    )


def run_playbook(
    actor: User | None,
    agreement: Agreement,
    trigger: Trigger,
    milestone_kind: str,
    milestone_id: int,
    start_on: date,
    due_by: date | None = None,
) -> PlaybookRun:
    """Create the tasks of the government's active templates of ``trigger`` for one milestone.

    A milestone's task is due ``due_in_working_days`` working days after ``start_on`` (the
    step's date), or after today when that lies in the past (the step was recorded late:
    ``follow_up.generated_due_on``), and keeps following the step's date. A task of a
    document nearing its end (``due_by`` given) is counted from ``start_on`` (today) and due
    no later than ``due_by``. A template whose task for this milestone exists is skipped
    silently; one whose agency cannot be resolved is skipped and reported in ``skipped``.
    While the agreement is stalled (ditunda) its tasks are created paused (``holding``)."""
    government = agreement.government
    templates = templates_for(government, trigger)
    run = PlaybookRun()
    if not templates:
        return run
    done = _existing_template_ids(milestone_kind, milestone_id)
    coordinator = coordinator_agency(government)
    today = clock.today_in(government.timezone)
    for template in templates:
        if template.id in done:
            continue
        assignment = _assignee(template, agreement, coordinator)
        if assignment.agency is None:
            run.skipped.append(SkippedTemplate(template, assignment.reason))
            continue
        days = template.due_in_working_days
        if due_by is None:
            due_on = generated_due_on(government, start_on, days, today)
        else:
            due_on = add_working_days_for(government, start_on, days)
            if start_on <= due_by < due_on:
                due_on = due_by
        data = {
            "title": template.title,
            "description": template.description,
            "agency": assignment.agency,
            "due_on": due_on,
            "milestone_kind": milestone_kind,
            "milestone_id": milestone_id,
            "template_id": template.id,
            "completed_by": template.completed_by,
            "due_in_working_days": days if due_by is None else None,
            "awaits_lead_agency": assignment.awaits_lead_agency,
        }
        if agreement.stage == Stage.DITUNDA:  # paused with it until it is resumed
            data.update(paused_fields(today))
        try:
            # A concurrent run (two sweeps) may have created it since the check above: the
            # UNIQUE (template_id, milestone_kind, milestone_id) refuses the second one.
            # Its due date is the playbook's (never before today, see above): not a date
            # typed by hand, which ``create_task`` would refuse if it lay in the past.
            with db.session.begin_nested():
                task = create_task(actor, agreement, data, allow_past_due=True)
        except IntegrityError:
            log.info(
                "playbook task of template %s for %s %s exists",
                template.id,
                milestone_kind,
                milestone_id,
            )
            continue
        run.append(task)
    return run


def run_milestone_playbook(
    actor: User | None, agreement: Agreement, milestone: Any
) -> PlaybookRun | None:
    """The playbook of a milestone just recorded (``receivers.on_milestone_recorded``): a
    visit, MoU/KB and PKS always; a transaction or a realised activity only when it is the
    agreement's first realisation. None when no playbook runs."""
    kind = milestone.kind
    if kind not in MILESTONE_TRIGGERS:  # the other steps of the administrative path
        return None
    if kind in REALISATIONS and any(
        other is not milestone for other in [*agreement.transactions, *agreement.activities]
    ):
        return None
    return run_playbook(
        actor,
        agreement,
        MILESTONE_TRIGGERS[kind],
        kind,
        milestone.id,
        start_on=milestone.occurred_on,
    )


def _extended(document: Mou | Pks) -> bool:
    """A later document of the same kind in the agreement outlives this one (an extension)."""
    model = type(document)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    model.agreement_id == document.agreement_id,
                    model.id != document.id,
                    model.signed_on >= document.signed_on,
                    (model.ends_on.is_(None)) | (model.ends_on > document.ends_on),
                )
            )
        )
    )


def ending_playbook_days(government: Government) -> int:
    """The lead time of the "nearing its end" playbook (Pengaturan → Pengingat); an invalid
    stored value falls back to the default, as for every government setting."""
    return government_settings.get(government, "ending_playbook_days")


def run_ending_playbooks(government: Government, today: date) -> list[Task]:
    """For the daily sweep: run the "nearing its end" playbook once for every MoU/KB and PKS
    of ``government`` that ends within the lead time (``government.settings
    ["ending_playbook_days"]``, default 180 days) from ``today`` (the government's local
    date). The tasks start ``today`` and are due no later than the document's end date.
    Idempotent: a document's tasks are created once, however often the sweep runs."""
    horizon = today + timedelta(days=ending_playbook_days(government))
    created: list[Task] = []
    for kind, model in (("mou", Mou), ("pks", Pks)):
        documents = db.session.scalars(
            select(model)
            .join(Agreement, Agreement.id == model.agreement_id)
            .where(
                Agreement.government_id == government.id,
                Agreement.stage.not_in(CLOSED),
                model.ends_on.is_not(None),
                model.ends_on >= today,
                model.ends_on <= horizon,
            )
            .order_by(model.ends_on, model.id)
        ).all()
        for document in documents:
            if _extended(document):
                continue
            run = run_playbook(
                None,
                document.agreement,
                ENDING_TRIGGERS[kind],
                kind,
                document.id,
                start_on=today,
                due_by=document.ends_on,
            )
            for skipped in run.skipped:
                log.warning(
                    "%s (government %s, %s %s)", skipped.message, government.id, kind, document.id
                )
            created.extend(run)
    return created
