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
