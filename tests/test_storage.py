"""The file store: a stored file appears when the transaction commits and never otherwise,
its SHA-256 and size are what was written, a full disk is a clear refusal on the caller's
field, and a deletion waits for the commit too."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kerjasama_flow import storage
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db

FOLDER = "tests"


@pytest.fixture(autouse=True)
def instance_folder(app, tmp_path, monkeypatch) -> Path:
    """Each test's files in an instance folder of its own, in a folder of the store's own."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setattr(storage, "FOLDERS", (*storage.FOLDERS, FOLDER))
    return tmp_path


def files(instance_folder: Path) -> dict[str, bytes]:
    """Every file of the test folder (hidden, staged ones included) with its content."""
    folder = instance_folder / FOLDER
    if not folder.exists():
        return {}
    return {path.name: path.read_bytes() for path in folder.iterdir()}


# --- publish on commit, delete on rollback ----------------------------------------------------


def test_a_stored_file_appears_when_the_transaction_commits(instance_folder):
    stored = storage.store(b"%PDF-1 isi", folder=FOLDER, suffix=".pdf")
    assert storage.path_of(FOLDER, stored.name) is None  # not before the commit
    assert files(instance_folder) == {f".{stored.name}.part": b"%PDF-1 isi"}
    db.session.commit()
    assert files(instance_folder) == {stored.name: b"%PDF-1 isi"}
    assert storage.path_of(FOLDER, stored.name) == instance_folder / FOLDER / stored.name
    with storage.open(FOLDER, stored.name) as handle:
        assert handle.read() == b"%PDF-1 isi"


def test_the_sha256_and_size_of_what_was_stored_are_recorded(instance_folder):
    content = os.urandom(3 * storage.CHUNK_BYTES + 17)  # a stream read in several chunks
    stored = storage.store(io.BytesIO(content), folder=FOLDER, suffix=".xlsx")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    db.session.commit()
    assert files(instance_folder)[stored.name] == content


def test_names_are_random_and_keep_only_the_suffix(instance_folder):
    first = storage.store(b"a", folder=FOLDER, suffix=".PDF")
    second = storage.store(b"a", folder=FOLDER, suffix=".PDF")
    assert first.name != second.name and first.sha256 == second.sha256
    assert first.name.endswith(".pdf") and len(first.stem) == 32
    int(first.stem, 16)  # nothing of the user's file name in it


def test_a_rollback_deletes_the_staged_file(instance_folder):
    storage.store(b"x", folder=FOLDER, suffix=".pdf")
    db.session.rollback()
    assert files(instance_folder) == {}
    db.session.commit()  # nothing left to publish later
    assert files(instance_folder) == {}


def test_a_session_closed_without_commit_deletes_the_staged_file(instance_folder):
    storage.store(b"x", folder=FOLDER, suffix=".pdf")
    db.session.close()  # as at the end of a request whose view never committed
    assert files(instance_folder) == {}


def test_a_rolled_back_savepoint_takes_only_its_own_files(instance_folder):
    kept = storage.store(b"kept", folder=FOLDER)
    savepoint = db.session.begin_nested()
    storage.store(b"undone", folder=FOLDER)
    savepoint.rollback()
    assert files(instance_folder) == {f".{kept.name}.part": b"kept"}
    db.session.commit()
    assert files(instance_folder) == {kept.name: b"kept"}


def test_a_released_savepoint_waits_for_the_outer_commit(instance_folder):
    with db.session.begin_nested():
        stored = storage.store(b"x", folder=FOLDER)
    assert storage.path_of(FOLDER, stored.name) is None
    db.session.rollback()
    assert files(instance_folder) == {}


# --- a full disk, an unwritable folder --------------------------------------------------------


def test_a_full_disk_is_refused_on_the_callers_field_with_nothing_kept(
    instance_folder, monkeypatch
):
    def full_disk(path: Path, data) -> tuple[str, int]:
        path.write_bytes(b"half")  # some bytes made it before the disk filled up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write", full_disk)
    with pytest.raises(DomainError) as refused:
        storage.store(b"x" * 100, folder=FOLDER, suffix=".pdf", field="evidence")
    assert refused.value.field == "evidence"
    assert refused.value.message == storage.FULL
    assert "ruang penyimpanan server penuh" in refused.value.message
    assert files(instance_folder) == {}
    db.session.commit()
    assert files(instance_folder) == {}


def test_an_unwritable_folder_is_refused_with_another_message(instance_folder):
    (instance_folder / FOLDER).write_bytes(b"")  # a file where the folder should be
    with pytest.raises(DomainError) as refused:
        storage.store(b"x", folder=FOLDER, field="file")
    assert (refused.value.field, refused.value.message) == ("file", storage.UNWRITABLE)


# --- deleting ---------------------------------------------------------------------------------


def test_a_deletion_waits_for_the_commit(instance_folder):
    stored = storage.store(b"x", folder=FOLDER)
    db.session.commit()
    storage.delete(FOLDER, stored.name)
    assert storage.path_of(FOLDER, stored.name) is not None
    db.session.rollback()  # the row stays: so does its file
    assert storage.path_of(FOLDER, stored.name) is not None
    storage.delete(FOLDER, stored.name)
    db.session.commit()
    assert files(instance_folder) == {}


def test_storing_then_deleting_in_one_transaction_leaves_nothing(instance_folder):
    stored = storage.store(b"x", folder=FOLDER)
    storage.delete(FOLDER, stored.name)
    db.session.commit()
    assert files(instance_folder) == {}


# --- names are never paths --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../secret_key", "a/b.pdf", ".x.pdf.part", ""])
def test_a_name_from_the_database_is_never_a_path(instance_folder, name):
    if not name:
        assert storage.path_of(FOLDER, name) is None
        return
    with pytest.raises(ValueError):
        storage.path_of(FOLDER, name)
    with pytest.raises(ValueError):
        storage.open(FOLDER, name)


def test_files_live_under_the_instance_folder_not_the_static_one(app, instance_folder):
    stored = storage.store(b"x", folder=FOLDER)
    db.session.commit()
    path = storage.path_of(FOLDER, stored.name)
    assert path.is_relative_to(instance_folder)
    assert not path.is_relative_to(Path(app.static_folder))


# --- sweeping ---------------------------------------------------------------------------------


def test_sweep_removes_old_unclaimed_files_and_abandoned_parts(instance_folder):
    folder = storage.folder_path(FOLDER)
    old = time.time() - 3 * 86400
    for name in ("live.xlsx", "orphan.xlsx", ".crashed.xlsx.part", "young.xlsx"):
        (folder / name).write_bytes(b"x")
        if name != "young.xlsx":
            os.utime(folder / name, (old, old))
    removed = storage.sweep(
        FOLDER,
        keep=lambda name: name.startswith("live"),
        before=datetime.now(UTC) - timedelta(days=2),
    )
    assert removed == 2
    assert set(files(instance_folder)) == {"live.xlsx", "young.xlsx"}
