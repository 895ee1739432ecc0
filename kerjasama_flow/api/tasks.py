"""Changing follow-up tasks through the API: create one (Bagian Pemerintahan), and change
one: its data (Bagian Pemerintahan), its status and note (also the OPD whose task it is). The
page's own forms check the body (``api.forms``), the same services change the task."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from marshmallow import fields, validate

from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.api import errors, schemas
from kerjasama_flow.api.blueprint import bp, today
from kerjasama_flow.api.forms import (
    NO_CSRF,
    api_names,
    body_fields,
    body_schema,
    request_body,
    submit,
    version_field,
)
from kerjasama_flow.api.messages import MESSAGES
from kerjasama_flow.api.writes import actor, commit, load_body, version_of
from kerjasama_flow.db import MAX_ID
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.permissions import can_edit_task, can_update_task_status
from kerjasama_flow.tasks import services
from kerjasama_flow.tasks.forms import StatusForm, TaskForm
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.tenancy import get_owned_or_404

TASK_NAMES = api_names(TaskForm)
STATUS_NAMES = api_names(StatusForm)
OPD_ONLY_STATUS = (
    "Token OPD hanya dapat mengubah status dan catatan tugas OPD-nya sendiri "
    "(isian lain diubah oleh Bagian Pemerintahan)."
)

TaskCreate = body_schema(
    {
        "agreement_id": fields.Integer(
            required=True,
            strict=True,
            validate=validate.Range(1, MAX_ID, error="Harus id kerja sama."),
            error_messages={**MESSAGES, "invalid": "Harus id kerja sama."},
            metadata={"description": "Kerja sama yang ditindaklanjuti tugas ini."},
        ),
        **body_fields(TaskForm),
    },
    "TaskCreate",
)
TaskChange = body_schema(
    {
        **body_fields(TaskForm, is_change=True),
        **body_fields(StatusForm, is_change=True),
        "status": fields.String(
            allow_none=True,
            validate=validate.OneOf(
                [status.value for status in TaskStatus], error="Harus salah satu dari: {choices}."
            ),
            error_messages=MESSAGES,
            metadata={
                "description": "open, in_progress, done (wajib dengan catatan), atau "
                "cancelled (hanya Bagian Pemerintahan)."
            },
        ),
        "version": version_field(),
    },
    "TaskChange",
)


def _current(task: Task):
    return lambda: schemas.TaskSchema().dump(task)


@bp.route("/tasks", methods=["POST"])
@bp.doc(**request_body(TaskCreate))
@bp.response(201, schemas.TaskSchema)
def task_create():
    """A task of an agreement, as the page's form makes it (Bagian Pemerintahan). Another
    government's agreement is refused as an unknown one."""
    body = load_body(TaskCreate)
    agreement = db.session.get(Agreement, body.pop("agreement_id"))
    if agreement is None or agreement.government_id != current_user.government_id:
        errors.abort(422, fields={"agreement_id": ["Kerja sama tidak ditemukan."]})
    form = submit(
        lambda formdata: TaskForm(formdata=formdata, today=today(), meta=NO_CSRF),
        body,
        TASK_NAMES,
    )
    task = commit(services.create_task, actor(), agreement, form_values(form), names=TASK_NAMES)
    return task, 201, {"Location": url_for("api.task", task_id=task.id)}


@bp.route("/tasks/<int:task_id>", methods=["PATCH"])
@bp.doc(**request_body(TaskChange))
@bp.response(200, schemas.TaskSchema)
def task_update(task_id: int):
    """Change a task: send only what changes, and the ``version`` you read. An OPD token
    changes only ``status`` and ``note`` of its own agency's tasks."""
    task = get_owned_or_404(Task, task_id)
    if not can_update_task_status(current_user, task):
        abort(403)
    body = load_body(TaskChange)
    version = version_of(body)
    data_part = {key: value for key, value in body.items() if key in TASK_NAMES.values()}
    status_part = {key: value for key, value in body.items() if key in STATUS_NAMES.values()}
    if data_part and not can_edit_task(current_user, task):
        errors.abort(403, OPD_ONLY_STATUS)
    data = status = note = None
    if data_part:
        form = submit(
            lambda formdata: TaskForm(
                formdata=formdata, obj=task, task=task, today=today(), meta=NO_CSRF
            ),
            data_part,
            TASK_NAMES,
            version,
        )
        data = form_values(form)
    if status_part:
        form = submit(
            lambda formdata: StatusForm(formdata=formdata, obj=task, meta=NO_CSRF),
            status_part,
            STATUS_NAMES,
            version,
        )
        status, note = TaskStatus(form.status.data), form.note.data
    return commit(
        services.change_task,
        actor(),
        task,
        data,
        status,
        note,
        version,
        current=_current(task),
        names={**TASK_NAMES, **STATUS_NAMES},
    )
