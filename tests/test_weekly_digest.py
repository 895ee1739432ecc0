"""The leaders' weekly digest (``reminders.weekly``): planned by the daily sweep on the digest
day, sent through the outbox by e-mail (a real SMTP server) and WhatsApp (a real HTTP
receiver), exactly once (three sweeps racing on PostgreSQL included), delayed but never lost
when the mail server is down, and never to a leader who opted out."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kerjasama_flow import government_settings
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.reminders import weekly
from kerjasama_flow.reminders.delivery import WEEKLY_OPTED_OUT, deliver
from kerjasama_flow.reminders.forms import ReminderSettingsForm
from kerjasama_flow.reminders.models import Channel, Outbox, OutboxStatus, Rule
from kerjasama_flow.reminders.planner import plan
from kerjasama_flow.reports import attention
from kerjasama_flow.reports.dashboard import DashboardFilters
from tests import factories
from tests.reminder_helpers import BASE_URL, WhatsAppGateway
from tests.test_attention import stuck  # noqa: F401
from tests.test_dashboard import data  # noqa: F401

MONDAY = datetime(2025, 10, 20, 0, 30, tzinfo=UTC)  # Monday 20 October 2025, 07:30 WIB
SUBJECT = weekly.SUBJECT_PREFIX


@pytest.fixture
def gateway(app):
    receiver = WhatsAppGateway(token="rahasia-gateway")
    receiver.start()
    app.config.update(WHATSAPP_GATEWAY_URL=receiver.url, WHATSAPP_GATEWAY_TOKEN="rahasia-gateway")
    yield receiver
    receiver.stop()


@pytest.fixture
def week(app, smtp, stuck):  # noqa: F811
    """``stuck`` on Monday morning, the leader with WhatsApp on, and the activity log: two
    changes of a3 and one of the world's agreement this week, one of a2 ten days ago."""
    app.config["KERJASAMA_NOW"] = MONDAY.isoformat()
    w = stuck
    w.pimpinan.name = "Wali Kota Blitar"
    w.pimpinan.phone = "0812-1111-2222"
    w.pimpinan.is_whatsapp_enabled = True
    for agreement, days_ago in ((w.a3, 1), (w.a3, 2), (w.agreement, 3), (w.a2, 10)):
        db.session.add(
            ActivityLog(
                government_id=w.gov.id,
                agreement_id=agreement.id,
                entity="agreement",
                entity_id=agreement.id,
                action="updated",
                at=MONDAY - timedelta(days=days_ago),
            )
        )
    db.session.commit()
    return w


def weekly_mail(smtp) -> list:
    return [m for m in smtp.messages if str(m["Subject"]).strip().startswith(SUBJECT)]


def weekly_rows() -> list[Outbox]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Outbox).where(Outbox.rule == Rule.WEEKLY).order_by(Outbox.id))
    )


def sweep(on=None):
    plan(on)
    db.session.commit()
    return deliver()


def test_monday_digest_by_email_and_whatsapp_once(smtp, gateway, week):
    sweep()
    [message] = weekly_mail(smtp)
    assert message["To"] == week.pimpinan.email
    # What the dashboard would list now, and the week's log (the sweep logs its own work).
    found = attention.attention(week.pimpinan, DashboardFilters(), MONDAY.date(), "Asia/Jakarta")
    changes = weekly.week_changes(week.gov, MONDAY.date())
    assert changes.total >= 3
    a3 = next(item for item in changes.agreements if item.agreement_id == week.a3.id)
    assert a3.changes >= 2  # the two entries of this week; the one of 10 days ago is out
    assert " ".join(str(message["Subject"]).split()) == (
        f"{SUBJECT}: {found.count} perlu perhatian, {changes.total} perubahan sepekan"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # The dashboard's wording and records, with links from KERJASAMA_BASE_URL.
    for line in (
        "Yth. Wali Kota Blitar,",
        "Ringkasan mingguan kerja sama Kota Blitar, per 20 Oktober 2025.",
        f"PERLU PERHATIAN ({found.count})",
        "Kerja sama mandek (2)",
        "- KB Depok tanpa PKS",
        "Langkah “Susun draf PKS” lewat tenggat 19 hari.",
        "OPD dengan tugas lewat tenggat terbanyak (1)",
        "- Dinas Ketahanan Pangan dan Pertanian (DKPP): "
        f"{found.agencies[0].overdue} tugas lewat tenggat",
        f"{BASE_URL}/tasks?agency={week.agency.id}&status=terlambat",
        "KB/PKS berakhir dalam 180 hari",
        "Belum dilaporkan kepada Gubernur/Menteri Dalam Negeri (4)",
        "belum dilaporkan kepada Gubernur",
        "PERUBAHAN SEPEKAN TERAKHIR (14 Oktober 2025 s.d. 20 Oktober 2025): "
        f"{changes.total} perubahan",
        *(
            f"- {item.title}: {item.changes} perubahan, terakhir {format_date(item.last_on)}"
            for item in changes.agreements
        ),
        f"{BASE_URL}/agreements/{week.a3.id}",
        f"{BASE_URL}/account",
        "Terima ringkasan mingguan untuk pimpinan",
    ):
        assert line in text, line
    assert "Promosi wisata Bandung" not in text.split("PERUBAHAN SEPEKAN")[1]  # 10 days ago
    assert f'<a href="{BASE_URL}/agreements/{week.dormant.id}">KB Depok tanpa PKS</a>' in html
    [whatsapp] = [m for m in gateway.received if SUBJECT in m["message"]]
    assert whatsapp["phone"] == "0812-1111-2222"  # as the daily digest sends it
    assert f"*Perlu perhatian* ({found.count})" in whatsapp["message"]
    assert f"{BASE_URL}/agreements/{week.dormant.id}" in whatsapp["message"]
    assert {(row.channel, row.status, row.period) for row in weekly_rows()} == {
        (Channel.EMAIL, OutboxStatus.SENT, "2025-W43"),
        (Channel.WHATSAPP, OutboxStatus.SENT, "2025-W43"),
    }

    # Later sweeps of the same week (the next hour, Tuesday) send nothing again.
    sweep()
    plan(MONDAY.date() + timedelta(days=1))
    db.session.commit()
    deliver()
    assert len(weekly_mail(smtp)) == 1
    assert len([m for m in gateway.received if SUBJECT in m["message"]]) == 1
    # Only leaders get it: not the admin, not the OPD head.
    assert {row.recipient_id for row in weekly_rows()} == {week.pimpinan.id}


def test_only_on_the_digest_day_and_from_its_time(app, smtp, week):
    tuesday = MONDAY + timedelta(days=1)
    app.config["KERJASAMA_NOW"] = tuesday.isoformat()
    sweep()
    assert weekly_rows() == [] and weekly_mail(smtp) == []

    week.gov.settings = {"weekly_digest_day": 2, "weekly_digest_time": "09:00"}
    db.session.commit()
    sweep()
    [row] = weekly_rows()
    assert row.status == OutboxStatus.PENDING  # planned at 07:30, due from 09:00 WIB
    assert row.next_attempt_at == datetime(2025, 10, 21, 2, 0, tzinfo=UTC)
    assert weekly_mail(smtp) == []
    app.config["KERJASAMA_NOW"] = (tuesday + timedelta(hours=2)).isoformat()
    deliver()  # the scheduler's delivery job, every few minutes
    assert len(weekly_mail(smtp)) == 1

    week.gov.settings = {"weekly_digest": False, "weekly_digest_day": 2}
    db.session.commit()
    app.config["KERJASAMA_NOW"] = (tuesday + timedelta(days=7)).isoformat()
    sweep()
    assert len(weekly_rows()) == 1  # last week's only


def test_opted_out_leaders_get_nothing(app, smtp, week):
    week.pimpinan.is_weekly_digest_enabled = False
    db.session.commit()
    sweep()
    assert weekly_rows() == [] and weekly_mail(smtp) == []

    # Opted out after the sweep planned it: closed, not sent.
    week.pimpinan.is_weekly_digest_enabled = True
    db.session.commit()
    plan()
    db.session.commit()
    week.pimpinan.is_weekly_digest_enabled = False
    db.session.commit()
    deliver()
    assert weekly_mail(smtp) == []
    [row] = weekly_rows()
    assert (row.status, row.last_error) == (OutboxStatus.SENT, WEEKLY_OPTED_OUT)


def test_a_failing_mail_server_delays_never_drops(app, smtp, week):
    smtp.stop()
    result = sweep()
    assert result.failed >= 1
    [row] = weekly_rows()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error

    smtp.start()
    app.config["KERJASAMA_NOW"] = (MONDAY + timedelta(minutes=6)).isoformat()
    deliver()
    deliver()
    assert len(weekly_mail(smtp)) == 1
    [row] = weekly_rows()
    assert row.status == OutboxStatus.SENT


def test_three_simultaneous_sweeps_send_each_weekly_digest_once(app, smtp, week, backend):
    if backend != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serialises writers")
    leaders = [week.pimpinan] + [
        factories.make_user(week.gov, Role.PIMPINAN, email=f"pimpinan{n}@blitarkota.go.id")
        for n in range(4)
    ]
    db.session.commit()
    barrier = threading.Barrier(3)
    failures = []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                plan()
                db.session.commit()
                deliver()
                db.session.remove()
        except Exception as error:  # reported below; a thread must not die silently
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert failures == []
    sent = [str(m["To"]) for m in weekly_mail(smtp)]
    assert sorted(sent) == sorted(user.email for user in leaders)
    assert {row.status for row in weekly_rows()} == {OutboxStatus.SENT}


def test_settings_page_section_and_account_opt_out(client, auth, week):
    auth.login(week.admin)
    html = client.get("/settings/reminders").get_data(as_text=True)
    assert "Ringkasan mingguan untuk pimpinan" in html
    section = html[html.index('id="ringkasan-mingguan"') :]
    assert re.search(r'<option (selected value="1"|value="1" selected)>Senin</option>', section)
    form = ReminderSettingsForm.for_government(week.gov)
    posted = {**form.data, "weekly_digest": "1", "weekly_digest_day": "5"}
    posted["weekly_digest_time"] = "06:45"
    posted.pop("submit", None)
    response = client.post("/settings/reminders", data=posted)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert government_settings.get(week.gov, "weekly_digest_day") == 5
    assert government_settings.get(week.gov, "weekly_digest_time") == "06:45"
    posted["version"] = government_settings.fingerprint(week.gov)
    bad = client.post("/settings/reminders", data={**posted, "weekly_digest_day": "9"})
    assert bad.status_code == 200
    assert "Pilih salah satu hari, Senin sampai Minggu." in bad.get_data(as_text=True)

    # The account page: a leader can opt out; an OPD head has no such switch.
    auth.logout()
    auth.login(week.pimpinan)
    html = client.get("/account").get_data(as_text=True)
    assert "Terima ringkasan mingguan untuk pimpinan" in html
    response = client.post(
        "/account",
        data={"phone": "", "is_email_enabled": "y", "version": str(week.pimpinan.version)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert week.pimpinan.is_weekly_digest_enabled is False
    auth.logout()
    auth.login(week.opd)
    assert "ringkasan mingguan" not in client.get("/account").get_data(as_text=True)
