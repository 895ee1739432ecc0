"""Real components for the reminder tests: an SMTP server (aiosmtpd) and a WhatsApp gateway
(http.server), both on loopback ports, started and stopped by the tests; an outbox factory."""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import socket
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Channel, Outbox, OutboxStatus, Rule

# Where the links in mail point (KERJASAMA_BASE_URL) while ``conftest.smtp`` runs.
BASE_URL = "https://kerjasama.blitarkota.go.id"
MAIL_SENDER = "kerjasama-flow <noreply@blitarkota.go.id>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Keeps every accepted message; answers ``reject`` (e.g. "550 ...") to DATA when set."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.reject: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return self.reject
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK diterima"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a fixed free port, which can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None
        self._placeholder: socket.socket | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop serving: connections are refused. The port stays bound (not listening), so
        that no other test's server, in another worker, can take it meanwhile and accept
        the mail this server's clients should fail to send."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._placeholder is None:
            placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            placeholder.bind(("127.0.0.1", self.port))
            self._placeholder = placeholder

    def close(self) -> None:
        """Stop for good and free the port (a fixture's teardown)."""
        self.stop()
        self._placeholder.close()
        self._placeholder = None

    def count_by_recipient(self) -> Counter:
        return Counter(str(message["To"]) for message in self.messages)


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        gateway: WhatsAppGateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != f"Bearer {gateway.token}":
            self._answer(401, {"error": "token salah"})
            return
        if gateway.fail_with:
            self._answer(gateway.fail_with, {"error": "gateway sedang gangguan"})
            return
        with gateway.lock:
            gateway.received.append(json.loads(body))
        self._answer(200, {"status": "queued"})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


class WhatsAppGateway:
    """A local HTTP receiver recording the POSTs that carry the right bearer token."""

    def __init__(self, token: str = "token-uji"):
        self.token = token
        self.received: list[dict] = []
        self.fail_with: int | None = None
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), GatewayHandler)
        self._server.gateway = self
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/send"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


_item_ids = itertools.count(1000)


def make_outbox(recipient, now: datetime, **kw) -> Outbox:
    """A pending outbox row for ``recipient``, due at ``now`` (so no planner is needed)."""
    item_id = kw.pop("item_id", None) or next(_item_ids)
    row = Outbox(
        government_id=recipient.government_id,
        recipient_id=recipient.id,
        channel=kw.pop("channel", Channel.EMAIL),
        item_kind=kw.pop("item_kind", "task"),
        item_id=item_id,
        rule=kw.pop("rule", Rule.OVERDUE),
        period=kw.pop("period", now.date().isoformat()),
        title=kw.pop("title", f"Tugas uji {item_id}"),
        url=kw.pop("url", f"/tasks/{item_id}"),
        due_on=kw.pop("due_on", date(2025, 8, 14)),
        status=kw.pop("status", OutboxStatus.PENDING),
        next_attempt_at=kw.pop("next_attempt_at", now - timedelta(minutes=1)),
        created_at=kw.pop("created_at", now - timedelta(minutes=1)),
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row
