"""State changes of follow-up tasks. Services flush; the caller commits."""

from __future__ import annotations

from typing import Any

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.activity.services import log_action, log_changes, snapshot
from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.db import check_version
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Closure, Task, TaskStatus

TASK_FIELDS = ("title", "description", "agency", "assignee", "due_on", "status", "note")


def _validate(agreement: Agreement, data: dict[str, Any]) -> None:
    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError("Judul tugas wajib diisi.", "title")
    agency = data.get("agency")
    if agency is None:
        raise DomainError("Pilih perangkat daerah (OPD) yang menindaklanjuti.", "agency")
    if agency.government_id != agreement.government_id:
        raise DomainError("Perangkat daerah tidak dikenal.", "agency")
    if data.get("due_on") is None:
        raise DomainError("Tanggal tenggat wajib diisi.", "due_on")
    assignee = data.get("assignee")
    if assignee is not None and (
        assignee.government_id != agreement.government_id
        or (assignee.role == Role.OPD and assignee.agency_id != agency.id)
    ):
        raise DomainError("Penanggung jawab harus pengguna dari OPD yang dipilih.", "assignee")


def create_task(actor: User, agreement: Agreement, data: dict[str, Any]) -> Task:
    lifecycle.check_open(agreement.stage)
    _validate(agreement, data)
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
    """Admin edit of a task's title, agency, assignee, due date and description."""
    check_version(task, expected_version)
    _validate(task.agreement, data)
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


def _log_change(actor: User, task: Task, before: dict, action: str) -> None:
    log_changes(actor, task, action, before, snapshot(task, TASK_FIELDS))
