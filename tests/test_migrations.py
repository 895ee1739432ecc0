"""The migrations build exactly the schema the models describe, and can be undone.

On every backend (SQLite always, PostgreSQL when KERJASAMA_TEST_DATABASE_URL is set), each test
starts from an empty database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from kerjasama_flow import models  # noqa: F401  (every table in the metadata)
from kerjasama_flow.extensions import db
from tests.conftest import make_test_app

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_app(backend, temp_database, tmp_path):
    """An app on a fresh, empty database of ``backend``, with an app context pushed."""
    database = temp_database(backend)
    app = make_test_app(database.url, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def script_directory() -> ScriptDirectory:
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


MODEL_TABLES = {table.name for table in db.metadata.sorted_tables}


def test_migrations_have_a_single_head(empty_app):
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_upgrade_builds_the_models_schema(empty_app):
    assert table_names() == set()
    upgrade()
    assert current_revision() == script_directory().get_current_head()
    assert MODEL_TABLES, "the metadata is empty: models were not imported"
    assert table_names() == MODEL_TABLES | {"alembic_version"}
    diff = schema_diff()
    assert diff == [], (
        "models and migrations disagree; run `flask --app wsgi db migrate` and review:\n"
        + "\n".join(map(repr, diff))
    )


def test_downgrade_to_base_and_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}
    assert current_revision() is None

    upgrade()
    assert table_names() == MODEL_TABLES | {"alembic_version"}
    assert schema_diff() == []


def test_each_revision_downgrades_and_upgrades_one_step(empty_app):
    """Walk the chain one revision at a time, down and up again, from the head."""
    revisions = list(script_directory().walk_revisions())  # head first
    upgrade()
    for revision in revisions:
        downgrade(revision=revision.down_revision or "base")
        upgrade(revision=revision.revision)
        assert current_revision() == revision.revision
        downgrade(revision=revision.down_revision or "base")
    assert table_names() <= {"alembic_version"}


def test_schema_keeps_the_rules_the_models_declare(empty_app):
    """CHECK constraints from the models are in the migrated schema (alembic's diff does not
    compare them): a negative value and a PKS without MoU or direct flag are refused by the
    database itself, not only by the services."""
    upgrade()
    with db.engine.connect() as conn:
        checks = {
            c["name"] for c in inspect(conn).get_check_constraints("agreement_transaction")
        } | {c["name"] for c in inspect(conn).get_check_constraints("pks")}
    assert "ck_agreement_transaction_value_not_negative" in checks
    assert "ck_pks_needs_mou_or_direct" in checks


@pytest.fixture
def fresh_database_url(backend, temp_database, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    return temp_database(backend).url


def test_flask_db_upgrade_cli(fresh_database_url, tmp_path):
    """The command the README and the deployment docs give, in a process of its own."""
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        # A key from the environment: the CLI must not write one into the checkout.
        "SECRET_KEY": "cli-test-secret",
        "FLASK_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    engine = create_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert tables == MODEL_TABLES | {"alembic_version"}
    assert version is not None


def test_schema_check_sees_a_difference(empty_app):
    """The comparison above is not vacuous: a column the models lack is reported."""
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE partner ADD COLUMN stray VARCHAR(10)"))
    diff = schema_diff()
    assert [d[0] for d in diff] == ["remove_column"]
    assert diff[0][3].name == "stray"


def _insert_government(conn, code: str, name: str) -> None:
    """A government row as every revision since 0001 has it (created 5 January 2026)."""
    conn.execute(
        text(
            "INSERT INTO government (region_code, name, kind, timezone, created_at) "
            "VALUES (:code, :name, 'kota', 'Asia/Jakarta', :at)"
        ),
        {"code": code, "name": name, "at": datetime(2026, 1, 5, tzinfo=UTC)},
    )


def _insert_blitar(conn) -> None:
    _insert_government(conn, "35.72", "Kota Blitar")


def test_0006_renames_the_user_flags_and_keeps_each_choice(empty_app):
    upgrade(revision="0005")
    with db.engine.begin() as conn:
        _insert_blitar(conn)
        for email, by_email, by_whatsapp in (
            ("a@x.go.id", True, False),
            ("b@x.go.id", False, True),
        ):
            conn.execute(
                text(
                    "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                    "is_active, email_notifications, whatsapp_notifications, created_at, version) "
                    "VALUES (1, :email, 'Uji', 'admin', 'x', :active, :by_email, :by_whatsapp, "
                    ":at, 1)"
                ),
                {
                    "email": email,
                    "active": True,
                    "by_email": by_email,
                    "by_whatsapp": by_whatsapp,
                    "at": datetime(2026, 1, 5, tzinfo=UTC),
                },
            )
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT email, is_email_enabled, is_whatsapp_enabled FROM user_account "
                "ORDER BY email"
            )
        ).all()
    assert [(email, bool(a), bool(b)) for email, a, b in rows] == [
        ("a@x.go.id", True, False),
        ("b@x.go.id", False, True),
    ]
    downgrade(revision="0005")
    with db.engine.connect() as conn:
        assert conn.execute(
            text("SELECT whatsapp_notifications FROM user_account WHERE email = 'b@x.go.id'")
        ).scalar_one()


def test_0010_keeps_agreements_and_addresses_the_report_to_the_governor(empty_app):
    """Existing agreements, KBs and PKS keep their data (new columns empty or false); the
    shipped report template is completed by a recorded report and names the government's
    own recipient, a title an admin changed is kept; downgrading keeps the data too."""
    upgrade(revision="0009")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        for code, name, kind, province in (
            ("35.72", "Kota Blitar", "kota", "Jawa Timur"),
            ("31", "Provinsi DKI Jakarta", "provinsi", "DKI Jakarta"),
        ):
            conn.execute(
                text(
                    "INSERT INTO government (region_code, name, kind, province, timezone, "
                    "created_at) VALUES (:code, :name, :kind, :province, 'Asia/Jakarta', :at)"
                ),
                {"code": code, "name": name, "kind": kind, "province": province, "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO agreement (government_id, title, kind, stage, year, created_at, "
                "updated_at, version) VALUES (1, 'Pasokan telur ke DKI', 'ksdd', 'pks', 2025, "
                ":at, :at, 1)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO mou (agreement_id, document_kind, signed_on, signatory_own, "
                "number_own, created_at, version) VALUES (1, 'kb', '2025-08-14', "
                "'Wali Kota Blitar', '180/15/2025', :at, 1)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO pks (agreement_id, mou_id, is_direct, title, signed_on, "
                "created_at, version) VALUES (1, 1, false, 'PKS telur', '2025-09-01', :at, 1)"
            ),
            {"at": at},
        )
        for government_id, title in (
            (1, "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur"),
            (2, "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur"),
        ):
            conn.execute(
                text(
                    "INSERT INTO task_template (government_id, trigger, key, title, "
                    "assignee_kind, due_in_working_days, is_active, position, version) "
                    "VALUES (:gov, 'mou', 'mou.report_governor', :title, 'coordinator', 10, "
                    "true, 10, 1)"
                ),
                {"gov": government_id, "title": title},
            )
        conn.execute(
            text(
                "INSERT INTO task_template (government_id, trigger, key, title, assignee_kind, "
                "due_in_working_days, is_active, position, version) VALUES (1, 'mou', NULL, "
                "'Laporan khusus Sekda', 'coordinator', 5, true, 20, 1)"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT title, needs_dprd, dprd_basis FROM agreement")).one() == (
            "Pasokan telur ke DKI",
            False,
            None,
        )
        assert conn.execute(
            text("SELECT signatory_own, number_own, signatory_own_office FROM mou")
        ).one() == ("Wali Kota Blitar", "180/15/2025", None)
        assert conn.execute(
            text("SELECT title, signed_by_proxy, proxy_letter_number FROM pks")
        ).one() == ("PKS telur", False, None)
        templates = conn.execute(
            text(
                "SELECT government_id, title, completed_by FROM task_template "
                "ORDER BY government_id, id"
            )
        ).all()
    assert [tuple(row) for row in templates] == [
        (1, "Laporkan penandatanganan Kesepakatan Bersama kepada Gubernur Jawa Timur", "report"),
        (1, "Laporan khusus Sekda", None),
        (2, "Laporkan penandatanganan Kesepakatan Bersama kepada Menteri Dalam Negeri", "report"),
    ]
    downgrade(revision="0009")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pks")).scalar_one() == 1
        assert conn.execute(text("SELECT number_own FROM mou")).scalar_one() == "180/15/2025"


def test_0012_marks_the_governments_the_demo_made(empty_app):
    """A government whose users all have ``.demo`` addresses is the demo's; one with a real
    user, or with no user yet (registered by hand), is real."""
    upgrade(revision="0011")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        for code, name in (("35.72", "Kota Blitar"), ("35.73", "Kota Malang"), ("35.07", "X")):
            _insert_government(conn, code, name)
        for government_id, email in (
            (1, "admin@blitarkota.demo"),
            (1, "dkpp@blitarkota.demo"),
            (2, "admin@malangkota.demo"),
            (2, "kabag@malangkota.go.id"),
        ):
            conn.execute(
                text(
                    "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                    "is_active, is_email_enabled, is_whatsapp_enabled, created_at, version) "
                    "VALUES (:gov, :email, 'Uji', 'admin', 'x', true, true, false, :at, 1)"
                ),
                {"gov": government_id, "email": email, "at": at},
            )
    upgrade(revision="0012")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT region_code, is_demo FROM government ORDER BY id")).all()
    assert [(code, bool(flag)) for code, flag in rows] == [
        ("35.72", True),
        ("35.73", False),
        ("35.07", False),
    ]


def test_0013_keeps_every_user_and_starts_their_session_version_at_one(empty_app):
    """Existing users keep everything (their password hash too: they log in as before, once
    more, since sessions of the older form end); each gets session version 1. Downgrading
    keeps them as well."""
    upgrade(revision="0012")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    old_hash = "scrypt:32768:8:1$salt$0123abcd"
    with db.engine.begin() as conn:
        _insert_blitar(conn)
        for email, role, active in (("a@x.go.id", "admin", True), ("b@x.go.id", "pimpinan", False)):
            conn.execute(
                text(
                    "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                    "is_active, is_email_enabled, is_whatsapp_enabled, created_at, version) "
                    "VALUES (1, :email, 'Uji', :role, :hash, :active, true, false, :at, 3)"
                ),
                {"email": email, "role": role, "hash": old_hash, "active": active, "at": at},
            )
    upgrade(revision="0013")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT email, role, password_hash, is_active, version, session_version "
                "FROM user_account ORDER BY email"
            )
        ).all()
    assert [(e, r, h, bool(a), v, s) for e, r, h, a, v, s in rows] == [
        ("a@x.go.id", "admin", old_hash, True, 3, 1),
        ("b@x.go.id", "pimpinan", old_hash, False, 3, 1),
    ]
    downgrade(revision="0012")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM user_account")).scalar_one() == 2
        assert "session_version" not in {
            c["name"] for c in inspect(conn).get_columns("user_account")
        }


def test_0014_keeps_every_user_and_gives_sessions_rows_of_their_own(empty_app):
    """Users keep everything but the session version (a new password now ends their session
    rows); the table of login sessions starts empty, so everyone logs in once more. Downgrading
    keeps the users and gives each session version 1 again."""
    upgrade(revision="0013")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        _insert_blitar(conn)
        conn.execute(
            text(
                "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                "is_active, is_email_enabled, is_whatsapp_enabled, created_at, version, "
                "session_version) "
                "VALUES (1, 'a@x.go.id', 'Uji', 'admin', 'argon2-hash', true, true, false, :at, "
                "4, 7)"
            ),
            {"at": at},
        )
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT email, password_hash, is_active, version FROM user_account")
        ).all()
        kept = [(e, h, bool(a), v) for e, h, a, v in rows]
        assert kept == [("a@x.go.id", "argon2-hash", True, 4)]
        assert "session_version" not in {
            c["name"] for c in inspect(conn).get_columns("user_account")
        }
        assert conn.execute(text("SELECT count(*) FROM login_session")).scalar_one() == 0
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO login_session (user_id, token_hash, remember, created_at, "
                "expires_at) VALUES (1, :hash, false, :at, :at)"
            ),
            {"hash": "0" * 64, "at": at},
        )
    downgrade(revision="0013")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT email, version, session_version FROM user_account")).all()
        assert [tuple(row) for row in rows] == [("a@x.go.id", 4, 1)]
        assert "login_session" not in inspect(conn).get_table_names()


def test_0015_subscribes_every_leader_and_allows_the_weekly_rule(empty_app):
    """Existing users keep everything and get the weekly digest (they may opt out); the outbox
    takes the rule ``weekly``. Downgrading drops the weekly rows and the column only."""
    upgrade(revision="0014")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO government (region_code, name, kind, timezone, created_at) "
                "VALUES ('35.72', 'Kota Blitar', 'kota', 'Asia/Jakarta', :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                "is_active, is_email_enabled, is_whatsapp_enabled, created_at, version) "
                "VALUES (1, 'wk@x.go.id', 'Wali Kota', 'pimpinan', 'argon2-hash', true, true, "
                "false, :at, 2)"
            ),
            {"at": at},
        )
    upgrade(revision="0015")
    outbox_row = (
        "INSERT INTO outbox (government_id, recipient_id, channel, item_kind, item_id, rule, "
        "period, title, url, status, attempts, next_attempt_at, created_at) VALUES (1, 1, "
        "'email', :kind, 1, :rule, '2026-W02', 'Ringkasan', '/dashboard', 'pending', 0, :at, :at)"
    )
    with db.engine.begin() as conn:
        conn.execute(text(outbox_row), {"kind": "government", "rule": "weekly", "at": at})
        conn.execute(text(outbox_row), {"kind": "task", "rule": "overdue", "at": at})
        rows = conn.execute(
            text("SELECT email, version, is_weekly_digest_enabled FROM user_account")
        ).all()
    assert [(e, v, bool(flag)) for e, v, flag in rows] == [("wk@x.go.id", 2, True)]
    downgrade(revision="0014")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT rule FROM outbox")).scalars().all() == ["overdue"]
        assert conn.execute(text("SELECT count(*) FROM user_account")).scalar_one() == 1
        assert "is_weekly_digest_enabled" not in {
            c["name"] for c in inspect(conn).get_columns("user_account")
        }


def test_0016_adds_api_tokens_and_keeps_every_user(empty_app):
    """Users keep everything; the token table starts empty, takes a token of a user, refuses a
    second row with the same hash and goes away with a downgrade (the users stay)."""
    upgrade(revision="0015")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        _insert_blitar(conn)
        conn.execute(
            text(
                "INSERT INTO user_account (government_id, email, name, role, password_hash, "
                "is_active, is_email_enabled, is_whatsapp_enabled, created_at, version) "
                "VALUES (1, 'api@x.go.id', 'Uji', 'admin', 'argon2-hash', true, true, false, "
                ":at, 3)"
            ),
            {"at": at},
        )
    upgrade(revision="0016")
    token_row = (
        "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) "
        "VALUES (1, 'Portal', :hash, 'kf_abcdef', :at)"
    )
    with db.engine.begin() as conn:
        conn.execute(text(token_row), {"hash": "a" * 64, "at": at})
        rows = conn.execute(text("SELECT email, version FROM user_account")).all()
        assert [tuple(row) for row in rows] == [("api@x.go.id", 3)]
        assert conn.execute(text("SELECT name, prefix FROM api_token")).all() == [
            ("Portal", "kf_abcdef")
        ]
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(token_row), {"hash": "a" * 64, "at": at})
    downgrade(revision="0015")
    with db.engine.connect() as conn:
        assert "api_token" not in inspect(conn).get_table_names()
        assert conn.execute(text("SELECT count(*) FROM user_account")).scalar_one() == 1
