"""Delivery of the outbox through a real SMTP server (aiosmtpd) and a real HTTP gateway, both
started by the tests on loopback ports. Outbox rows are made directly, without the planner."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.forms import AccountForm
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.delivery import OPTED_OUT, backoff, deliver
from kerjasama_flow.reminders.models import Channel, Outbox, OutboxStatus, Rule
from tests import factories
from tests.reminder_helpers import BASE_URL, WhatsAppGateway, make_outbox

NOW = datetime(2025, 8, 20, 0, 30, tzinfo=UTC)  # 07:30 WIB


@pytest.fixture
def gateway(app):
    receiver = WhatsAppGateway(token="rahasia-gateway")
    receiver.start()
    app.config.update(
        WHATSAPP_GATEWAY_URL=receiver.url,
        WHATSAPP_GATEWAY_TOKEN="rahasia-gateway",
        WHATSAPP_TIMEOUT=5,
        KERJASAMA_BASE_URL=BASE_URL,
        KERJASAMA_NOW=NOW.isoformat(),
    )
    yield receiver
    receiver.stop()


@pytest.fixture
def gov(app):
    app.config["KERJASAMA_NOW"] = NOW.isoformat()
    government = factories.make_government("35.72", "Kota Blitar")
    db.session.commit()
    return government


def _user(gov, email, **kw):
    return factories.make_user(gov, kw.pop("role", Role.ADMIN), email=email, **kw)


def _rows(**where) -> list[Outbox]:
    db.session.expire_all()
    query = select(Outbox).order_by(Outbox.id)
    for name, value in where.items():
        query = query.where(getattr(Outbox, name) == value)
    return list(db.session.scalars(query))


def _body(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


# --- the digest ---------------------------------------------------------------------------------


def test_digest_lists_late_items_first_with_links_and_indonesian_dates(smtp, gov):
    user = _user(gov, "dkpp@blitarkota.go.id", name="Kepala DKPP")
    make_outbox(user, NOW, rule=Rule.DUE_SOON, item_id=30, title="Susun laporan", due_on=None)
    make_outbox(user, NOW, rule=Rule.DUE_TODAY, item_id=20, title="Rapat evaluasi")
    make_outbox(user, NOW, rule=Rule.OVERDUE, item_id=12, title="Susun draf PKS")
    make_outbox(user, NOW, rule=Rule.OVERDUE, item_id=13, title="Laporan ke Gubernur")
    db.session.commit()

    result = deliver()

    assert (result.sent, result.failed, result.digests) == (4, 0, 1)
    [message] = smtp.messages
    assert message["To"] == "dkpp@blitarkota.go.id"
    assert message["From"] == "kerjasama-flow <noreply@blitarkota.go.id>"
    assert message["Subject"] == (
        "Pengingat tindak lanjut kerja sama: 2 terlambat, 1 jatuh tempo hari ini, "
        "1 segera jatuh tempo"
    )
    text, html = _body(message)
    assert "Yth. Kepala DKPP" in text
    late, today, soon = (text.index(h) for h in ("TERLAMBAT", "JATUH TEMPO HARI INI", "SEGERA"))
    assert late < today < soon
    assert text.index("Susun draf PKS") < today and text.index("Laporan ke Gubernur") < today
    assert f"{BASE_URL}/tasks/12" in text and f"{BASE_URL}/tasks/20" in text
    assert "Jatuh tempo 14 Agustus 2025" in text
    assert f"{BASE_URL}/account" in text and "berhenti menerima" in text
    # The HTML alternative carries the same items as links.
    assert f'<a href="{BASE_URL}/tasks/12">Susun draf PKS</a>' in html
    assert "14 Agustus 2025" in html and f"{BASE_URL}/account" in html
    _assert_the_uis_words(text, EMAIL_LABEL)
    _assert_the_uis_words(" ".join(html.split()), EMAIL_LABEL)
    assert html.index("Terlambat") < html.index("Jatuh tempo hari ini")


def test_the_html_digest_escapes_titles(smtp, gov):
    user = _user(gov, "a@blitarkota.go.id")
    make_outbox(user, NOW, title="Tugas <b>penting</b> & mendesak")
    db.session.commit()
    deliver()
    text, html = _body(smtp.messages[0])
    assert "Tugas <b>penting</b> & mendesak" in text
    assert "Tugas &lt;b&gt;penting&lt;/b&gt; &amp; mendesak" in html


# --- one digest per recipient, once ---------------------------------------------------------------


def test_one_mail_per_recipient_and_a_second_delivery_sends_nothing(smtp, gov):
    opd = _user(gov, "opd@blitarkota.go.id")
    pimpinan = _user(gov, "walikota@blitarkota.go.id", role=Role.PIMPINAN)
    for rule in (Rule.OVERDUE, Rule.DUE_TODAY, Rule.DUE_SOON):
        make_outbox(opd, NOW, rule=rule)
    make_outbox(pimpinan, NOW, rule=Rule.ESCALATION)
    make_outbox(pimpinan, NOW, rule=Rule.ESCALATION)
    db.session.commit()

    first = deliver()

    assert smtp.count_by_recipient() == {"opd@blitarkota.go.id": 1, "walikota@blitarkota.go.id": 1}
    assert (first.sent, first.failed, first.digests) == (5, 0, 2)
    assert first.governments[gov.id].name == "Kota Blitar"
    rows = _rows()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.sent_at == NOW and row.last_error is None for row in rows)

    second = deliver(retry_now=True)
    assert (second.sent, second.failed) == (0, 0)
    assert len(smtp.messages) == 2


def test_rows_not_yet_due_wait_unless_retry_now(smtp, gov):
    user = _user(gov, "a@blitarkota.go.id")
    make_outbox(user, NOW, next_attempt_at=NOW + timedelta(minutes=30))
    db.session.commit()
    assert deliver().sent == 0
    assert smtp.messages == []
    assert deliver(retry_now=True).sent == 1
    assert len(smtp.messages) == 1


# --- failures, retries, the lease ---------------------------------------------------------------


def test_server_down_then_up_delivers_everything_once(smtp, gov):
    a = _user(gov, "a@blitarkota.go.id")
    b = _user(gov, "b@blitarkota.go.id")
    make_outbox(a, NOW)
    make_outbox(a, NOW, rule=Rule.DUE_TODAY)
    make_outbox(b, NOW)
    db.session.commit()

    smtp.stop()  # connection refused
    down = deliver()
    assert (down.sent, down.failed) == (0, 3)
    assert len(down.errors) == 2 and "a@blitarkota.go.id" in down.errors[0]
    for row in _rows():
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert "Tidak dapat terhubung ke server surel 127.0.0.1" in row.last_error
        assert row.next_attempt_at == NOW + timedelta(minutes=5)
        assert row.claim_token is None and row.claimed_at is None

    smtp.start()
    later = NOW + timedelta(minutes=6)
    up = deliver(now=later)
    assert (up.sent, up.failed) == (3, 0)
    assert smtp.count_by_recipient() == {"a@blitarkota.go.id": 1, "b@blitarkota.go.id": 1}
    assert deliver(now=later + timedelta(hours=1), retry_now=True).sent == 0
    assert len(smtp.messages) == 2
    assert all(row.status == OutboxStatus.SENT and row.attempts == 1 for row in _rows())


def test_a_rejected_message_keeps_its_error_and_is_retried_after_the_backoff(smtp, gov):
    user = _user(gov, "a@blitarkota.go.id")
    make_outbox(user, NOW)
    db.session.commit()
    smtp.handler.reject = "550 5.7.1 Kotak surat penuh"

    result = deliver()

    assert (result.sent, result.failed) == (0, 1)
    assert "550" in result.errors[0]
    [row] = _rows()
    assert row.status == OutboxStatus.PENDING
    assert row.last_error == "SMTP 550: 5.7.1 Kotak surat penuh"
    assert row.next_attempt_at == NOW + timedelta(minutes=5)

    # Still refused on the next attempt: the back-off doubles.
    second = NOW + timedelta(minutes=5)
    assert deliver(now=second).failed == 1
    [row] = _rows()
    assert (row.attempts, row.next_attempt_at) == (2, second + timedelta(minutes=10))

    # Before the back-off is over nothing is tried.
    smtp.handler.reject = None
    assert deliver(now=second + timedelta(minutes=9)).sent == 0
    assert smtp.messages == []

    assert deliver(now=second + timedelta(minutes=10)).sent == 1
    [row] = _rows()
    assert row.status == OutboxStatus.SENT and row.last_error is None
    assert len(smtp.messages) == 1


def test_backoff_doubles_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert backoff(12) == timedelta(hours=6)


def test_a_claim_left_by_a_crashed_sender_is_taken_over_after_the_lease(smtp, gov, app):
    crashed = _user(gov, "crashed@blitarkota.go.id")
    busy = _user(gov, "busy@blitarkota.go.id")
    lease = timedelta(minutes=app.config["REMINDER_LEASE_MINUTES"])
    make_outbox(crashed, NOW, claim_token="crashed", claimed_at=NOW - lease - timedelta(minutes=1))
    make_outbox(busy, NOW, claim_token="busy", claimed_at=NOW - timedelta(minutes=1))
    db.session.commit()

    result = deliver(retry_now=True)

    assert result.sent == 1
    assert smtp.count_by_recipient() == {"crashed@blitarkota.go.id": 1}
    [taken_over] = _rows(recipient_id=crashed.id)
    assert taken_over.status == OutboxStatus.SENT
    [still_claimed] = _rows(recipient_id=busy.id)
    assert (still_claimed.status, still_claimed.claim_token) == (OutboxStatus.PENDING, "busy")


def test_a_user_who_turned_email_off_gets_nothing(smtp, gov):
    user = _user(gov, "a@blitarkota.go.id", is_email_enabled=False)
    make_outbox(user, NOW)
    db.session.commit()
    result = deliver()
    assert smtp.messages == []
    assert (result.sent, result.failed, result.digests) == (1, 0, 0)
    [row] = _rows()
    assert (row.status, row.last_error) == (OutboxStatus.SENT, OPTED_OUT)


def test_without_a_mail_server_the_digest_is_written_to_the_instance_folder(
    app, gov, tmp_path, monkeypatch
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    app.config.update(MAIL_SERVER=None, KERJASAMA_NOW=NOW.isoformat())
    user = _user(gov, "a@blitarkota.go.id")
    make_outbox(user, NOW, title="Susun draf PKS")
    db.session.commit()

    assert deliver().digests == 1

    [spooled] = (tmp_path / "mail").glob("*.eml")
    content = spooled.read_text()
    assert "To: a@blitarkota.go.id" in content and "Pengingat tindak lanjut" in content
    assert _rows()[0].status == OutboxStatus.SENT


# --- WhatsApp ------------------------------------------------------------------------------------


def _whatsapp_user(gov, email="wa@blitarkota.go.id", phone="+6281234567890"):
    return _user(gov, email, phone=phone, is_whatsapp_enabled=True)


EMAIL_LABEL = AccountForm.is_email_enabled.args[0]  # "Kirim pengingat lewat email"
WHATSAPP_LABEL = AccountForm.is_whatsapp_enabled.args[0]


def _assert_the_uis_words(text: str, switch_label: str) -> None:
    """The message names what the user sees: the "Notifikasi" menu (there is no bell icon),
    "Akun saya" and the account page's own switch, word for word."""
    assert "menu Notifikasi" in text
    assert "Akun saya" in text and f'"{switch_label}"' in text
    for word in ("lonceng", "bell", "surel"):
        assert word not in text.lower()


def test_whatsapp_digest_is_posted_once_with_the_token(gateway, gov):
    user = _whatsapp_user(gov)
    make_outbox(user, NOW, channel=Channel.WHATSAPP, item_id=12, title="Susun draf PKS")
    make_outbox(user, NOW, channel=Channel.WHATSAPP, rule=Rule.DUE_TODAY, title="Rapat")
    db.session.commit()

    result = deliver()

    assert (result.sent, result.failed, result.digests) == (2, 0, 1)
    [post] = gateway.received
    assert post["phone"] == "+6281234567890"
    message = post["message"]
    assert message.startswith("*Pengingat tindak lanjut kerja sama: 1 terlambat, 1 jatuh tempo")
    assert "Susun draf PKS (jatuh tempo 14 Agustus 2025)" in message
    assert f"{BASE_URL}/tasks/12" in message
    assert message.index("Terlambat") < message.index("Jatuh tempo hari ini")
    _assert_the_uis_words(message, WHATSAPP_LABEL)
    assert deliver(retry_now=True).sent == 0
    assert len(gateway.received) == 1


def test_whatsapp_gateway_error_is_retried(gateway, gov):
    user = _whatsapp_user(gov)
    make_outbox(user, NOW, channel=Channel.WHATSAPP)
    db.session.commit()
    gateway.fail_with = 500

    failed = deliver()

    assert failed.failed == 1
    [row] = _rows()
    assert row.status == OutboxStatus.PENDING
    assert row.last_error.startswith("Gateway WhatsApp HTTP 500")
    assert "gangguan" in row.last_error

    gateway.fail_with = None
    assert deliver(now=NOW + timedelta(minutes=5)).sent == 1
    assert len(gateway.received) == 1 and _rows()[0].status == OutboxStatus.SENT


def test_a_wrong_gateway_token_is_a_failure(gateway, gov, app):
    app.config["WHATSAPP_GATEWAY_TOKEN"] = "salah"
    make_outbox(_whatsapp_user(gov), NOW, channel=Channel.WHATSAPP)
    db.session.commit()
    result = deliver()
    assert result.failed == 1 and "HTTP 401" in result.errors[0]
    assert gateway.received == []


def test_whatsapp_rows_of_a_user_without_a_phone_are_closed(gateway, gov):
    user = _whatsapp_user(gov, phone=None)
    make_outbox(user, NOW, channel=Channel.WHATSAPP)
    db.session.commit()
    assert deliver().digests == 0
    assert gateway.received == []
    assert _rows()[0].status == OutboxStatus.SENT and "WhatsApp" in _rows()[0].last_error


def test_email_and_whatsapp_are_separate_digests(smtp, gateway, gov):
    user = _whatsapp_user(gov)
    make_outbox(user, NOW, channel=Channel.EMAIL)
    make_outbox(user, NOW, channel=Channel.WHATSAPP)
    db.session.commit()
    assert deliver().digests == 2
    assert len(smtp.messages) == 1 and len(gateway.received) == 1


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


def test_three_simultaneous_deliveries_send_each_digest_once(smtp, gov, app, backend):
    if backend != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serialises writers")
    users = [_user(gov, f"user{n}@blitarkota.go.id") for n in range(8)]
    for user in users:
        for rule in (Rule.OVERDUE, Rule.DUE_TODAY, Rule.DUE_SOON):
            make_outbox(user, NOW, rule=rule)
    db.session.commit()

    barrier = threading.Barrier(3)
    results, failures = [], []

    def sweep():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(deliver())
                db.session.remove()
        except Exception as error:  # reported below; a thread must not die silently
            failures.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(results) == 3
    assert smtp.count_by_recipient() == {user.email: 1 for user in users}
    assert sum(result.digests for result in results) == len(users)
    assert sum(result.sent for result in results) == 3 * len(users)
    assert {row.status for row in _rows()} == {OutboxStatus.SENT}
