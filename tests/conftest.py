"""Fixtures: the app on every available database, a client, users of three roles.

The suite runs on SQLite always, and again on PostgreSQL when KERJASAMA_TEST_DATABASE_URL is
set (``.ci/run`` sets it): every test that uses ``app`` is parametrised by backend. On
PostgreSQL each test session works in a schema of its own, dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from kerjasama_flow import create_app
from kerjasama_flow.extensions import db, limiter
from tests import factories
from tests.reminder_helpers import BASE_URL, MAIL_SENDER, SmtpServer

PG_URL = os.environ.get("KERJASAMA_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def postgres_url_with_schema(schema: str) -> str:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


# The tests' SQLite files live in RAM where the machine has a tmpfs: most of the suite's time
# on SQLite was the disk flushing every commit. Nothing here outlives the test session.
RAM_DIR = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def fast_sqlite(engine) -> None:
    """Tests only, never the app: SQLite does not wait for the disk on commit. A crash of the
    test process loses the test database, which is thrown away anyway."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_fsync(dbapi_connection, connection_record):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


class TempDatabase:
    """A fresh, empty database: a SQLite file or a PostgreSQL schema of its own."""

    def __init__(self, backend: str, tmp_dir):
        self.backend = backend
        self._ram_dir = None
        if backend == "sqlite":
            if RAM_DIR:
                self._ram_dir = tmp_dir = Path(tempfile.mkdtemp(prefix="kf_test_", dir=RAM_DIR))
            self.url = f"sqlite:///{tmp_dir / f'kf_{uuid.uuid4().hex[:8]}.db'}"
            self.schema = None
        else:
            self.schema = f"kf_test_{uuid.uuid4().hex[:10]}"
            self._admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
            with self._admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.url = postgres_url_with_schema(self.schema)

    def drop(self) -> None:
        if self._ram_dir:
            shutil.rmtree(self._ram_dir, ignore_errors=True)
        if self.schema:
            with self._admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            self._admin.dispose()


@pytest.fixture(scope="session")
def temp_database(tmp_path_factory):
    """A factory of empty databases on a backend, dropped at the end of the session."""
    made: list[TempDatabase] = []

    def make(backend: str) -> TempDatabase:
        database = TempDatabase(backend, tmp_path_factory.mktemp("db"))
        made.append(database)
        return database

    yield make
    for database in made:
        database.drop()


def make_test_app(url: str, tmp_path, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        **factories.TEST_PASSWORD_HASHING,
    }
    config.update(overrides)
    app = create_app(config)
    app.instance_path = str(tmp_path)
    with app.app_context():
        fast_sqlite(db.engine)
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def session_app(backend, temp_database, tmp_path_factory) -> Iterator[Flask]:
    """One migrated database and app per backend for the whole session."""
    database = temp_database(backend)
    app = make_test_app(database.url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


# Every sequence of the test schema back to 1, as TRUNCATE ... RESTART IDENTITY would.
_RESTART_SEQUENCES = text(
    "SELECT setval(s.oid, 1, false) FROM pg_class s "
    "JOIN pg_namespace n ON n.oid = s.relnamespace "
    "WHERE s.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_all_tables(backend: str) -> None:
    """DELETE, children first, on both databases. PostgreSQL's TRUNCATE of every table cost
    about 200 ms a test (a new file per table), DELETE of the few rows a test leaves 10 ms;
    and DELETE takes row locks only, so autovacuum can no longer pick it as a deadlock
    victim."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if backend == "postgresql":
        db.session.execute(_RESTART_SEQUENCES)
    db.session.commit()


@pytest.fixture
def app(session_app, backend) -> Iterator[Flask]:
    """The session's app with empty tables, no failed logins counted, an app context, and its
    config restored after."""
    saved = dict(session_app.config)
    with session_app.app_context():
        _empty_all_tables(backend)
        limiter.reset()
        yield session_app
        db.session.rollback()
        db.session.remove()
    session_app.config.clear()
    session_app.config.update(saved)


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production: its own ``g`` (so the
    logged-in user does not leak between clients) and its own database session (so a view
    that forgets to commit fails the test). What the test arranged is committed before the
    request, and the test's objects are expired after it, so they are read fresh."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def own_file_store(app, tmp_path):
    """A file store of this test's own (the session's app is shared)."""
    saved = app.instance_path
    app.instance_path = str(tmp_path)
    yield
    app.instance_path = saved


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def coordinator(world):
    """Government A's Bagian Pemerintahan, marked as the coordinator (the playbooks' agency
    for Bagian Pemerintahan tasks)."""
    agency = factories.make_agency(
        world.gov, "PEM", name="Bagian Pemerintahan", is_coordinator=True
    )
    db.session.commit()
    return agency


@pytest.fixture
def world(app):
    """Two governments with agencies and users of every role (see ``factories.make_world``)."""
    return factories.make_world()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.PASSWORD):
        return self._client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def smtp(app) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a loopback port, and the app's mail settings pointing
    at it; links in mail start with ``reminder_helpers.BASE_URL``."""
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_TIMEOUT=5,
        KERJASAMA_BASE_URL=BASE_URL,
        MAIL_DEFAULT_SENDER=MAIL_SENDER,
    )
    yield server
    server.close()
