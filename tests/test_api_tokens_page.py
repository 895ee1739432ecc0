"""Personal API tokens on the account page (Akun saya): made with the secret shown once,
listed by name and prefix, revoked; a refused request changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import ApiToken
from kerjasama_flow.extensions import db
from tests.api_helpers import bearer, token_for

SECRET = re.compile(r'id="token-baru" type="text" readonly value="(kf_[^"]+)"')


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_a_token_made_on_the_account_page_is_shown_once_and_works(client, world, auth):
    auth.login(world.opd)
    response = client.post("/account/api-tokens", data={"name": "Portal Pemda", "days": "30"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    assert "tidak dapat ditampilkan lagi" in page
    api = client.get("/api/v1/tasks", headers=bearer(secret))
    assert api.status_code == 200
    # Afterwards the page lists the token by its name and prefix, never the secret.
    later = client.get("/account").get_data(as_text=True)
    token = db.session.scalars(select(ApiToken)).one()
    assert "Portal Pemda" in later and token.prefix in later and secret not in later
    assert (token.expires_at - token.created_at).days == 30


def test_revoking_on_the_account_page_ends_the_token(client, world, auth):
    secret = token_for(world.admin)
    token = db.session.scalars(select(ApiToken)).one()
    auth.login(world.admin)
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert "Token dicabut" in client.get("/account").get_data(as_text=True)
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 401


def test_another_users_token_cannot_be_revoked(client, world, auth):
    secret = token_for(world.admin)
    token = db.session.scalars(select(ApiToken)).one()
    auth.login(world.opd)
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": "0"}, "Isi 1 sampai 3650 hari"),
        ({"days": "99999"}, "Isi 1 sampai 3650 hari"),
        ({"days": "tiga"}, "Bukan bilangan bulat yang sah."),
        ({"name": "x" * 81}, "Paling banyak 80 karakter."),
    ],
)
def test_a_refused_token_request_says_why_and_makes_nothing(client, world, auth, data, message):
    auth.login(world.admin)
    response = client.post("/account/api-tokens", data=data)
    assert response.status_code == 422
    assert _count() == 0
    page = response.get_data(as_text=True)
    assert message in page and 'id="token-baru"' not in page
