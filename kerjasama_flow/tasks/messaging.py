"""A task's reminder as a WhatsApp message the user sends themselves (a wa.me link).

No gateway, no account: wa.me opens WhatsApp (app or web) with the text prefilled, addressed to
the task's assignee, else to the agency's number, else to a contact the user picks.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kerjasama_flow.formatting import format_date
from kerjasama_flow.tasks.models import Task

WA_ME = "https://wa.me/"


def normalise_phone(raw: str | None) -> str | None:
    """An Indonesian number in the international form wa.me wants (``628...``, digits only):
    ``0812-3456-789``, ``+62 812 3456 789`` and ``812 3456 789`` all become ``628123456789``.
    None when there is no plausible number."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("0"):
        digits = "62" + digits.lstrip("0")
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if 10 <= len(digits) <= 15 else None


def recipient_phone(task: Task) -> str | None:
    """The assignee's number, else the agency's (its head's contact), normalised."""
    for candidate in (
        task.assignee.phone if task.assignee else None,
        task.agency.phone if task.agency else None,
    ):
        phone = normalise_phone(candidate)
        if phone:
            return phone
    return None


def reminder_text(task: Task, task_url: str) -> str:
    return "\n".join(
        [
            "*Pengingat tugas tindak lanjut kerja sama daerah*",
            "",
            f"Tugas: {task.title}",
            f"Kerja sama: {task.agreement.title}",
            f"OPD: {task.agency.code}",
            f"Tenggat: {format_date(task.due_on)}",
            "",
            f"Rincian dan pembaruan status: {task_url}",
        ]
    )


def whatsapp_url(task: Task, task_url: str) -> str:
    """``https://wa.me/<phone>?text=...``; without a number, ``https://wa.me/?text=...`` lets
    the user pick the contact."""
    phone = recipient_phone(task) or ""
    return f"{WA_ME}{phone}?text={quote(reminder_text(task, task_url), safe='')}"
