"""How the reminders domain answers the tasks domain (``tasks.signals``): a task whose due
date moved with its step gets a notice in the bell of its people.

``init_app`` connects the receivers for one app; ``create_app`` calls it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kerjasama_flow.accounts.models import User
from kerjasama_flow.reminders.services import notify_rescheduled
from kerjasama_flow.tasks.follow_up import Moved
from kerjasama_flow.tasks.signals import due_dates_moved


def on_due_dates_moved(app: Flask, *, actor: User | None, moved: list[Moved], **extra: Any) -> None:
    notify_rescheduled(actor, moved)


def init_app(app: Flask) -> None:
    due_dates_moved.connect(on_due_dates_moved, sender=app)
