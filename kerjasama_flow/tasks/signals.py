"""What the tasks domain tells other domains, as blinker signals (see
``agreements.signals`` for the conventions: the app is the sender, receivers are connected by
``create_app``, they flush and never commit)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

due_dates_moved = _signals.signal("due-dates-moved")
"""Sent by ``receivers`` after a step's new date moved the due dates of its tasks. Keyword
arguments: ``actor`` (the user who changed the step, or None) and ``moved`` (a list of
``follow_up.Moved``: the task, with its new ``due_on``, and its ``old_due_on``)."""

tasks_held = _signals.signal("tasks-held")
"""Sent by ``receivers`` after an agreement's stage change cancelled, paused, resumed or
reopened its tasks (``holding``). Keyword arguments: ``actor`` (the user, or None),
``effect`` (``holding.Effect``), ``on`` (the government's date of the change) and ``held`` (a
list of ``holding.Held``: the task, as it is now, and the notice for its people)."""
