"""Sessions end when they should: logout, a password change and deactivation end every session
of the user, a copied session or remember-me cookie included; remember-me lasts 30 days.

A copy of a cookie is replayed by a second client, as a thief holding it would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import Role, User, format_session_id
from kerjasama_flow.extensions import db
from tests import factories

SESSION = "session"
REMEMBER = "remember_token"
NEW_PASSWORD = "kopi tubruk pagi hari"


@pytest.fixture
def person(app):
    gov = factories.make_government("35.72", "Kota Blitar")
    user = factories.make_user(gov, Role.ADMIN, email="kabag@blitarkota.go.id")
    db.session.commit()
    return user


def log_in(client, user, remember: bool = True):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302 and not response.location.startswith("/login")
    return response


def replay(app, cookie_name: str, value: str):
    """A new browser holding only a copy of one cookie."""
    thief = app.test_client()
    thief.set_cookie(cookie_name, value)
    return thief


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/login")


def copied_cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in (SESSION, REMEMBER)}


def test_a_copied_cookie_works_while_the_session_lasts(app, client, person):
    """The replay itself works: what the tests below refuse is the ended session."""
    log_in(client, person)
    for name, value in copied_cookies(client).items():
        assert replay(app, name, value).get("/agreements").status_code == 200, name


def test_logout_ends_the_session_and_the_remember_cookie(app, client, person):
    log_in(client, person)
    copies = copied_cookies(client)
    response = client.post("/logout")
    assert is_login_redirect(response)
    assert is_login_redirect(client.get("/agreements"))
    for name, value in copies.items():
        assert is_login_redirect(replay(app, name, value).get("/agreements")), name


def test_logout_ends_the_sessions_on_other_devices_too(app, client, person):
    log_in(client, person)
    other_device = app.test_client()
    log_in(other_device, person, remember=False)
    client.post("/logout")
    assert is_login_redirect(other_device.get("/agreements"))
    # Logging in again works at once.
    log_in(other_device, person, remember=False)
    assert other_device.get("/agreements").status_code == 200


def test_logout_is_not_an_edit_of_the_user_record(app, client, person):
    """An admin's open edit form of this user must not turn into a conflict."""
    version = person.version
    log_in(client, person)
    client.post("/logout")
    db.session.expire_all()
    stored = db.session.get(User, person.id)
    assert (stored.version, stored.session_version) == (version, 2)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, person):
    log_in(client, person)
    copies = copied_cookies(client)
    response = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "version": person.version,
        },
    )
    assert response.status_code == 302
    page = client.get("/account")  # this browser goes on
    assert "Sesi akun Anda di perangkat lain sudah diakhiri" in page.get_data(as_text=True)
    for name, value in copies.items():
        assert is_login_redirect(replay(app, name, value).get("/agreements")), name
    # This browser's new remember-me cookie works on its own.
    fresh = client.get_cookie(REMEMBER).value
    assert fresh != copies[REMEMBER]
    assert replay(app, REMEMBER, fresh).get("/agreements").status_code == 200


def test_a_refused_password_change_ends_nothing(app, client, person):
    log_in(client, person)
    copies = copied_cookies(client)
    response = client.post(
        "/account",
        data={
            "current_password": "salah sekali ini",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "version": person.version,
        },
    )
    assert "Kata sandi sekarang salah." in response.get_data(as_text=True)
    assert replay(app, SESSION, copies[SESSION]).get("/agreements").status_code == 200


def test_saving_the_account_without_a_new_password_ends_nothing(app, client, person):
    log_in(client, person)
    copies = copied_cookies(client)
    response = client.post("/account", data={"phone": "0812 3456 7890", "version": person.version})
    assert response.status_code == 302
    assert replay(app, SESSION, copies[SESSION]).get("/agreements").status_code == 200


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_an_admin_changing_the_password_or_deactivating_ends_the_users_sessions(
    app, client, person, change
):
    colleague = factories.make_user(person.government, Role.PIMPINAN, email="sekda@blitar.go.id")
    db.session.commit()
    theirs = app.test_client()
    log_in(theirs, colleague)
    copies = copied_cookies(theirs)
    log_in(client, person)
    data = {
        "name": colleague.name,
        "email": colleague.email,
        "role": "pimpinan",
        "version": colleague.version,
        "is_active": "y",
    }
    if change == "password":
        data["password"] = NEW_PASSWORD
    else:
        del data["is_active"]
    response = client.post(f"/settings/users/{colleague.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    for name, value in copies.items():
        assert is_login_redirect(replay(app, name, value).get("/dashboard")), name
    if change == "deactivate":
        # Turning the account back on does not bring the old sessions back.
        db.session.expire_all()
        stored = db.session.get(User, colleague.id)
        stored.is_active = True
        db.session.commit()
        for name, value in copies.items():
            assert is_login_redirect(replay(app, name, value).get("/dashboard")), name


def test_an_admin_changing_their_own_password_in_settings_stays_logged_in(app, client, person):
    log_in(client, person)
    copies = copied_cookies(client)
    response = client.post(
        f"/settings/users/{person.id}/edit",
        data={
            "name": person.name,
            "email": person.email,
            "role": "admin",
            "version": person.version,
            "is_active": "y",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/settings/users").status_code == 200
    assert is_login_redirect(replay(app, SESSION, copies[SESSION]).get("/agreements"))


def test_the_remember_cookie_lasts_30_days_httponly_and_same_site(app, client, person):
    response = log_in(client, person)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{REMEMBER}="))
    attributes = {
        part.split("=", 1)[0].strip().lower(): part.split("=", 1)[-1].strip()
        for part in header.split(";")[1:]
    }
    assert "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    expires = parsedate_to_datetime(attributes["expires"])
    assert expires - datetime.now(UTC) <= timedelta(days=30, minutes=1)
    assert expires - datetime.now(UTC) >= timedelta(days=29)


def _session_named(app, value: str):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True
    return browser


def test_a_session_older_than_30_days_has_ended(app, person):
    now = datetime.now(UTC)
    young = format_session_id(person.id, 1, now - timedelta(days=29))
    old = format_session_id(person.id, 1, now - timedelta(days=31))
    assert _session_named(app, young).get("/agreements").status_code == 200
    assert is_login_redirect(_session_named(app, old).get("/agreements"))


@pytest.mark.parametrize(
    "value",
    [
        "{id}",  # a session of the form before session versions: logs in again once
        "{id}:2:{now}",  # a version the user does not have (yet)
        "{id}:1:{future}",  # a login time in the future
        "{id}:1",
        "{id}:1:x",
        "{id}:¹:{now}",
        "",
    ],
)
def test_a_session_id_that_is_not_current_opens_nothing(app, person, value):
    now = datetime.now(UTC)
    value = value.format(
        id=person.id,
        now=int(now.timestamp()),
        future=int((now + timedelta(days=1)).timestamp()),
    )
    assert is_login_redirect(_session_named(app, value).get("/agreements"))


def test_the_session_version_starts_at_one(app, person):
    assert db.session.scalar(select(User.session_version).where(User.id == person.id)) == 1
