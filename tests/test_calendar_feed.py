"""The iCalendar feed: parsed back with icalendar; who sees which events; the token is secret,
replaceable and revocable."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = "2025-10-01T10:00:00+07:00"


def events(client, token) -> dict[str, object]:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def feed_world(world):
    """Tokens for the three users; a task of another agency; a done task; a MoU without end."""
    world.admin.calendar_token = "token-admin-" + "a" * 20
    world.opd.calendar_token = "token-opd-" + "b" * 20
    world.pimpinan.calendar_token = "token-pimpinan-" + "c" * 20
    unrelated = factories.make_agreement(world.gov, world.other_agency, title="Kajian Bappeda")
    world.bappeda_task = factories.make_task(
        unrelated, world.other_agency, title="Susun kajian", due_on=date(2025, 11, 3)
    )
    world.done_task = factories.make_task(
        world.agreement, world.agency, title="Sudah selesai", status=TaskStatus.DONE
    )
    db.session.commit()
    return world


def test_admin_feed_has_all_open_tasks_and_document_ends(client, feed_world):
    w = feed_world
    found = events(client, w.admin.calendar_token)
    region = w.gov.region_code
    assert set(found) == {
        f"task-{w.task.id}@{region}.kerjasama-flow",
        f"task-{w.bappeda_task.id}@{region}.kerjasama-flow",
        f"mou-{w.mou.id}@{region}.kerjasama-flow",
        f"pks-{w.pks.id}@{region}.kerjasama-flow",
    }
    task_event = found[f"task-{w.task.id}@{region}.kerjasama-flow"]
    assert task_event.decoded("DTSTART") == date(2025, 9, 30)  # an all-day event
    assert task_event.decoded("DTEND") == date(2025, 10, 1)
    assert w.task.title in str(task_event["SUMMARY"])
    assert str(task_event["URL"]) == f"http://localhost/tasks/{w.task.id}"
    mou_event = found[f"mou-{w.mou.id}@{region}.kerjasama-flow"]
    assert mou_event.decoded("DTSTART") == w.mou.ends_on
    assert str(mou_event["URL"]) == f"http://localhost/agreements/{w.agreement.id}"
    # Nothing of another government, no done task.
    assert not any("Sudah selesai" in str(e["SUMMARY"]) for e in found.values())


def test_uids_are_stable_between_fetches(client, feed_world):
    first = events(client, feed_world.admin.calendar_token)
    second = events(client, feed_world.admin.calendar_token)
    assert set(first) == set(second)


def test_opd_feed_has_only_their_agencys_tasks(client, feed_world):
    w = feed_world
    found = events(client, w.opd.calendar_token)
    summaries = " ".join(str(e["SUMMARY"]) for e in found.values())
    assert w.task.title in summaries
    assert "Susun kajian" not in summaries
    assert len([uid for uid in found if uid.startswith("task-")]) == 1
    assert len([uid for uid in found if uid.startswith(("mou-", "pks-"))]) == 2


def test_pimpinan_feed_and_cancelled_agreements(client, feed_world):
    w = feed_world
    w.agreement.stage = Stage.BATAL
    db.session.commit()
    found = events(client, w.pimpinan.calendar_token)
    assert not [uid for uid in found if uid.startswith(("mou-", "pks-"))]
    assert len([uid for uid in found if uid.startswith("task-")]) == 2


@pytest.mark.parametrize("token", ["tidak-ada", "x" * 80])
def test_unknown_token_is_404(client, feed_world, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_inactive_user_token_is_404(client, feed_world):
    feed_world.opd.is_active = False
    db.session.commit()
    assert client.get(f"/calendar/{feed_world.opd.calendar_token}.ics").status_code == 404


def test_creating_and_replacing_the_token_from_the_account_page(client, auth, world):
    auth.login(world.opd)
    page = client.get("/account").get_data(as_text=True)
    assert "Buat tautan kalender" in page and "/calendar/" not in page
    assert 'action="/account/calendar-token"' in page

    assert client.post("/account/calendar-token").status_code == 302
    db.session.refresh(world.opd)
    first = world.opd.calendar_token
    assert first and len(first) >= 40
    page = client.get("/account").get_data(as_text=True)
    assert f"http://localhost/calendar/{first}.ics" in page
    assert "Ganti tautan (cabut yang lama)" in page
    assert client.get(f"/calendar/{first}.ics").status_code == 200

    client.post("/account/calendar-token")
    db.session.refresh(world.opd)
    second = world.opd.calendar_token
    assert second != first
    assert client.get(f"/calendar/{first}.ics").status_code == 404  # revoked
    assert client.get(f"/calendar/{second}.ics").status_code == 200
    logged = db.session.scalars(
        select(ActivityLog.action)
        .where(ActivityLog.entity == "user", ActivityLog.entity_id == world.opd.id)
        .order_by(ActivityLog.id)
    ).all()
    assert logged == ["calendar_token_created", "calendar_token_replaced"]


def test_feed_needs_no_session(client, feed_world):
    """Calendar apps fetch without cookies: the token alone opens it."""
    response = client.get(f"/calendar/{feed_world.admin.calendar_token}.ics")
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.data
