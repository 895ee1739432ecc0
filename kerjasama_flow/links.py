"""Absolute links: the one way the app builds them (reminder mail and WhatsApp messages, the
calendar feed, the WhatsApp share link, the public page's address, password links).

Inside a request a link takes the request's own scheme and host: behind the reverse proxy
those are what the proxy received, as ``ProxyFix`` (``KERJASAMA_TRUSTED_PROXIES``) restores
them. Outside a request (the scheduler, the CLI) there is no request to ask, and the link
starts with ``KERJASAMA_BASE_URL``, the app's public address; the demo sets it to its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for

# Where ``flask --app wsgi run`` serves; production sets KERJASAMA_BASE_URL.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """The app's public address without a trailing slash, for links built outside a request."""
    return (current_app.config.get("KERJASAMA_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` (``url_for``'s arguments)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    address = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        address.netloc, script_name=address.path or "/", url_scheme=address.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def absolute_url(path: str) -> str:
    """An app-relative path (``/tasks/12``, as the outbox and the notifications keep them)
    as an absolute link; a link that is absolute already is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    root = request.url_root if has_request_context() else base_url()
    return root.rstrip("/") + "/" + path.lstrip("/")


def mail_url(path: str) -> str:
    """A link sent by mail on a request's behalf (a password reset): always from
    ``KERJASAMA_BASE_URL``, never from the request's Host header, which the client chooses (a
    reset link must not point at someone else's server)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url() + "/" + path.lstrip("/")
