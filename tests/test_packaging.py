"""A non-editable install must work: templates, static files and migrations ship in the wheel.

The wheel is built from a copy of the working tree (so that the build never writes into the
repository), its contents are compared with the source tree (so that a new sub-package or data
folder missing from pyproject's explicit lists fails here), and the slow test installs it into a
fresh virtual environment and runs the app from a directory outside the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kerjasama_flow"

# Files of the working tree that are never part of a build.
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "instance",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
)


def _source_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def expected_wheel_members() -> set[str]:
    """What the wheel must hold, computed from the source tree."""
    members = {"config.py", "wsgi.py"}
    # Every module and data file of the package (sub-packages, static/, demo data, ...).
    members |= {
        f"kerjasama_flow/{p.relative_to(PACKAGE).as_posix()}" for p in _source_files(PACKAGE)
    }
    # templates/ and migrations/ live at the repository root and map into the package.
    for name in ("templates", "migrations"):
        members |= {
            f"kerjasama_flow/{name}/{p.relative_to(REPO / name).as_posix()}"
            for p in _source_files(REPO / name)
        }
    return members


def _run(args: list[str], *, cwd: Path, env: dict | None = None, timeout: int = 600):
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{output}"
    return output


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> tuple[Path, str]:
    """(path of the wheel, the build's output)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=_IGNORED)
    out = work / "dist"
    output = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--verbose",
            "-w",
            str(out),
            str(source),
        ],
        cwd=work,
    )
    wheels = list(out.glob("kerjasama_flow-*.whl"))
    assert len(wheels) == 1, output
    return wheels[0], output


def test_wheel_contains_modules_templates_migrations_and_static(built_wheel):
    wheel, _ = built_wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kerjasama_flow/__init__.py",
        "kerjasama_flow/templates/base.html",
        "kerjasama_flow/migrations/env.py",
        "kerjasama_flow/migrations/alembic.ini",
        "kerjasama_flow/migrations/script.py.mako",
        "kerjasama_flow/migrations/versions/0001_initial_schema.py",
        "kerjasama_flow/static/app.css",
        "config.py",
        "wsgi.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    missing = sorted(expected_wheel_members() - names)
    assert not missing, (
        "files of the source tree missing from the wheel (add the sub-package to "
        f"[tool.setuptools] packages or the pattern to package-data in pyproject.toml): {missing}"
    )
    # Nothing from the tests or the working tree's clutter.
    assert not [n for n in names if n.startswith(("tests/", "instance/")) or "__pycache__" in n]


def test_wheel_build_is_clean(built_wheel):
    _, output = built_wheel
    assert "would be ignored" not in output.lower(), output
    assert "cannot be found" not in output, output


CHECK_INSTALLED = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import kerjasama_flow
    from kerjasama_flow import create_app, resource_dir

    app = create_app()
    client = app.test_client()
    login = client.get("/login")
    css = client.get("/static/app.css")
    bootstrap_css = [
        line for line in login.get_data(as_text=True).splitlines() if "bootstrap" in line
    ]
    print(json.dumps({
        "package": str(Path(kerjasama_flow.__file__).resolve().parent),
        "templates": str(resource_dir("templates").resolve()),
        "migrations": str(resource_dir("migrations").resolve()),
        "migration_env": (resource_dir("migrations") / "env.py").is_file(),
        "base_html": Path(app.jinja_loader.get_source(app.jinja_env, "base.html")[1]).is_file(),
        "instance_path": app.instance_path,
        "secret_key_file": (Path(app.instance_path) / "secret_key").is_file(),
        "login_status": login.status_code,
        "login_has_form": 'name="password"' in login.get_data(as_text=True),
        "css_status": css.status_code,
        "bootstrap_lines": bootstrap_css,
    }))
    """
)


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(built_wheel, tmp_path):
    wheel, _ = built_wheel
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=tmp_path, timeout=900)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = tmp_path / "installed.db"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "FLASK_APP", "DATABASE_URL", "SECRET_KEY", "VIRTUAL_ENV"}
    }
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    report = json.loads(
        _run([str(python), "-c", CHECK_INSTALLED], cwd=elsewhere, env=env).strip().splitlines()[-1]
    )
    site_package = Path(report["package"])
    assert site_package.is_relative_to(venv), report
    assert not site_package.is_relative_to(REPO), report
    assert report["templates"] == str(site_package / "templates"), report
    assert report["migrations"] == str(site_package / "migrations"), report
    assert report["migration_env"] and report["base_html"], report
    # With SECRET_KEY unset, one is generated once into the instance folder of the install.
    assert report["secret_key_file"], report
    assert Path(report["instance_path"]).is_relative_to(venv), report
    assert report["login_status"] == 200 and report["login_has_form"], report
    assert report["css_status"] == 200, report
    # Bootstrap served from the app itself, never from a CDN.
    assert report["bootstrap_lines"], report
    assert not [line for line in report["bootstrap_lines"] if "cdn" in line.lower()], report

    flask = venv / "bin" / "flask"
    _run([str(flask), "--app", "wsgi", "db", "upgrade"], cwd=elsewhere, env=env)
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        heads = [row[0] for row in conn.execute("select version_num from alembic_version")]
    assert {"alembic_version", "government", "agreement", "task"} <= tables, tables
    assert len(heads) == 1, heads

    # The demo data loads from the installed package too (any data files it reads ship with it).
    _run([str(flask), "--app", "wsgi", "seed-demo"], cwd=elsewhere, env=env)
    with sqlite3.connect(database) as conn:
        governments = conn.execute("select count(*) from government").fetchone()[0]
    assert governments >= 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_quick_start_demo_command_migrates_seeds_and_serves(tmp_path):
    """The README's Quick start ends in ``flask --app wsgi demo``: it must keep serving."""
    port = _free_port()
    database = tmp_path / "demo.db"
    env = {key: value for key, value in os.environ.items() if key not in {"FLASK_APP"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="quick-start-test")
    flask = Path(sys.executable).with_name("flask")
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(flask), "--app", "wsgi", "demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    status = r.status
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        output = log.read_text()
        assert process.poll() is None, f"the demo command stopped instead of serving:\n{output}"
        assert status == 200, output
        assert 'name="password"' in page
        # The demo accounts, with this installation's own password.
        password = re.search(r"kata sandi: (\S+)\)", output)
        assert password and len(password.group(1)) >= 12 and "@" in output, output
        assert f"http://127.0.0.1:{port}/" in output, output
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from government").fetchone()[0] >= 3
        assert conn.execute("select count(*) from user_account").fetchone()[0] >= 3
