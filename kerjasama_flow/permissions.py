"""Who may do what: the route table and the ``can_*`` checks, in one place.

Every endpoint of the app is listed in ``ENDPOINT_ROLES``; ``enforce_endpoint_access`` runs
before each request and fails closed (403) for an endpoint missing from the table, and a test
fails when a route is added without an entry. Record-level checks (``can_*``) are called by the
views after loading the record through ``tenancy`` (another government's record is a 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, request
from flask_login import current_user

from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.extensions import login_manager

if TYPE_CHECKING:
    # The domains import permissions, not the other way round: the records are only checked
    # here, through their own attributes and methods.
    from kerjasama_flow.agreements.models import Agreement, Pks
    from kerjasama_flow.documents.models import Document
    from kerjasama_flow.tasks.models import Task

PUBLIC = frozenset()  # no login needed
ALL = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
ADMIN_OPD = frozenset({Role.ADMIN, Role.OPD})

ENDPOINT_ROLES: dict[str, frozenset[Role]] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.forgot_password": PUBLIC,  # the same answer whether or not the email exists
    "accounts.reset_password": PUBLIC,  # authenticated by the signed token in its URL
    "accounts.logout": ALL,
    "accounts.home": ALL,
    "accounts.account": ALL,
    "accounts.calendar_token": ALL,
    "accounts.end_other_sessions": ALL,
    "accounts.api_token_new": ALL,
    "accounts.api_token_revoke": ALL,
    "agreements.index": ALL,
    "agreements.detail": ALL,
    "agreements.new": ADMIN,
    "agreements.edit": ADMIN,
    "agreements.stage": ADMIN,
    # OPD heads record their PKS's realisations; every other kind is for admins
    # (``can_record_milestone``, ``can_change_milestone``).
    "agreements.milestone_new": ADMIN_OPD,
    "agreements.milestone_edit": ADMIN_OPD,
    "agreements.milestone_delete": ADMIN_OPD,
    "agreements.partners": ALL,
    "agreements.partner_new": ADMIN,
    "agreements.partner_edit": ADMIN,
    "tasks.index": ALL,
    "tasks.detail": ALL,
    "tasks.new": ADMIN,
    "tasks.edit": ADMIN,
    "tasks.status": ADMIN_OPD,
    "accounts.agencies": ADMIN,
    "accounts.agency_edit": ADMIN,
    "accounts.users": ADMIN,
    "accounts.user_edit": ADMIN,
    "accounts.public_page": ADMIN,
    "reminders.notifications": ALL,
    "reminders.read": ALL,
    "reminders.read_all": ALL,
    "reminders.settings": ADMIN,
    "playbooks.index": ADMIN,
    "playbooks.new": ADMIN,
    "playbooks.edit": ADMIN,
    "playbooks.restore": ADMIN,
    "workdays.index": ADMIN,
    "workdays.create": ADMIN,
    "workdays.delete": ADMIN,
    "reports.export_agreements": ALL,
    "reports.export_tasks": ALL,
    "reports.export_transactions": ALL,
    "reports.export_register": ALL,
    "agreements.register": ALL,
    "reports.report_form": ALL,
    "reports.report": ALL,
    "reports.dashboard": ALL,
    "reports.chart": ALL,
    "evaluations.new": ADMIN,
    "documents.new": ADMIN_OPD,  # an OPD head: proof of their PKS's realisations only
    "tasks.upload_proof": ADMIN_OPD,
    "documents.download": ALL,
    "documents.replace": ADMIN_OPD,
    "documents.delete": ADMIN_OPD,
    "evaluations.evidence": ALL,
    "reports.calendar": PUBLIC,  # authenticated by the secret token in its URL
    "reports.public_agreements": PUBLIC,  # 404 unless the government turned its public page on
    "identity.settings": ADMIN,
    "identity.upload_lambang": ADMIN,
    "identity.remove_lambang": ADMIN,
    # Its own users, or anyone while the public page is on (``identity.queries``); else 404.
    "identity.lambang": PUBLIC,
    "imports.template": ADMIN,
    "imports.upload": ADMIN,
    "imports.job": ADMIN,
    "imports.confirm": ADMIN,
    "imports.discard": ADMIN,
    # The JSON API (``kerjasama_flow.api``): a personal token instead of a login (``api.auth``
    # answers 401 before this table without one); the document and its page are open.
    "api.openapi_json": PUBLIC,
    "api.docs": PUBLIC,
    "api.static": PUBLIC,
    "api.agencies": ALL,
    "api.partners": ALL,
    "api.agreements": ALL,
    "api.agreement": ALL,
    "api.tasks": ALL,
    "api.task": ALL,
    "api.agreement_create": ADMIN,
    "api.agreement_update": ADMIN,
    "api.agreement_status": ADMIN,
    "api.milestone_create": ADMIN_OPD,  # as agreements.milestone_new
    "api.milestone_update": ADMIN_OPD,
    "api.milestone_delete": ADMIN_OPD,
    "api.task_create": ADMIN,  # as tasks.new
    "api.task_update": ADMIN_OPD,  # an OPD head: status and note of their agency's tasks
    "api.register": ALL,  # as agreements.register
    "api.summary": ALL,  # as reports.dashboard (an OPD head: their own agency's view)
    # Documents: the roles of the web's document routes (``documents.*`` above).
    "api.document_upload": ADMIN_OPD,
    "api.document": ALL,
    "api.document_file": ALL,
    "api.document_replace": ADMIN_OPD,
    "api.document_delete": ADMIN_OPD,
}


def enforce_endpoint_access():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handler answer
        return None
    roles = ENDPOINT_ROLES.get(endpoint)
    if roles is None:
        abort(403)
    if roles is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def can_read_agreement(user: User, agreement: Agreement) -> bool:
    if user.government_id != agreement.government_id:
        return False
    if user.role in (Role.ADMIN, Role.PIMPINAN):
        return True
    return user.agency_id is not None and agreement.involves_agency(user.agency_id)


def can_edit_agreement(user: User, agreement: Agreement) -> bool:
    return user.role == Role.ADMIN and user.government_id == agreement.government_id


# The milestones that realise a PKS: the OPD that carries the PKS out records them.
REALISATION_KINDS = frozenset({"transaction", "activity"})


def _carries_out(user: User, pks: Pks) -> bool:
    """The user's agency is among the PKS's OPD pelaksana."""
    return user.agency_id is not None and any(a.id == user.agency_id for a in pks.agencies)


def can_record_realisation(user: User, agreement: Agreement) -> bool:
    """May ``user`` record a transaction or a realised activity on ``agreement`` at all (is
    the form offered): Bagian Pemerintahan always; an OPD head when their agency carries out
    one of the agreement's PKS. Which PKS they may choose: ``can_record_realisation_under``.
    Reading the agreement (``can_read_agreement``) is checked by the views before this."""
    if user.government_id != agreement.government_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.OPD and any(_carries_out(user, p) for p in agreement.pks_list)


def can_record_realisation_under(user: User, agreement: Agreement, pks: Pks | None) -> bool:
    """A realisation of ``agreement`` under ``pks`` (None: under a KB alone, an activity):
    Bagian Pemerintahan any; an OPD head only under a PKS of this agreement that their
    agency carries out. An activity under a KB alone has no OPD pelaksana, so Bagian
    Pemerintahan records it. Checked against what a form submits, whatever it offered."""
    if user.government_id != agreement.government_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.OPD
        and pks is not None
        and pks.agreement_id == agreement.id
        and _carries_out(user, pks)
    )


def can_record_milestone(user: User, agreement: Agreement, kind: str) -> bool:
    """Visits, KB/MoU and PKS: Bagian Pemerintahan; realisations: also the OPD pelaksana."""
    if kind in REALISATION_KINDS:
        return can_record_realisation(user, agreement)
    return can_edit_agreement(user, agreement)


def can_change_milestone(user: User, milestone) -> bool:
    """Edit or delete a recorded milestone: Bagian Pemerintahan any (it corrects the OPD's
    records); an OPD head the transactions and activities under a PKS their agency carries
    out."""
    agreement = milestone.agreement
    if milestone.kind in REALISATION_KINDS:
        return can_record_realisation_under(user, agreement, milestone.pks)
    return can_edit_agreement(user, agreement)


def can_reopen_agreement(user: User, agreement: Agreement) -> bool:
    """Taking back a completion or a cancellation is for Bagian Pemerintahan only."""
    return can_edit_agreement(user, agreement)


def can_read_task(user: User, task: Task) -> bool:
    if user.government_id != task.government_id:
        return False
    if user.role == Role.OPD:
        return task.agency_id == user.agency_id or can_read_agreement(user, task.agreement)
    return True


def can_update_task_status(user: User, task: Task) -> bool:
    if user.government_id != task.government_id:
        return False
    return user.role == Role.ADMIN or (user.role == Role.OPD and task.agency_id == user.agency_id)


def can_edit_task(user: User, task: Task) -> bool:
    return user.role == Role.ADMIN and user.government_id == task.government_id


def can_read_document(user: User, document: Document) -> bool:
    """A document is seen by whoever sees its agreement; a task's proof also by the OPD whose
    task it is."""
    if document.task is not None and user.role == Role.OPD:
        return can_read_task(user, document.task)
    return can_read_agreement(user, document.agreement)


def can_attach_document(
    user: User, agreement: Agreement, task: Task | None = None, milestone=None
) -> bool:
    """Bagian Pemerintahan documents agreements, steps and tasks; an OPD head proves only
    their own agency's tasks and the realisations (transactions, activities) under a PKS
    their agency carries out (``milestone``, a step of ``agreement``). Without a task or a
    milestone: may the user document the agreement itself."""
    if user.government_id != agreement.government_id:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.OPD:
        return False
    if task is not None:
        return task.agency_id == user.agency_id
    return (
        milestone is not None
        and milestone.kind in REALISATION_KINDS
        and milestone.agreement_id == agreement.id
        and can_record_realisation_under(user, agreement, milestone.pks)
    )


def can_change_document(user: User, document: Document) -> bool:
    """Replace or delete: Bagian Pemerintahan any document; an OPD head the proofs their
    agency uploaded to their own agency's tasks and to the realisations they may change."""
    if user.government_id != document.government_id:
        return False
    if user.role == Role.ADMIN:
        return True
    uploader = document.uploaded_by
    if user.role != Role.OPD or uploader is None or uploader.agency_id != user.agency_id:
        return False
    if document.task is not None:
        return document.task.agency_id == user.agency_id
    milestone = document.milestone
    return milestone is not None and can_attach_document(
        user, document.agreement, milestone=milestone
    )


def can_record_evaluation(user: User, agreement: Agreement) -> bool:
    """Monev is recorded by Bagian Pemerintahan, as every change to an agreement's data."""
    return can_edit_agreement(user, agreement)


def can_act_on_import(user: User, job) -> bool:
    """Only its uploader confirms or cancels an import; the other admins of the government
    may look at it (the job is loaded through ``tenancy``)."""
    return job.user_id == user.id
