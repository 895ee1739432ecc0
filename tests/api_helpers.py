"""A personal API token for a test user, and requests with it."""

from __future__ import annotations

from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.extensions import db


def token_for(user, days: int | None = None) -> str:
    _, secret = api_tokens.issue(user, "Uji", days)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
