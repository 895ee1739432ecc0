"""The notification page and the count beside "Notifikasi": what is overdue now for the user
(their agency's tasks, the government's, or a summary per agency for pimpinan), their reminder
notices, mark as read (one or all)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from kerjasama_flow.extensions import db
from kerjasama_flow.reminders import views
from kerjasama_flow.reminders.models import Notification, Rule
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.sql_helpers import recorded_statements

BEFORE_DUE = "2025-09-01T09:00:00+07:00"  # the world's tasks are due on 30 September 2025
OVERDUE_NOW = "2025-10-17T09:00:00+07:00"


@pytest.fixture(autouse=True)
def before_the_world_is_due(app):
    """Nothing of the world is overdue unless a test moves the clock on."""
    app.config["KERJASAMA_NOW"] = BEFORE_DUE


def bell(html: str) -> str | None:
    """The unread count shown in the navbar, or None when there is no badge."""
    match = re.search(r"data-unread-count>(\d+)<", html)
    return match.group(1) if match else None


def overdue_world(app, world):
    """On 17 October 2025: DKPP has two overdue open tasks (world.task, due 30 September, and
    one due 1 October), BAPPEDA one; a done task, a task not yet due and another government's
    overdue task do not count."""
    app.config["KERJASAMA_NOW"] = OVERDUE_NOW
    make = factories.make_task
    late = make(world.agreement, world.agency, title="Kirim draf PKS", due_on=date(2025, 10, 1))
    bappeda = make(
        world.agreement, world.other_agency, title="Susun kajian", due_on=date(2025, 10, 10)
    )
    make(
        world.agreement,
        world.agency,
        title="Sudah selesai",
        due_on=date(2025, 9, 1),
        status=TaskStatus.DONE,
    )
    make(world.agreement, world.agency, title="Belum jatuh tempo", due_on=date(2025, 10, 30))
    db.session.commit()
    return late, bappeda


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


# --- what is overdue now ----------------------------------------------------------------------


def test_an_opd_head_sees_their_agencys_overdue_tasks_above_the_notices(app, client, auth, world):
    late, bappeda = overdue_world(app, world)
    notify(world.opd, "Terlambat 3 hari: Kirim draf PKS")
    auth.login(world.opd)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Belum ada notifikasi" not in html
    assert "Terlambat saat ini: 2 tugas" in html
    overdue = html[html.index('id="terlambat"') : html.index('id="pengingat"')]
    # The longest overdue first, each linking to its task, with how late it is.
    assert overdue.index(world.task.title) < overdue.index("Kirim draf PKS")
    assert f'href="/tasks/{world.task.id}?next=/notifications"' in overdue
    assert f'href="/tasks/{late.id}?next=/notifications"' in overdue
    assert "Terlambat 17 hari" in overdue and "Terlambat 16 hari" in overdue
    for title in ("Susun kajian", "Sudah selesai", "Belum jatuh tempo", world.other_task.title):
        assert title not in html
    # The reminder notices follow.
    assert html.index('id="terlambat"') < html.index("Terlambat 3 hari: Kirim draf PKS")
    # The count: one unread notice and two overdue tasks.
    assert bell(html) == "3"
    assert "Notifikasi, 3 perlu perhatian" in html


def test_an_admin_sees_the_governments_overdue_tasks_and_a_link_to_all(
    app, client, auth, world, monkeypatch
):
    late, bappeda = overdue_world(app, world)
    auth.login(world.admin)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Terlambat saat ini: 3 tugas" in html
    assert "Susun kajian" in html and "Kirim draf PKS" in html and world.task.title in html
    assert "BAPPEDA" in html and world.other_task.title not in html
    assert 'href="/tasks?status=terlambat"' in html
    assert bell(html) == "3"
    monkeypatch.setattr(views, "OVERDUE_SHOWN", 2)
    html = client.get("/notifications").get_data(as_text=True)
    assert "2 dari 3 ditampilkan" in html
    assert "Susun kajian" not in html  # the least overdue waits on the task list


def test_pimpinan_sees_the_overdue_summary_per_agency(app, client, auth, world):
    late, bappeda = overdue_world(app, world)
    auth.login(world.pimpinan)
    html = client.get("/notifications").get_data(as_text=True)
    overdue = html[html.index('id="terlambat"') : html.index('id="pengingat"')]
    assert "Terlambat saat ini: 3 tugas" in overdue
    dkpp = f'href="/tasks?status=terlambat&amp;agency={world.agency.id}"'
    bappeda_link = f'href="/tasks?status=terlambat&amp;agency={world.other_agency.id}"'
    assert dkpp in overdue and bappeda_link in overdue
    assert overdue.index(dkpp) < overdue.index(bappeda_link)  # the most overdue first
    assert "2 tugas terlambat, yang paling lama sejak 30 September 2025 (17 hari)" in overdue
    assert "1 tugas terlambat, yang paling lama sejak 10 Oktober 2025 (7 hari)" in overdue
    assert "Kirim draf PKS" not in overdue  # a summary, not the tasks one by one
    assert bell(html) == "3"


def test_the_count_stays_while_tasks_are_overdue_and_drops_when_they_are_done(
    app, client, auth, world
):
    late, _ = overdue_world(app, world)
    notify(world.opd, "Terlambat: Kirim draf PKS")
    auth.login(world.opd)
    assert bell(client.get("/agreements").get_data(as_text=True)) == "3"
    client.post("/notifications/read-all")
    assert bell(client.get("/agreements").get_data(as_text=True)) == "2"
    late.status = TaskStatus.DONE
    world.task.status = TaskStatus.DONE
    db.session.commit()
    assert bell(client.get("/agreements").get_data(as_text=True)) is None


def test_the_page_and_the_count_take_a_bounded_number_of_queries(app, client, auth, world):
    """The count is one query whatever the user has; the page's queries do not grow with the
    number of overdue tasks."""
    overdue_world(app, world)
    auth.login(world.admin)

    def selects(path):
        with recorded_statements(selects_only=True) as statements:
            client.get(path)
        return statements

    page = selects("/agreements")
    counting = [s for s in page if "read_at is null" in s.lower()]
    assert len(counting) == 1 and "task" in counting[0].lower()
    first = len(selects("/notifications"))
    for n in range(8):
        factories.make_task(world.agreement, world.other_agency, due_on=date(2025, 9, n + 1))
    db.session.commit()
    assert len(selects("/notifications")) == first
