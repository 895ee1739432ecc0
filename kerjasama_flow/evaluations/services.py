"""Recording a monitoring and evaluation (monev) of an agreement.

The rules live here, not in the form: which agreements may be evaluated, the progress range, no
evaluation dated in the future (the government's own calendar), and the evidence file's type
(by its content, ``uploads.check``) and size. Services flush, never commit; the view commits once.

The evidence file exists if and only if a committed evaluation points to it: it is kept by
``kerjasama_flow.storage``, which publishes it when the session commits and deletes it when
it does not, and refuses a full disk on the ``evidence`` field before anything is saved. Its
SHA-256 is recorded in the activity log entry of the evaluation. Recording a monev closes the
agreement's open periodic monev tasks (``periodic.close_tasks``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kerjasama_flow import clock, storage, uploads
from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.activity.services import log_action, snapshot
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.errors import DomainError, refuse_any
from kerjasama_flow.evaluations import periodic
from kerjasama_flow.evaluations.models import Evaluation, Recommendation, Timeliness
from kerjasama_flow.extensions import db

EVIDENCE_FOLDER = "evidence"  # the storage folder, under the instance folder
EVALUATION_FIELDS = (
    "evaluated_on",
    "period_label",
    "progress_pct",
    "timeliness",
    "recommendation",
    "evidence_filename",
)


def refusal(agreement: Agreement) -> str | None:
    """Why no monev can be recorded for ``agreement``, or None. A monev is recorded for every
    agreement with a signed KB or PKS while it is open: running, waiting for its next step,
    paused (ditunda), and once more after its documents ended (the closing evaluation that
    decides whether to extend it). Before a KB or PKS there is nothing to evaluate; closed
    agreements (selesai, batal) take no more changes."""
    if agreement.stage in CLOSED:
        state = "dibatalkan" if agreement.stage == Stage.BATAL else "selesai"
        return f"Kerja sama ini sudah {state}; monev tidak dicatat lagi."
    if not (agreement.mous or agreement.pks_list):
        return "Monev dicatat setelah Kesepakatan Bersama (KB) atau PKS ditandatangani."
    return None


def can_be_evaluated(agreement: Agreement) -> bool:
    return refusal(agreement) is None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
    return value or None


def evaluation_checks(data: dict[str, Any], today: date) -> dict[str, str]:
    """Every rule a monev's data breaks, field -> message: its date (not after ``today``,
    the government's today), progress between 0 and 100 percent, a period and the
    realisation. Pure: the form shows these in one round, ``record_evaluation`` refuses
    them."""
    errors: dict[str, str] = {}
    evaluated_on = data.get("evaluated_on")
    if evaluated_on is None:
        errors["evaluated_on"] = "Wajib diisi."
    elif evaluated_on > today:
        errors["evaluated_on"] = "Tanggal monev tidak boleh di masa depan."
    progress = data.get("progress_pct")
    if progress is None:
        errors["progress_pct"] = "Wajib diisi."
    elif not 0 <= int(progress) <= 100:
        errors["progress_pct"] = "Progres antara 0 dan 100 persen."
    for name in ("period_label", "realisation"):
        if not _text(data.get(name)):
            errors[name] = "Wajib diisi."
    return errors


def record_evaluation(
    actor: User,
    agreement: Agreement,
    data: dict[str, Any],
    *,
    evidence: uploads.Upload | None = None,
    today: date | None = None,
) -> Evaluation:
    """Record one monev of ``agreement``; the evidence file (optional) is stored (under a
    random name in the ``evidence`` folder) once the session commits."""
    if agreement.government_id != actor.government_id:
        raise DomainError("Kerja sama ini bukan milik pemerintah daerah Anda.")
    refused = refusal(agreement)
    if refused is not None:
        raise DomainError(refused)
    government = db.session.get(Government, agreement.government_id)
    today = today or clock.today_in(government.timezone)
    refuse_any(evaluation_checks(data, today))
    evaluated_on = data["evaluated_on"]
    progress = data["progress_pct"]
    period_label = _text(data.get("period_label"))
    realisation = _text(data.get("realisation"))

    evaluation = Evaluation(
        government_id=agreement.government_id,
        agreement_id=agreement.id,
        evaluated_on=evaluated_on,
        period_label=period_label,
        realisation=realisation,
        progress_pct=int(progress),
        timeliness=Timeliness(data["timeliness"]),
        partner_contribution=_text(data.get("partner_contribution")),
        obstacles=_text(data.get("obstacles")),
        solutions=_text(data.get("solutions")),
        recommendation=Recommendation(data["recommendation"]),
        created_by_id=actor.id,
    )
    stored = None
    if uploads.has_file(evidence):
        checked = uploads.check(evidence, "evidence")
        stored = storage.store(
            checked.content, folder=EVIDENCE_FOLDER, suffix=checked.type.extension, field="evidence"
        )
        evaluation.evidence_filename = checked.display_name
        evaluation.evidence_path = stored.name
    db.session.add(evaluation)
    db.session.flush()
    log_action(
        actor,
        evaluation,
        "created",
        after={
            **snapshot(evaluation, EVALUATION_FIELDS),
            **({"evidence_sha256": stored.sha256} if stored is not None else {}),
        },
    )
    periodic.close_tasks(actor, evaluation, today)
    return evaluation


def evidence_file(evaluation: Evaluation) -> Path | None:
    """The stored evidence file of ``evaluation``, if it has one and it is still there."""
    return storage.path_of(EVIDENCE_FOLDER, evaluation.evidence_path)
