"""Clear failures at startup: a wrong or unsupported DATABASE_URL is one line and exit status 1
for every ``flask --app wsgi`` command; the app's commands refuse to run before ``db upgrade``
(which itself works on an empty or old database); gunicorn refuses to start, with one clear
log line, when the database does not answer or its schema is behind the migrations.

Everything runs for real, in processes of its own: the ``flask`` command and gunicorn on a
loopback port, each with a bounded timeout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade
from gunicorn.config import KNOWN_SETTINGS

from kerjasama_flow.extensions import db
from tests.conftest import make_test_app

REPO_ROOT = Path(__file__).resolve().parent.parent
UPGRADE_HINT = "flask --app wsgi db upgrade"
UNREACHABLE = "postgresql://nobody:rahasia@127.0.0.1:1/kerjasama"  # nothing listens on port 1
BAD_URLS = {
    "mysql://root@localhost/kerjasama": "mysql://, yang tidak didukung",
    "bukan-sebuah-url": "bukan alamat basis data yang dapat dibaca",
    UNREACHABLE: "Basis data tidak dapat dihubungi (postgresql://nobody:***@127.0.0.1:1/",
}


def _environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "startup-test-secret",  # nothing written into the checkout
        "KERJASAMA_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_DEBUG": "0",
    }


def flask_cli(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO_ROOT,
        env=_environment(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- a wrong DATABASE_URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "command"),
    [
        *((url, ["db", "upgrade"]) for url in BAD_URLS),
        (UNREACHABLE, ["create-government", "--code", "35.72", "--name", "Kota Blitar"]),
        ("mysql://root@localhost/kerjasama", ["--help"]),
    ],
)
def test_a_wrong_database_url_is_one_clear_line_and_exit_1(url, command, tmp_path):
    result = flask_cli(url, tmp_path, *command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _lines(result.stderr) == [_lines(result.stderr)[0]], result.stderr  # one line
    assert BAD_URLS[url] in result.stderr
    assert "Traceback" not in result.stderr and "No such command" not in result.stderr
    assert "rahasia" not in result.stderr  # the password stays out of the log
    assert result.stdout == ""


# --- commands before db upgrade ---------------------------------------------------------------


@pytest.fixture
def empty_database_url(backend, temp_database, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return temp_database(backend).url


@pytest.fixture
def old_database_url(empty_database_url, tmp_path):
    """A database whose schema stopped at revision 0005 (code upgraded, ``db upgrade`` not)."""
    old = make_test_app(empty_database_url, tmp_path / "old-instance")
    with old.app_context():
        upgrade(revision="0005")
        db.engine.dispose()
    return empty_database_url


def test_commands_before_db_upgrade_say_to_run_it(empty_database_url, tmp_path):
    for command in (
        ["create-government", "--code", "35.72", "--name", "Kota Blitar"],
        ["reminders", "run"],
    ):
        result = flask_cli(empty_database_url, tmp_path, *command)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"Jalankan dulu: {UPGRADE_HINT}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    upgraded = flask_cli(empty_database_url, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    create = ["create-government", "--code", "35.72", "--name", "Kota Blitar"]
    created = flask_cli(empty_database_url, tmp_path, *create)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Kota Blitar (35.72) terdaftar" in created.stdout


def test_a_schema_behind_the_code_is_refused_until_db_upgrade(old_database_url, tmp_path):
    result = flask_cli(old_database_url, tmp_path, "seed-demo")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Skema basis data tertinggal (revisi 0005" in result.stderr
    assert UPGRADE_HINT in result.stderr
    upgraded = flask_cli(old_database_url, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr


# --- gunicorn ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_args(port: int) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
    ]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        args.append("--no-control-socket")  # no socket in the home folder, no clash between runs
    return [*args, "wsgi:app"]


def _gunicorn(database_url: str, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        _gunicorn_args(_free_port()),
        cwd=REPO_ROOT,
        env=_environment(database_url, tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _refusal(database_url: str, tmp_path: Path) -> tuple[int, str]:
    process = _gunicorn(database_url, tmp_path)
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"gunicorn kept running on a database that is not ready:\n{output}")
    return process.returncode, output


def test_gunicorn_refuses_an_unreachable_database(tmp_path):
    code, output = _refusal(UNREACHABLE, tmp_path)
    assert code != 0, output
    assert "App failed to load" in output
    assert "kerjasama-flow: Basis data tidak dapat dihubungi" in output
    assert "Traceback" not in output and "rahasia" not in output


def test_gunicorn_refuses_an_empty_database(empty_database_url, tmp_path):
    code, output = _refusal(empty_database_url, tmp_path)
    assert code != 0, output
    assert "App failed to load" in output
    assert f"Basis data belum berisi skema aplikasi. Jalankan dulu: {UPGRADE_HINT}" in output
    assert "Traceback" not in output


def test_gunicorn_refuses_a_schema_behind_and_serves_after_db_upgrade(old_database_url, tmp_path):
    code, output = _refusal(old_database_url, tmp_path)
    assert code != 0, output
    assert "Skema basis data tertinggal (revisi 0005" in output
    assert "Traceback" not in output

    assert flask_cli(old_database_url, tmp_path, "db", "upgrade").returncode == 0
    port = _free_port()
    process = subprocess.Popen(
        _gunicorn_args(port),
        cwd=REPO_ROOT,
        env=_environment(old_database_url, tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    status = None
    try:
        deadline = time.monotonic() + 120
        while status is None and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.3)
        running = process.poll() is None
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert running and status == 200, output
