"""The app's one file store: uploads kept on the server (monev evidence, spreadsheets waiting
to be imported, and later documents), beside the database transaction that refers to them.

Files live under the instance folder, never under ``static/`` (nothing is served without a
permission check), one sub-folder per use (``FOLDERS``), each under a random name: the name a
user gave a file is data, kept in the database for display only. The backup
(``kerjasama_flow.backup``) copies exactly the folders of ``FOLDERS``.

A stored file exists if and only if the transaction that stored it commits:

* ``store`` writes the bytes beside their final place under a hidden ``.<name>.part`` name,
  hashing them on the way (SHA-256) and forcing them to disk, so that a full disk is a
  refusal (a ``DomainError`` on the caller's form field) before anything is saved;
* the session's commit renames the part into place (atomic, same folder, nothing new to
  write); a rollback, of the transaction or of the savepoint the file was stored in, or a
  session closed without a commit, deletes it.

``delete`` is the mirror image: the file goes once the session commits and stays if it rolls
back, so a row and its file never part company. Services call these and flush; whoever
commits (``web.run_service``, the CLI, a job runner) publishes the files with the rows.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
PART_SUFFIX = ".part"
FULL = (
    "Berkas tidak dapat disimpan: ruang penyimpanan server penuh. Tidak ada yang disimpan; "
    "hubungi admin aplikasi."
)
UNWRITABLE = "Berkas tidak dapat disimpan di server. Coba lagi nanti atau hubungi admin."
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
# Every folder of the store, one per use; each domain names its own (``documents.services``,
# ``evaluations.services``, ``identity.services``, ``imports.services``). A folder missing here
# is refused when it is first used rather than silently left out of the backups.
FOLDERS = ("documents", "evidence", "identity", "imports")
_SUFFIX = re.compile(r"^(\.[A-Za-z0-9]{1,10})?$")
_PENDING = "kerjasama_flow.storage.pending"  # key in ``Session.info``


@dataclass(frozen=True)
class StoredFile:
    """What ``store`` wrote: the random ``name`` to keep in the row (unique in its folder),
    the SHA-256 of the bytes (hex) and their size."""

    name: str
    sha256: str
    size: int

    @property
    def stem(self) -> str:
        """The random part of the name, without the suffix."""
        return self.name.split(".", 1)[0]


# --- where files live -------------------------------------------------------------------------


def folder_path(folder: str) -> Path:
    """The directory of ``folder`` under the instance folder (created if needed). Stored files
    are reached through ``open``/``path_of``; this is for a use's own scratch files (an
    import's progress) that live and die with its stored ones."""
    if folder not in FOLDERS:
        raise ValueError(f"not a folder of the file store (storage.FOLDERS): {folder!r}")
    path = Path(current_app.instance_path) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(folder: str, name: str) -> Path:
    # Names come from the database; still, a name is never a path.
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"not a stored file name: {name!r}")
    return folder_path(folder) / name


def place_of(folder: str, name: str) -> Path:
    """Where the published file ``name`` of ``folder`` lives, whether it exists or not (the
    restore of a backup puts it there)."""
    return _path(folder, name)


def published_files() -> Iterator[tuple[str, Path]]:
    """Every published file of the store as (folder, path), in a stable order; staged parts
    and other hidden files are left out. What a backup copies."""
    for folder in FOLDERS:
        directory = Path(current_app.instance_path) / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield folder, path


def path_of(folder: str, name: str | None) -> Path | None:
    """The published file's path (to send it), or None if there is none (any more)."""
    if not name:
        return None
    path = _path(folder, name)
    return path if path.is_file() else None


def open(folder: str, name: str) -> BinaryIO:
    """The published file, opened for reading; ``FileNotFoundError`` if it is not there."""
    return _path(folder, name).open("rb")


# --- storing and deleting, with the transaction -----------------------------------------------


def store(
    data: bytes | IO[bytes], *, folder: str, suffix: str = "", field: str | None = None
) -> StoredFile:
    """Write ``data`` (bytes or a binary stream, read to its end) as a new file of ``folder``
    under a random name ending in ``suffix`` (e.g. ``".pdf"``); it appears when the session
    commits and is deleted if it does not. A file that cannot be written (a full disk, a
    folder that is not writable) raises a ``DomainError`` on ``field`` with nothing kept."""
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"not a file suffix: {suffix!r}")
    name = f"{uuid.uuid4().hex}{suffix.lower()}"
    part = None
    try:
        part = folder_path(folder) / f".{name}{PART_SUFFIX}"
        sha256, size = _write(part, data)
    except OSError as error:
        if part is not None:
            with suppress(OSError):
                part.unlink(missing_ok=True)
        log.exception("File %s of %s could not be written", name, folder)
        raise DomainError(FULL if error.errno in _NO_SPACE else UNWRITABLE, field) from error
    _pending(folder, _Publish(part, part.with_name(name)))
    return StoredFile(name=name, sha256=sha256, size=size)


def _write(path: Path, data: bytes | IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    if isinstance(data, bytes | bytearray):
        chunks = [bytes(data)]
    else:
        chunks = iter(lambda: data.read(CHUNK_BYTES), b"")
    with path.open("xb") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())  # a full disk shows here at the latest, not after the commit
    return digest.hexdigest(), size


def delete(folder: str, name: str | None) -> None:
    """Remove a stored file once the session commits; nothing happens if it rolls back."""
    if name:
        _pending(folder, _Delete(_path(folder, name)))


def sweep(folder: str, *, keep: Callable[[str], bool], before: datetime) -> int:
    """Remove the files of ``folder`` last written before ``before`` that ``keep(name)`` does
    not claim, and staged parts as old (a process that died before its commit). ``before``
    must be far enough back that no transaction can still be running. Returns how many."""
    removed = 0
    limit = before.timestamp()
    for path in folder_path(folder).iterdir():
        try:
            staged = path.name.startswith(".") and path.name.endswith(PART_SUFFIX)
            if (staged or not keep(path.name)) and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:  # pragma: no cover - removed concurrently
            pass
    return removed


# --- what the session's end does with the pending files ---------------------------------------


@dataclass(frozen=True)
class _Publish:
    part: Path
    final: Path

    def on_commit(self) -> None:
        try:
            self.part.replace(self.final)
        except OSError:
            # The row is committed and cannot be taken back here; say so loudly. ``path_of``
            # answers None (the download a 404); the bytes, if any, stay in the part file.
            log.exception(
                "File %s is committed but could not be put in place from %s",
                self.final.name,
                self.part,
            )

    def on_rollback(self) -> None:
        try:
            self.part.unlink(missing_ok=True)
        except OSError:
            log.exception("File %s of a rolled back transaction stays on disk", self.part)


@dataclass(frozen=True)
class _Delete:
    path: Path

    def on_commit(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.exception("File %s was deleted in the database but stays on disk", self.path)

    def on_rollback(self) -> None:
        pass


@dataclass(frozen=True)
class _Pending:
    action: _Publish | _Delete
    transaction: SessionTransaction  # the savepoint (or the transaction) it belongs to


def _pending(folder: str, action: _Publish | _Delete) -> None:
    session = db.session()
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append(_Pending(action, transaction))


def _within(transaction: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is boundary:
            return True
        transaction = transaction.parent
    return False


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction still decides
    for pending in session.info.pop(_PENDING, []):
        pending.action.on_commit()


def _after_rollback(session: Session) -> None:
    # Called for the outermost transaction and for each savepoint rolled back (while it is
    # still the session's innermost one): only what was done inside it is undone.
    boundary = session.get_nested_transaction()
    entries = session.info.get(_PENDING, [])
    undone = [p for p in entries if boundary is None or _within(p.transaction, boundary)]
    session.info[_PENDING] = [p for p in entries if p not in undone]
    for pending in undone:
        pending.action.on_rollback()


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit and without a rollback reaching the
    # database (``Session.close()``); after a commit nothing is left pending.
    if transaction.parent is None:
        for pending in session.info.pop(_PENDING, []):
            pending.action.on_rollback()
