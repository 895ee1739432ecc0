"""Monev on the web: record an evaluation of an agreement, download its evidence.

Recording is for admins (Bagian Pemerintahan), as every change to an agreement's data: the
DESIGN role table gives OPD heads only their tasks' status. Anyone who may read the agreement
sees its history and may download the evidence.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.evaluations import services
from kerjasama_flow.evaluations.forms import EvaluationForm
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.permissions import can_read_agreement, can_record_evaluation
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import run_service

bp = Blueprint("evaluations", __name__)


def _history_url(agreement_id: int) -> str:
    return url_for("agreements.detail", agreement_id=agreement_id, _anchor="monev")


@bp.route("/agreements/<int:agreement_id>/evaluations/new", methods=["GET", "POST"])
def new(agreement_id: int):
    agreement = get_owned_or_404(Agreement, agreement_id)
    if not can_record_evaluation(current_user, agreement):
        abort(403)
    refused = services.refusal(agreement)
    if refused is not None:
        flash(refused, "warning")
        return redirect(_history_url(agreement.id))
    form = EvaluationForm(today=clock.today_in(agreement.government.timezone))
    if form.validate_on_submit() and run_service(
        form,
        services.record_evaluation,
        current_user,
        agreement,
        form_values(form, exclude=("csrf_token", "submit", "version", "evidence")),
        evidence=request.files.get(form.evidence.name),
    ):
        flash("Hasil monev dicatat.", "success")
        return redirect(_history_url(agreement.id))
    return render_template("evaluations/form.html", form=form, agreement=agreement)


@bp.route("/evaluations/<int:evaluation_id>/evidence")
def evidence(evaluation_id: int):
    evaluation = get_owned_or_404(Evaluation, evaluation_id)
    if not can_read_agreement(current_user, evaluation.agreement):
        abort(403)
    if not evaluation.evidence_path:
        flash("Monev ini tidak memiliki berkas bukti.", "info")
        return redirect(_history_url(evaluation.agreement_id))
    path = services.evidence_file(evaluation)
    if path is None:
        abort(404)
    return send_file(
        path, as_attachment=True, download_name=evaluation.evidence_filename or path.name
    )
