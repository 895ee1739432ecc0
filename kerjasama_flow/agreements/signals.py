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

milestone_changed = _signals.signal("milestone-changed")
"""Sent by ``services.update_milestone`` once the change is flushed. Keyword arguments:
``actor``, ``agreement``, ``milestone`` and ``before`` (the milestone's fields before the
change, as ``activity.services.snapshot`` gives them: dates as ISO strings)."""

milestone_deleted = _signals.signal("milestone-deleted")
"""Sent by ``services.delete_milestone`` once the milestone is gone from the database (its
``kind`` and ``id`` still readable on the object). Keyword arguments: ``actor``,
``agreement``, ``milestone``."""

agreement_changed = _signals.signal("agreement-changed")
"""Sent by ``services.update_agreement`` once the change is flushed. Keyword arguments:
``actor``, ``agreement`` and ``before`` (its fields before, ``snapshot`` form)."""

stage_changed = _signals.signal("stage-changed")
"""Sent by ``services.change_stage`` (a user ends, pauses, resumes or reopens an agreement)
once the new stage is flushed. Keyword arguments: ``actor``, ``agreement``, ``before`` and
``after`` (``Stage``), ``reason``."""


@dataclass
class FollowUp:
    """What a receiver did in answer to a signal: the tasks it created, what it did to other
    tasks (``notices``: "2 tugas selesai otomatis"), and warnings for the user (each shown as
    a message)."""

    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
