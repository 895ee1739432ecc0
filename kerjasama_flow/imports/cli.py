"""``flask --app wsgi imports ...``: the background imports from the command line (registered
with every other command by ``kerjasama_flow.cli``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from kerjasama_flow.imports import jobs
from kerjasama_flow.readiness import needs_current_schema


@click.group("imports", help="Impor Excel yang menunggu di latar belakang.")
@needs_current_schema
def imports_cli():
    pass


@imports_cli.command("run")
@with_appcontext
def imports_run_command():
    """Run the queued import steps now and expire old previews (the scheduler's
    ``imports.work`` and ``imports.expire``)."""
    ran = jobs.work()
    expired = jobs.expire()
    click.echo(f"{ran} langkah impor dijalankan, {expired} pratinjau kedaluwarsa.")
