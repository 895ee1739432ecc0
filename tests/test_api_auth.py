"""Personal API tokens: hashed storage, the CLI, expiry, revocation, inactive users, the
session cookie refused, the 401 answer and the rate limit per token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.accounts.models import ApiToken
from kerjasama_flow.extensions import db
from tests.api_helpers import bearer, token_for


def _one_token() -> ApiToken:
    return db.session.scalars(select(ApiToken)).one()


def test_token_is_stored_hashed_and_authenticates(client, world):
    secret = token_for(world.admin)
    token = _one_token()
    assert secret.startswith("kf_") and secret not in (token.token_hash, token.prefix)
    assert token.token_hash == api_tokens.digest(secret)
    assert secret.startswith(token.prefix)
    response = client.get("/api/v1/agreements", headers=bearer(secret))
    assert response.status_code == 200
    db.session.expire_all()
    assert _one_token().last_used_at is not None


def test_no_or_bad_token_is_401_json_with_www_authenticate(client, world):
    secret = token_for(world.admin)
    for headers in ({}, bearer("kf_nope"), {"Authorization": f"Basic {secret}"}, bearer("")):
        response = client.get("/api/v1/agreements", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["code"] == "unauthorized"
        assert response.json["error"]["message"].startswith("Token API")


def test_expired_revoked_and_inactive_tokens_are_refused(client, world):
    expiring = token_for(world.admin, days=1)
    token = db.session.scalars(select(ApiToken)).one()
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=bearer(expiring)).status_code == 401

    revoked = token_for(world.opd)
    opd_token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.opd.id))
    assert client.get("/api/v1/tasks", headers=bearer(revoked)).status_code == 200
    api_tokens.revoke(world.opd, opd_token.id)
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=bearer(revoked)).status_code == 401

    inactive = token_for(world.pimpinan)
    assert client.get("/api/v1/tasks", headers=bearer(inactive)).status_code == 200
    world.pimpinan.is_active = False
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=bearer(inactive)).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, auth, world):
    auth.login(world.admin)
    assert client.get("/agreements").status_code == 200
    response = client.get("/api/v1/agreements")
    assert response.status_code == 401
    assert response.is_json


def test_create_token_cli_prints_a_working_secret(app, client, world):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", world.opd.email, "--name", "Portal", "--days", "30"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.splitlines()[1]
    token = _one_token()
    assert token.name == "Portal" and token.user_id == world.opd.id
    assert token.expires_at is not None and token.token_hash == api_tokens.digest(secret)
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 200


def test_create_token_cli_refuses_unknown_user_and_bad_days(app, world):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-token", "--email", "no@x.go.id"]).exit_code != 0
    bad = runner.invoke(args=["create-token", "--email", world.admin.email, "--days", "0"])
    assert bad.exit_code != 0 and "Masa berlaku" in bad.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_revoke_refuses_another_users_token(world):
    token_for(world.admin)
    token = _one_token()
    try:
        api_tokens.revoke(world.opd, token.id)
    except Exception as error:  # DomainError
        assert "tidak ditemukan" in str(error.message)
    else:
        raise AssertionError("another user's token was revoked")
    assert token.revoked_at is None


def test_rate_limit_per_token_is_429_json_with_retry_after(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    limited = token_for(world.admin)
    other = token_for(world.pimpinan)
    codes = [client.get("/api/v1/agencies", headers=bearer(limited)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/agencies", headers=bearer(limited))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "rate_limited"
    assert client.get("/api/v1/agencies", headers=bearer(other)).status_code == 200
