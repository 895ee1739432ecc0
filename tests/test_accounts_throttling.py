"""Failed logins are throttled per account and per client address (Flask-Limiter): past the
limit the login answers 429 with an Indonesian page, a right password too, until the window
has passed. Successful logins and incomplete forms are not counted."""

from __future__ import annotations

import time

import pytest

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.extensions import db
from tests import factories
from tests.conftest import make_test_app

WRONG = "bukan kata sandinya"
TOO_MANY = "Terlalu banyak percobaan masuk yang gagal"


@pytest.fixture
def people(app):
    gov = factories.make_government("35.72", "Kota Blitar")
    users = [
        factories.make_user(gov, Role.ADMIN, email=f"pegawai{i}@blitarkota.go.id") for i in range(2)
    ]
    db.session.commit()
    return users


def attempt(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def is_refused_login(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 200 and "Email atau kata sandi salah" in body


def is_throttled(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and TOO_MANY in body


def test_the_sixth_attempt_on_an_account_is_refused_even_with_the_right_password(
    app, client, people
):
    user = people[0]
    for _ in range(5):
        assert is_refused_login(attempt(client, user.email, WRONG))
    throttled = attempt(client, user.email, WRONG)
    assert is_throttled(throttled)
    body = throttled.get_data(as_text=True)
    assert "coba lagi setelah 15 menit" in body and "Lupa kata sandi?" in body
    assert "Too Many Requests" not in body and "per 15 minute" not in body
    assert int(throttled.headers["Retry-After"]) == 15 * 60
    right = attempt(client, user.email, factories.PASSWORD)
    assert is_throttled(right)
    # The account's email in another case, from another address: the same account.
    assert is_throttled(attempt(client, user.email.upper(), factories.PASSWORD, "10.1.2.3"))
    # Another account from the same address is not locked by it.
    other = attempt(client, people[1].email, factories.PASSWORD)
    assert other.status_code == 302 and not other.location.startswith("/login")


def test_the_account_limit_holds_across_addresses(app, client, people):
    user = people[0]
    for i in range(5):
        assert is_refused_login(attempt(client, user.email, WRONG, f"10.0.0.{i + 1}"))
    assert is_throttled(attempt(client, user.email, factories.PASSWORD, "10.0.0.99"))


def test_an_address_is_refused_after_twenty_failures_on_any_accounts(app, client, people):
    for i in range(20):
        email = f"tebakan{i}@blitarkota.go.id"  # unknown emails count as failures too
        assert is_refused_login(attempt(client, email, WRONG, "10.9.9.9"))
    assert is_throttled(attempt(client, people[0].email, factories.PASSWORD, "10.9.9.9"))
    # The same account from another address logs in.
    assert attempt(client, people[0].email, factories.PASSWORD, "10.9.9.10").status_code == 302


def test_successful_logins_are_not_counted(app, people):
    user = people[0]
    for _ in range(12):
        browser = app.test_client()
        assert attempt(browser, user.email, factories.PASSWORD).status_code == 302
    assert is_refused_login(attempt(app.test_client(), user.email, WRONG))


def test_incomplete_forms_are_not_counted(app, client, people):
    for _ in range(8):
        response = client.post("/login", data={"email": people[0].email})
        assert response.status_code == 200
        assert "Masukkan kata sandi." in response.get_data(as_text=True)
    assert attempt(client, people[0].email, factories.PASSWORD).status_code == 302


def test_the_login_opens_again_when_the_window_has_passed(app, client, people):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 3 seconds"
    user = people[0]
    started = time.monotonic()
    for _ in range(3):
        assert is_refused_login(attempt(client, user.email, WRONG))
    assert is_throttled(attempt(client, user.email, factories.PASSWORD))
    assert time.monotonic() - started < 3, "the machine was too slow to fill the window"
    time.sleep(max(0.0, started + 3.2 - time.monotonic()))
    assert attempt(client, user.email, factories.PASSWORD).status_code == 302


def test_the_login_page_itself_is_never_throttled(app, client, people):
    for _ in range(5):
        attempt(client, people[0].email, WRONG)
    assert client.get("/login").status_code == 200


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(app, people, tmp_path):
    """Behind nginx every request comes from the proxy; with KERJASAMA_TRUSTED_PROXIES=1 the
    per-address limit counts the client's address the proxy forwards, not the proxy's."""
    behind = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, KERJASAMA_TRUSTED_PROXIES=1
    )
    try:
        browser = behind.test_client()

        def from_client(address: str, email: str, password: str):
            with behind.app_context():
                return browser.post(
                    "/login",
                    data={"email": email, "password": password},
                    headers={"X-Forwarded-For": address},
                )

        for i in range(20):
            response = from_client("203.0.113.7", f"tebakan{i}@blitarkota.go.id", WRONG)
            assert is_refused_login(response)
        assert is_throttled(from_client("203.0.113.7", people[0].email, factories.PASSWORD))
        # Another client behind the same proxy is not locked out with the first.
        other = from_client("198.51.100.20", people[0].email, factories.PASSWORD)
        assert other.status_code == 302 and not other.location.startswith("/login")
    finally:
        with behind.app_context():
            db.engine.dispose()
