"""``flask --app wsgi backup`` and ``restore``: one archive holds the database and every
stored file; restored elsewhere, every table has its rows and every file its SHA-256, and the
documents download again. Restore refuses a target that is not empty and an archive whose
files do not match their manifest.

On each backend the source and the target are databases of their own (PostgreSQL: two
databases created on the test server and dropped after; ``pg_dump``'s archive restores into
an empty database, not into another schema). The commands run for real, in processes of
their own.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from kerjasama_flow import (
    models,  # noqa: F401  (every table in the metadata)
    storage,
)
from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.documents import services as documents
from kerjasama_flow.documents.models import Document
from kerjasama_flow.evaluations import services as evaluations
from kerjasama_flow.evaluations.models import Recommendation, Timeliness
from kerjasama_flow.extensions import db
from kerjasama_flow.identity import services as identity
from kerjasama_flow.imports import services as imports
from tests import factories
from tests.conftest import PG_URL, make_test_app
from tests.document_helpers import FakeUpload, image_bytes, make_document, pdf_bytes

REPO_ROOT = Path(__file__).resolve().parent.parent
TABLES = [table.name for table in db.metadata.sorted_tables] + ["alembic_version"]


@pytest.fixture
def two_databases(backend, tmp_path):
    """Two empty databases of ``backend``: the running app's and the restore's."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    server = make_url(PG_URL).set(drivername="postgresql+psycopg")
    names = [f"kf_backup_{uuid.uuid4().hex[:10]}_{side}" for side in ("source", "restored")]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield tuple(server.set(database=name).render_as_string(hide_password=False) for name in names)
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def flask_cli(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "KERJASAMA_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "backup-test-secret",
            "FLASK_DEBUG": "0",
        },
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()
                for name in TABLES
            }
    finally:
        engine.dispose()


def stored_hashes(instance: Path) -> dict[str, str]:
    """folder/name -> SHA-256 of every published file of the store under ``instance``."""
    return {
        f"{folder}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in storage.FOLDERS
        if (instance / folder).is_dir()
        for path in sorted((instance / folder).iterdir())
        if not path.name.startswith(".")
    }


def _login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def _fill(source) -> dict:
    """A government's data with a file in every folder of the store: a document uploaded
    through the web form (content check, file store, commit), a photo attached to a task, a
    monev's evidence, a spreadsheet waiting to be imported and the lambang."""
    world = factories.make_world()
    client = source.test_client()
    _login(client, world.admin)
    upload = client.post(
        f"/agreements/{world.agreement.id}/documents/new",
        data={
            "file": (io.BytesIO(pdf_bytes("KB Blitar-DKI")), "KB Blitar-DKI.pdf"),
            "kind": "naskah_kb",
            "title": "Naskah KB bertanda tangan",
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)
    make_document(
        world.admin,
        world.agreement,
        task=world.task,
        name="foto.png",
        content=image_bytes("PNG"),
        kind="bukti",
    )
    evaluations.record_evaluation(
        world.admin,
        world.agreement,
        {
            "evaluated_on": date(2026, 1, 10),
            "period_label": "Semester II 2025",
            "realisation": "Berjalan.",
            "progress_pct": 50,
            "timeliness": Timeliness.ON_TIME,
            "recommendation": Recommendation.CONTINUE,
        },
        evidence=FakeUpload("Laporan monev.pdf", pdf_bytes("Laporan monev")),
    )
    storage.store(b"PK\x03\x04 antrean impor", folder=imports.FOLDER, suffix=".xlsx")
    identity.replace_lambang(world.admin, FakeUpload("lambang.png", image_bytes("PNG", 64)))
    db.session.commit()
    document = db.session.scalar(select(Document).where(Document.file_name == "KB Blitar-DKI.pdf"))
    return {
        "admin": world.admin.email,
        "agreement_id": world.agreement.id,
        "document_id": document.id,
    }


def test_a_backup_of_a_running_app_restores_every_row_and_file(two_databases, tmp_path):
    source_url, target_url = two_databases
    source_instance, target_instance = tmp_path / "source", tmp_path / "restored"
    archive = tmp_path / "cadangan.tar.gz"

    source = make_test_app(source_url, source_instance)
    with source.app_context():
        upgrade()
        filled = _fill(source)
        expected_rows = row_counts(source_url)
        expected_files = stored_hashes(source_instance)
        assert {path.split("/")[0] for path in expected_files} == set(storage.FOLDERS)

        # The app is running: a transaction is open, a document flushed and its file staged.
        admin = db.session.scalar(select(User).where(User.email == filled["admin"]))
        make_document(admin, db.session.get(Agreement, filled["agreement_id"]), name="belum.pdf")
        db.session.flush()
        backup = flask_cli(source_url, source_instance, "backup", str(archive))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    assert backup.returncode == 0, backup.stdout + backup.stderr
    if source_url.startswith("sqlite"):
        assert "Basis data SQLite disalin dengan backup API SQLite" in backup.stdout
    else:
        assert "Basis data PostgreSQL disalin dengan pg_dump --format=custom" in backup.stdout
    assert f"{len(expected_files)} berkas tersimpan" in backup.stdout

    with tarfile.open(archive, "r:gz") as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["app"] == "kerjasama-flow" and manifest["version"]
    assert manifest["database"]["kind"] == make_url(source_url).get_backend_name()
    assert manifest["database"]["revision"] == _head(source_url)
    assert {
        entry["path"].removeprefix("files/"): entry["sha256"] for entry in manifest["files"]
    } == expected_files

    restore = flask_cli(target_url, target_instance, "restore", str(archive))
    assert restore.returncode == 0, restore.stdout + restore.stderr
    if target_url.startswith("postgresql"):
        assert "pg_restore" in restore.stdout

    assert row_counts(target_url) == expected_rows
    assert expected_rows["document"] == 2 and expected_rows["evaluation"] == 1
    assert stored_hashes(target_instance) == expected_files

    # The restored installation serves the uploaded document again, byte for byte.
    restored = make_test_app(target_url, target_instance)
    with restored.app_context():
        client = restored.test_client()
        _login(client, db.session.scalar(select(User).where(User.email == filled["admin"])))
        download = client.get(f"/documents/{filled['document_id']}")
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() in expected_files.values()
        download.close()
        db.session.remove()
        db.engine.dispose()

    # A second restore into the now filled target (one login more) is refused, and changes
    # nothing.
    before = row_counts(target_url)
    assert before == {**expected_rows, "login_session": expected_rows["login_session"] + 1}
    again = flask_cli(target_url, target_instance, "restore", str(archive))
    assert again.returncode == 1
    assert "Basis data tujuan tidak kosong" in again.stderr and "Traceback" not in again.stderr
    assert row_counts(target_url) == before


def _head(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


# --- refusals ---------------------------------------------------------------------------------


@pytest.fixture
def small_archive(tmp_path) -> Path:
    """An archive of an empty SQLite database and one stored file (what the refusals need)."""
    source = make_test_app(f"sqlite:///{tmp_path / 'small.db'}", tmp_path / "small")
    archive = tmp_path / "kecil.tar.gz"
    with source.app_context():
        db.session.execute(text("CREATE TABLE catatan (id INTEGER PRIMARY KEY)"))
        storage.store(pdf_bytes("Naskah"), folder="documents", suffix=".pdf")
        db.session.commit()
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return archive


def _restore_into_fresh(tmp_path: Path, archive: Path, name: str = "fresh"):
    """Restore ``archive`` in process into a fresh SQLite database and instance folder."""
    target = make_test_app(f"sqlite:///{tmp_path / f'{name}.db'}", tmp_path / name)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        with db.engine.connect() as connection:
            tables = connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
        db.engine.dispose()
    return result, tables, tmp_path / name


def test_an_archive_whose_file_was_changed_restores_nothing(small_archive, tmp_path):
    tampered = tmp_path / "diubah.tar.gz"
    with tarfile.open(small_archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.startswith("files/"):
                content = content[:-1] + bytes([content[-1] ^ 1])  # one bit flipped
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))

    result, tables, instance = _restore_into_fresh(tmp_path, tampered)
    assert result.exit_code == 1
    assert "Arsip rusak: SHA-256 files/documents/" in result.output
    assert "Tidak ada yang dipulihkan" in result.output
    assert tables == 0 and stored_hashes(instance) == {}
    assert not list(instance.glob(".kerjasama-restore-*"))  # the staging folder is gone

    result, tables, instance = _restore_into_fresh(tmp_path, small_archive, "intact")
    assert result.exit_code == 0, result.output  # the archive itself is sound
    assert tables > 0 and len(stored_hashes(instance)) == 1


def test_an_instance_folder_with_files_is_refused(small_archive, tmp_path):
    (tmp_path / "fresh" / "evidence").mkdir(parents=True)
    (tmp_path / "fresh" / "evidence" / ("a" * 32 + ".pdf")).write_bytes(b"%PDF-1 lama")
    result, tables, _ = _restore_into_fresh(tmp_path, small_archive)
    assert result.exit_code == 1
    assert "sudah berisi 1 berkas tersimpan" in result.output
    assert tables == 0


def test_an_archive_of_another_kind_or_none_at_all_is_refused(app, small_archive, tmp_path):
    runner = app.test_cli_runner()
    expected = (
        "Basis data tujuan tidak kosong"  # the session's own, migrated SQLite database
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        else "Arsip berisi basis data SQLite, sedangkan DATABASE_URL menunjuk PostgreSQL"
    )
    result = runner.invoke(args=["restore", str(small_archive)])
    assert result.exit_code == 1 and expected in result.output

    not_an_archive = tmp_path / "bukan.tar.gz"
    not_an_archive.write_bytes(pdf_bytes())
    result = runner.invoke(args=["restore", str(not_an_archive)])
    assert result.exit_code == 1
    assert "bukan arsip cadangan kerjasama-flow" in result.output


def test_a_backup_never_overwrites_an_archive(app, tmp_path):
    existing = tmp_path / "ada.tar.gz"
    existing.write_bytes(b"cadangan kemarin")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "sudah ada" in result.output
    assert existing.read_bytes() == b"cadangan kemarin"


def test_the_store_keeps_files_only_in_the_folders_a_backup_copies(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert {
        documents.FOLDER,
        evaluations.EVIDENCE_FOLDER,
        identity.FOLDER,
        imports.FOLDER,
    } == set(storage.FOLDERS)
    with pytest.raises(ValueError, match="not a folder of the file store"):
        storage.store(b"x", folder="lainnya", suffix=".pdf")
