"""In-app notifications: the bell's unread count, the list, mark as read (one or all)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kerjasama_flow.extensions import db
from kerjasama_flow.reminders.models import Notification, Rule
from tests import factories
from tests.sql_helpers import recorded_statements


def bell(html: str) -> str | None:
    """The unread count shown in the navbar, or None when there is no badge."""
    match = re.search(r"data-unread-count>(\d+)<", html)
    return match.group(1) if match else None


def notify(user, title, minutes_ago=0, read=False, **kw):
    at = datetime(2025, 10, 17, 0, 0, tzinfo=UTC) - timedelta(minutes=minutes_ago)
    return factories.make_notification(
        user, title=title, created_at=at, read_at=at if read else None, **kw
    )


def test_the_bell_shows_the_unread_count(client, auth, world):
    notify(world.opd, "Terlambat 3 hari: Susun draf PKS")
    notify(world.opd, "Jatuh tempo hari ini: Kirim laporan")
    notify(world.opd, "Sudah dibaca", read=True)
    notify(world.admin, "Milik admin")
    auth.login(world.opd)
    html = client.get("/agreements").get_data(as_text=True)
    assert bell(html) == "2"
    assert 'href="/notifications"' in html


def test_no_badge_without_unread_notifications_and_no_bell_when_logged_out(client, auth, world):
    notify(world.opd, "Sudah dibaca", read=True)
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/notifications"' not in html
    auth.login(world.opd)
    html = client.get("/agreements").get_data(as_text=True)
    assert 'href="/notifications"' in html
    assert bell(html) is None


def test_one_count_query_per_page(app, client, auth, world):
    notify(world.opd, "Terlambat 3 hari: Susun draf PKS")
    auth.login(world.opd)
    with recorded_statements() as statements:
        client.get("/notifications")
    counts = [s for s in statements if "count(" in s.lower() and "notification" in s.lower()]
    # The page lists them (its own pagination count) and the navbar's bell: one COUNT each.
    unread_counts = [s for s in counts if "read_at is null" in s.lower()]
    assert len(unread_counts) == 1


def test_the_list_shows_own_notifications_unread_first_newest_first(client, auth, world):
    notify(world.opd, "Lama belum dibaca", minutes_ago=300)
    notify(world.opd, "Baru sudah dibaca", minutes_ago=1, read=True)
    notify(world.opd, "Baru belum dibaca", minutes_ago=5)
    notify(world.opd, "Lama sudah dibaca", minutes_ago=600, read=True)
    notify(world.admin, "Milik admin")
    notify(world.other_admin, "Milik Pemda lain")
    auth.login(world.opd)
    html = client.get("/notifications").get_data(as_text=True)
    order = ["Baru belum dibaca", "Lama belum dibaca", "Baru sudah dibaca", "Lama sudah dibaca"]
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Milik admin" not in html and "Milik Pemda lain" not in html
    assert Rule.OVERDUE.label in html
    assert "4 notifikasi" in html


def test_the_list_is_paginated(app, client, auth, world):
    app.config["PAGE_SIZE"] = 3
    for n in range(7):
        notify(world.opd, f"Pengingat nomor {n}", minutes_ago=n)
    auth.login(world.opd)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Menampilkan 1–3 dari 7 notifikasi" in first
    assert "Pengingat nomor 0" in first and "Pengingat nomor 3" not in first
    last = client.get("/notifications?page=9").get_data(as_text=True)  # past the end: last page
    assert "Pengingat nomor 6" in last


def test_an_empty_list(client, auth, world):
    auth.login(world.pimpinan)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Belum ada notifikasi" in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_item(client, auth, world):
    note = notify(world.opd, "Terlambat 3 hari", url=f"/tasks/{world.task.id}")
    other = notify(world.opd, "Yang lain")
    auth.login(world.opd)
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{world.task.id}"
    assert note.read_at is not None
    assert other.read_at is None
    first_read = note.read_at
    # Opening it again keeps the first reading time.
    client.post(f"/notifications/{note.id}/read")
    assert note.read_at == first_read
    assert bell(client.get("/agreements").get_data(as_text=True)) == "1"


def test_an_off_site_url_is_not_followed(client, auth, world):
    note = notify(world.opd, "Aneh", url="//evil.example.com/x")
    auth.login(world.opd)
    response = client.post(f"/notifications/{note.id}/read")
    assert response.headers["Location"] == "/notifications"


def test_another_users_notification_is_404(client, auth, world):
    mine = notify(world.opd, "Milik OPD")
    theirs = notify(world.admin, "Milik admin")
    foreign = notify(world.other_admin, "Milik Pemda lain")
    auth.login(world.opd)
    for note in (theirs, foreign):
        assert client.post(f"/notifications/{note.id}/read").status_code == 404
        assert note.read_at is None
    assert client.post("/notifications/999999/read").status_code == 404
    assert client.get(f"/notifications/{mine.id}/read").status_code == 405


def test_mark_all_read_touches_only_own_notifications(client, auth, world):
    a = notify(world.opd, "Satu")
    b = notify(world.opd, "Dua")
    theirs = notify(world.admin, "Milik admin")
    auth.login(world.opd)
    response = client.post("/notifications/read-all", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "2 notifikasi ditandai sudah dibaca." in html
    assert bell(html) is None
    assert a.read_at is not None and b.read_at is not None
    assert theirs.read_at is None
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert [n.title for n in unread] == ["Milik admin"]
