"""Writing the activity log. Every service that changes data calls ``log_action`` or
``log_changes`` with the object it changed; ``record`` / ``record_changes`` spell it all out."""

from __future__ import annotations

import enum
from collections.abc import MutableSequence, Set
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kerjasama_flow import clock
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    # Association proxies (Agreement.sectors) are MutableSequences, not lists.
    if isinstance(value, list | tuple | Set | MutableSequence):
        return [_plain(v) for v in value]
    if hasattr(value, "id") and hasattr(value, "__table__"):
        return getattr(value, "name", None) or getattr(value, "title", None) or value.id
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The JSON-safe values of ``fields`` on ``obj``, for the before/after columns."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, so the log says what actually changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# The stored ``entity`` of the models whose table name is not it. Templates and
# ``agreements/activity_text.py`` read the stored values: they must never change.
ENTITY_NAMES = {
    "user_account": "user",
    "agreement_transaction": "transaction",
    "realised_activity": "activity",
    "tkksd_meeting": "tkksd",
    "dprd_approval": "dprd",
    "signing_report": "report",
}


def subject(obj: Any, entity: str | None = None) -> dict[str, Any]:
    """The columns of a log entry about ``obj``, read from the object: ``government_id`` (its
    own, a government's id, or for a milestone its agreement's), ``entity`` (the table name,
    or its ``ENTITY_NAMES`` entry, unless given), ``entity_id`` and ``agreement_id`` (the
    agreement itself, else the object's agreement if it has one). ``obj`` must be flushed."""
    table = obj.__tablename__
    if table == "government":
        government_id = obj.id
    elif hasattr(obj, "government_id"):
        government_id = obj.government_id
    else:  # a milestone belongs to a government through its agreement
        government_id = obj.agreement.government_id
    agreement_id = obj.id if table == "agreement" else getattr(obj, "agreement_id", None)
    if obj.id is None or government_id is None:
        raise ValueError(f"Flush the {table} before logging it.")
    return {
        "government_id": government_id,
        "entity": entity or ENTITY_NAMES.get(table, table),
        "entity_id": obj.id,
        "agreement_id": agreement_id,
    }


def log_action(
    actor,
    obj: Any,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    entity: str | None = None,
) -> ActivityLog:
    """``record`` an action on ``obj``; the ids and entity come from the object (``subject``)."""
    return record(actor=actor, action=action, before=before, after=after, **subject(obj, entity))


def log_changes(
    actor,
    obj: Any,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    extra: dict | None = None,
    entity: str | None = None,
) -> ActivityLog | None:
    """``record_changes`` of ``obj`` (what differs, plus ``extra``; nothing when nothing did)."""
    return record_changes(
        before, after, extra=extra, actor=actor, action=action, **subject(obj, entity)
    )


def record_changes(
    before: dict[str, Any], after: dict[str, Any], *, extra: dict | None = None, **context
) -> ActivityLog | None:
    """Log what differs between two snapshots (plus ``extra``); nothing when nothing changed.
    ``context`` is passed to ``record`` (actor, government_id, entity, entity_id, action...)."""
    old, new = changed(before, after)
    new.update(extra or {})
    if not new:
        return None
    return record(before=old or None, after=new, **context)


def record(
    *,
    actor,
    government_id: int,
    entity: str,
    entity_id: int | None,
    action: str,
    agreement_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ActivityLog:
    entry = ActivityLog(
        government_id=government_id,
        actor_id=getattr(actor, "id", None),
        agreement_id=agreement_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        at=clock.now(),
    )
    db.session.add(entry)
    return entry
