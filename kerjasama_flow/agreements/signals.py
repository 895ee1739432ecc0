"""What the agreements domain tells other domains, as blinker signals.

The domains that react (playbooks) import agreements; agreements imports none of them. Each
reacting package connects its receivers at app start (``create_app``), never as a side effect
of being imported, and with the app as the sender: an app that did not connect a receiver
does not run it.

Receivers run inside the sending service's transaction: they change the session and flush,
never commit, and a ``DomainError`` they raise refuses the whole change (the view rolls back
the milestone with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from blinker import Namespace

if TYPE_CHECKING:
    from kerjasama_flow.tasks.models import Task

_signals = Namespace()

milestone_recorded = _signals.signal("milestone-recorded")
"""Sent by ``services.record_milestone`` once the new milestone is flushed (it has its id and
the agreement its new stage), unless the caller asked for no follow-up (imports, the demo).
Sender: the app. Keyword arguments: ``actor`` (the user, or None), ``agreement`` and
``milestone`` (a ``Visit``, ``Mou``, ``Pks`` or ``Transaction``; ``milestone.kind`` says
which). A receiver returns a ``FollowUp``, or None when it had nothing to do."""


@dataclass
class FollowUp:
    """What a receiver did in answer to a recorded milestone: the tasks it created, and
    warnings for the user who recorded it (each shown as a message)."""

    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
