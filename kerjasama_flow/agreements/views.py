"""Agreements on the web: the list, the agreement form, the detail page with its stage
actions, one generic form for every milestone kind, and the partners.

Roles per endpoint are enforced by ``permissions.ENDPOINT_ROLES`` before these run; the views
load the record through ``tenancy`` (another government's record is a 404) and check the
record-level ``can_*`` rules (an OPD head not involved in an agreement gets a 403). Every
change goes through ``services``; ``web.run_service`` commits once or puts the refusal next
to its field.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements import queries, services
from kerjasama_flow.agreements import register as register_module
from kerjasama_flow.agreements.activity_text import describe
from kerjasama_flow.agreements.forms import (
    MILESTONE_FORMS,
    AgreementFilterForm,
    AgreementForm,
    DeleteForm,
    PartnerForm,
    RegisterFilterForm,
    StageForm,
)
from kerjasama_flow.agreements.lifecycle import (
    CLOSED,
    Action,
    Facts,
    allowed_actions,
    missing_steps,
    next_milestone,
    stepper,
)
from kerjasama_flow.agreements.models import (
    MILESTONE_LABELS,
    MILESTONE_MODELS,
    PROCESS_KINDS,
    Agreement,
    MilestoneMixin,
    Partner,
)
from kerjasama_flow.documents.queries import agreement_documents, step_choices, step_value
from kerjasama_flow.evaluations.queries import agreement_evaluations
from kerjasama_flow.evaluations.services import can_be_evaluated
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.permissions import (
    REALISATION_KINDS,
    can_attach_document,
    can_change_milestone,
    can_edit_agreement,
    can_read_agreement,
    can_record_evaluation,
    can_record_milestone,
    can_record_realisation,
    can_reopen_agreement,
)
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import paginate, run_service

bp = Blueprint("agreements", __name__)

# What the button that records each milestone says: the main road first, then the
# administrative path (the "Catat lainnya" menu shows them in two groups).
RECORD_LABELS = {
    "visit": "Catat kunjungan kerja",
    "mou": "Catat Kesepakatan Bersama",
    "pks": "Catat PKS",
    "transaction": "Catat transaksi",
    "activity": "Catat realisasi kegiatan",
    "offer": "Catat penawaran kerja sama",
    "tkksd": "Catat pembahasan TKKSD",
    "legal_review": "Catat telaah hukum dan paraf",
    "dprd": "Catat persetujuan DPRD",
    "report": "Catat pelaporan kepada Gubernur/Mendagri",
    "amendment": "Catat addendum atau pengakhiran",
}
# What the flash says after a milestone was recorded, changed or deleted.
SAVED_LABELS = {
    "visit": "Kunjungan kerja",
    "mou": "Kesepakatan Bersama/MoU",
    "pks": "PKS",
    "transaction": "Transaksi",
    "activity": "Realisasi kegiatan",
    "offer": "Penawaran kerja sama",
    "tkksd": "Pembahasan TKKSD",
    "legal_review": "Telaah hukum",
    "dprd": "Persetujuan DPRD",
    "report": "Pelaporan",
    "amendment": "Addendum/pengakhiran",
}


def _today():
    return clock.today_in(current_user.government.timezone)


def _readable(agreement_id: int) -> Agreement:
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_read_agreement(current_user, agreement):
        abort(403)
    return agreement


def _editable(agreement_id: int) -> Agreement:
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_edit_agreement(current_user, agreement):
        abort(403)
    return agreement


def get_milestone_or_404(agreement: Agreement, kind: str, milestone_id: int) -> MilestoneMixin:
    """A milestone of ``kind`` of this (already loaded and checked) agreement, else 404."""
    model = MILESTONE_MODELS.get(kind)
    if model is None:
        abort(404)
    milestone = db.session.get(model, milestone_id)
    if milestone is None or milestone.agreement_id != agreement.id:
        abort(404)
    return milestone


def _detail_url(agreement: Agreement, anchor: str | None = None) -> str:
    return url_for("agreements.detail", agreement_id=agreement.id, _anchor=anchor)


def _closed_redirect(agreement: Agreement):
    """A closed agreement takes no more changes: say so and go back to its page."""
    if agreement.stage not in CLOSED:
        return None
    flash(
        f"Kerja sama ini sudah {agreement.stage.label.lower()}; datanya tidak dapat diubah lagi.",
        "warning",
    )
    return redirect(_detail_url(agreement))


# --- the list ---------------------------------------------------------------------------------


@bp.route("/agreements")
def index():
    form = AgreementFilterForm(request.args)
    form.fill_choices(current_user)
    filters = form.filters()
    pagination = paginate(queries.agreement_list(current_user, filters))
    figures = queries.row_figures([a.id for a in pagination.items], _today())
    has_any = pagination.total > 0 or (
        filters.is_narrowed and queries.count_visible(current_user) > 0
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "agreements/index.html",
        form=form,
        filters=filters,
        pagination=pagination,
        figures=figures,
        empty_figures=queries.RowFigures(),
        has_any=has_any,
        page_url=lambda page: url_for("agreements.index", **args, page=page),
        is_admin=current_user.role == Role.ADMIN,
    )


# --- the agreement form -----------------------------------------------------------------------


@bp.route("/agreements/new", methods=["GET", "POST"])
def new():
    form = AgreementForm()
    if form.validate_on_submit():
        agreement = run_service(form, services.create_agreement, current_user, form_values(form))
        if agreement:
            flash(f"Kerja sama \u201c{agreement.title}\u201d dicatat.", "success")
            return redirect(_detail_url(agreement))
    return render_template("agreements/form.html", form=form, agreement=None)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
def edit(agreement_id: int):
    agreement = _editable(agreement_id)
    if (closed := _closed_redirect(agreement)) is not None:
        return closed
    form = AgreementForm(obj=agreement)
    if form.validate_on_submit() and (
        outcome := run_service(
            form,
            services.update_agreement,
            current_user,
            agreement,
            form_values(form),
            form.version.data,
        )
    ):
        _flash_outcome("Perubahan kerja sama disimpan.", outcome)
        return redirect(_detail_url(agreement))
    return render_template("agreements/form.html", form=form, agreement=agreement)


# --- the detail page and its stage actions ----------------------------------------------------


@dataclass(frozen=True)
class PageAction:
    label: str
    url: str
    group: str = ""  # the heading it goes under in a menu


def _milestone_actions(agreement: Agreement, facts: Facts) -> tuple[PageAction, list[PageAction]]:
    """The next sensible action (the primary button) and the other recordings."""
    primary = next_milestone(facts)
    actions = {
        kind: PageAction(
            label,
            url_for("agreements.milestone_new", agreement_id=agreement.id, kind=kind),
            "Proses administrasi" if kind in PROCESS_KINDS else "Tahapan utama",
        )
        for kind, label in RECORD_LABELS.items()
    }
    return actions.pop(primary), list(actions.values())


def _stage_actions(agreement: Agreement) -> list[Action]:
    """The manual stage actions the current user is offered (reopening: admins only)."""
    if not can_edit_agreement(current_user, agreement):
        return []
    actions = allowed_actions(agreement.stage)
    if not can_reopen_agreement(current_user, agreement):
        actions = [action for action in actions if action != Action.REOPEN]
    return actions


# The activity log on the detail page: the latest ACTIVITY_SHOWN entries open, the rest (up to
# ACTIVITY_LIMIT) folded behind "Tampilkan semua riwayat".
ACTIVITY_SHOWN = 5
ACTIVITY_LIMIT = 100


def _render_detail(agreement: Agreement, stage_form: StageForm | None = None):
    queries.load_detail(agreement.id)
    today = _today()
    facts = services.facts_for(agreement)
    is_open = agreement.stage not in CLOSED
    can_edit = can_edit_agreement(current_user, agreement) and is_open
    primary = secondary = None
    if can_edit:
        primary, secondary = _milestone_actions(agreement, facts)
    # An OPD head who carries out one of the PKS records its realisations.
    realisation_actions = []
    if is_open and not can_edit and can_record_realisation(current_user, agreement):
        realisation_actions = [
            PageAction(
                RECORD_LABELS[kind],
                url_for("agreements.milestone_new", agreement_id=agreement.id, kind=kind),
            )
            for kind in ("transaction", "activity")
        ]
    actions = _stage_actions(agreement)
    if not actions:
        stage_form = None
    elif stage_form is None:
        stage_form = StageForm(formdata=None, version=agreement.version)
    if stage_form is not None:
        stage_form.offer(actions)
    tasks = queries.agreement_tasks(agreement, today)
    document_rows = agreement_documents(current_user, agreement)
    step_documents: dict[str, list] = {}
    for row in document_rows:
        if row.document.milestone_kind is not None and row.document.task_id is None:
            key = step_value(row.document.milestone_kind, row.document.milestone_id)
            step_documents.setdefault(key, []).append(row)
    documents = {mou.id: f"{mou.label} ({format_date(mou.signed_on)})" for mou in agreement.mous}
    timeline = queries.timeline(agreement)
    # The steps the user may change ("Ubah"/"Hapus") and document ("+ Unggah dokumen").
    changeable = {
        step_value(item.kind, item.milestone.id)
        for item in timeline
        if is_open and can_change_milestone(current_user, item.milestone)
    }
    can_upload = can_attach_document(current_user, agreement)
    activity = [
        describe(entry, documents)
        for entry in queries.agreement_activity(agreement, limit=ACTIVITY_LIMIT)
    ]
    attachable = {value for value, _ in step_choices(agreement, current_user)}
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        steps=stepper(agreement.stage, facts),
        is_open=is_open,
        can_edit=can_edit,
        primary_action=primary,
        secondary_actions=secondary or [],
        realisation_actions=realisation_actions,
        changeable=changeable,
        attachable=attachable,
        stage_form=stage_form,
        timeline=timeline,
        milestone_labels=MILESTONE_LABELS,
        tasks=tasks,
        overdue_count=sum(1 for task in tasks if task.is_overdue(today)),
        transactions=agreement.transactions,
        transactions_total=sum(t.value_rp or 0 for t in agreement.transactions),
        activity=activity,
        activity_shown=ACTIVITY_SHOWN,
        activity_more=len(activity) >= ACTIVITY_LIMIT,
        today=today,
        evaluations=agreement_evaluations(agreement),
        document_rows=document_rows,
        step_documents=step_documents,
        can_upload=can_upload,
        stalled=services.dormancy_of(agreement, today),
        missing=missing_steps(services.path_facts(agreement, today)),
        can_evaluate=can_record_evaluation(current_user, agreement) and can_be_evaluated(agreement),
    )


@bp.route("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    return _render_detail(_readable(agreement_id))


@bp.route("/agreements/<int:agreement_id>/stage", methods=["POST"])
def stage(agreement_id: int):
    """Two steps: the detail page's form shows what the action will do (the confirmation
    page, from ``services.plan_stage_change``); the confirmation page's form (``confirm``
    = 1) applies it."""
    agreement = _editable(agreement_id)
    form = StageForm()  # every action is a valid choice: the lifecycle says which may be done
    if form.validate_on_submit():
        service = services.change_stage if form.is_confirmed else services.plan_stage_change
        args = (current_user, agreement, form.action.data, form.reason.data, form.version.data)
        if not form.is_confirmed and (change := run_service(form, service, *args)):
            return _render_confirmation(agreement, form, change)
        if form.is_confirmed and (outcome := run_service(form, service, *args)):
            _flash_outcome(f"Tahap kerja sama sekarang: {agreement.stage.label}.", outcome)
            return redirect(_detail_url(agreement))
    if not form.errors:  # a conflict or a refused transition: flashed, show the fresh page
        return redirect(_detail_url(agreement))
    return _render_detail(agreement, stage_form=form)


def _render_confirmation(agreement: Agreement, form: StageForm, change: services.StageChange):
    form.confirm.data = "1"
    return render_template(
        "agreements/stage_confirm.html",
        agreement=agreement,
        form=form,
        change=change,
        today=_today(),
    )


# --- milestones: one generic form for visit, mou, pks and transaction -------------------------
# Bagian Pemerintahan records every kind; an OPD head the transactions and activities under the
# PKS their agency carries out (``permissions.can_record_milestone``, ``can_change_milestone``).


def _milestone_form_class(kind: str):
    form_class = MILESTONE_FORMS.get(kind)
    if form_class is None:
        abort(404)
    return form_class


def _defaults(form, agreement: Agreement, kind: str) -> None:
    """Sensible pre-filled values on a new milestone form."""
    if kind == "pks" and agreement.mous:
        form.mou.data = agreement.mous[-1]
    if kind == "pks" and agreement.lead_agency is not None:
        form.agencies.data = [agreement.lead_agency]
    if kind in REALISATION_KINDS and form.pks.query:
        form.pks.data = form.pks.query[-1]
    elif kind in ("activity", "report", "amendment") and agreement.mous:
        form.mou.data = agreement.mous[-1]
    if kind == "report":
        form.recipient.data = services.report_recipient(agreement.government)
        form.mou.data, form.pks.data = services.next_to_report(agreement)
    if kind == "tkksd":
        form.chaired_by.data = "Sekretaris Daerah"


def _flash_outcome(message: str, outcome: services.Outcome) -> None:
    """Flash "MoU dicatat. 3 tugas tindak lanjut dibuat otomatis. 1 tugas selesai
    otomatis ...", then each task that could not be made."""
    if outcome.tasks:
        message += f" {len(outcome.tasks)} tugas tindak lanjut dibuat otomatis."
    flash(" ".join([message, *outcome.notices]), "success")
    for warning in outcome.warnings:
        flash(warning, "warning")


@bp.route("/agreements/<int:agreement_id>/milestones/<kind>/new", methods=["GET", "POST"])
def milestone_new(agreement_id: int, kind: str):
    agreement = _readable(agreement_id)
    form_class = _milestone_form_class(kind)
    if not can_record_milestone(current_user, agreement, kind):
        abort(403)
    if (closed := _closed_redirect(agreement)) is not None:
        return closed
    form = form_class(agreement=agreement, user=current_user)
    if request.method == "GET":
        _defaults(form, agreement, kind)
    if form.validate_on_submit():
        # The milestone and the follow-up tasks of its playbook, committed together.
        recorded = run_service(
            form, services.record_milestone, current_user, agreement, kind, form_values(form)
        )
        if recorded:
            _flash_outcome(f"{SAVED_LABELS[kind]} dicatat.", recorded)
            return redirect(_detail_url(agreement, "riwayat"))
    return render_template(
        "agreements/milestone_form.html",
        form=form,
        agreement=agreement,
        kind=kind,
        milestone=None,
        title=RECORD_LABELS[kind],
    )


@bp.route(
    "/agreements/<int:agreement_id>/milestones/<kind>/<int:milestone_id>/edit",
    methods=["GET", "POST"],
)
def milestone_edit(agreement_id: int, kind: str, milestone_id: int):
    agreement = _readable(agreement_id)
    form_class = _milestone_form_class(kind)
    milestone = get_milestone_or_404(agreement, kind, milestone_id)
    if not can_change_milestone(current_user, milestone):
        abort(403)
    if (closed := _closed_redirect(agreement)) is not None:
        return closed
    form = form_class(agreement=agreement, user=current_user, obj=milestone)
    if form.validate_on_submit() and (
        outcome := run_service(
            form,
            services.update_milestone,
            current_user,
            milestone,
            form_values(form),
            form.version.data,
        )
    ):
        _flash_outcome(f"Perubahan {SAVED_LABELS[kind]} disimpan.", outcome)
        return redirect(_detail_url(agreement, "riwayat"))
    return render_template(
        "agreements/milestone_form.html",
        form=form,
        agreement=agreement,
        kind=kind,
        milestone=milestone,
        title=f"Ubah {MILESTONE_LABELS[kind]}",
    )


@bp.route(
    "/agreements/<int:agreement_id>/milestones/<kind>/<int:milestone_id>/delete",
    methods=["POST"],
)
def milestone_delete(agreement_id: int, kind: str, milestone_id: int):
    agreement = _readable(agreement_id)
    _milestone_form_class(kind)
    milestone = get_milestone_or_404(agreement, kind, milestone_id)
    if not can_change_milestone(current_user, milestone):
        abort(403)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash("Permintaan hapus tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    elif outcome := run_service(
        None, services.delete_milestone, current_user, milestone, form.version.data
    ):
        _flash_outcome(f"{SAVED_LABELS[kind]} dihapus.", outcome)
    return redirect(_detail_url(agreement, "riwayat"))


# --- partners ---------------------------------------------------------------------------------


@bp.route("/partners")
def partners():
    return render_template(
        "agreements/partners.html",
        rows=queries.partner_list(current_user),
        is_admin=current_user.role == Role.ADMIN,
    )


@bp.route("/partners/new", methods=["GET", "POST"])
def partner_new():
    form = PartnerForm()
    if form.validate_on_submit():
        partner = run_service(form, services.create_partner, current_user, form_values(form))
        if partner:
            flash(f"Mitra \u201c{partner.name}\u201d ditambahkan.", "success")
            return redirect(url_for("agreements.partners"))
    return render_template("agreements/partner_form.html", form=form, partner=None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def partner_edit(partner_id: int):
    partner = get_owned_or_404(Partner, partner_id)
    form = PartnerForm(obj=partner)
    if form.validate_on_submit() and run_service(
        form,
        services.update_partner,
        current_user,
        partner,
        form_values(form),
        form.version.data,
    ):
        flash(f"Data mitra \u201c{partner.name}\u201d disimpan.", "success")
        return redirect(url_for("agreements.partners"))
    return render_template("agreements/partner_form.html", form=form, partner=partner)


# --- the register (Daftar Kerja Sama) ---------------------------------------------------------


@bp.route("/register")
def register():
    every = register_module.register_rows(current_user, _today())
    form = RegisterFilterForm(request.args)
    form.fill_choices(current_user, register_module.year_choices(every))
    filters = form.filters()
    return render_template(
        "agreements/register.html",
        form=form,
        filters=filters,
        rows=register_module.narrow(every, filters),
        has_any=bool(every),
    )
