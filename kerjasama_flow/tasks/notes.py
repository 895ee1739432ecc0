"""The line an automatic change puts before a task's note ("Selesai otomatis: PKS dicatat 14
Agustus 2025."), in one place: the follow-up engine (``follow_up``) and the holding of tasks
with their agreement (``holding``) write it, and take it off again when they undo the change,
so that the note people wrote is never lost nor doubled."""

from __future__ import annotations

DONE = "Selesai otomatis"
CANCELLED = "Dibatalkan otomatis"
PAUSED = "Ditunda otomatis"
PREFIXES = (DONE, CANCELLED, PAUSED)


def automatic(prefix: str, text: str) -> str:
    """ "Dibatalkan otomatis: kerja sama ditandai selesai 14 Agustus 2025" (no full stop)."""
    return f"{prefix}: {text}"


def with_note(automatic_line: str, own: str | None) -> str:
    """The automatic line, then the note people wrote, if any."""
    return f"{automatic_line}.\n\n{own}" if own else f"{automatic_line}."


def own_note(note: str | None) -> str | None:
    """The note people wrote, without the line an automatic change put before it."""
    if note and note.startswith(tuple(f"{prefix}: " for prefix in PREFIXES)):
        _, _, rest = note.partition("\n\n")
        return rest or None
    return note
