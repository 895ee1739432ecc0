"""The declarative base, its naming convention and small column helpers shared by all models."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, DateTime, Engine, Enum, MetaData, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute

from kerjasama_flow.errors import ConflictError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id: every id column is PostgreSQL's ``integer``. A bigger number names no record,
# and the databases refuse to compare with it (PostgreSQL a DataError, SQLite an OverflowError):
# routes (``web.RecordIdConverter``) and query strings (``forms_common.positive_int``) stop
# such a number before it reaches a query.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _SystemChange(enum.Enum):
    SYSTEM_CHANGE = "system change"


# The version a change passes when no person loaded the record on a page: an import, the CLI,
# the demo seed, a test arranging its data. Only code can pass it: a form's version is a
# whole number or nothing.
SYSTEM_CHANGE = _SystemChange.SYSTEM_CHANGE
ExpectedVersion = int | _SystemChange | None

# A form that sent no version (a page without the hidden field, a hand-made request).
MISSING_VERSION = (
    "Formulir ini tidak membawa versi data yang Anda buka. Muat ulang halaman lalu coba lagi."
)


def check_version(obj, expected_version: ExpectedVersion) -> None:
    """Refuse to save over a change someone else made after this user loaded the record.

    ``expected_version`` is the version the user's form was built from; the mapper's
    ``version_id_col`` catches the remaining race between this check and the UPDATE. No
    version (None) is refused too: a form that leaves its version out must not skip the
    check and silently revert another person's change. A change no person loaded a page for
    says so with ``SYSTEM_CHANGE``."""
    if expected_version is SYSTEM_CHANGE:
        return
    if expected_version is None:
        raise ConflictError(MISSING_VERSION)
    if obj.version != expected_version:
        raise ConflictError()


def max_length(column: QueryableAttribute | ColumnElement) -> int:
    """The declared length of a string column, given as a mapped attribute
    (``max_length(Agreement.title)`` is 300) or a table column: where a form or the importer
    learns how long a text may be, so that the limit is written once, in the model."""
    length = getattr(column.expression.type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} is not a string column with a length")
    return length


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its string value, kept valid by a named CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
        length=max(len(member.value) for member in enum_cls),
    )


def dialect_insert(bind):
    """The INSERT construct of ``bind``'s dialect (a connection, engine or session), for its
    ``ON CONFLICT`` clauses. The app runs on PostgreSQL and SQLite."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    name = bind.dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"ON CONFLICT on {name}")  # pragma: no cover


# A SAVEPOINT on SQLite must sit inside a transaction. Python's sqlite3 (in its default mode)
# begins one only before INSERT/UPDATE/DELETE, so a ``Session.begin_nested()`` issued first
# opened a transaction of its own and its release committed: the import committed row by
# row. Begin the transaction explicitly before the first savepoint. (The driver's full
# autocommit recipe would also make every read a transaction, and readers would then block
# writers on SQLite's rollback journal.)


@event.listens_for(Engine, "savepoint")
def _sqlite_begin_before_savepoint(connection, name) -> None:
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.dbapi_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")


# On SQLite one writer at a time holds the database: a background import holds it for up to
# half a minute, and the driver's default is to give up after 5 s ("database is locked", a
# lost save). Wait as long as the longest import instead; PostgreSQL has row locks.
SQLITE_BUSY_TIMEOUT_MS = 60_000


@event.listens_for(Engine, "connect")
def _sqlite_wait_for_the_writer(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
