"""The optional public page: off by default (404), on lists public facts only; another
government's page follows its own setting."""

from __future__ import annotations

import re

from sqlalchemy import select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from tests import factories


def turn_on(government):
    government.settings = {**(government.settings or {}), "public_page": True}
    db.session.commit()


def test_off_by_default_and_unknown_region_are_404(client, world):
    assert client.get(f"/publik/{world.gov.region_code}").status_code == 404
    assert client.get("/publik/00.00").status_code == 404


def test_on_lists_public_facts_without_internal_data(client, world):
    world.agreement.description = "Catatan internal: harga negosiasi"
    world.agreement.external_ref = "REF-INTERNAL-42"
    factories.make_transaction(world.agreement, world.pks, value_rp=3_000_000)
    turn_on(world.gov)
    response = client.get(f"/publik/{world.gov.region_code}")  # anonymous
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert world.agreement.title in page
    assert "Pemerintah Provinsi DKI Jakarta" in page
    assert "Pangan" in page or "pangan" in page
    assert "Pelaksanaan" in page
    assert "14 Agustus 2025" in page  # MoU signed
    assert "4.250.000" in page  # 1.250.000 + 3.000.000
    for internal in (
        world.task.title,
        "Catatan internal",
        "REF-INTERNAL-42",
        world.agency.name,
        world.admin.email,
        "/tasks/",
    ):
        assert internal not in page, internal
    # Another government's agreements stay hidden, and its page stays off.
    assert world.other_agreement.title not in page
    assert client.get(f"/publik/{world.other_gov.region_code}").status_code == 404


def test_admin_switches_it_on_the_settings_page(client, auth, world):
    auth.login(world.admin)
    page = client.get("/settings/reminders").get_data(as_text=True)
    assert 'id="halaman-publik"' in page and 'action="/settings/public-page"' in page
    assert "Aktifkan halaman publik" in page
    assert "halaman publik" not in client.get("/settings/agencies").get_data(as_text=True)

    response = client.post("/settings/public-page", data={"enabled": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/reminders#halaman-publik"
    page = client.get("/settings/reminders").get_data(as_text=True)
    assert "Halaman publik diaktifkan." in page
    assert "Nonaktifkan halaman publik" in page
    assert f"http://localhost/publik/{world.gov.region_code}" in page
    db.session.refresh(world.gov)
    assert world.gov.settings["public_page"] is True
    assert client.get(f"/publik/{world.gov.region_code}").status_code == 200
    log = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "government"))
    assert log.after == {"public_page": True}

    client.post("/settings/public-page", data={"enabled": "0"})
    page = client.get("/settings/reminders").get_data(as_text=True)
    assert "Halaman publik dinonaktifkan." in page  # the new state is False, still a success
    assert "Aktifkan halaman publik" in page
    assert client.get(f"/publik/{world.gov.region_code}").status_code == 404
    # Other settings are left alone.
    db.session.refresh(world.gov)
    assert set(world.gov.settings) == {"public_page"}


def test_switch_needs_the_settings_pages_csrf_token(app, client, auth, world):
    auth.login(world.admin)  # logging in before CSRF is switched on
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/settings/reminders").get_data(as_text=True)
    switch = page[page.index('action="/settings/public-page"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', switch).group(1)

    assert client.post("/settings/public-page", data={"enabled": "1"}).status_code == 400
    db.session.refresh(world.gov)
    assert "public_page" not in (world.gov.settings or {})

    response = client.post("/settings/public-page", data={"enabled": "1", "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(world.gov)
    assert world.gov.settings["public_page"] is True


def test_toggle_keeps_other_settings(client, auth, world):
    world.gov.settings = {"sweep_time": "07:00"}
    db.session.commit()
    auth.login(world.admin)
    client.post("/settings/public-page", data={"enabled": "1"})
    db.session.refresh(world.gov)
    assert world.gov.settings == {"sweep_time": "07:00", "public_page": True}


def test_agreement_without_milestones_is_listed_with_dashes(client, world):
    factories.make_agreement(world.gov, world.agency, title="Penjajakan wisata", partners=None)
    turn_on(world.gov)
    page = client.get(f"/publik/{world.gov.region_code}").get_data(as_text=True)
    assert "Penjajakan wisata" in page
    assert world.agreement.title in page  # the world's agreement is listed alongside
