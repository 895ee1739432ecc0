"""'Lupa kata sandi?': an emailed link (through a real SMTP server) that makes a new password,
once, within the hour; the same answer whether or not the email has an account."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kerjasama_flow import clock
from kerjasama_flow.accounts import password_reset
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from tests import factories
from tests.reminder_helpers import BASE_URL

NEW_PASSWORD = "es dawet ayu banjarnegara"
SENT = "Bila email itu milik akun yang aktif, tautan untuk membuat kata sandi baru"
LINK = re.compile(re.escape(BASE_URL) + r"/reset-password/(\S+)")


@pytest.fixture
def person(app):
    gov = factories.make_government("35.72", "Kota Blitar")
    user = factories.make_user(
        gov, Role.ADMIN, email="kabag@blitarkota.go.id", name="Freddy Hermawan"
    )
    db.session.commit()
    return user


def ask_for_link(client, email: str, **kwargs):
    """POST the form, then close the response as a server does once it is sent: the mail goes
    out only then."""
    response = client.post("/forgot-password", data={"email": email}, **kwargs)
    status, location = response.status_code, response.headers.get("Location")
    response.close()
    return status, location


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return "/reset-password/" + match.group(1)


def stored(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_login_page_offers_the_way(client, app):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page and "Lupa kata sandi?" in page
    form = client.get("/forgot-password").get_data(as_text=True)
    assert "Lupa kata sandi" in form and "berlaku 60 menit" in form


def test_the_link_is_mailed_after_the_response(client, smtp, person):
    response = client.post("/forgot-password", data={"email": "KABAG@blitarkota.go.id "})
    assert response.status_code == 302 and response.location == "/login"
    assert smtp.messages == []  # not while the person waits for the answer
    response.close()
    [message] = smtp.messages
    assert message["To"] == person.email
    assert message["Subject"] == "Tautan untuk membuat kata sandi baru"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Yth. Freddy Hermawan" in body and "berlaku 60 menit" in body
    assert link_in(message).startswith("/reset-password/")
    assert SENT in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("who", ["unknown", "inactive"])
def test_an_unknown_or_inactive_email_gets_the_same_answer_and_no_mail(client, smtp, person, who):
    if who == "inactive":
        person.is_active = False
        db.session.commit()
        email = person.email
    else:
        email = "tidak.ada@blitarkota.go.id"
    answer = ask_for_link(client, email)
    page = client.get("/login").get_data(as_text=True)
    known = factories.make_user(person.government, Role.PIMPINAN, email="ada@blitarkota.go.id")
    db.session.commit()
    assert ask_for_link(client, known.email) == answer == (302, "/login")
    assert client.get("/login").get_data(as_text=True) == page
    assert [m["To"] for m in smtp.messages] == [known.email]


def test_the_link_names_the_configured_address_not_the_requests_host(client, smtp, person):
    ask_for_link(client, person.email, headers={"Host": "penipu.example"})
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "penipu.example" not in body
    assert link_in(smtp.messages[0])


def test_the_link_sets_a_new_password_once(client, smtp, person):
    ask_for_link(client, person.email)
    link = link_in(smtp.messages[0])
    page = client.get(link).get_data(as_text=True)
    assert "Buat kata sandi baru" in page and person.email in page
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/login"
    assert "Kata sandi baru sudah disimpan" in client.get("/login").get_data(as_text=True)
    assert stored(person).check_password(NEW_PASSWORD)
    assert not stored(person).check_password(factories.PASSWORD)
    assert db.session.scalar(
        select(ActivityLog).where(ActivityLog.entity == "user", ActivityLog.entity_id == person.id)
    )
    login = client.post("/login", data={"email": person.email, "password": NEW_PASSWORD})
    assert login.status_code == 302 and login.location == "/"
    client.post("/logout")

    # Used: the same link again says so, and changes nothing.
    again = client.get(link).get_data(as_text=True)
    assert password_reset.USED in again and 'name="password"' not in again
    refused = client.post(link, data={"password": "lain lagi sandinya", "confirm_password": "x"})
    assert password_reset.USED in refused.get_data(as_text=True)
    assert stored(person).check_password(NEW_PASSWORD)


def test_an_older_link_stops_working_when_a_newer_one_is_used(client, smtp, person):
    ask_for_link(client, person.email)
    ask_for_link(client, person.email)
    older, newer = (link_in(m) for m in smtp.messages)
    client.post(newer, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert password_reset.USED in client.get(older).get_data(as_text=True)


def test_a_link_older_than_an_hour_has_expired(app, client, person):
    now = clock.wall_now()
    fresh = password_reset.make_token(person, now - timedelta(minutes=59))
    old = password_reset.make_token(person, now - timedelta(minutes=61))
    assert 'name="password"' in client.get(f"/reset-password/{fresh}").get_data(as_text=True)
    page = client.get(f"/reset-password/{old}").get_data(as_text=True)
    assert "Tautan ini sudah kedaluwarsa" in page and "berlaku 60 menit" in page
    response = client.post(
        f"/reset-password/{old}",
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert "Tautan ini sudah kedaluwarsa" in response.get_data(as_text=True)
    assert stored(person).check_password(factories.PASSWORD)


@pytest.mark.parametrize(
    "token",
    ["bukan-token", "eyJ1IjoxfQ.tandatangan-palsu", "{valid}x", "{valid_other_key}"],
)
def test_a_forged_or_damaged_link_is_refused(app, client, person, token):
    valid = password_reset.make_token(person, clock.wall_now())
    secret = app.secret_key
    app.secret_key = "kunci-lain"
    other_key = password_reset.make_token(person, clock.wall_now())
    app.secret_key = secret
    token = token.format(valid=valid, valid_other_key=other_key)
    page = client.get(f"/reset-password/{token}").get_data(as_text=True)
    assert password_reset.INVALID in page


def test_the_new_password_follows_the_rule(client, smtp, person):
    ask_for_link(client, person.email)
    link = link_in(smtp.messages[0])
    for weak, message in (("12345678", "terlalu mudah ditebak"), ("        ", "hanya berisi")):
        response = client.post(link, data={"password": weak, "confirm_password": weak})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm_password": "lain"})
    assert "Kata sandi baru tidak sama." in mismatch.get_data(as_text=True)
    assert stored(person).check_password(factories.PASSWORD)
    # Refusals do not use the link up.
    ok = client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert ok.status_code == 302


def test_a_reset_ends_every_session_of_the_user(app, client, smtp, person):
    device = app.test_client()
    device.post(
        "/login", data={"email": person.email, "password": factories.PASSWORD, "remember": "y"}
    )
    assert device.get("/agreements").status_code == 200
    ask_for_link(client, person.email)
    client.post(
        link_in(smtp.messages[0]),
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert device.get("/agreements").location.startswith("/login")


def test_asking_too_often_is_refused_in_indonesian(client, smtp, person):
    for _ in range(3):
        assert ask_for_link(client, person.email) == (302, "/login")
    response = client.post("/forgot-password", data={"email": person.email})
    assert response.status_code == 429
    assert "Tautan kata sandi baru sudah terlalu sering diminta" in response.get_data(as_text=True)
    assert len(smtp.messages) == 3
    # Unknown emails count the same, so the refusal tells nothing either.
    for _ in range(3):
        ask_for_link(client, "tidak.ada@blitarkota.go.id")
    assert (
        client.post("/forgot-password", data={"email": "tidak.ada@blitarkota.go.id"}).status_code
        == 429
    )


def test_a_mail_server_that_is_down_does_not_change_the_answer(client, smtp, person, caplog):
    smtp.stop()
    with caplog.at_level(logging.WARNING, logger="kerjasama_flow.accounts.views"):
        assert ask_for_link(client, person.email) == (302, "/login")
    assert "tidak terkirim" in caplog.text


def test_a_new_password_lifts_the_accounts_lock_at_once(client, smtp, person):
    """Five wrong passwords lock the account for 15 minutes; whoever then resets the password
    through the emailed link can log in straight away (the per-account count is forgotten)."""
    for _ in range(5):
        client.post("/login", data={"email": person.email, "password": "salah terus"})
    locked = client.post("/login", data={"email": person.email, "password": factories.PASSWORD})
    assert locked.status_code == 429
    ask_for_link(client, person.email)
    link = link_in(smtp.messages[0])
    client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    login = client.post("/login", data={"email": person.email, "password": NEW_PASSWORD})
    assert login.status_code == 302 and login.location == "/"
