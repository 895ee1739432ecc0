"""Sessions end when they should: logout ends that device's session, a password change and
deactivation end every session of the user, a copied session or remember-me cookie included;
a login lasts 12 hours, with "Ingat saya" 30 days.

A copy of a cookie is replayed by a second client, as a thief holding it would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts import sessions
from kerjasama_flow.accounts.models import LoginSession, Role, User
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


def test_logout_ends_only_this_devices_session(app, client, person):
    """Logging out of the office computer leaves the phone logged in, and the other way."""
    log_in(client, person)
    office = copied_cookies(client)
    phone = app.test_client()
    log_in(phone, person, remember=False)
    client.post("/logout")
    assert phone.get("/agreements").status_code == 200
    for name, value in office.items():
        assert is_login_redirect(replay(app, name, value).get("/agreements")), name
    phone.post("/logout")
    assert is_login_redirect(phone.get("/agreements"))
    # Logging in again works at once.
    log_in(phone, person, remember=False)
    assert phone.get("/agreements").status_code == 200


def test_logout_is_not_an_edit_of_the_user_record(app, client, person):
    """An admin's open edit form of this user must not turn into a conflict."""
    version = person.version
    log_in(client, person)
    client.post("/logout")
    db.session.expire_all()
    assert db.session.get(User, person.id).version == version
    (row,) = db.session.scalars(select(LoginSession).where(LoginSession.user_id == person.id))
    assert row.ended_at is not None


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


def _row_of(token: str) -> LoginSession:
    return db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == sessions._digest(token))
    )


@pytest.mark.parametrize(
    ("remember", "lifetime"), [(False, timedelta(hours=12)), (True, timedelta(days=30))]
)
def test_a_login_lasts_12_hours_or_30_days_with_remember_me(app, person, remember, lifetime):
    token = factories.start_session(person, remember=remember)
    row = _row_of(token)
    assert row.expires_at - row.created_at == lifetime
    assert _session_named(app, token).get("/agreements").status_code == 200
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert is_login_redirect(_session_named(app, token).get("/agreements"))


def test_only_the_hash_of_a_sessions_secret_is_stored(app, client, person):
    log_in(client, person)
    (row,) = db.session.scalars(select(LoginSession).where(LoginSession.user_id == person.id))
    cookie = client.get_cookie(SESSION).value
    assert len(row.token_hash) == 64
    with app.test_request_context():
        # The cookie is signed, not encrypted: its secret must not be what the table holds.
        session_data = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert _row_of(session_data["_user_id"]).id == row.id
    assert session_data["_user_id"] not in row.token_hash


def test_a_new_login_forgets_the_users_ended_and_expired_sessions(app, person):
    ended = factories.start_session(person)
    expired = factories.start_session(person)
    sessions.end_sessions(person)
    _row_of(expired).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    kept = factories.start_session(person)
    assert _row_of(ended) is None and _row_of(expired) is None
    assert _row_of(kept) is not None


@pytest.mark.parametrize(
    "value",
    [
        "{id}",  # a session of the form before session versions: logs in again once
        "{id}:1:{now}",  # a session of the per-user session version (0013)
        "A" * 43,  # a secret that names no session
        "A" * 42 + "!",
        "A" * 44,
        "",
    ],
)
def test_a_session_id_that_is_not_current_opens_nothing(app, person, value):
    now = datetime.now(UTC)
    factories.start_session(person)  # the user has a session; these values do not name it
    value = value.format(id=person.id, now=int(now.timestamp()))
    assert is_login_redirect(_session_named(app, value).get("/agreements"))


def test_the_account_page_lists_the_devices_and_logs_the_others_out(app, client, person):
    phone_agent = (
        "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    )
    office_agent = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    )
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = phone_agent
    log_in(phone, person, remember=False)
    client.environ_base["HTTP_USER_AGENT"] = office_agent
    log_in(client, person)
    page = client.get("/account").get_data(as_text=True)
    section = page[page.index('id="perangkat"') :]
    assert "Edge di Windows" in section and "Chrome Mobile di Android" in section
    assert (
        section.index("Edge di Windows")
        < section.index("perangkat ini")
        < section.index("Chrome Mobile di Android")
    )
    response = client.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert "Sesi akun Anda di perangkat lain sudah diakhiri" in client.get("/account").get_data(
        as_text=True
    )
    assert is_login_redirect(phone.get("/agreements"))
    assert client.get("/agreements").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "Chrome Mobile di Android" not in page
    assert "end-others" not in page  # no button: nothing else to log out


def test_logging_the_other_devices_out_needs_the_forms_token(app, person):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = _session_named(app, factories.start_session(person))
    phone = _session_named(app, factories.start_session(person))
    browser.post("/account/sessions/end-others")
    assert phone.get("/agreements").status_code == 200


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (None, "Perangkat tidak dikenal"),
        ("", "Perangkat tidak dikenal"),
        ("curl/8.5.0", "curl"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mobile Safari di iOS",
        ),
        ("zz", "Perangkat tidak dikenal"),
    ],
)
def test_the_device_is_named_in_words_a_user_recognises(agent, label):
    assert sessions.device_label(agent) == label
