"""Pengaturan → Pengingat: the admin sets the government's reminder numbers and time zone.

Only the values that differ from the defaults are stored; every value is checked (the message
next to its field, nothing saved); a stale form is a conflict; the planner and the scheduler
read the new values.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from kerjasama_flow import government_settings
from kerjasama_flow import scheduler as jobs
from kerjasama_flow.accounts.models import Government
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks import services as playbook_services
from kerjasama_flow.reminders import services
from kerjasama_flow.reminders.models import Outbox, Rule
from kerjasama_flow.reminders.planner import plan
from tests import factories

URL = "/settings/reminders"
FRIDAY = date(2025, 10, 17)
NEXT_FRIDAY = date(2025, 10, 24)  # 5 working days after FRIDAY (no holiday in between)


def form_data(government: Government, **changes) -> dict[str, str]:
    """What the page submits unchanged (the values in force and the fingerprint), with
    ``changes`` typed over it."""
    values = services.effective(government)
    data = {key: str(value) for key, value in values.items()}
    data["ending_notice_days"] = ", ".join(str(d) for d in values["ending_notice_days"])
    data["version"] = government_settings.fingerprint(government)
    data.update(changes)
    return data


def state(government: Government) -> tuple[str, dict]:
    db.session.rollback()
    fresh = db.session.get(Government, government.id)
    return fresh.timezone, dict(fresh.settings or {})


def logged() -> list[ActivityLog]:
    return list(db.session.scalars(select(ActivityLog).where(ActivityLog.entity == "government")))


def test_the_page_shows_the_values_in_force_and_the_defaults(client, world, auth):
    world.gov.settings = {"escalation_working_days": 10}
    auth.login(world.admin)
    html = client.get(URL).get_data(as_text=True)
    assert "Pengaturan Pemda" in html and "Pengingat dan jadwal" in html
    assert re.search(r'id="escalation_working_days"[^>]*value="10"', html)
    assert "Bawaan: 3 hari kerja." in html
    assert "Bawaan: 180, 90, 60, 30, 7, 0." in html
    assert 'value="180, 90, 60, 30, 7, 0"' in html
    assert "H+10" in html  # the explanation uses the values in force
    assert 'href="/settings/days-off"' in html and 'href="/settings/playbooks"' in html
    assert f'value="{government_settings.fingerprint(world.gov)}"' in html
    source = Path(__file__).parents[1].joinpath("templates/reminders/settings.html").read_text()
    assert "<script" not in source and "style=" not in source  # CSP: nothing inline
    # In the admin's Pengaturan menu.
    assert f'href="{URL}"' in client.get("/agreements").get_data(as_text=True)


def test_admin_saves_and_only_the_changes_are_stored(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        URL,
        data=form_data(
            world.gov,
            timezone="Asia/Makassar",
            due_soon_working_days="5",
            ending_notice_days="30, 365,0, 30",
            sweep_time="6:30",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(URL)
    assert "Pengaturan pengingat disimpan." in client.get(URL).get_data(as_text=True)

    timezone, stored = state(world.gov)
    assert timezone == "Asia/Makassar"
    assert stored == {
        "due_soon_working_days": 5,
        "ending_notice_days": [365, 30, 0],
        "sweep_time": "06:30",
    }
    gov = db.session.get(Government, world.gov.id)
    assert government_settings.get(gov, "due_soon_working_days") == 5
    assert government_settings.get(gov, "ending_notice_days") == [365, 30, 0]
    assert government_settings.get(gov, "escalation_working_days") == 7

    [entry] = logged()
    assert entry.actor_id == world.admin.id and entry.entity_id == world.gov.id
    assert entry.action == "updated" and entry.government_id == world.gov.id
    assert entry.before == {
        "timezone": "Asia/Jakarta",
        "due_soon_working_days": 3,
        "ending_notice_days": [180, 90, 60, 30, 7, 0],
        "sweep_time": "07:00",
    }
    assert entry.after == {
        "timezone": "Asia/Makassar",
        "due_soon_working_days": 5,
        "ending_notice_days": [365, 30, 0],
        "sweep_time": "06:30",
    }
    # The other government is untouched.
    assert state(world.other_gov) == ("Asia/Jakarta", {})


def test_saving_unchanged_values_stores_and_logs_nothing(client, world, auth):
    auth.login(world.admin)
    response = client.post(URL, data=form_data(world.gov))
    assert response.status_code == 302
    assert "Tidak ada perubahan" in client.get(URL).get_data(as_text=True)
    assert state(world.gov) == ("Asia/Jakarta", {})
    assert logged() == []


def test_the_planner_uses_the_saved_numbers(client, world, auth, monkeypatch):
    monkeypatch.setattr(playbook_services, "run_ending_playbooks", lambda government, today: [])
    task = factories.make_task(world.agreement, world.agency, due_on=NEXT_FRIDAY)
    db.session.commit()

    def due_soon_rows() -> int:
        plan(on=FRIDAY, government_ids=[world.gov.id])
        db.session.rollback()
        return len(
            db.session.scalars(
                select(Outbox).where(Outbox.item_id == task.id, Outbox.rule == Rule.DUE_SOON)
            ).all()
        )

    assert due_soon_rows() == 0  # H-5 is not H-3
    auth.login(world.admin)
    client.post(URL, data=form_data(world.gov, due_soon_working_days="5"))
    assert due_soon_rows() > 0


def test_the_scheduler_follows_a_new_zone_and_sweep_time(app, client, world, auth):
    auth.login(world.admin)
    client.post(URL, data=form_data(world.gov, timezone="Asia/Jayapura", sweep_time="06:15"))
    assert "reminders.sweep.Asia/Jayapura.06:15" in {spec.id for spec in jobs.job_specs(app)}


def test_resetting_a_value_to_the_default_removes_the_override(client, world, auth):
    world.gov.settings = {"due_soon_working_days": 5, "escalation_working_days": 10, "x": 1}
    auth.login(world.admin)
    response = client.post(URL, data=form_data(world.gov, due_soon_working_days="3"))
    assert response.status_code == 302
    # The default is no longer stored; other overrides and unknown keys stay.
    assert state(world.gov) == ("Asia/Jakarta", {"escalation_working_days": 10, "x": 1})
    [entry] = logged()
    assert (entry.before, entry.after) == (
        {"due_soon_working_days": 5},
        {"due_soon_working_days": 3},
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_soon_working_days", "0", "Isi bilangan bulat 1 sampai 20 hari kerja."),
        ("due_soon_working_days", "", "Isi jumlah hari kerja."),
        ("overdue_repeat_working_days", "99", "Isi bilangan bulat 1 sampai 20 hari kerja."),
        ("escalation_working_days", "abc", "Bukan bilangan bulat yang sah."),
        ("escalation_working_days", "1", "Isi bilangan bulat 2 sampai 60 hari kerja."),
        ("ending_playbook_days", "731", "Isi bilangan bulat 1 sampai 730 hari."),
        ("sweep_time", "25:00", "Isi jam dengan format JJ:MM, 00:00 sampai 23:59."),
        ("ending_notice_days", "90, x", "\u201cx\u201d bukan bilangan bulat."),
        ("ending_notice_days", "90, 800", "Setiap jumlah hari harus 0 sampai 730."),
        ("ending_notice_days", ", ".join(str(d) for d in range(11)), "Paling banyak 10"),
        ("timezone", "Europe/Paris", "Pilihan tidak tersedia."),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field(client, world, auth, field, value, message):
    auth.login(world.admin)
    # A valid change typed next to the bad one is not saved either.
    other = (
        "overdue_repeat_working_days"
        if field == "due_soon_working_days"
        else "due_soon_working_days"
    )
    response = client.post(URL, data=form_data(world.gov, **{other: "4", field: value}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Belum ada yang disimpan." in html
    # The message is right after its own input, before the next field's label.
    after_field = html.split(f'id="{field}"', 1)[1].split("<label", 1)[0]
    assert message in after_field
    assert html.count(message) == 1
    if field != "timezone":
        assert value == "" or f'value="{value}"' in html  # the input is kept
    assert state(world.gov) == ("Asia/Jakarta", {})
    assert logged() == []


def test_a_stale_form_is_a_conflict_and_changes_nothing(client, world, auth):
    auth.login(world.admin)
    stale = form_data(world.gov, due_soon_working_days="5")
    # Meanwhile another admin changes the escalation.
    services.update_settings(
        world.admin,
        world.gov,
        {"escalation_working_days": 10},
        government_settings.fingerprint(world.gov),
    )
    db.session.commit()

    response = client.post(URL, data=stale)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "sudah diubah oleh pengguna lain" in html
    assert state(world.gov) == ("Asia/Jakarta", {"escalation_working_days": 10})
    assert len(logged()) == 1  # only the other admin's change


def test_a_missing_fingerprint_is_refused(client, world, auth):
    """Without the fingerprint the save cannot tell whether someone changed the settings
    meanwhile: refused at the top of the form, nothing saved (issue 12, item 9)."""
    auth.login(world.admin)
    data = form_data(world.gov, due_soon_working_days="5")
    del data["version"]
    html = client.post(URL, data=data).get_data(as_text=True)
    assert "Muat ulang halaman lalu coba lagi." in html
    assert state(world.gov) == ("Asia/Jakarta", {})


@pytest.mark.parametrize("role", ["opd", "pimpinan"])
def test_only_the_admin_opens_the_page(client, world, auth, role):
    auth.login(world.users()[role])
    assert client.get(URL).status_code == 403
    response = client.post(URL, data=form_data(world.gov, due_soon_working_days="5"))
    assert response.status_code == 403
    assert state(world.gov) == ("Asia/Jakarta", {})


def test_the_admin_changes_only_their_own_government(client, world, auth):
    world.other_gov.settings = {"sweep_time": "06:00"}
    db.session.commit()
    auth.login(world.other_admin)
    client.post(URL, data=form_data(world.other_gov, due_soon_working_days="2"))
    assert state(world.other_gov) == (
        "Asia/Jakarta",
        {"sweep_time": "06:00", "due_soon_working_days": 2},
    )
    assert state(world.gov) == ("Asia/Jakarta", {})


# --- the service, as other callers (the API, a shell) use it -------------------------------------


def test_the_service_checks_every_value_with_its_field(world):
    version = government_settings.fingerprint(world.gov)
    for data, field in [
        ({"due_soon_working_days": True}, "due_soon_working_days"),
        ({"escalation_working_days": 61}, "escalation_working_days"),
        ({"ending_notice_days": []}, "ending_notice_days"),
        ({"ending_notice_days": [30, -1]}, "ending_notice_days"),
        ({"sweep_time": "7.00"}, "sweep_time"),
        ({"timezone": "Asia/Pontianak"}, "timezone"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.update_settings(world.admin, world.gov, data, version)
        assert refused.value.field == field
    with pytest.raises(ConflictError):
        services.update_settings(world.admin, world.gov, {}, "0" * 32)
    assert state(world.gov) == ("Asia/Jakarta", {})


def test_the_service_leaves_unmentioned_values_alone(world):
    world.gov.settings = {"sweep_time": "06:00"}
    db.session.flush()
    changed = services.update_settings(
        world.admin,
        world.gov,
        {"ending_notice_days": [90, 180, 0, 30, 7, 60]},  # the defaults, in another order
        government_settings.fingerprint(world.gov),
    )
    assert changed is False
    assert world.gov.settings == {"sweep_time": "06:00"}


def test_the_settings_menu_groups_the_settings_where_an_admin_looks(client, world, auth):
    auth.login(world.admin)
    html = client.get("/agreements").get_data(as_text=True)
    start = html.index(" Pengaturan</a>")  # after its icon
    menu = html[start : html.index("</ul>", start)]
    order = [
        ">Pemda<",
        'href="/settings/reminders">Pengingat dan jadwal<',
        'href="/settings/days-off">Hari libur daerah<',
        'href="/settings/reminders#halaman-publik">Halaman publik<',
        'href="/settings/identity">Identitas Pemda<',
        ">Pengguna dan OPD<",
        'href="/settings/users">Pengguna<',
        'href="/settings/agencies">Perangkat Daerah (OPD)<',
        ">Tindak lanjut<",
        'href="/settings/playbooks">Pola tindak lanjut<',
    ]
    positions = [menu.index(item) for item in order]
    assert positions == sorted(positions)
    # The public page's switch is with the government's settings, not with the agencies.
    settings = client.get(URL).get_data(as_text=True)
    assert 'id="halaman-publik"' in settings and 'action="/settings/public-page"' in settings
    agencies = client.get("/settings/agencies").get_data(as_text=True)
    assert "halaman publik" not in agencies.lower().replace(">halaman publik<", "")
    auth.logout()
    auth.login(world.opd)
    assert " Pengaturan</a>" not in client.get("/agreements").get_data(as_text=True)


# Words of a library or English jargon that users must not read (the screen speaks the
# regulation's and a civil servant's words). "playbook" is fine in code, never on screen.
JARGON = re.compile(
    r"\b(pustaka|lonceng|playbook|outbox|sapuan|holidays|openpyxl|defusedxml)\b", re.I
)
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)


def test_no_library_names_or_jargon_in_the_words_users_read():
    root = Path(__file__).resolve().parent.parent
    found = []
    for template in sorted((root / "templates").rglob("*.*")):
        text = TAG.sub(" ", JINJA.sub(" ", template.read_text(encoding="utf-8")))
        found += [f"{template.relative_to(root)}: {m.group(0)}" for m in JARGON.finditer(text)]
    # Words the code shows: flash messages, form labels and descriptions, and the messages of
    # errors (the arguments of ``flash(...)``, ``...Field(...)``, ``required(...)`` and
    # ``...Error(...)`` calls). Log lines and job names are for the server's operator.
    for module in sorted((root / "kerjasama_flow").rglob("*.py")):
        for call in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
            if not (name in ("flash", "required") or name.endswith(("Field", "Error"))):
                continue
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                for node in ast.walk(argument):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        found += [
                            f"{module.relative_to(root)}:{node.lineno}: {node.value}"
                            for _ in JARGON.finditer(node.value)
                        ]
    assert not found, found
