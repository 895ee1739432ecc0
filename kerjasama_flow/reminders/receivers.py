"""How the reminders domain answers the tasks domain (``tasks.signals``): a task whose due
date moved with its step, or that was cancelled, paused or given back with its agreement, gets
a notice in the bell of its people.

``init_app`` connects the receivers for one app; ``create_app`` calls it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from kerjasama_flow.accounts.models import User
from kerjasama_flow.reminders.services import notify_held, notify_rescheduled
from kerjasama_flow.tasks.follow_up import Moved
from kerjasama_flow.tasks.holding import Held
from kerjasama_flow.tasks.signals import due_dates_moved, tasks_held


def on_due_dates_moved(app: Flask, *, actor: User | None, moved: list[Moved], **extra: Any) -> None:
    notify_rescheduled(actor, moved)


def on_tasks_held(
    app: Flask, *, actor: User | None, effect: str, on: date, held: list[Held], **extra: Any
) -> None:
    notify_held(actor, effect, on, held)


def init_app(app: Flask) -> None:
    due_dates_moved.connect(on_due_dates_moved, sender=app)
    tasks_held.connect(on_tasks_held, sender=app)
