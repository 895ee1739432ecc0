"""Settings and their defaults, read from the environment inside ``create_app``.

Nothing here is evaluated at import time of the application package: ``load_config`` is called
by the factory, and tests pass overrides on top of it.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> str | None:
    """``KERJASAMA_INSTANCE_PATH``: the instance folder (stored files, the SQLite database, the
    generated secret key), e.g. /var/lib/kerjasama; unset, Flask's default (``instance/`` in
    a checkout, ``<venv>/var/kerjasama_flow-instance`` for an installed package)."""
    folder = os.environ.get("KERJASAMA_INSTANCE_PATH")
    return str(Path(folder).resolve()) if folder else None


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """The settings from the environment; ``overrides`` (tests) win and skip the defaults'
    side effects (such as writing a secret key to the instance folder)."""
    overrides = overrides or {}
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'kerjasama.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    max_upload = int(os.environ.get("KERJASAMA_MAX_UPLOAD_MB", "20")) * 1024 * 1024
    settings = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "KERJASAMA_TIMEZONE": os.environ.get("KERJASAMA_TIMEZONE", "Asia/Jakarta"),
        # Bootstrap is served from the app itself: government intranets are often offline.
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BTN_STYLE": "primary",
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A login lasts this long, or with "Ingat saya" (its cookie too) the next
        # (``accounts.sessions``); logging out or a new password ends it sooner.
        "LOGIN_SESSION_DURATION": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Password hashing: argon2id with OWASP's parameters (memory in KiB, passes, lanes);
        # about 25 ms of one core per hash. Stored hashes with other parameters are upgraded
        # at the next login.
        "PASSWORD_HASH_MEMORY_KIB": int(
            os.environ.get("KERJASAMA_PASSWORD_HASH_MEMORY_KIB", "19456")
        ),
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("KERJASAMA_PASSWORD_HASH_TIME_COST", "2")),
        "PASSWORD_HASH_PARALLELISM": int(
            os.environ.get("KERJASAMA_PASSWORD_HASH_PARALLELISM", "1")
        ),
        # Failed logins allowed per account (the email typed) and per client address; beyond
        # them the login answers 429 until the window has passed. Successful logins are not
        # counted. Counters live in RATELIMIT_STORAGE_URI: memory of each process by default,
        # ``redis://host:6379`` to share them between gunicorn workers and servers.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": "kerjasama",
        # Redis unreachable: count in this process's memory meanwhile, rather than refuse
        # every login or stop counting.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get(
            "KERJASAMA_LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get(
            "KERJASAMA_LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes"
        ),
        # "Lupa kata sandi?": how long an emailed link works, and how many links may be asked
        # for per email and per client address.
        "PASSWORD_RESET_MINUTES": int(os.environ.get("KERJASAMA_PASSWORD_RESET_MINUTES", "60")),
        "PASSWORD_RESET_REQUESTS_PER_ACCOUNT": "3 per hour",
        "PASSWORD_RESET_REQUESTS_PER_ADDRESS": "10 per hour",
        "PAGE_SIZE": int(os.environ.get("KERJASAMA_PAGE_SIZE", "20")),
        # The JSON API (``/api/v1``, docs/api.md): requests allowed per personal token, and
        # what flask-smorest writes into the OpenAPI document.
        "API_RATE_LIMIT": os.environ.get("KERJASAMA_API_RATE_LIMIT", "300 per minute"),
        "API_TITLE": "kerjasama-flow API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        # Uploads (documents, task proofs, monev evidence, spreadsheet imports): a file larger
        # than this is refused; a request larger than it by more than the form's other fields
        # gets the 413 page.
        "KERJASAMA_MAX_UPLOAD_BYTES": max_upload,
        "MAX_CONTENT_LENGTH": max_upload + 1024 * 1024,
        # Reminder delivery. With no MAIL_SERVER, mail is written to <instance>/mail/ as .eml
        # files (the demo works offline).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _flag(os.environ.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "kerjasama-flow <noreply@localhost>"
        ),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
        "WHATSAPP_GATEWAY_URL": os.environ.get("WHATSAPP_GATEWAY_URL") or None,
        "WHATSAPP_GATEWAY_TOKEN": os.environ.get("WHATSAPP_GATEWAY_TOKEN") or None,
        "WHATSAPP_TIMEOUT": float(os.environ.get("WHATSAPP_TIMEOUT", "30")),
        # The app's public address, for the absolute links built outside a request
        # (``links``: reminder messages sent by the scheduler). Unset: http://127.0.0.1:5000,
        # or the demo's own address.
        "KERJASAMA_BASE_URL": os.environ.get("KERJASAMA_BASE_URL") or None,
        "REMINDER_LEASE_MINUTES": int(os.environ.get("REMINDER_LEASE_MINUTES", "15")),
        "REMINDER_DELIVERY_INTERVAL_MINUTES": int(
            os.environ.get("REMINDER_DELIVERY_INTERVAL_MINUTES", "10")
        ),
        # Spreadsheet imports: files up to this many rows are checked and imported within the
        # request; larger ones by the scheduler process, which looks for work this often.
        "IMPORT_INLINE_ROWS": int(os.environ.get("KERJASAMA_IMPORT_INLINE_ROWS", "300")),
        "IMPORT_POLL_SECONDS": int(os.environ.get("KERJASAMA_IMPORT_POLL_SECONDS", "5")),
    }
    settings.update(_transport_settings())
    settings.update(overrides)
    return settings


def _transport_settings() -> dict:
    """How the app is reached. ``KERJASAMA_HTTPS=1``: it is served over HTTPS only, so its
    cookies are ``Secure`` and every answer carries HSTS. ``KERJASAMA_TRUSTED_PROXIES=N``: N
    reverse proxies stand in front of it and their ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (werkzeug's ``ProxyFix``); 0 (the default) believes
    none, since a client could send them itself."""
    https = _flag(os.environ.get("KERJASAMA_HTTPS"))
    return {
        "KERJASAMA_HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "KERJASAMA_TRUSTED_PROXIES": int(os.environ.get("KERJASAMA_TRUSTED_PROXIES", "0")),
    }
