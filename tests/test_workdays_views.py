"""A government's own days off: the admin's calendar page, and the due-date arithmetic that
other modules call (``add_working_days_for``)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event, func, select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from kerjasama_flow.workdays.models import DayOff
from kerjasama_flow.workdays.services import (
    add_working_days_for,
    days_off,
)
from tests import factories

FRIDAY = date(2025, 7, 11)
MONDAY = date(2025, 7, 14)  # no national holiday
TUESDAY = date(2025, 7, 15)


def count_days_off() -> int:
    return db.session.scalar(select(func.count()).select_from(DayOff))


def logged(action: str) -> list[ActivityLog]:
    return list(
        db.session.scalars(
            select(ActivityLog).where(ActivityLog.entity == "day_off", ActivityLog.action == action)
        )
    )


@contextmanager
def counting_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_admin_adds_a_day_off_and_due_dates_skip_it(client, world, auth):
    auth.login(world.admin)
    assert add_working_days_for(world.gov, FRIDAY, 1) == MONDAY
    response = client.post(
        "/settings/days-off", data={"on": "2025-07-14", "name": "Hari Jadi Kota Blitar"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/days-off?year=2025")
    day_off = db.session.scalar(select(DayOff))
    assert (day_off.government_id, day_off.on, day_off.name) == (
        world.gov.id,
        MONDAY,
        "Hari Jadi Kota Blitar",
    )
    [entry] = logged("created")
    assert (entry.entity_id, entry.actor_id, entry.government_id) == (
        day_off.id,
        world.admin.id,
        world.gov.id,
    )
    assert entry.after == {"on": "2025-07-14", "name": "Hari Jadi Kota Blitar"}

    page = client.get("/settings/days-off?year=2025").get_data(as_text=True)
    assert "Hari Jadi Kota Blitar" in page
    assert "Senin, 14 Juli 2025" in page

    # Its own government skips the day; another government does not.
    assert add_working_days_for(world.gov, FRIDAY, 1) == TUESDAY
    assert add_working_days_for(world.gov.id, FRIDAY, 1) == TUESDAY
    assert add_working_days_for(world.gov, TUESDAY, -1) == FRIDAY
    assert add_working_days_for(world.other_gov, FRIDAY, 1) == MONDAY


def test_day_off_dates_also_accept_the_indonesian_format(client, world, auth):
    auth.login(world.admin)
    response = client.post("/settings/days-off", data={"on": "14/07/2025", "name": "Hari Jadi"})
    assert response.status_code == 302
    assert days_off(world.gov, MONDAY, MONDAY) == {MONDAY}


def test_duplicate_date_is_refused_next_to_the_date(client, world, auth):
    factories.make_day_off(world.gov, MONDAY, name="Hari Jadi Kota Blitar")
    auth.login(world.admin)
    before = count_days_off()
    response = client.post("/settings/days-off", data={"on": "2025-07-14", "name": "Lain"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "14 Juli 2025 sudah terdaftar sebagai hari libur daerah (Hari Jadi Kota Blitar)." in body
    assert "Belum ada yang disimpan" in body
    assert count_days_off() == before
    assert not logged("created")


def test_the_same_date_is_fine_in_another_government(client, world, auth):
    factories.make_day_off(world.gov, MONDAY)
    auth.login(world.other_admin)
    response = client.post("/settings/days-off", data={"on": "2025-07-14", "name": "Hari Jadi"})
    assert response.status_code == 302
    assert days_off(world.other_gov, MONDAY, MONDAY) == {MONDAY}


def test_weekend_and_national_holidays_are_refused(client, world, auth):
    auth.login(world.admin)
    cases = {
        "2025-07-12": "Tanggal itu sudah hari libur (hari Sabtu).",
        "2025-12-25": "Tanggal itu sudah hari libur (Hari Raya Natal).",
        "2025-04-07": "Tanggal itu sudah hari libur (Cuti Bersama Hari Raya Idul Fitri).",
    }
    for on, message in cases.items():
        response = client.post("/settings/days-off", data={"on": on, "name": "Libur"})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert count_days_off() == 0


def test_missing_or_invalid_fields_are_shown_next_to_them(client, world, auth):
    auth.login(world.admin)
    body = client.post("/settings/days-off", data={"on": "", "name": ""}).get_data(as_text=True)
    assert "Isi tanggal hari libur." in body
    assert "Isi nama hari libur." in body
    body = client.post("/settings/days-off", data={"on": "31/02/2025", "name": "Libur"}).get_data(
        as_text=True
    )
    assert "Tanggal tidak sah." in body
    body = client.post("/settings/days-off", data={"on": "1990-07-14", "name": "Libur"}).get_data(
        as_text=True
    )
    assert "Tahun harus antara 2000 dan 2100." in body
    # Beyond any date the app takes: the forms' own range says so first.
    body = client.post("/settings/days-off", data={"on": "2250-07-14", "name": "Libur"}).get_data(
        as_text=True
    )
    assert "Tanggal harus antara tahun 1945 dan 2100." in body
    assert count_days_off() == 0


def test_admin_deletes_a_day_off(client, world, auth):
    day_off = factories.make_day_off(world.gov, MONDAY, name="Hari Jadi Kota Blitar")
    day_off_id = day_off.id
    auth.login(world.admin)
    assert add_working_days_for(world.gov, FRIDAY, 1) == TUESDAY
    response = client.post(f"/settings/days-off/{day_off_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/days-off?year=2025")
    assert db.session.get(DayOff, day_off_id) is None
    [entry] = logged("deleted")
    assert entry.entity_id == day_off_id
    assert entry.before == {"on": "2025-07-14", "name": "Hari Jadi Kota Blitar"}
    assert add_working_days_for(world.gov, FRIDAY, 1) == MONDAY
    assert "Hari libur Hari Jadi Kota Blitar dihapus." in client.get(
        "/settings/days-off?year=2025"
    ).get_data(as_text=True)


def test_another_governments_day_off_is_a_404(client, world, auth):
    foreign = factories.make_day_off(world.other_gov, MONDAY, name="Hari Jadi Kab. Malang")
    foreign_id = foreign.id
    auth.login(world.admin)
    assert client.post(f"/settings/days-off/{foreign_id}/delete").status_code == 404
    assert db.session.get(DayOff, foreign_id) is not None
    page = client.get("/settings/days-off?year=2025").get_data(as_text=True)
    assert "Hari Jadi Kab. Malang" not in page


def test_pimpinan_and_opd_cannot_manage_days_off(client, world, auth):
    day_off = factories.make_day_off(world.gov, MONDAY)
    day_off_id = day_off.id
    for user in (world.pimpinan, world.opd):
        auth.login(user)
        assert client.get("/settings/days-off").status_code == 403
        response = client.post("/settings/days-off", data={"on": "2025-07-15", "name": "X"})
        assert response.status_code == 403
        assert client.post(f"/settings/days-off/{day_off_id}/delete").status_code == 403
        auth.logout()
    assert count_days_off() == 1


def test_page_shows_national_holidays_and_cuti_bersama_of_the_chosen_year(client, world, auth):
    auth.login(world.admin)
    page = client.get("/settings/days-off?year=2025").get_data(as_text=True)
    assert "Hari Libur 2025" in page
    assert "Senin, 31 Maret 2025" in page and "Hari Raya Idul Fitri" in page
    assert "Cuti Bersama Hari Raya Natal" in page
    assert "Cuti bersama</span>" in page
    assert "belum tercantum dalam daftar" not in page
    # The source is named in the regulation's words, not a library's.
    assert "Surat Keputusan Bersama" in page and "cuti bersama" in page
    assert "pustaka" not in page.lower() and "holidays" not in page
    # A year the app has no cuti bersama for: the admin is told to add them.
    page = client.get("/settings/days-off?year=2030").get_data(as_text=True)
    assert "Cuti bersama tahun 2030 belum tercantum dalam daftar aplikasi ini" in page
    assert "Tahun Baru Masehi" in page


def test_year_defaults_to_this_year_in_the_governments_zone(app, client, world, auth):
    # 16:30 UTC on 31 Dec 2025 is 23:30 WIB (still 2025) but 00:30 WITA on 1 January 2026.
    app.config["KERJASAMA_NOW"] = "2025-12-31T16:30:00+00:00"
    auth.login(world.admin)
    assert "Hari Libur 2025" in client.get("/settings/days-off").get_data(as_text=True)
    assert "Hari Libur 2025" in client.get("/settings/days-off?year=x").get_data(as_text=True)
    world.gov.timezone = "Asia/Makassar"
    db.session.commit()
    assert "Hari Libur 2026" in client.get("/settings/days-off").get_data(as_text=True)


def test_add_working_days_for_loads_days_off_in_one_query(app, world):
    factories.make_day_off(world.gov, MONDAY)
    db.session.commit()
    db.session.refresh(world.gov)  # loaded before counting: only the calendar's queries count
    with counting_queries() as statements:
        assert add_working_days_for(world.gov, FRIDAY, 10) == date(2025, 7, 28)
    assert len(statements) == 1


def test_add_working_days_for_widens_its_window_when_days_off_pile_up(app, world):
    # Every weekday from 14 July to the end of October 2025 off: far beyond the first window.
    day = MONDAY
    while day <= date(2025, 10, 31):
        if day.weekday() < 5:
            factories.make_day_off(world.gov, day)
        day += timedelta(days=1)
    db.session.commit()
    assert add_working_days_for(world.gov, FRIDAY, 1) == date(2025, 11, 3)
    assert add_working_days_for(world.gov, FRIDAY, 0) == FRIDAY
    assert add_working_days_for(world.gov, date(2025, 11, 3), -2) == date(2025, 7, 10)
