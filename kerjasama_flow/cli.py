"""Command-line interface: ``flask --app wsgi <command>``. ``register`` adds every command of
the app (``create_app`` calls it); a domain's group of commands lives in its package
(``imports.cli``, ``reminders.cli``)."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.accounts.services import (
    agency_by_code,
    create_government,
    government_by_code,
    save_user,
    set_password,
    user_by_email,
)
from kerjasama_flow.backup import KIND_LABELS, BackupError, Summary, create_backup, restore_backup
from kerjasama_flow.demo.seed import demo_password, seed_demo
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_file_size
from kerjasama_flow.imports.cli import imports_cli
from kerjasama_flow.readiness import needs_current_schema
from kerjasama_flow.reminders.cli import reminders_cli
from kerjasama_flow.reminders.delivery import deliver
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.scheduler import run_blocking, start_background, stop_background


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.command("create-government")
@click.option("--code", required=True, help="Kode wilayah Kemendagri, mis. 35.72")
@click.option("--name", required=True, help="Nama Pemda, mis. 'Kota Blitar'")
@click.option("--timezone", default=None, help="Asia/Jakarta (WIB), Asia/Makassar, Asia/Jayapura")
@click.option("--province", default=None)
@with_appcontext
@needs_current_schema
def create_government_command(code: str, name: str, timezone: str | None, province: str | None):
    """Register a government (Pemda) by its Kemendagri region code."""
    try:
        government = create_government(
            code, name, timezone or current_app.config["KERJASAMA_TIMEZONE"], province=province
        )
        db.session.commit()
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Pemda {government.name} ({government.region_code}) terdaftar.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "opd", "pimpinan"]))
@click.option("--government", "government_code", required=True, help="Kode wilayah Pemda")
@click.option("--agency", "agency_code", default=None, help="Kode OPD (wajib untuk peran opd)")
@click.option(
    "--password",
    prompt="Kata sandi",
    hide_input=True,
    confirmation_prompt="Ulangi kata sandi",
    help="Minimal 8 karakter, bukan kata sandi yang umum; ditanyakan bila tidak diberikan.",
)
@with_appcontext
@needs_current_schema
def create_user_command(
    email: str, name: str, role: str, government_code: str, agency_code: str | None, password: str
):
    """Create a user of a government."""
    government = government_by_code(government_code)
    if government is None:
        _fail(f"Pemda dengan kode wilayah {government_code} tidak ditemukan.")
    agency = None
    if agency_code:
        agency = agency_by_code(government, agency_code)
        if agency is None:
            _fail(f"OPD dengan kode {agency_code} tidak ditemukan di {government.name}.")
    data = {
        "email": email,
        "name": name,
        "role": role,
        "agency": agency,
        "password": password,
        "is_active": True,
    }
    try:
        user = save_user(None, government, None, data)
        db.session.commit()
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Pengguna {user.email} ({user.role.label}) dibuat untuk {government.name}.")


@click.command("set-password")
@click.option("--email", required=True)
@click.option(
    "--password",
    prompt="Kata sandi baru",
    hide_input=True,
    confirmation_prompt="Ulangi kata sandi baru",
    help="Minimal 8 karakter, bukan kata sandi yang umum; ditanyakan bila tidak diberikan.",
)
@with_appcontext
def set_password_command(email: str, password: str):
    """Give a user a new password (the same rule as the web forms); every session of the
    user ends."""
    user = user_by_email(email)
    if user is None:
        _fail(f"Pengguna dengan email {email} tidak ditemukan.")
    try:
        set_password(None, user, password)
        db.session.commit()
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Kata sandi {user.email} sudah diganti. Semua sesi akun ini berakhir.")


FORCE_DEMO = click.option(
    "--force-demo-into-existing",
    "into_existing",
    is_flag=True,
    help="Muat data demo walaupun basis data berisi data sungguhan (jangan di server Pemda).",
)


def _seed_demo(into_existing: bool):
    """Load the demo data with this installation's demo password, or stop with the refusal."""
    password = demo_password(current_app.instance_path)
    try:
        summary = seed_demo(password, into_existing=into_existing)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    return summary, password


@click.command("seed-demo")
@FORCE_DEMO
@with_appcontext
@needs_current_schema
def seed_demo_command(into_existing: bool):
    """Load the demo data from the seed reports; running it twice changes nothing."""
    summary, password = _seed_demo(into_existing)
    click.echo(summary.describe())
    click.echo(f"Semua akun demo memakai kata sandi: {password}")


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@FORCE_DEMO
@with_appcontext
def demo_command(host: str, port: int, into_existing: bool):
    """Apply migrations, load the demo data and serve the app (for trying it out)."""
    upgrade()
    summary, password = _seed_demo(into_existing)
    click.echo(summary.describe())
    click.echo(f"\nAkun demo (kata sandi: {password}):")
    for line in summary.accounts:
        click.echo(f"  {line}")
    app = current_app._get_current_object()
    address = demo_address(app, host, port)  # before the sweep: its mail links to this demo
    # Today's sweep once now, so that the bell already shows what is due, overdue or stalled
    # (the scheduler's next sweep is tomorrow morning).
    plans = plan()
    db.session.commit()
    deliver(retry_now=True)
    click.echo(f"\nPengingat hari ini: {sum(p.queued for p in plans)} diantrekan dan dikirim.")
    click.echo(f"\nBuka {address}/ di peramban. Tekan Ctrl+C untuk berhenti.\n")
    # The demo's reminders run in-process, started once here (one process, no reloader);
    # production runs `flask --app wsgi scheduler` as a process of its own.
    start_background(app)
    try:
        # app.run() is a no-op inside the flask CLI; serve with Werkzeug directly, one process.
        run_simple(host, port, app, use_reloader=False, threaded=True)
    finally:
        stop_background()


def demo_address(app: Flask, host: str, port: int) -> str:
    """Where the demo serves, as a browser on this machine opens it; the links in its mail
    point there too, unless ``KERJASAMA_BASE_URL`` names another address."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    address = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    app.config["KERJASAMA_BASE_URL"] = app.config.get("KERJASAMA_BASE_URL") or address
    return address


@click.command("scheduler")
@with_appcontext
@needs_current_schema
def scheduler_command():
    """Run the periodic jobs (daily sweep per time zone, delivery retries, background imports)
    until SIGTERM."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_blocking(current_app._get_current_object())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write one archive (.tar.gz) holding a consistent copy of the database and every stored
    file (documents, evidence, queued imports), with a manifest of their SHA-256."""
    try:
        summary = create_backup(path)
    except BackupError as error:
        _fail(str(error))
    click.echo(f"Basis data {KIND_LABELS[summary.kind]} disalin dengan {summary.tool}.")
    click.echo(_files_line(summary))
    click.echo(f"Cadangan ditulis: {summary.archive} (revisi {summary.revision}).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path):
    """Restore an archive of the backup command into an empty database and instance folder,
    after checking every member against the manifest's SHA-256."""
    try:
        summary = restore_backup(path)
    except BackupError as error:
        _fail(str(error))
    click.echo(f"Basis data {KIND_LABELS[summary.kind]} dipulihkan dengan {summary.tool}.")
    click.echo(_files_line(summary))
    click.echo(
        f"Dipulihkan dari {summary.archive} (revisi {summary.revision}). Jika kode ini lebih "
        "baru dari cadangannya, jalankan: flask --app wsgi db upgrade"
    )


def _files_line(summary: Summary) -> str:
    size = f" ({format_file_size(summary.file_bytes)})" if summary.files else ""
    return f"{len(summary.files)} berkas tersimpan{size}, SHA-256 tercatat di manifest."


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Nama token, mis. 'Portal Pemda'")
@click.option(
    "--days", type=int, default=None, help="Masa berlaku dalam hari (tanpa: sampai dicabut)"
)
@with_appcontext
@needs_current_schema
def create_token_command(email: str, name: str | None, days: int | None):
    """Create a personal API token for a user and print its secret (shown only once)."""
    user = user_by_email(email)
    if user is None:
        _fail(f"Pengguna {email} tidak ditemukan.")
    try:
        token, secret = api_tokens.issue(user, name, days)
        db.session.commit()
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Token API {token.name} ({token.prefix}...) untuk {user.email}:")
    click.echo(secret)
    click.echo("Simpan token ini sekarang: token tidak dapat ditampilkan lagi.")


def register(app: Flask) -> None:
    for command in (
        create_government_command,
        create_user_command,
        set_password_command,
        create_token_command,
        seed_demo_command,
        demo_command,
        imports_cli,
        reminders_cli,
        scheduler_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
