"""Who an API request is: the personal token in ``Authorization: Bearer <token>``, never the
session cookie. ``authenticate`` runs before the permission table
(``permissions.enforce_endpoint_access``), so the token's user goes through the same checks
as the web's: Flask-Login's ``current_user`` is the token's user for the request."""

from __future__ import annotations

from flask import current_app, g, request

from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.api import errors
from kerjasama_flow.web import run_service

BASE = "/api/v1/"
# Readable without a token: the OpenAPI document and the page that renders it.
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json", "api.docs", "api.static"})


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_limit_key() -> str:
    """The per-token counter: the hash of the presented secret (never the secret itself)."""
    return "api-token:" + api_tokens.digest(bearer_secret() or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def has_no_token() -> bool:
    return bearer_secret() is None


def authenticate():
    """Before any view under ``/api/v1``: a usable token makes its user the current user;
    anything else is a 401 JSON answer with ``WWW-Authenticate: Bearer``."""
    if not request.path.startswith(BASE) or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint is None:  # no route matched: the 404/405 answer, as on the web
        return None
    secret = bearer_secret()
    token = api_tokens.find_usable(secret) if secret else None
    if token is None:
        return errors.response(401)
    run_service(None, api_tokens.mark_used, token)
    # Flask-Login's cache of the request's user: ``current_user`` is the token's user and
    # the session cookie is never read.
    g._login_user = token.user
    return None
