"""How playbooks answer the agreements domain: a recorded milestone runs its playbook.

``init_app`` connects the receivers for one app; ``create_app`` calls it. Nothing is connected
by importing this module.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.agreements.signals import FollowUp, milestone_recorded
from kerjasama_flow.playbooks.services import run_milestone_playbook


def on_milestone_recorded(
    app: Flask, *, actor: User | None, agreement: Agreement, milestone: Any, **extra: Any
) -> FollowUp | None:
    """The follow-up tasks of the milestone's playbook, and a warning for each template that
    could not become a task ("Tugas ... tidak dibuat: ...")."""
    run = run_milestone_playbook(actor, agreement, milestone)
    if run is None:
        return None
    return FollowUp(tasks=list(run), warnings=[skipped.message for skipped in run.skipped])


def init_app(app: Flask) -> None:
    milestone_recorded.connect(on_milestone_recorded, sender=app)
