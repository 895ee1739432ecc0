"""The API's read endpoints and its document: thin views over the web's own queries and
permission checks (``permissions``, ``tenancy``, ``agreements.queries``, ``tasks.queries``);
the answers are shaped by ``api.schemas``, which flask-smorest also turns into
``/api/v1/openapi.json``. ``/api/v1/docs`` renders that document with Swagger UI, served from
this app (the flask-swagger-ui package's files) under the app's Content-Security-Policy."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import abort, jsonify, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.agreements import queries as agreement_queries
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.api import schemas
from kerjasama_flow.api.blueprint import api, bp, page, today
from kerjasama_flow.documents.queries import agreement_documents
from kerjasama_flow.permissions import can_read_agreement, can_read_task
from kerjasama_flow.tasks import queries as task_queries
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.tenancy import get_owned_or_404

# --- the document and its page (no token needed) ----------------------------------------------


def openapi_json():
    return jsonify(api.spec.to_dict())


def docs():
    return render_template(
        "api/docs.html", spec_url=url_for("api.openapi_json"), assets="api.static"
    )


FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi_json", openapi_json)
FlaskBlueprint.add_url_rule(bp, "/docs", "docs", docs)


# --- reads ------------------------------------------------------------------------------------


@bp.route("/agencies")
@bp.arguments(schemas.PageQuery, location="query", as_kwargs=False)
@bp.response(200, schemas.AgencyPage)
def agencies(query):
    """OPD of the token's government, by name."""
    statement = (
        select(Agency)
        .where(Agency.government_id == current_user.government_id)
        .order_by(Agency.name, Agency.id)
    )
    return page(statement, query)


@bp.route("/partners")
@bp.arguments(schemas.PageQuery, location="query")
@bp.response(200, schemas.PartnerPage)
def partners(query):
    """Partners (mitra) of the token's government, with how many agreements name each."""
    rows = agreement_queries.partner_list(current_user)
    result = page(rows, query)
    result["items"] = [_with_count(partner, count) for partner, count in result["items"]]
    return result


def _with_count(partner, count: int):
    partner.agreement_count = count
    return partner


@bp.route("/agreements")
@bp.arguments(schemas.AgreementQuery, location="query")
@bp.response(200, schemas.AgreementPage)
def agreements(query):
    """The agreements the token's user may read (as the web list), narrowed by the filters."""
    filters = agreement_queries.AgreementFilters(
        q=query.get("q") or None,
        stage=Stage(query["stage"]) if query.get("stage") else None,
        partner_id=query.get("partner"),
        sector=query.get("sector"),
        agency_id=query.get("agency"),
    )
    return page(agreement_queries.agreement_list(current_user, filters), query)


@bp.route("/agreements/<int:agreement_id>")
@bp.response(200, schemas.AgreementDetailSchema)
def agreement(agreement_id: int):
    """One agreement with its steps (oldest first) and the documents the user may see.
    Another government's id is a 404; one the user may not read, a 403 (as the web)."""
    found = get_owned_or_404(Agreement, agreement_id)
    if not can_read_agreement(current_user, found):
        abort(403)
    return agreement_detail(found)


def agreement_detail(agreement: Agreement) -> Agreement:
    """``agreement`` with what ``AgreementDetailSchema`` shows of it: its steps (oldest first)
    and the documents the current user may see."""
    agreement.milestones = [item.milestone for item in agreement_queries.timeline(agreement)]
    agreement.documents = [row.document for row in agreement_documents(current_user, agreement)]
    return agreement


@bp.route("/tasks")
@bp.arguments(schemas.TaskQuery, location="query")
@bp.response(200, schemas.TaskPage)
def tasks(query):
    """The tasks the user may list (an OPD token: its agency's), as the web list orders them."""
    filters = task_queries.TaskFilters(
        agency_id=query.get("agency"),
        status=query.get("status"),
        agreement_id=query.get("agreement"),
        period=task_queries.OVERDUE if query.get("overdue") else None,
    )
    return page(task_queries.task_list(current_user, filters, today()), query)


@bp.route("/tasks/<int:task_id>")
@bp.response(200, schemas.TaskSchema)
def task(task_id: int):
    """One task. Another government's id is a 404; one the user may not read, a 403."""
    found = get_owned_or_404(Task, task_id)
    if not can_read_task(current_user, found):
        abort(403)
    return found
