"""How the app is reached: Secure cookies and HSTS when served over HTTPS, the proxy's headers
believed only when configured, one way of building absolute links (the request's address
inside a request, ``KERJASAMA_BASE_URL`` outside), signed-in pages kept out of caches, and
the CSV's content type."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from kerjasama_flow import links
from kerjasama_flow.cli import demo_address
from kerjasama_flow.extensions import db
from tests import factories
from tests.conftest import make_test_app

REPO_ROOT = Path(__file__).resolve().parent.parent
HSTS = "max-age=31536000; includeSubDomains"
PROXY_HEADERS = {
    "Host": "kerjasama.blitarkota.go.id",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.7",
}


@pytest.fixture
def app_with(app, tmp_path, monkeypatch):
    """A second app on the test database, created with the given environment (the real path
    of a setting: ``load_config`` reads it inside ``create_app``)."""
    made: list[Flask] = []

    def make(**environment: str) -> Flask:
        for name in ("KERJASAMA_HTTPS", "KERJASAMA_TRUSTED_PROXIES", "KERJASAMA_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        new = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / str(len(made)))
        made.append(new)
        return new

    yield make
    for new in made:
        with new.app_context():
            db.engine.dispose()


def _login(client, user, remember: bool = False, headers=None):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, headers=headers)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


# --- HTTPS: Secure cookies and HSTS -------------------------------------------------------------


def test_over_plain_http_cookies_are_not_secure_and_no_hsts_is_sent(app_with, world):
    client = app_with().test_client()
    response = _login(client, world.admin, remember=True)
    cookies = _cookie_headers(response)
    assert {"session", "remember_token"} <= set(cookies)
    assert all("Secure" not in header for header in cookies.values())
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_https_setting_makes_both_cookies_secure_and_sends_hsts(app_with, world):
    served = app_with(KERJASAMA_HTTPS="1")
    client = served.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    login_page = client.get("/login", base_url="https://localhost")
    assert login_page.headers["Strict-Transport-Security"] == HSTS

    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"email": world.admin.email, "password": factories.PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    cookies = _cookie_headers(response)
    assert "; Secure" in cookies["session"]
    assert "; Secure" in cookies["remember_token"]
    assert "HttpOnly" in cookies["session"] and "HttpOnly" in cookies["remember_token"]
    page = client.get("/agreements", base_url="https://localhost")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == HSTS


# --- behind the proxy: ProxyFix and absolute links ---------------------------------------------


def test_links_behind_a_trusted_proxy_take_its_scheme_and_host(app_with, world):
    client = app_with(KERJASAMA_TRUSTED_PROXIES="1").test_client()
    _login(client, world.admin, headers=PROXY_HEADERS)
    page = client.get(f"/tasks/{world.task.id}", headers=PROXY_HEADERS)
    assert page.status_code == 200
    # The WhatsApp share link carries the task's absolute address.
    assert "https%3A%2F%2Fkerjasama.blitarkota.go.id%2Ftasks%2F" in page.get_data(as_text=True)

    world.admin.calendar_token = "token-admin-" + "a" * 20
    db.session.commit()
    account = client.get("/account", headers=PROXY_HEADERS).get_data(as_text=True)
    assert f"https://kerjasama.blitarkota.go.id/calendar/{world.admin.calendar_token}.ics" in (
        account
    )
    feed = client.get(f"/calendar/{world.admin.calendar_token}.ics", headers=PROXY_HEADERS)
    body = feed.get_data(as_text=True).replace("\r\n ", "")
    assert f"https://kerjasama.blitarkota.go.id/tasks/{world.task.id}" in body
    assert "http://kerjasama" not in body and "localhost" not in body


def test_without_the_setting_a_client_cannot_forge_the_scheme(app_with, world):
    client = app_with().test_client()
    _login(client, world.admin, headers=PROXY_HEADERS)
    page = client.get(f"/tasks/{world.task.id}", headers=PROXY_HEADERS).get_data(as_text=True)
    assert "https%3A%2F%2F" not in page
    assert "http%3A%2F%2Fkerjasama.blitarkota.go.id%2Ftasks%2F" in page


def test_outside_a_request_links_start_with_the_base_url(app):
    app.config["KERJASAMA_BASE_URL"] = "https://pemda.go.id/kerjasama/"
    assert links.external_url("tasks.detail", task_id=3) == "https://pemda.go.id/kerjasama/tasks/3"
    assert links.absolute_url("/tasks/3") == "https://pemda.go.id/kerjasama/tasks/3"
    app.config["KERJASAMA_BASE_URL"] = None
    assert links.external_url("agreements.detail", agreement_id=7) == (
        "http://127.0.0.1:5000/agreements/7"
    )


def test_inside_a_request_links_take_the_request_address(app):
    app.config["KERJASAMA_BASE_URL"] = "https://pemda.go.id"
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert links.external_url("tasks.detail", task_id=3) == "http://10.0.0.5:8000/tasks/3"
        assert links.absolute_url("/tasks/3") == "http://10.0.0.5:8000/tasks/3"


def test_the_demo_mails_links_to_its_own_port(tmp_path):
    """``flask --app wsgi demo --port N`` sends today's reminders when it starts (to
    ``instance/mail`` without a mail server): their links point at port N, not 5000."""
    port = _free_port()
    instance = tmp_path / "instance"
    environment = {key: value for key, value in os.environ.items() if key != "KERJASAMA_BASE_URL"}
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
        KERJASAMA_INSTANCE_PATH=str(instance),
        SECRET_KEY="demo-port-test",
        FLASK_DEBUG="0",
    )
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status = None
        deadline = time.monotonic() + 180
        while status is None and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log.read_text()
    assert status == 200, output
    mail = "".join(path.read_text() for path in sorted((instance / "mail").glob("*.eml")))
    assert mail, output
    links_found = set(re.findall(r"https?://[^/\s\"'<>]+/", mail))
    assert links_found == {f"http://127.0.0.1:{port}/"}, links_found


def test_the_demo_keeps_an_address_that_was_set(app):
    app.config["KERJASAMA_BASE_URL"] = "https://demo.pemda.go.id"
    assert demo_address(app, "127.0.0.1", 5123) == "http://127.0.0.1:5123"
    assert links.absolute_url("/tasks") == "https://demo.pemda.go.id/tasks"


# --- caching --------------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored_static_files_and_the_public_page_are(client, auth, world):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login(world.admin)
    for path in ("/agreements", f"/agreements/{world.agreement.id}", "/tasks", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    static = client.get("/static/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()

    world.gov.settings = {**(world.gov.settings or {}), "public_page": True}
    db.session.commit()
    public = client.get(f"/publik/{world.gov.region_code}")
    assert public.status_code == 200
    assert "no-store" not in public.headers.get("Cache-Control", "")


# --- the CSV's content type -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/agreements/export.csv", "/tasks/export.csv"])
def test_the_csv_content_type_names_its_charset_once(client, auth, world, path):
    auth.login(world.admin)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_absolute_link_stays_as_it_is(app):
    assert links.absolute_url("https://elsewhere.go.id/x") == "https://elsewhere.go.id/x"
