"""Can the app start? A database URL it supports, a database that answers, a schema at the
migrations' head: each refusal is one line an operator can act on, not a traceback.

``create_app`` checks the URL (an unsupported driver would otherwise fail deep inside
SQLAlchemy and hide the app's commands from ``flask``). ``wsgi.py`` checks the connection for
every entry point and, when serving (gunicorn), the schema too; under the ``flask`` command
the schema is checked by the commands that need it (``needs_current_schema``), never by
``db upgrade``, which must work on an empty or old database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from kerjasama_flow.extensions import db

UPGRADE = "flask --app wsgi db upgrade"
# The drivers the project installs (``config.load_config`` turns postgresql:// into psycopg 3).
SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}
EXAMPLES = "postgresql://kerjasama@127.0.0.1/kerjasama atau sqlite:////srv/kerjasama/kerjasama.db"


class NotReady(Exception):
    """The app cannot start or the command cannot run; ``str(error)`` says why in one line."""


def check_database_url(url: str) -> None:
    """Refuse a URL that is not one, or that names a database the app does not support."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The value itself is not repeated: it may hold a password.
        raise NotReady(
            f"DATABASE_URL bukan alamat basis data yang dapat dibaca. Contoh: {EXAMPLES}."
        ) from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise NotReady(
            f"DATABASE_URL memakai {parsed.drivername}://, yang tidak didukung: kerjasama-flow "
            f"berjalan di PostgreSQL atau SQLite. Contoh: {EXAMPLES}."
        )


def check_ready(app: Flask, *, schema: bool) -> None:
    """The database answers (and, with ``schema``, is at the migrations' head); the
    connection used to ask is closed again, so that no forked worker inherits it."""
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                problem = schema_problem(connection) if schema else None
        except DBAPIError as error:
            raise NotReady(unreachable(error)) from None
        finally:
            db.engine.dispose()
    if problem:
        raise NotReady(problem)


def unreachable(error: DBAPIError) -> str:
    """One line for a database that does not answer: where, and the driver's first line."""
    address = db.engine.url
    url = address.set(drivername=address.get_backend_name()).render_as_string(hide_password=True)
    reason = (str(error.orig) or type(error.orig).__name__).strip().splitlines()[0]
    return f"Basis data tidak dapat dihubungi ({url}): {reason}"


def schema_problem(connection: Connection) -> str | None:
    """None when the database's schema is at the migrations' head, else what to do."""
    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    heads = set(script.get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    if not current:
        return f"Basis data belum berisi skema aplikasi. Jalankan dulu: {UPGRADE}"
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return (
            f"Basis data ada di revisi {', '.join(sorted(current))}, yang tidak dikenal "
            "kode ini (kodenya lebih lama dari basis datanya?). Pasang versi kode yang sesuai."
        )
    return (
        f"Skema basis data tertinggal (revisi {', '.join(sorted(current))}, kode ini "
        f"membutuhkan {', '.join(sorted(heads))}). Jalankan dulu: {UPGRADE}"
    )


def needs_current_schema(command: Callable) -> Callable:
    """A CLI command (or group) that refuses to run, with exit status 1, until ``db upgrade``
    has brought the schema to the migrations' head. Runs in the app context of the command."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        try:
            with db.engine.connect() as connection:
                problem = schema_problem(connection)
        except DBAPIError as error:
            raise click.ClickException(unreachable(error)) from None
        if problem:
            raise click.ClickException(problem)
        return command(*args, **kwargs)

    return checked
