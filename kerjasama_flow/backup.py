"""Backup and restore of an installation: the database and the files of the store, together.

The database alone is not the installation: uploaded documents, monev evidence and queued
imports live in the instance folder (``storage.FOLDERS``), and a restored dump without them
answers 404 on every document. ``create_backup`` writes one ``.tar.gz`` holding

* ``manifest.json``: the app's version, the alembic revision, the database's kind, and every
  member with its SHA-256 and size;
* a consistent copy of the database, taken while the app runs: SQLite's online backup API
  (``sqlite3.Connection.backup``) into ``database.sqlite3``, or PostgreSQL's own
  ``pg_dump --format=custom`` (one snapshot) into ``database.pgdump``;
* ``files/<folder>/<name>``: every stored file, copied after the database, so that a file
  stored meanwhile is at worst an extra file no row refers to.

``restore_backup`` puts an archive back into an *empty* database and instance folder (it
refuses anything else): it checks every member against the manifest's SHA-256 before
touching anything, restores the database (SQLite's backup API again, or ``pg_restore`` in a
single transaction) and moves the files into place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from flask import current_app
from psycopg.conninfo import make_conninfo
from sqlalchemy import inspect, text

from kerjasama_flow import storage
from kerjasama_flow.extensions import db

FORMAT = 1
APP = "kerjasama-flow"
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FILES = "files"
CHUNK_BYTES = 1024 * 1024
CLIENT_PACKAGE = "postgresql-client"  # Debian's package of pg_dump and pg_restore


class BackupError(Exception):
    """A refusal or a failure, in one line for the operator; nothing was written or restored."""


@dataclass(frozen=True)
class Member:
    path: str  # inside the archive
    sha256: str
    size: int

    def as_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Summary:
    """What a backup wrote or a restore put back."""

    archive: Path
    kind: str
    tool: str  # how the database was copied (or restored)
    revision: str | None
    files: list[Member]

    @property
    def file_bytes(self) -> int:
        return sum(member.size for member in self.files)


# --- backup -----------------------------------------------------------------------------------


def create_backup(target: Path) -> Summary:
    """Write the archive ``target`` (refusing to overwrite one); see the module's docstring."""
    target = Path(target).resolve()
    if target.exists():
        raise BackupError(f"{target} sudah ada; pilih nama berkas lain (cadangan tidak ditimpa).")
    if not target.parent.is_dir():
        raise BackupError(f"Folder {target.parent} tidak ada.")
    kind = _kind()
    with tempfile.TemporaryDirectory(prefix=".kerjasama-backup-", dir=target.parent) as staging:
        database_file = Path(staging) / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            revision = _copy_sqlite(database_file)
            tool = "backup API SQLite (salinan konsisten selagi aplikasi berjalan)"
        else:
            revision = _current_revision()
            tool = _pg_dump(database_file)
        part = Path(staging) / "archive.tar.gz"
        with tarfile.open(part, "w:gz", compresslevel=6) as archive:
            database = _add(archive, database_file, database_file.name)
            files = [
                _add(archive, path, f"{FILES}/{folder}/{path.name}")
                for folder, path in storage.published_files()
            ]
            manifest = {
                "format": FORMAT,
                "app": APP,
                "version": _app_version(),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {
                    "kind": kind,
                    "revision": revision,
                    "tool": tool,
                    **database.as_dict(),
                },
                "files": [member.as_dict() for member in files],
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
        part.replace(target)
    return Summary(target, kind, tool, revision, files)


def _kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_MEMBERS:  # pragma: no cover - readiness refuses other databases
        raise BackupError(f"Basis data {kind} tidak didukung.")
    return kind


def _sqlite_file() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan atau dipulihkan.")
    return Path(name)


def _copy_sqlite(copy: Path) -> str | None:
    """SQLite's online backup: a consistent copy page by page while others read and write
    (a writer's commit in the middle makes the copy start again). Returns its revision."""
    source_path = _sqlite_file()
    if not source_path.is_file():
        raise BackupError(f"Berkas basis data {source_path} tidak ada.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(copy)
    try:
        source.execute("PRAGMA busy_timeout = 60000")
        source.backup(destination)
        return _sqlite_revision(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no alembic_version: never migrated
        return None
    return row[0] if row else None


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _pg_dump(dump: Path) -> str:
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    if schema != "public":
        raise BackupError(
            f"Tabel aplikasi ada di skema {schema!r}; pencadangan PostgreSQL mencakup basis "
            "data dengan skema public saja. Pakai pg_dump --schema secara langsung."
        )
    program = _client_program("pg_dump")
    _run_client([program, "--format=custom", f"--file={dump}"], "pg_dump")
    version = subprocess.run(
        [program, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"pg_dump --format=custom ({version})"


def _add(archive: tarfile.TarFile, path: Path, name: str) -> Member:
    """Add the file ``path`` as ``name``, hashing it on the way."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
        source.seek(0)
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(path.stat().st_mtime)
        archive.addfile(info, source)
    return Member(name, digest.hexdigest(), size)


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(content), 0o600, int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(content))


def _app_version() -> str:
    try:
        return metadata.version(APP)
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# --- restore ----------------------------------------------------------------------------------


def restore_backup(source: Path) -> Summary:
    """Restore the archive ``source`` into this app's empty database and instance folder."""
    source = Path(source).resolve()
    kind = _kind()
    with _open_archive(source) as archive:
        manifest = _manifest(archive, source)
        database = manifest["database"]
        if database.get("kind") != kind:
            raise BackupError(
                f"Arsip berisi basis data {KIND_LABELS.get(database.get('kind'), '?')}, "
                f"sedangkan DATABASE_URL menunjuk {KIND_LABELS[kind]}."
            )
        _refuse_unless_empty()
        instance = Path(current_app.instance_path)
        instance.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".kerjasama-restore-", dir=instance) as staging:
            database_member = Member(DATABASE_MEMBERS[kind], database["sha256"], database["size"])
            database_file = _extract(archive, database_member, Path(staging) / "database")
            files = [Member(**entry) for entry in manifest["files"]]
            places = [_place(member) for member in files]
            staged = [
                _extract(archive, member, Path(staging) / str(index))
                for index, member in enumerate(files)
            ]
            if kind == "sqlite":
                _restore_sqlite(database_file)
                tool = "backup API SQLite"
            else:
                tool = _pg_restore(database_file)
            for path, place in zip(staged, places, strict=True):
                place.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, place)
    return Summary(source, kind, tool, _current_revision(), files)


def _open_archive(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")  # noqa: SIM115  (the caller's ``with``)
    except (OSError, EOFError, tarfile.TarError):
        raise BackupError(f"{source} bukan arsip cadangan kerjasama-flow (.tar.gz).") from None


def _manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, AttributeError, TypeError, ValueError, OSError, EOFError, tarfile.TarError):
        raise BackupError(f"{source} tidak berisi {MANIFEST} yang sah.") from None
    if manifest.get("app") != APP or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{source} bukan arsip cadangan kerjasama-flow format {FORMAT} "
            f"(app {manifest.get('app')!r}, format {manifest.get('format')!r})."
        )
    return manifest


def _refuse_unless_empty() -> None:
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(
            f"Basis data tujuan tidak kosong ({len(tables)} tabel); pemulihan hanya ke basis "
            "data kosong. Buat basis data baru (createdb) atau arahkan DATABASE_URL ke berkas "
            "SQLite baru, lalu ulangi."
        )
    present = sum(1 for _ in storage.published_files())
    if present:
        raise BackupError(
            f"Folder instance tujuan ({current_app.instance_path}) sudah berisi {present} "
            "berkas tersimpan; pemulihan hanya ke folder instance kosong."
        )


def _place(member: Member) -> Path:
    """The stored file's place for a ``files/<folder>/<name>`` member; anything else (a path
    that leaves the store, a folder the store does not have) is refused."""
    parts = PurePosixPath(member.path).parts
    if len(parts) != 3 or parts[0] != FILES or parts[1] not in storage.FOLDERS:
        raise BackupError(f"Arsip berisi jalur yang tidak sah: {member.path!r}.")
    try:
        return storage.place_of(parts[1], parts[2])
    except ValueError:
        raise BackupError(f"Arsip berisi jalur yang tidak sah: {member.path!r}.") from None


def _extract(archive: tarfile.TarFile, member: Member, target: Path) -> Path:
    """Copy ``member`` out of the archive into ``target`` (a new file), checking its SHA-256
    and size against the manifest."""
    try:
        stream = archive.extractfile(member.path)
    except KeyError:
        stream = None
    if stream is None:
        raise BackupError(f"Arsip tidak lengkap: {member.path} tidak ada di dalamnya.")
    digest = hashlib.sha256()
    size = 0
    with stream, target.open("xb") as out:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if digest.hexdigest() != member.sha256 or size != member.size:
        raise BackupError(
            f"Arsip rusak: SHA-256 {member.path} tidak cocok dengan manifest. "
            "Tidak ada yang dipulihkan."
        )
    return target


def _restore_sqlite(copy: Path) -> None:
    target = _sqlite_file()
    db.engine.dispose()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _pg_restore(dump: Path) -> str:
    program = _client_program("pg_restore")
    db.engine.dispose()
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run_client([program, *options, str(dump)], "pg_restore")
    return "pg_restore"


# --- PostgreSQL's client programs -------------------------------------------------------------


def _client_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} tidak ditemukan: pasang paket {CLIENT_PACKAGE} (apt-get install "
            f"{CLIENT_PACKAGE}), versinya sama atau lebih baru dari server PostgreSQL."
        )
    return program


def _run_client(command: list[str], name: str) -> None:
    """Run pg_dump or pg_restore against the app's database: the connection is given as a
    libpq conninfo, the password through the environment (never on the command line)."""
    _, params = db.engine.dialect.create_connect_args(db.engine.url)
    params = {key: value for key, value in params.items() if key != "context"}
    environment = dict(os.environ)
    password = params.pop("password", None)
    if password:
        environment["PGPASSWORD"] = str(password)
    result = subprocess.run(
        [*command, f"--dbname={make_conninfo(**params)}"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise BackupError(f"{name} gagal: {reason}")
