"""Follow-up tasks on the web: "Tugas Saya" for OPD heads, the government's task list for
admins and leadership, a task's detail page with its status form, and the admin's task form.

Roles per endpoint are enforced by ``permissions.ENDPOINT_ROLES`` before these run; the views
load the record through ``tenancy`` (another government's task is a 404) and check the
record-level ``can_*`` rules (403).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.lifecycle import CLOSED
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.documents import services as documents
from kerjasama_flow.documents.forms import TaskDocumentForm
from kerjasama_flow.documents.models import DocumentKind
from kerjasama_flow.documents.queries import task_documents
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.links import external_url
from kerjasama_flow.permissions import (
    can_attach_document,
    can_edit_task,
    can_read_task,
    can_update_task_status,
)
from kerjasama_flow.tasks import queries, services
from kerjasama_flow.tasks.forms import StatusForm, TaskFilterForm, TaskForm
from kerjasama_flow.tasks.messaging import whatsapp_url
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import is_safe_next, paginate, run_service

bp = Blueprint("tasks", __name__)


def _today():
    return clock.today_in(current_user.government.timezone)


def _safe_next(*candidates: str | None) -> str | None:
    return next((target for target in candidates if is_safe_next(target)), None)


@bp.route("/tasks")
def index():
    today = _today()
    if current_user.role == Role.OPD:
        # Three views: open tasks (the default), the tasks paused with their stalled
        # agreement (not open, so not in the default view, but never out of sight: the
        # default view says how many there are), and every task.
        show_done = request.args.get("selesai") == "1"
        show_paused = not show_done and request.args.get("ditunda") == "1"
        if show_paused:
            filters = queries.TaskFilters(status=TaskStatus.PAUSED.value)
        else:
            filters = queries.TaskFilters(include_closed=show_done)
        pagination = paginate(queries.task_list(current_user, filters, today))
        return render_template(
            "tasks/my_tasks.html",
            pagination=pagination,
            show_done=show_done,
            show_paused=show_paused,
            paused_count=queries.count_paused(current_user),
            overdue_count=queries.count_overdue(current_user, today),
            today=today,
        )

    form = TaskFilterForm(request.args)
    form.fill_choices(current_user)
    filters = form.filters()
    pagination = paginate(queries.task_list(current_user, filters, today))
    return render_template(
        "tasks/index.html",
        form=form,
        filters=filters,
        pagination=pagination,
        # With nothing to show, tell "no task yet" apart from "none matches the filters".
        has_any_task=pagination.total > 0 or queries.count_tasks(current_user) > 0,
        today=today,
    )


@bp.route("/agreements/<int:agreement_id>/tasks/new", methods=["GET", "POST"])
def new(agreement_id: int):
    agreement = get_owned_or_404(Agreement, agreement_id)
    form = TaskForm(today=_today())
    if request.method == "GET":
        form.agency.data = agreement.lead_agency
    if form.validate_on_submit():
        task = run_service(form, services.create_task, current_user, agreement, form_values(form))
        if task:
            flash(
                f"Tugas \u201c{task.title}\u201d ditambahkan untuk {task.agency.code}.", "success"
            )
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template(
        "tasks/form.html",
        form=form,
        agreement=agreement,
        task=None,
        is_closed=agreement.stage in CLOSED,
        cancel_url=url_for("agreements.detail", agreement_id=agreement.id),
    )


def _load_task(task_id: int) -> Task:
    task = get_owned_or_404(Task, task_id)
    if not can_read_task(current_user, task):
        abort(403)
    return task


def _render_detail(task: Task, status_form: StatusForm | None):
    today = _today()
    return render_template(
        "tasks/detail.html",
        task=task,
        status_form=status_form,
        can_edit=can_edit_task(current_user, task),
        history=queries.task_history(task),
        back_url=_safe_next(request.args.get("next"), status_form and status_form.next.data)
        or url_for("tasks.index"),
        today=today,
        whatsapp_url=whatsapp_url(task, external_url("tasks.detail", task_id=task.id)),
        document_rows=task_documents(current_user, task),
        document_form=TaskDocumentForm(formdata=None)
        if can_attach_document(current_user, task.agreement, task)
        else None,
    )


def _status_form(task: Task, **kwargs) -> StatusForm | None:
    """The status form for users who may update this task; ``None`` for everyone else."""
    if not can_update_task_status(current_user, task):
        return None
    is_admin = current_user.role == Role.ADMIN
    if not is_admin and task.status in (TaskStatus.CANCELLED, TaskStatus.PAUSED):
        return None  # reopened by the admin, or with its agreement; not by the agency
    form = StatusForm(obj=task, **kwargs)
    form.offer_statuses(with_cancel=is_admin, is_paused=task.status == TaskStatus.PAUSED)
    return form


@bp.route("/tasks/<int:task_id>")
def detail(task_id: int):
    task = _load_task(task_id)
    form = _status_form(task)
    if form is not None:
        form.next.data = _safe_next(request.args.get("next"))
    return _render_detail(task, form)


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
def status(task_id: int):
    task = get_owned_or_404(Task, task_id)
    if not can_update_task_status(current_user, task):
        abort(403)
    form = StatusForm()
    form.offer_statuses(
        with_cancel=current_user.role == Role.ADMIN, is_paused=task.status == TaskStatus.PAUSED
    )
    if form.validate_on_submit() and run_service(
        form,
        services.set_task_status,
        current_user,
        task,
        TaskStatus(form.status.data),
        form.note.data,
        form.version.data,
    ):
        flash("Status tugas diperbarui.", "success")
        target = _safe_next(form.next.data, request.args.get("next"))
        return redirect(target or url_for("tasks.detail", task_id=task.id))
    return _render_detail(task, form)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int):
    task = get_owned_or_404(Task, task_id)
    if not can_edit_task(current_user, task):
        abort(403)
    form = TaskForm(obj=task, task=task, today=_today())
    if form.validate_on_submit() and run_service(
        form, services.update_task, current_user, task, form_values(form), form.version.data
    ):
        flash("Perubahan tugas disimpan.", "success")
        return redirect(url_for("tasks.detail", task_id=task.id))
    return render_template(
        "tasks/form.html",
        form=form,
        agreement=task.agreement,
        task=task,
        is_closed=False,
        cancel_url=url_for("tasks.detail", task_id=task.id),
    )


@bp.route("/tasks/<int:task_id>/documents", methods=["POST"])
def upload_proof(task_id: int):
    """A file that proves the task done (the OPD whose task it is, or Bagian Pemerintahan);
    refusals are flashed above the task page."""
    task = _load_task(task_id)
    if not can_attach_document(current_user, task.agreement, task):
        abort(403)
    form = TaskDocumentForm()
    if form.validate_on_submit() and run_service(
        None,
        documents.upload_document,
        current_user,
        task.agreement,
        request.files.get(form.file.name),
        {"kind": DocumentKind.PROOF, "title": form.title.data},
        documents.Attachment(task=task),
    ):
        flash("Bukti penyelesaian diunggah.", "success")
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for("tasks.detail", task_id=task.id, _anchor="dokumen"))
