"""Delivery channels: email (SMTP, standard library) and a WhatsApp HTTP gateway. Shared
infrastructure: the reminders deliver their digests through it, accounts its password-reset
mail.

A channel either accepts a message (returns) or raises ``ChannelError`` with a readable reason
(the SMTP code and text, the HTTP status and the start of the body). "Accepted" means the SMTP
server or the gateway took responsibility for the message; the outbox is marked sent only then.

Offline (no ``MAIL_SERVER`` / no ``WHATSAPP_GATEWAY_URL``) each message is written to a file
under the instance folder (``mail/*.eml``, ``whatsapp/*.txt``) and logged, and that counts as
accepted: the demo works without a network.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)


class ChannelError(Exception):
    """The channel did not accept the message; ``message`` says why, for the outbox row."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class OutgoingWhatsApp:
    phone: str
    text: str


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _spool_name(suffix: str) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}{suffix}"


class EmailChannel:
    name = "email"

    def __init__(self, config, instance_path: str):
        self.server: str | None = config.get("MAIL_SERVER")
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username: str | None = config.get("MAIL_USERNAME")
        self.password: str | None = config.get("MAIL_PASSWORD")
        self.sender: str = config.get("MAIL_DEFAULT_SENDER") or "kerjasama-flow <noreply@localhost>"
        self.timeout = float(config.get("MAIL_TIMEOUT") or 30)
        self.spool_dir = Path(instance_path) / "mail"

    @classmethod
    def from_app(cls, app: Flask | None = None) -> EmailChannel:
        app = app or current_app
        return cls(app.config, app.instance_path)

    def build(self, email: OutgoingEmail) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = email.subject
        message["From"] = self.sender
        message["To"] = email.to
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="kerjasama-flow")
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        return message

    def send(self, email: OutgoingEmail) -> None:
        message = self.build(email)
        if not self.server:
            self._spool(message)
            return
        try:
            self._send_smtp(message)
        except smtplib.SMTPRecipientsRefused as error:
            reasons = "; ".join(
                f"{address}: {code} {_decode(text)}"
                for address, (code, text) in error.recipients.items()
            )
            raise ChannelError(f"SMTP menolak penerima: {reasons}") from error
        except smtplib.SMTPResponseException as error:
            raise ChannelError(f"SMTP {error.smtp_code}: {_decode(error.smtp_error)}") from error
        except smtplib.SMTPException as error:
            raise ChannelError(f"SMTP: {error}") from error
        except (OSError, ssl.SSLError) as error:
            raise ChannelError(
                f"Tidak dapat terhubung ke server surel {self.server}:{self.port}: {error}"
            ) from error

    def _send_smtp(self, message: EmailMessage) -> None:
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.server, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
        try:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            # send_message raises unless the server accepted the message for the recipient.
            smtp.send_message(message)
        finally:
            # Once DATA was accepted, a failing QUIT must not turn the delivery into a failure
            # (that would send the digest twice).
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _spool(self, message: EmailMessage) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        path = self.spool_dir / _spool_name(".eml")
        path.write_bytes(bytes(message))
        log.info("MAIL_SERVER kosong: surel untuk %s disimpan di %s", message["To"], path)


class WhatsAppChannel:
    """POSTs ``{"phone": ..., "message": ...}`` with a bearer token to the gateway the Pemda
    rents; accepted only on a 2xx answer."""

    name = "whatsapp"

    def __init__(self, config, instance_path: str):
        self.url: str | None = config.get("WHATSAPP_GATEWAY_URL")
        self.token: str | None = config.get("WHATSAPP_GATEWAY_TOKEN")
        self.timeout = float(config.get("WHATSAPP_TIMEOUT") or 30)
        self.spool_dir = Path(instance_path) / "whatsapp"

    @classmethod
    def from_app(cls, app: Flask | None = None) -> WhatsAppChannel:
        app = app or current_app
        return cls(app.config, app.instance_path)

    def send(self, message: OutgoingWhatsApp) -> None:
        if not self.url:
            self._spool(message)
            return
        body = json.dumps({"phone": message.phone, "message": message.text}).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "*/*"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
                excerpt = _decode(response.read(300))
        except urllib.error.HTTPError as error:
            excerpt = _decode(error.read(300)) if error.fp else ""
            raise ChannelError(f"Gateway WhatsApp HTTP {error.code}: {excerpt}".strip()) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ChannelError(f"Gateway WhatsApp tidak dapat dihubungi: {reason}") from error
        if not 200 <= status < 300:
            raise ChannelError(f"Gateway WhatsApp HTTP {status}: {excerpt}".strip())

    def _spool(self, message: OutgoingWhatsApp) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        path = self.spool_dir / _spool_name(".txt")
        path.write_text(f"Kepada: {message.phone}\n\n{message.text}\n", encoding="utf-8")
        log.info("WHATSAPP_GATEWAY_URL kosong: pesan untuk %s disimpan di %s", message.phone, path)
