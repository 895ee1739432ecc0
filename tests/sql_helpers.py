"""Watching the SQL a block of code sends (the tests that count queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from kerjasama_flow.extensions import db


@contextmanager
def recorded_statements(selects_only: bool = False) -> Iterator[list[str]]:
    """The statements sent to the app's engine while the block runs, in order."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
