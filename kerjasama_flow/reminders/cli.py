"""``flask --app wsgi reminders run``: one sweep, for cron and tests. (The periodic jobs run
in a process of their own: ``flask --app wsgi scheduler``, in ``kerjasama_flow.cli``.)"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.readiness import needs_current_schema
from kerjasama_flow.reminders.delivery import deliver
from kerjasama_flow.reminders.models import Outbox, OutboxStatus
from kerjasama_flow.reminders.planner import plan


@click.group("reminders", cls=AppGroup, help="Pengingat tindak lanjut: sapuan dan pengiriman.")
@needs_current_schema
def reminders_cli():
    pass


def _parse_date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("format tanggal YYYY-MM-DD, mis. 2025-08-14") from error


def _describe_item(item) -> str:
    """A planned item (``planner.PlannedItem``) as one line."""
    channel = str(getattr(item.channel, "value", item.channel))
    channel = {"email": "surel", "whatsapp": "WhatsApp", "in_app": "notifikasi"}.get(
        channel, channel
    )
    # The title already says the state ("Terlambat 5 hari: ..."), so no rule label before it.
    return f"{item.recipient_email} ({channel}) · {item.title}"


def _pending_by_government() -> dict[int, int]:
    rows = db.session.execute(
        select(Outbox.government_id, func.count())
        .where(Outbox.status == OutboxStatus.PENDING)
        .group_by(Outbox.government_id)
    ).all()
    return dict(rows)


@reminders_cli.command("run")
@click.option(
    "--date",
    "on",
    callback=_parse_date,
    default=None,
    metavar="YYYY-MM-DD",
    help="Sapu seolah-olah hari ini tanggal ini (di zona waktu tiap Pemda).",
)
@click.option("--dry-run", is_flag=True, help="Tampilkan yang akan dikirim tanpa mengubah apa pun.")
def run_command(on: date | None, dry_run: bool):
    """One sweep: plan today's reminders, then deliver everything pending (also the rows still
    waiting out their back-off). Exits 1 when some deliveries failed."""
    if dry_run:
        plans = plan(on=on, dry_run=True)
        pending = _pending_by_government()
        db.session.rollback()
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan atau dikirim.")
        for government_plan in plans:
            government_id, name = government_plan.government.id, government_plan.government.name
            click.echo(
                f"{name} ({format_date(government_plan.today)}): {government_plan.queued} akan "
                f"diantrekan, {pending.get(government_id, 0)} tertunda akan dicoba lagi"
            )
            if government_plan.error:
                click.echo(f"  gagal merencanakan: {government_plan.error}")
            for item in government_plan.items:
                click.echo(f"  - {_describe_item(item)}")
        return

    plans = plan(on=on)
    db.session.commit()
    result = deliver(retry_now=True)

    reported: set[int] = set()
    plan_errors = 0
    for government_plan in plans:
        government_id, name = government_plan.government.id, government_plan.government.name
        reported.add(government_id)
        tally = result.governments.get(government_id)
        sent, failed = (tally.sent, tally.failed) if tally else (0, 0)
        line = f"{name}: {government_plan.queued} antre, {sent} terkirim, {failed} gagal"
        if government_plan.ended:
            line += f", {government_plan.ended} kerja sama berakhir"
        if government_plan.monev_tasks:
            line += f", {government_plan.monev_tasks} tugas monev dibuat"
        if government_plan.completed_tasks:
            line += f", {government_plan.completed_tasks} tugas selesai otomatis"
        click.echo(line)
        if government_plan.error:
            plan_errors += 1
            click.echo(f"  gagal merencanakan: {government_plan.error}")
    for government_id, tally in result.governments.items():
        if government_id not in reported:  # retries of earlier sweeps only
            click.echo(f"{tally.name}: 0 antre, {tally.sent} terkirim, {tally.failed} gagal")
    for error in result.errors:
        click.echo(f"  gagal: {error}")
    if result.failed:
        click.echo(f"{result.failed} pengingat gagal dikirim; dicoba lagi pada sapuan berikutnya.")
    if result.failed or plan_errors:
        raise SystemExit(1)
