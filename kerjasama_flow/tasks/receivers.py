"""How the tasks domain answers the agreements domain (``agreements.signals``): generated
tasks close when the step they wait for is recorded, reopen when it is deleted, move with
their step's date, and move to the OPD pengampu once it is set (``follow_up``); an agreement's
tasks are cancelled, paused and given back with it (``holding``).

``init_app`` connects the receivers for one app; ``create_app`` calls it. Nothing is connected
by importing this module.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.agreements.signals import (
    FollowUp,
    agreement_changed,
    milestone_changed,
    milestone_deleted,
    milestone_recorded,
    stage_changed,
)
from kerjasama_flow.formatting import format_date
from kerjasama_flow.tasks import follow_up, holding
from kerjasama_flow.tasks.signals import due_dates_moved, tasks_held


def _answer(*notices: str) -> FollowUp | None:
    notices = tuple(notice for notice in notices if notice)
    return FollowUp(notices=list(notices)) if notices else None


def _count(tasks: list, text: str) -> str:
    return f"{len(tasks)} {text}" if tasks else ""


def on_milestone_recorded(
    app: Flask, *, actor: User | None, agreement: Agreement, milestone: Any, **extra: Any
) -> FollowUp | None:
    closed = follow_up.close_completed(actor, agreement, milestone)
    return _answer(_count(closed, f"tugas selesai otomatis karena {_recorded(milestone)}."))


def _recorded(milestone: Any) -> str:
    return f"{follow_up.step_name(milestone)} sudah dicatat"


def on_milestone_changed(
    app: Flask,
    *,
    actor: User | None,
    agreement: Agreement,
    milestone: Any,
    before: dict[str, Any],
    **extra: Any,
) -> FollowUp | None:
    moved = follow_up.move_due_dates(actor, milestone, before)
    if moved:
        due_dates_moved.send(app, actor=actor, moved=moved)
    date = format_date(milestone.occurred_on)
    return _answer(_count(moved, f"tugas tindak lanjut mengikuti tanggal baru ({date})."))


def on_milestone_deleted(
    app: Flask, *, actor: User | None, agreement: Agreement, milestone: Any, **extra: Any
) -> FollowUp | None:
    result = follow_up.after_step_deleted(actor, agreement, milestone)
    return _answer(
        _count(result.reopened, "tugas yang diselesaikannya dibuka kembali."),
        _count(result.cancelled, "tugas tindak lanjutnya yang belum selesai dibatalkan."),
    )


def on_agreement_changed(
    app: Flask, *, actor: User | None, agreement: Agreement, **extra: Any
) -> FollowUp | None:
    moved = follow_up.hand_to_lead_agency(actor, agreement)
    if not moved:
        return None
    return _answer(
        f"{len(moved)} tugas untuk OPD pengampu dipindahkan dari Bagian Pemerintahan ke "
        f"{agreement.lead_agency.name}."
    )


HOLD_NOTICES = {
    holding.Effect.CANCEL: "tugas terbuka dibatalkan.",
    holding.Effect.PAUSE: "tugas terbuka ditunda; tidak ada pengingat sampai kerja sama "
    "dilanjutkan.",
    holding.Effect.RESUME: "tugas yang ditunda dibuka kembali.",
    holding.Effect.REOPEN: "tugas yang dibatalkan otomatis dibuka kembali.",
}


def on_stage_changed(
    app: Flask,
    *,
    actor: User | None,
    agreement: Agreement,
    before: Stage,
    after: Stage,
    **extra: Any,
) -> FollowUp | None:
    """Cancel, pause or give back the agreement's tasks (``holding``); the reminders domain
    tells their people (``tasks_held``)."""
    today = clock.today_in(agreement.government.timezone)
    effect, held = holding.apply(actor, agreement, before, after, today)
    if not held:
        return None
    tasks_held.send(app, actor=actor, effect=effect, on=today, held=held)
    return _answer(_count(held, HOLD_NOTICES[effect]))


def init_app(app: Flask) -> None:
    milestone_recorded.connect(on_milestone_recorded, sender=app)
    milestone_changed.connect(on_milestone_changed, sender=app)
    milestone_deleted.connect(on_milestone_deleted, sender=app)
    agreement_changed.connect(on_agreement_changed, sender=app)
    stage_changed.connect(on_stage_changed, sender=app)
