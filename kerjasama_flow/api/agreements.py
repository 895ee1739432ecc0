"""Changing agreements through the API: create and edit an agreement, record, change and
remove its steps, and stall, resume, cancel, complete or reopen it. Each runs the web page's
own form on the body (``api.forms``: the same fields, checks and messages) and then the same
service (``agreements.services``), so the lifecycle rules are the page's, in one place."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.forms import MILESTONE_FORMS, AgreementForm, StageForm
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import MILESTONE_MODELS, Agreement
from kerjasama_flow.api import errors, schemas
from kerjasama_flow.api.blueprint import bp
from kerjasama_flow.api.forms import (
    NO_CSRF,
    api_names,
    body_fields,
    body_schema,
    form_schemas,
    request_body,
    submit,
    version_field,
)
from kerjasama_flow.api.messages import MESSAGES
from kerjasama_flow.api.reads import agreement_detail
from kerjasama_flow.api.writes import actor, commit, json_body, load_body, version_of
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.permissions import (
    can_change_milestone,
    can_edit_agreement,
    can_record_milestone,
)
from kerjasama_flow.tenancy import get_owned_or_404

AGREEMENT_NAMES = api_names(AgreementForm)
AgreementCreate, AgreementChange = form_schemas(AgreementForm, "Agreement")

STATUS_NAMES = api_names(StageForm)
STATUS_BODY = body_schema(
    {**body_fields(StageForm), "version": version_field()}, "AgreementStatusChange"
)

# Each step kind's body: its form's fields, the day as ``date``, and ``kind``.
MILESTONE_NAMES = {
    kind: api_names(form, MILESTONE_MODELS[kind].date_field)
    for kind, form in MILESTONE_FORMS.items()
}


def _kind_field(kind: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Equal(kind, error="Harus {other}."),
        error_messages=MESSAGES,
        metadata={"description": "Jenis langkah."},
    )


def _schema_name(kind: str) -> str:
    return "".join(part.title() for part in kind.split("_"))


MILESTONE_BODIES = {
    kind: form_schemas(
        form,
        f"{_schema_name(kind)}Step",
        MILESTONE_MODELS[kind].date_field,
        create_extra={"kind": _kind_field(kind)},
    )
    for kind, form in MILESTONE_FORMS.items()
}


class FollowUpSchema(Schema):
    """What the other domains did in answer: tasks made, tasks closed, what could not be."""

    created_task_ids = fields.List(fields.Integer(), required=True)
    notices = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.String(), required=True)


class MilestoneResultSchema(schemas.MilestoneSchema):
    """A step as recorded or changed, with what it did to its agreement."""

    agreement_id = fields.Integer(required=True)
    stage = fields.Enum(Stage, by_value=True, required=True)
    agreement_version = fields.Integer(required=True)
    follow_up = fields.Nested(FollowUpSchema, required=True)


class AgreementResultSchema(schemas.AgreementDetailSchema):
    follow_up = fields.Nested(FollowUpSchema, required=True)


STEP_CREATE_BODY = request_body(
    *(pair[0] for pair in MILESTONE_BODIES.values()),
    discriminator={"kind": {kind: pair[0] for kind, pair in MILESTONE_BODIES.items()}},
)
STEP_CHANGE_BODY = request_body(*(pair[1] for pair in MILESTONE_BODIES.values()))


# --- helpers ----------------------------------------------------------------------------------


def _editable(agreement_id: int) -> Agreement:
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_edit_agreement(current_user, agreement):
        abort(403)
    return agreement


def _with_follow_up(record, outcome: services.Outcome):
    """``record`` with what the other domains did in answer (``FollowUpSchema``)."""
    record.follow_up = {
        "created_task_ids": [task.id for task in outcome.tasks],
        "notices": outcome.notices,
        "warnings": outcome.warnings,
    }
    return record


def _milestone_result(milestone, outcome: services.Outcome):
    agreement = milestone.agreement
    milestone.stage = agreement.stage
    milestone.agreement_version = agreement.version
    return _with_follow_up(milestone, outcome)


def _current_agreement(agreement: Agreement):
    return lambda: schemas.AgreementDetailSchema().dump(agreement_detail(agreement))


def _current_milestone(milestone):
    return lambda: schemas.MilestoneSchema().dump(milestone)


# --- agreements -------------------------------------------------------------------------------


@bp.route("/agreements", methods=["POST"])
@bp.doc(**request_body(AgreementCreate))
@bp.response(201, AgreementResultSchema)
def agreement_create():
    """A new agreement, as the page's form makes it (Bagian Pemerintahan)."""
    body = load_body(AgreementCreate)
    form = submit(
        lambda formdata: AgreementForm(formdata=formdata, meta=NO_CSRF), body, AGREEMENT_NAMES
    )
    created = commit(services.create_agreement, actor(), form_values(form), names=AGREEMENT_NAMES)
    location = url_for("api.agreement", agreement_id=created.id)
    return (
        _with_follow_up(agreement_detail(created), services.Outcome(created)),
        201,
        {"Location": location},
    )


@bp.route("/agreements/<int:agreement_id>", methods=["PATCH"])
@bp.doc(**request_body(AgreementChange))
@bp.response(200, AgreementResultSchema)
def agreement_update(agreement_id: int):
    """Change an agreement's data: send only what changes, and the ``version`` you read."""
    agreement = _editable(agreement_id)
    body = load_body(AgreementChange)
    version = version_of(body)
    form = submit(
        lambda formdata: AgreementForm(formdata=formdata, obj=agreement, meta=NO_CSRF),
        body,
        AGREEMENT_NAMES,
        version,
    )
    outcome = commit(
        services.update_agreement,
        actor(),
        agreement,
        form_values(form),
        version,
        current=_current_agreement(agreement),
        names=AGREEMENT_NAMES,
    )
    return _with_follow_up(agreement_detail(agreement), outcome)


@bp.route("/agreements/<int:agreement_id>/status", methods=["POST"])
@bp.doc(**request_body(STATUS_BODY))
@bp.response(200, AgreementResultSchema)
def agreement_status(agreement_id: int):
    """Stall, resume, cancel, complete or reopen an agreement, under the page's rules; its
    tasks follow (paused, cancelled or given back)."""
    agreement = _editable(agreement_id)
    body = load_body(STATUS_BODY)
    version = version_of(body)
    form = submit(
        lambda formdata: StageForm(formdata=formdata, meta=NO_CSRF), body, STATUS_NAMES, version
    )
    outcome = commit(
        services.change_stage,
        actor(),
        agreement,
        form.action.data,
        form.reason.data,
        version,
        current=_current_agreement(agreement),
        names=STATUS_NAMES,
    )
    return _with_follow_up(agreement_detail(agreement), outcome)


# --- steps ------------------------------------------------------------------------------------


@bp.route("/agreements/<int:agreement_id>/milestones", methods=["POST"])
@bp.doc(**STEP_CREATE_BODY)
@bp.response(201, MilestoneResultSchema)
def milestone_create(agreement_id: int):
    """Record a step of ``kind``, as its page's form does; the answer says the agreement's new
    stage and the follow-up tasks the step created."""
    agreement = get_owned_or_404(Agreement, agreement_id)
    body = json_body()
    kind = body.get("kind") if isinstance(body, dict) else None
    if kind not in MILESTONE_BODIES:
        errors.abort(
            422,
            fields={"kind": [f"Harus salah satu dari: {', '.join(MILESTONE_BODIES)}."]},
        )
    if not can_record_milestone(current_user, agreement, kind):
        abort(403)
    names = MILESTONE_NAMES[kind]
    values = load_body(MILESTONE_BODIES[kind][0], body)
    values.pop("kind")
    form = submit(
        lambda formdata: MILESTONE_FORMS[kind](
            formdata=formdata, agreement=agreement, user=actor(), meta=NO_CSRF
        ),
        values,
        names,
    )
    outcome = commit(
        services.record_milestone, actor(), agreement, kind, form_values(form), names=names
    )
    milestone = outcome.value
    location = url_for("api.agreement", agreement_id=agreement.id, _anchor=f"{kind}-{milestone.id}")
    return _milestone_result(milestone, outcome), 201, {"Location": location}


def _milestone(agreement_id: int, kind: str, milestone_id: int):
    agreement = get_owned_or_404(Agreement, agreement_id)
    model = MILESTONE_MODELS.get(kind)
    milestone = db.session.get(model, milestone_id) if model else None
    if milestone is None or milestone.agreement_id != agreement.id:
        abort(404)
    if not can_change_milestone(current_user, milestone):
        abort(403)
    return milestone


@bp.route("/agreements/<int:agreement_id>/milestones/<kind>/<int:milestone_id>", methods=["PATCH"])
@bp.doc(**STEP_CHANGE_BODY)
@bp.response(200, MilestoneResultSchema)
def milestone_update(agreement_id: int, kind: str, milestone_id: int):
    """Change a step: send only what changes, and the ``version`` you read."""
    milestone = _milestone(agreement_id, kind, milestone_id)
    values = load_body(MILESTONE_BODIES[kind][1])
    version = version_of(values)
    names = MILESTONE_NAMES[kind]
    form = submit(
        lambda formdata: MILESTONE_FORMS[kind](
            formdata=formdata,
            obj=milestone,
            agreement=milestone.agreement,
            user=actor(),
            meta=NO_CSRF,
        ),
        values,
        names,
        version,
    )
    outcome = commit(
        services.update_milestone,
        actor(),
        milestone,
        form_values(form),
        version,
        current=_current_milestone(milestone),
        names=names,
    )
    return _milestone_result(milestone, outcome)


@bp.route("/agreements/<int:agreement_id>/milestones/<kind>/<int:milestone_id>", methods=["DELETE"])
@bp.arguments(schemas.VersionQuery, location="query")
@bp.response(204)
def milestone_delete(query, agreement_id: int, kind: str, milestone_id: int):
    """Remove a step recorded by mistake (``?version=``); refused while later steps rest on
    it. The tasks it completed reopen; the open tasks it created are cancelled."""
    milestone = _milestone(agreement_id, kind, milestone_id)
    version = version_of(query)
    commit(
        services.delete_milestone,
        actor(),
        milestone,
        version,
        current=_current_milestone(milestone),
    )
    return ""
