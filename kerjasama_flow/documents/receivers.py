"""How the documents domain answers the agreements domain: a deleted step's documents stay
with the agreement, no longer tied to the step (nothing uploaded is lost with a step).

``init_app`` connects the receiver for one app; ``create_app`` calls it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.agreements.signals import FollowUp, milestone_deleted
from kerjasama_flow.documents import services


def on_milestone_deleted(
    app: Flask, *, agreement: Agreement, milestone: Any, **extra: Any
) -> FollowUp | None:
    untied = services.untie_from_step(milestone.kind, milestone.id)
    if not untied:
        return None
    return FollowUp(notices=[f"{untied} dokumennya tetap tersimpan pada kerja sama ini."])


def init_app(app: Flask) -> None:
    milestone_deleted.connect(on_milestone_deleted, sender=app)
