"""State changes of follow-up tasks. Services flush; the caller commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.activity.services import log_action, log_changes, snapshot
from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.db import check_version
from kerjasama_flow.errors import DomainError, refuse_any
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Closure, Task, TaskStatus

TASK_FIELDS = ("title", "description", "agency", "assignee", "due_on", "status", "note")


def may_hold(user: User, agency: Agency) -> bool:
    """Whether ``user`` may be named responsible for a task of ``agency``: an OPD head only
    for their own agency; Bagian Pemerintahan (admins) for any task."""
    return not (user.role == Role.OPD and user.agency_id != agency.id)


PAST_DUE = "Tenggat tidak boleh sebelum hari ini."


def task_checks(
    government_id: int,
    data: dict[str, Any],
    today: date,
    *,
    due_on_before: date | None = None,
    allow_past_due: bool = False,
) -> dict[str, str]:
    """Every rule a task's data breaks, field -> message. A deadline before ``today`` (the
    government's today) is refused unless it is the one the task already had
    (``due_on_before``: an old task keeps saving) or the caller records history
    (``allow_past_due``: the demo data). Pure: the task form shows these in one round, the
    services refuse them."""
    errors: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = "Judul tugas wajib diisi."
    agency = data.get("agency")
    if agency is None:
        errors["agency"] = "Pilih perangkat daerah (OPD) yang menindaklanjuti."
    elif agency.government_id != government_id:
        errors["agency"] = "Perangkat daerah tidak dikenal."
    due_on = data.get("due_on")
    if due_on is None:
        errors["due_on"] = "Tanggal tenggat wajib diisi."
    elif due_on < today and due_on != due_on_before and not allow_past_due:
        errors["due_on"] = PAST_DUE
    assignee = data.get("assignee")
    if assignee is not None and (
        assignee.government_id != government_id
        or (agency is not None and not may_hold(assignee, agency))
    ):
        errors["assignee"] = "Penanggung jawab harus pengguna dari OPD yang dipilih."
    return errors


def _today(agreement: Agreement) -> date:
    return clock.today_in(agreement.government.timezone)


def create_task(
    actor: User, agreement: Agreement, data: dict[str, Any], *, allow_past_due: bool = False
) -> Task:
    """A task of ``agreement``. Its deadline may not lie before today, unless
    ``allow_past_due``: generated tasks (their playbook decides their dates) and the demo's
    story."""
    lifecycle.check_open(agreement.stage)
    refuse_any(
        task_checks(agreement.government_id, data, _today(agreement), allow_past_due=allow_past_due)
    )
    task = Task(
        government_id=agreement.government_id,
        agreement=agreement,
        agency=data["agency"],
        assignee=data.get("assignee"),
        title=data["title"].strip(),
        description=(data.get("description") or "").strip() or None,
        due_on=data["due_on"],
        status=TaskStatus.OPEN,
        milestone_kind=data.get("milestone_kind"),
        milestone_id=data.get("milestone_id"),
        template_id=data.get("template_id"),
        completed_by=data.get("completed_by"),
        due_in_working_days=data.get("due_in_working_days"),
        awaits_lead_agency=bool(data.get("awaits_lead_agency")),
        created_by=actor,
        created_at=clock.now(),  # the app's "now" (pinned in tests and demos), as due dates use
    )
    # Created already paused with its stalled agreement (``holding.paused_fields``).
    for name in ("status", "held_status", "held_on", "closure", "note"):
        if data.get(name) is not None:
            setattr(task, name, data[name])
    db.session.add(task)
    db.session.flush()
    log_action(actor, task, "created", after=snapshot(task, TASK_FIELDS))
    return task


def update_task(
    actor: User, task: Task, data: dict[str, Any], expected_version: int | None
) -> Task:
    """Admin edit of a task's title, agency, assignee, due date and description. A deadline
    that already passed may stay as it is; a new one may not lie before today."""
    check_version(task, expected_version)
    agreement = task.agreement
    refuse_any(
        task_checks(agreement.government_id, data, _today(agreement), due_on_before=task.due_on)
    )
    before = snapshot(task, TASK_FIELDS)
    if task.due_on != data["due_on"]:
        task.due_in_working_days = None  # set by hand: it no longer follows its step
    if task.agency != data["agency"]:
        task.awaits_lead_agency = False  # given to an OPD by hand
    task.title = data["title"].strip()
    task.description = (data.get("description") or "").strip() or None
    task.agency = data["agency"]
    task.assignee = data.get("assignee")
    task.due_on = data["due_on"]
    db.session.flush()
    _log_change(actor, task, before, "updated")
    return task


def set_task_status(
    actor: User,
    task: Task,
    status: TaskStatus,
    note: str | None,
    expected_version: int | None,
) -> Task:
    """What an OPD head does with their agency's task: start it, finish it with a note.

    A task paused with its stalled agreement waits for the agreement: only an admin may
    change it (e.g. cancel it), and nobody pauses a task by hand. A task an admin takes out
    of a pause or of an automatic cancellation is the admin's from then on: resuming or
    reopening the agreement no longer touches it."""
    check_version(task, expected_version)
    if task.status == TaskStatus.PAUSED and actor.role != Role.ADMIN:
        raise DomainError("Tugas ini ditunda bersama kerja samanya.", "status")
    if task.status == TaskStatus.CANCELLED and actor.role != Role.ADMIN:
        raise DomainError(
            "Tugas ini dibatalkan; hanya Bagian Pemerintahan yang dapat membukanya kembali.",
            "status",
        )
    if status == TaskStatus.PAUSED and task.status != TaskStatus.PAUSED:
        raise DomainError(
            "Tugas hanya ditunda bersama kerja samanya (tahap Ditunda), tidak satu per satu.",
            "status",
        )
    note = (note or "").strip() or None
    if status == TaskStatus.DONE and not note:
        raise DomainError("Tuliskan catatan penyelesaian: apa yang sudah dikerjakan.", "note")
    if status == TaskStatus.CANCELLED and actor.role != Role.ADMIN:
        raise DomainError("Hanya Bagian Pemerintahan yang dapat membatalkan tugas.", "status")
    before = snapshot(task, TASK_FIELDS)
    if status != task.status and task.closure == Closure.AGREEMENT:
        task.closure = None
        task.held_status = None
        task.held_on = None
    task.status = status
    task.note = note
    task.done_at = clock.now() if status == TaskStatus.DONE else None
    db.session.flush()
    _log_change(actor, task, before, "status_changed")
    return task


def change_task(
    actor: User,
    task: Task,
    data: dict[str, Any] | None,
    status: TaskStatus | None,
    note: str | None,
    expected_version: int | None,
) -> Task:
    """One change of a task against the version its author read: its data (``update_task``,
    Bagian Pemerintahan), its status and note (``set_task_status``), or both at once. Either
    part is skipped when None."""
    check_version(task, expected_version)
    if data is not None:
        update_task(actor, task, data, expected_version)
    if status is not None:
        set_task_status(actor, task, status, note, task.version)
    return task


def _log_change(actor: User, task: Task, before: dict, action: str) -> None:
    log_changes(actor, task, action, before, snapshot(task, TASK_FIELDS))
