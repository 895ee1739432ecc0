"""Recording a monitoring and evaluation (monev) of an agreement.

The rules live here, not in the form: which stages may be evaluated, the progress range, no
evaluation dated in the future (the government's own calendar), and the evidence file's type
and size. Services flush, never commit; the view commits once.

The evidence file exists if and only if a committed evaluation points to it. The service writes
the bytes next to their final place under a hidden ``.<name>.part`` name, so a full disk is a
refusal before anything is saved; the session's commit renames the file into place (atomic,
same folder, no new data to write), and a rollback, or a transaction that ends without a
commit, deletes it.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.utils import secure_filename

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.activity.services import record, snapshot
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.errors import DomainError
from kerjasama_flow.evaluations.models import Evaluation, Recommendation, Timeliness
from kerjasama_flow.extensions import db

# An agreement is evaluated while it runs, and once more after its documents ended (the
# closing evaluation that decides whether to extend it). Earlier stages have nothing to
# evaluate; closed ones (selesai, batal) take no more changes.
EVALUABLE_STAGES = frozenset({Stage.PELAKSANAAN, Stage.BERAKHIR})
EVIDENCE_EXTENSIONS = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx"})
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_DIR = "evidence"  # under the instance folder
EVALUATION_FIELDS = (
    "evaluated_on",
    "period_label",
    "progress_pct",
    "timeliness",
    "recommendation",
    "evidence_filename",
)
_STAGED = "kerjasama_flow.evaluations.staged_evidence"  # key in ``Session.info``

log = logging.getLogger(__name__)


class Upload(Protocol):
    """What the service needs of an uploaded file (werkzeug's ``FileStorage`` fits)."""

    filename: str | None
    stream: IO[bytes]


def can_be_evaluated(agreement: Agreement) -> bool:
    return agreement.stage in EVALUABLE_STAGES


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _check_evidence(upload: Upload) -> tuple[str, str, bytes]:
    """(display name, extension, content) of an acceptable evidence file."""
    display = secure_filename(upload.filename or "")
    extension = Path(display).suffix.lower()
    if not display or extension not in EVIDENCE_EXTENSIONS:
        raise DomainError(
            "Jenis berkas tidak diizinkan. Unggah PDF, JPG, PNG, DOCX atau XLSX.", "evidence"
        )
    content = upload.stream.read(MAX_EVIDENCE_BYTES + 1)
    if len(content) > MAX_EVIDENCE_BYTES:
        raise DomainError("Berkas bukti paling besar 10 MB.", "evidence")
    if not content:
        raise DomainError("Berkas bukti kosong.", "evidence")
    return display, extension, content


@dataclass(frozen=True)
class _StagedFile:
    part: Path  # the written bytes, until the commit
    final: Path  # where the committed evaluation's ``evidence_path`` points


def _stage_evidence(folder: Path, stored: str, content: bytes) -> None:
    """Write ``content`` as ``folder/.<stored>.part``; the session's commit publishes it as
    ``folder/<stored>``, the end of the transaction without a commit deletes it."""
    part = folder / f".{stored}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part.write_bytes(content)
    except OSError as error:
        with suppress(OSError):
            part.unlink(missing_ok=True)
        log.exception("Evidence file %s could not be written", part)
        raise DomainError(
            "Berkas bukti tidak dapat disimpan. Coba lagi nanti atau hubungi admin.", "evidence"
        ) from error
    session = db.session()
    if not event.contains(session, "after_commit", _publish_staged):
        event.listen(session, "after_commit", _publish_staged)
        event.listen(session, "after_rollback", _discard_staged)
        event.listen(session, "after_transaction_end", _discard_staged_at_end)
    session.info.setdefault(_STAGED, []).append(_StagedFile(part, folder / stored))


def _publish_staged(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction still decides
    for staged in session.info.pop(_STAGED, []):
        try:
            staged.part.replace(staged.final)
        except OSError:
            # The row is committed and cannot be taken back here; say so loudly. The download
            # answers 404 (``evidence_file`` is None); the bytes, if any, stay in the part file.
            log.exception(
                "Evidence file %s is committed but could not be put in place from %s",
                staged.final.name,
                staged.part,
            )


def _discard_staged(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was rolled back: the outer transaction may still commit
    for staged in session.info.pop(_STAGED, []):
        try:
            staged.part.unlink(missing_ok=True)
        except OSError:
            log.exception("Evidence file %s of a rolled back save stays on disk", staged.part)


def _discard_staged_at_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit and without a rollback reaching the
    # database (``Session.close()``); after a commit nothing is left to discard.
    if transaction.parent is None:
        _discard_staged(session)


def record_evaluation(
    actor: User,
    agreement: Agreement,
    data: dict[str, Any],
    *,
    evidence_root: Path,
    evidence: Upload | None = None,
    today: date | None = None,
) -> Evaluation:
    """Record one monev of ``agreement``; the evidence file (optional) is stored under
    ``evidence_root/evidence/<uuid><ext>`` once the session commits."""
    if agreement.government_id != actor.government_id:
        raise DomainError("Kerja sama ini bukan milik pemerintah daerah Anda.")
    if not can_be_evaluated(agreement):
        raise DomainError(
            f"Monev hanya dicatat untuk kerja sama pada tahap Pelaksanaan atau Berakhir; "
            f"tahap kerja sama ini {agreement.stage.label}."
        )
    government = db.session.get(Government, agreement.government_id)
    today = today or clock.today_in(government.timezone)
    evaluated_on = data.get("evaluated_on")
    if evaluated_on is None:
        raise DomainError("Wajib diisi.", "evaluated_on")
    if evaluated_on > today:
        raise DomainError("Tanggal monev tidak boleh di masa depan.", "evaluated_on")
    progress = data.get("progress_pct")
    if progress is None:
        raise DomainError("Wajib diisi.", "progress_pct")
    if not 0 <= int(progress) <= 100:
        raise DomainError("Progres antara 0 dan 100 persen.", "progress_pct")
    period_label = _text(data.get("period_label"))
    if not period_label:
        raise DomainError("Wajib diisi.", "period_label")
    realisation = _text(data.get("realisation"))
    if not realisation:
        raise DomainError("Wajib diisi.", "realisation")

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
    if evidence is not None and evidence.filename:
        display, extension, content = _check_evidence(evidence)
        stored = f"{uuid.uuid4().hex}{extension}"
        _stage_evidence(Path(evidence_root) / EVIDENCE_DIR, stored, content)
        evaluation.evidence_filename = display
        evaluation.evidence_path = stored
    db.session.add(evaluation)
    db.session.flush()
    record(
        actor=actor,
        government_id=agreement.government_id,
        agreement_id=agreement.id,
        entity="evaluation",
        entity_id=evaluation.id,
        action="created",
        after=snapshot(evaluation, EVALUATION_FIELDS),
    )
    return evaluation


def evidence_file(evaluation: Evaluation, evidence_root: Path) -> Path | None:
    """The stored evidence file of ``evaluation``, if it has one and it is still there."""
    if not evaluation.evidence_path:
        return None
    path = Path(evidence_root) / EVIDENCE_DIR / Path(evaluation.evidence_path).name
    return path if path.is_file() else None
