"""Periodic monitoring and evaluation (monev): every KB and PKS in force gets a monev task for
Bagian Pemerintahan every N months (the government setting ``monev_interval_months``, 6 by
default), and recording a monev closes it.

- The rule (``monev_due``, pure): a document's first monev is due N months after its signing,
  a later one N months after the agreement's last monev (a monev is recorded per agreement),
  and never within N months of the document's previous monev task, whatever became of it (a
  task done or cancelled by hand without a recorded monev does not come back the next day).
- The daily sweep (``reminders.planner``) calls ``create_due_tasks``: for each KB (``Mou``)
  and PKS in force on the government's today (signed, started, not ended) of an open agreement
  that is not paused (ditunda), with no live monev task, and due by the rule, it creates one
  task "Monitoring dan evaluasi (monev) <document>" for the coordinating section (as a
  playbook's ``AssigneeKind.COORDINATOR`` task: Bagian Pemerintahan, else the OPD pengampu),
  due ``DUE_IN_WORKING_DAYS`` working days later.
- Recording a monev (``services.record_evaluation``) calls ``close_tasks``: the agreement's
  live monev tasks are closed as done, "Selesai otomatis: monev dicatat <date>".

A monev task is a ``Task`` tied to its document (``milestone_kind``/``milestone_id``: deleting
the document cancels it, as for a playbook's task) and marked ``completed_by = MONEV``; it is
counted from the day it was created, not from its document's date, so it has no
``due_in_working_days`` and does not move with the document. Idempotence: a document with a
live monev task gets no other, and the planner sweeps one government at a time (it locks the
government's row), so two sweeps make one task. Functions flush, never commit; each task
created or closed is in the activity log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage, months_after
from kerjasama_flow.agreements.models import Agreement, Mou, Pks
from kerjasama_flow.db import max_length
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.playbooks.services import coordinator_agency
from kerjasama_flow.tasks import follow_up, notes
from kerjasama_flow.tasks.models import Task
from kerjasama_flow.tasks.services import create_task
from kerjasama_flow.workdays.services import add_working_days_for

log = logging.getLogger(__name__)

# ``Task.completed_by`` of a monev task, and ``Task.closed_by_kind`` once a monev closed it.
MONEV = "evaluation"
DUE_IN_WORKING_DAYS = 10
# Agreements whose documents get no monev task: closed ones, and paused ones until resumed.
IDLE_STAGES = CLOSED | {Stage.DITUNDA}
TITLE_PREFIX = "Monitoring dan evaluasi (monev)"


def interval_months(government) -> int:
    return government_settings.get(government, "monev_interval_months")


def monev_due(
    *,
    signed_on: date,
    today: date,
    months: int,
    last_evaluated_on: date | None = None,
    last_task_on: date | None = None,
) -> bool:
    """Whether a KB/PKS in force, signed on ``signed_on`` and with no live monev task, gets a
    monev task ``today``: ``months`` months have passed since its signing, since its
    agreement's last monev (``last_evaluated_on``) and since its previous monev task was
    created (``last_task_on``, in the government's calendar). "Passed" as for a stalled
    agreement: on the same day ``months`` months later."""
    cutoff = months_after(today, -months)
    days = (signed_on, last_evaluated_on, last_task_on)
    return all(day <= cutoff for day in days if day is not None)


def document_label(document: Mou | Pks) -> str:
    """ "Kesepakatan Bersama 415/12/2025", "PKS 027/PKS/2025"; without a number, a KB/MoU by
    its signing date ("Nota Kesepahaman (MoU) 9 Mei 2025") and a PKS by its title ("PKS
    “Pasokan telur”")."""
    if isinstance(document, Mou):
        if document.number_own:
            return document.label
        return f"{document.label} {format_date(document.signed_on)}"
    if document.number_own:
        return f"PKS {document.number_own}"
    return f"PKS \u201c{document.title}\u201d"


def task_title(document: Mou | Pks) -> str:
    title = f"{TITLE_PREFIX} {document_label(document)}"
    limit = max_length(Task.title)
    return title if len(title) <= limit else title[: limit - 1] + "\u2026"


def _description(document: Mou | Pks, months: int) -> str:
    return (
        f"Monitoring dan evaluasi berkala (setiap {months} bulan) atas "
        f"{document_label(document)} yang ditandatangani {format_date(document.signed_on)}: "
        "realisasi terhadap ruang lingkup, ketepatan waktu, kontribusi mitra, kendala dan "
        "rekomendasi. Catat hasilnya di halaman kerja sama (Catat monev); tugas ini selesai "
        "otomatis saat monev dicatat."
    )


@dataclass(frozen=True)
class Candidate:
    """A document in force with no live monev task, and the facts ``monev_due`` needs."""

    kind: str  # "mou" or "pks", as ``Task.milestone_kind``
    document: Mou | Pks
    last_evaluated_on: date | None
    last_task_at: datetime | None


def _candidates(government: Government, today: date, months: int) -> list[Candidate]:
    """The KB/MoU and PKS of ``government`` in force on ``today``, of agreements not closed
    nor paused, signed at least ``months`` months ago (a condition of ``monev_due``, here to
    read fewer rows), with no live monev task."""
    last_evaluated_on = (
        select(func.max(Evaluation.evaluated_on))
        .where(Evaluation.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    found: list[Candidate] = []
    for kind, model in (("mou", Mou), ("pks", Pks)):
        of_document = and_(
            Task.milestone_kind == kind,
            Task.milestone_id == model.id,
            Task.completed_by == MONEV,
        )
        last_task_at = (
            select(func.max(Task.created_at)).where(of_document).correlate(model).scalar_subquery()
        )
        rows = db.session.execute(
            select(
                model,
                last_evaluated_on.label("last_evaluated_on"),
                last_task_at.label("last_task_at"),
            )
            .join(Agreement, Agreement.id == model.agreement_id)
            .where(
                Agreement.government_id == government.id,
                Agreement.stage.not_in(sorted(IDLE_STAGES)),
                model.signed_on <= months_after(today, -months),
                or_(model.starts_on.is_(None), model.starts_on <= today),
                or_(model.ends_on.is_(None), model.ends_on >= today),
                ~exists().where(of_document, Task.status.in_(follow_up.LIVE_STATUSES)),
            )
            .order_by(model.signed_on, model.id)
        ).all()
        found.extend(
            Candidate(kind, row[0], row.last_evaluated_on, row.last_task_at) for row in rows
        )
    return found


def create_due_tasks(government: Government, today: date) -> list[Task]:
    """For the daily sweep: one monev task for each KB/PKS of ``government`` that is due by
    ``monev_due`` on ``today`` (the government's local date). Two callers for one government
    must not overlap (the planner holds the government's row). A document whose task cannot
    be assigned (no Bagian Pemerintahan and no OPD pengampu) is skipped with a warning in the
    log."""
    months = interval_months(government)
    zone = ZoneInfo(government.timezone)
    coordinator = coordinator_agency(government)
    due_on = add_working_days_for(government, today, DUE_IN_WORKING_DAYS)
    created: list[Task] = []
    for candidate in _candidates(government, today, months):
        document = candidate.document
        last_task_on = (
            candidate.last_task_at.astimezone(zone).date() if candidate.last_task_at else None
        )
        if not monev_due(
            signed_on=document.signed_on,
            today=today,
            months=months,
            last_evaluated_on=candidate.last_evaluated_on,
            last_task_on=last_task_on,
        ):
            continue
        agreement = document.agreement
        agency = coordinator or agreement.lead_agency
        if agency is None:
            log.warning(
                "monev task of %s %s not created (government %s): no Bagian Pemerintahan "
                "and no OPD pengampu",
                candidate.kind,
                document.id,
                government.id,
            )
            continue
        data = {
            "title": task_title(document),
            "description": _description(document, months),
            "agency": agency,
            "due_on": due_on,
            "milestone_kind": candidate.kind,
            "milestone_id": document.id,
            "completed_by": MONEV,
        }
        # ``today`` may be a replayed day (``reminders run --date``): its due date stands.
        created.append(create_task(None, agreement, data, allow_past_due=True))
    db.session.flush()
    return created


def close_tasks(actor: User | None, evaluation: Evaluation, today: date) -> list[Task]:
    """Close as done the live monev tasks of ``evaluation``'s agreement, once it makes the
    agreement's monev current: dated within the interval before ``today`` (``monev_due``
    would no longer create them). An older monev recorded late leaves them open."""
    agreement = db.session.get(Agreement, evaluation.agreement_id)
    months = interval_months(agreement.government)
    if evaluation.evaluated_on <= months_after(today, -months):
        return []
    tasks = db.session.scalars(
        select(Task)
        .where(
            Task.agreement_id == agreement.id,
            Task.completed_by == MONEV,
            Task.status.in_(follow_up.LIVE_STATUSES),
        )
        .order_by(Task.id)
    ).all()
    line = notes.automatic(notes.DONE, f"monev dicatat {format_date(evaluation.evaluated_on)}")
    for task in tasks:
        follow_up.close_by(
            actor, task, kind=MONEV, record_id=evaluation.id, on=evaluation.evaluated_on, line=line
        )
    db.session.flush()
    return list(tasks)
