"""A personal API token for a test user, and requests with it."""

from __future__ import annotations

import re

from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.extensions import db


def token_for(user, days: int | None = None) -> str:
    _, secret = api_tokens.issue(user, "Uji", days)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# marshmallow's and Werkzeug's English, which no answer of the API may carry.
ENGLISH = re.compile(
    r"Not a valid|Invalid|Missing data|Unknown field|Must be|may not be|Longer than|"
    r"Shorter than|Special numeric|greater than|less than|cannot be"
)


def english_in_error(body) -> list[str]:
    """The messages of an error answer (``error.message`` and ``error.fields``) in English."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return []
    texts = [str(error.get("message", ""))]
    for messages in (error.get("fields") or {}).values():
        texts += [str(message) for message in messages]
    return [text for text in texts if ENGLISH.search(text)]
