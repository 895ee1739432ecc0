"""The JSON API under ``/api/v1`` (docs/api.md): personal tokens, JSON errors, and endpoints
over the same services, queries and permission checks as the web pages. ``blueprint`` holds
the routes; each endpoint module adds its own; ``init_app`` binds them to the app."""

from __future__ import annotations

from flask import Flask

# The endpoint modules add their routes to bp when imported.
from kerjasama_flow.api import (  # noqa: F401
    agreements,
    auth,
    documents,
    forms,
    reads,
    reports,
    tasks,
)
from kerjasama_flow.api.blueprint import api, bp
from kerjasama_flow.api.openapi import describe
from kerjasama_flow.extensions import csrf, limiter


def init_app(app: Flask) -> None:
    """Bind the API to ``app``: before the permission table, so a token's user is the
    current user when the table is checked; without CSRF (a token is not a cookie); with
    a rate limit per token."""
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    forms.document(api.spec)
    describe(api)  # before register_blueprint: its plugin completes each operation
    csrf.exempt(bp)
    limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key, exempt_when=auth.has_no_token)(bp)
    app.before_request(auth.authenticate)
    api.register_blueprint(bp)
