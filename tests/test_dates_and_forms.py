"""Dates checked against reality, one-round form errors, the assignee following the OPD, the
PKS's OPD pelaksana, and the agenda of a planned visit (issue 10).

The rules are tested at the services (every door: forms, import, API) on SQLite and
PostgreSQL, then through the forms: a form with several errors shows all of them in one
response and saves nothing. "Today" is pinned to 15 October 2025 (``NOW``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, Transaction, Visit
from kerjasama_flow.errors import DomainError, FieldErrors
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.imports.applying import validate_rows
from kerjasama_flow.imports.parsing import parse_rows
from kerjasama_flow.imports.reading import read_table
from kerjasama_flow.tasks import services as task_services
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, count, text
from tests.import_helpers import row, xlsx

TODAY = date(2025, 10, 15)
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)
COUNTED = (Agreement, Visit, Mou, Pks, Transaction, Task, Evaluation, ActivityLog)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def row_counts() -> tuple[int, ...]:
    return tuple(count(model) for model in COUNTED)


def refused(call) -> FieldErrors | DomainError:
    """The refusal ``call`` raises; the session is rolled back after it."""
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


def errors_of(error: DomainError) -> dict[str | None, str]:
    return dict(error.field_errors())


# --- milestone data for the services ------------------------------------------------------------


def milestone_data(world, kind: str, day: date) -> dict:
    """Valid data of a milestone of the world's agreement that happened on ``day``."""
    if kind == "visit":
        return {"visited_on": day, "place": "Balai Kota Batam", "direction": "keluar"}
    if kind == "mou":
        return {
            "document_kind": "kb",
            "signed_on": day,
            "starts_on": day,
            "ends_on": day + timedelta(days=365),
        }
    if kind == "pks":
        return pks_data(world, signed_on=day, starts_on=day, ends_on=day + timedelta(days=365))
    return {
        "pks": world.pks,
        "transacted_on": day,
        "buyer": "Perumda Pasar Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "value_rp": 1_000_000,
    }


def pks_data(world, **kw) -> dict:
    """A PKS under the world's KB (signed 14 August 2025, in force three years)."""
    data = {
        "title": "PKS pasokan telur ayam",
        "mou": world.mou,
        "is_direct": False,
        "direct_reason": None,
        "agencies": [world.agency],
        "signed_on": date(2025, 9, 1),
        "starts_on": date(2025, 9, 1),
        "ends_on": date(2026, 9, 1),
    }
    data.update(kw)
    return data


FUTURE_MESSAGES = {
    "visit": ("visited_on", "Tanggal kunjungan"),
    "mou": ("signed_on", "Tanggal penandatanganan"),
    "pks": ("signed_on", "Tanggal penandatanganan"),
    "transaction": ("transacted_on", "Tanggal transaksi"),
}


# --- 1. no signing, visit or transaction after today --------------------------------------------


@pytest.mark.parametrize("kind", FUTURE_MESSAGES)
def test_a_milestone_dated_after_today_is_refused_and_nothing_saved(world, kind):
    before = row_counts()
    error = refused(
        lambda: services.record_milestone(
            world.admin, world.agreement, kind, milestone_data(world, kind, TOMORROW)
        )
    )
    field, what = FUTURE_MESSAGES[kind]
    assert errors_of(error) == {field: f"{what} tidak boleh melewati hari ini (15 Oktober 2025)."}
    assert row_counts() == before


@pytest.mark.parametrize("kind", FUTURE_MESSAGES)
def test_a_milestone_dated_today_is_recorded(world, kind):
    outcome = services.record_milestone(
        world.admin, world.agreement, kind, milestone_data(world, kind, TODAY), follow_up=False
    )
    db.session.commit()
    assert getattr(outcome.value, FUTURE_MESSAGES[kind][0]) == TODAY


def test_today_is_the_governments_own(app, world):
    """18.00 UTC on 15 October is already 16 October in Kota Blitar (WIB)."""
    app.config["KERJASAMA_NOW"] = "2025-10-15T18:00:00+00:00"
    data = milestone_data(world, "visit", date(2025, 10, 16))
    services.record_milestone(world.admin, world.agreement, "visit", data, follow_up=False)
    db.session.commit()
    error = refused(
        lambda: services.record_milestone(
            world.admin,
            world.agreement,
            "visit",
            milestone_data(world, "visit", date(2025, 10, 17)),
        )
    )
    assert error.message == "Tanggal kunjungan tidak boleh melewati hari ini (16 Oktober 2025)."


def test_moving_a_milestone_after_today_is_refused(world):
    visit = world.visit
    error = refused(
        lambda: services.update_milestone(
            world.admin, visit, milestone_data(world, "visit", TOMORROW), visit.version
        )
    )
    assert error.field == "visited_on"
    assert db.session.get(Visit, visit.id).visited_on == date(2025, 6, 16)


def test_a_partial_update_is_checked_against_the_whole_milestone(world):
    """The import sends only the columns of its file: an end date alone is still checked
    against the stored start date."""
    mou = world.mou
    error = refused(
        lambda: services.update_milestone(
            world.admin, mou, {"ends_on": date(2025, 8, 1)}, mou.version
        )
    )
    assert errors_of(error) == {"ends_on": "Tanggal berakhir harus sesudah tanggal mulai berlaku."}


def test_the_import_refuses_a_kb_signed_after_today(world):
    content = xlsx(
        [
            row(
                "KS-001",
                **{
                    "Tanggal MoU": TOMORROW,
                    "Berlaku mulai": TOMORROW,
                    "Berakhir": date(2027, 10, 16),
                },
            ),
            row("KS-002"),
        ]
    )
    rows = parse_rows(world.gov.id, read_table(content, "xlsx"))
    validate_rows(world.admin, rows)
    assert rows[0].messages() == [
        "Baris 2, kolom Tanggal MoU: Tanggal penandatanganan tidak boleh melewati hari ini "
        "(15 Oktober 2025)."
    ]
    assert rows[1].messages() == []


def test_the_demo_still_seeds_with_its_past_deadlines(app):
    """The demo tells a story up to January 2026, with deadlines long passed: seeded after
    it, its milestones are in the past and its tasks keep their deadlines."""
    from kerjasama_flow.demo.seed import seed_demo

    app.config["KERJASAMA_NOW"] = "2026-02-02T09:00:00+07:00"
    first = seed_demo(factories.DEMO_PASSWORD)
    db.session.commit()
    assert first.created > 0
    passed = db.session.scalar(
        select(func.count(Task.id)).where(
            Task.due_on < date(2026, 2, 2), Task.status == TaskStatus.OPEN
        )
    )
    assert passed > 0
    assert seed_demo(factories.DEMO_PASSWORD).created == 0


# --- 2. a PKS within its KB ---------------------------------------------------------------------


def test_a_pks_may_not_start_before_its_kb_was_signed(world):
    error = refused(
        lambda: services.record_milestone(
            world.admin, world.agreement, "pks", pks_data(world, starts_on=date(2025, 8, 1))
        )
    )
    assert errors_of(error) == {
        "starts_on": "PKS tidak boleh mulai berlaku sebelum Kesepakatan Bersama/MoU "
        "ditandatangani (14 Agustus 2025)."
    }


def test_a_pks_may_not_end_after_its_kb(world):
    kb_ends_on = world.mou.ends_on
    error = refused(
        lambda: services.record_milestone(
            world.admin,
            world.agreement,
            "pks",
            pks_data(world, ends_on=kb_ends_on + timedelta(days=1)),
        )
    )
    assert errors_of(error) == {
        "ends_on": "PKS tidak boleh berakhir sesudah Kesepakatan Bersama/MoU berakhir "
        f"({format_date(kb_ends_on)})."
    }
    # Ending on the KB's last day is fine.
    services.record_milestone(
        world.admin, world.agreement, "pks", pks_data(world, ends_on=kb_ends_on), follow_up=False
    )


def test_a_kb_without_an_end_date_does_not_limit_its_pks(world):
    world.mou.ends_on = None
    db.session.commit()
    pks = services.record_milestone(
        world.admin,
        world.agreement,
        "pks",
        pks_data(world, ends_on=date(2030, 8, 31)),
        follow_up=False,
    ).value
    assert pks.ends_on == date(2030, 8, 31)


def test_moving_a_pks_before_its_kb_is_refused(world):
    pks = world.pks
    error = refused(
        lambda: services.update_milestone(
            world.admin, pks, pks_data(world, starts_on=date(2025, 8, 13)), pks.version
        )
    )
    assert error.field == "starts_on" and "(14 Agustus 2025)" in error.message


# --- 3. a PKS needs an OPD pelaksana ------------------------------------------------------------


@pytest.mark.parametrize("direct", [False, True], ids=["under-kb", "direct"])
def test_a_pks_without_an_opd_pelaksana_is_refused(world, direct):
    data = pks_data(world, agencies=[])
    if direct:
        data |= {"mou": None, "is_direct": True, "direct_reason": "Kerja sama teknis mendesak"}
    before = row_counts()
    error = refused(lambda: services.record_milestone(world.admin, world.agreement, "pks", data))
    assert errors_of(error) == {"agencies": "Pilih minimal satu OPD pelaksana PKS."}
    assert row_counts() == before


def test_a_pks_cannot_lose_its_last_opd_pelaksana(world):
    pks = world.pks
    error = refused(
        lambda: services.update_milestone(
            world.admin, pks, pks_data(world, agencies=[]), pks.version
        )
    )
    assert error.field == "agencies"
    assert [a.id for a in db.session.get(Pks, pks.id).agencies] == [world.agency.id]


def test_the_service_reports_every_broken_rule_at_once(world):
    error = refused(
        lambda: services.record_milestone(
            world.admin,
            world.agreement,
            "pks",
            pks_data(world, signed_on=TOMORROW, starts_on=date(2025, 8, 1), agencies=[]),
        )
    )
    assert isinstance(error, FieldErrors)
    assert set(error.errors) == {"signed_on", "starts_on", "agencies"}


# --- 4. no deadline before today, by hand ------------------------------------------------------


def task_data(world, **kw) -> dict:
    data = {"title": "Rapat teknis pasokan", "agency": world.agency, "due_on": TODAY}
    data.update(kw)
    return data


def test_a_task_due_before_today_is_refused_on_creation(world):
    before = row_counts()
    error = refused(
        lambda: task_services.create_task(
            world.admin, world.agreement, task_data(world, due_on=YESTERDAY)
        )
    )
    assert errors_of(error) == {"due_on": "Tenggat tidak boleh sebelum hari ini."}
    assert row_counts() == before
    task = task_services.create_task(world.admin, world.agreement, task_data(world))
    assert task.due_on == TODAY


def test_history_may_be_recorded_with_past_deadlines(world):
    """The demo's story (and generated tasks) pass ``allow_past_due``."""
    task = task_services.create_task(
        world.admin, world.agreement, task_data(world, due_on=YESTERDAY), allow_past_due=True
    )
    assert task.due_on == YESTERDAY


def test_a_past_deadline_left_unchanged_still_saves(world):
    task = world.task  # due 30 September 2025, before today
    data = task_data(world, title="Judul baru", due_on=task.due_on)
    task_services.update_task(world.admin, task, data, task.version)
    db.session.commit()
    assert task.title == "Judul baru"
    error = refused(
        lambda: task_services.update_task(
            world.admin, task, {**data, "due_on": date(2025, 10, 1)}, task.version
        )
    )
    assert error.field == "due_on"
    assert db.session.get(Task, task.id).due_on == date(2025, 9, 30)


def test_an_opd_head_holds_only_their_own_opds_tasks(world):
    """Unchanged rule: an OPD head of another OPD is refused, an admin may hold any task."""
    other_head = factories.make_user(world.gov, Role.OPD, agency=world.other_agency)
    db.session.commit()
    error = refused(
        lambda: task_services.create_task(
            world.admin, world.agreement, task_data(world, assignee=other_head)
        )
    )
    assert errors_of(error) == {
        "assignee": "Penanggung jawab harus pengguna dari OPD yang dipilih."
    }
    task = task_services.create_task(
        world.admin, world.agreement, task_data(world, assignee=world.admin)
    )
    assert task.assignee is world.admin


# --- 5. the agenda of a planned visit -----------------------------------------------------------


def agreement_form(world, **kw) -> dict:
    data = {
        "title": "Kerja sama pemasaran produk UMKM",
        "kind": "ksdd",
        "partners": [str(world.partner.id)],
        "new_partner_name": "",
        "new_partner_kind": "pemda_kota",
        "lead_agency": str(world.agency.id),
        "commodities": "",
        "origin_event": "",
        "description": "",
        "external_ref": "",
        "visit_planned_on": "",
    }
    data.update(kw)
    return data


def test_the_agenda_is_shown_until_the_visit_is_recorded(client, auth, world):
    auth.login(world.admin)
    form = text(client.get("/agreements/new"))
    assert "Rencana kunjungan (agenda)" in form
    response = client.post(
        "/agreements/new", data=agreement_form(world, visit_planned_on="2026-08-14")
    )
    assert response.status_code == 302
    agreement = db.session.scalar(select(Agreement).order_by(Agreement.id.desc()).limit(1))
    assert agreement.visit_planned_on == date(2026, 8, 14)  # a future agenda is fine
    assert "Kunjungan direncanakan 14 Agustus 2026" in text(client.get(response.location))
    assert 'value="2026-08-14"' in text(client.get(f"/agreements/{agreement.id}/edit"))

    services.record_milestone(
        world.admin, agreement, "visit", milestone_data(world, "visit", TODAY), follow_up=False
    )
    db.session.commit()
    assert agreement.visit_planned_on is None
    assert "Kunjungan direncanakan" not in text(client.get(response.location))


def test_the_agenda_is_not_shown_once_a_visit_is_recorded(client, auth, world):
    world.agreement.visit_planned_on = date(2026, 8, 14)  # it has a visit already
    db.session.commit()
    auth.login(world.admin)
    assert "Kunjungan direncanakan" not in text(client.get(f"/agreements/{world.agreement.id}"))


# --- 6. every error in one round, through the forms ---------------------------------------------


def milestone_url(agreement, kind: str) -> str:
    return f"/agreements/{agreement.id}/milestones/{kind}/new"


def test_the_kb_form_shows_the_missing_date_and_the_period_together(client, auth, world):
    auth.login(world.admin)
    before = row_counts()
    response = client.post(
        milestone_url(world.agreement, "mou"),
        data={
            "document_kind": "kb",
            "signed_on": "",
            "starts_on": "2025-08-14",
            "ends_on": "2025-08-01",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, "signed_on", "Wajib diisi.")
    assert_field_error(page, "ends_on", "Tanggal berakhir harus sesudah tanggal mulai berlaku.")
    assert row_counts() == before


def test_the_pks_form_shows_every_rule_at_once(client, auth, world):
    auth.login(world.admin)
    before = row_counts()
    response = client.post(
        milestone_url(world.agreement, "pks"),
        data={
            "title": "",
            "mou": str(world.mou.id),
            "signed_on": TOMORROW.isoformat(),
            "starts_on": "2025-08-01",
            "ends_on": (world.mou.ends_on + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, "title", "Wajib diisi.")
    assert_field_error(
        page,
        "signed_on",
        "Tanggal penandatanganan tidak boleh melewati hari ini (15 Oktober 2025).",
    )
    assert_field_error(page, "agencies", "Pilih minimal satu OPD pelaksana PKS.")
    assert_field_error(page, "starts_on", "(14 Agustus 2025)")
    assert_field_error(page, "ends_on", f"({format_date(world.mou.ends_on)})")
    assert row_counts() == before


def test_the_visit_and_transaction_forms_refuse_a_future_date_with_the_other_errors(
    client, auth, world
):
    auth.login(world.admin)
    before = row_counts()
    page = text(
        client.post(
            milestone_url(world.agreement, "visit"),
            data={"visited_on": TOMORROW.isoformat(), "place": "", "direction": "keluar"},
        )
    )
    assert_field_error(
        page, "visited_on", "Tanggal kunjungan tidak boleh melewati hari ini (15 Oktober 2025)."
    )
    assert_field_error(page, "place", "Wajib diisi.")
    page = text(
        client.post(
            milestone_url(world.agreement, "transaction"),
            data={
                "pks": str(world.pks.id),
                "transacted_on": TOMORROW.isoformat(),
                "buyer": "",
                "seller": "Peternak",
                "commodity": "Telur",
                "value_rp": "-5",
            },
        )
    )
    assert_field_error(
        page, "transacted_on", "Tanggal transaksi tidak boleh melewati hari ini (15 Oktober 2025)."
    )
    assert_field_error(page, "buyer", "Wajib diisi.")
    assert_field_error(page, "value_rp", "Nilai tidak boleh negatif.")
    assert row_counts() == before


def test_the_agreement_form_shows_the_missing_title_and_partner_together(client, auth, world):
    auth.login(world.admin)
    before = row_counts()
    response = client.post("/agreements/new", data=agreement_form(world, title="", partners=[]))
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, "title", "Wajib diisi.")
    assert_field_error(page, "partners", "Pilih minimal satu mitra, atau tambahkan mitra baru.")
    assert row_counts() == before


def monev_form(**kw) -> dict:
    data = {
        "evaluated_on": "2025-10-10",
        "period_label": "Semester II 2025",
        "realisation": "Pasokan telur 12 ton dari 20 ton.",
        "progress_pct": "60",
        "timeliness": "terlambat",
        "recommendation": "perluas",
    }
    data.update(kw)
    return data


@pytest.mark.parametrize(
    ("evaluated_on", "date_message"),
    [("", "Wajib diisi."), ("2025-10-16", "Tanggal monev tidak boleh di masa depan.")],
    ids=["missing-date", "future-date"],
)
def test_the_monev_form_shows_progress_over_100_with_the_date_error(
    client, auth, world, evaluated_on, date_message
):
    auth.login(world.admin)
    before = row_counts()
    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data=monev_form(evaluated_on=evaluated_on, progress_pct="150", period_label=""),
    )
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, "evaluated_on", date_message)
    assert_field_error(page, "progress_pct", "Progres antara 0 dan 100 persen.")
    assert_field_error(page, "period_label", "Wajib diisi.")
    assert row_counts() == before


def task_form(world, **kw) -> dict:
    data = {
        "title": "Menyusun draf PKS pasokan telur",
        "description": "",
        "agency": str(world.agency.id),
        "assignee": str(world.opd.id),
        "due_on": TODAY.isoformat(),
    }
    data.update(kw)
    return data


def test_the_task_form_shows_every_error_at_once(client, auth, world):
    other_head = factories.make_user(world.gov, Role.OPD, agency=world.other_agency)
    db.session.commit()
    auth.login(world.admin)
    before = row_counts()
    response = client.post(
        f"/agreements/{world.agreement.id}/tasks/new",
        data=task_form(world, title="", due_on=YESTERDAY.isoformat(), assignee=str(other_head.id)),
    )
    assert response.status_code == 200
    page = text(response)
    assert_field_error(page, "title", "Judul tugas wajib diisi.")
    assert_field_error(page, "due_on", "Tenggat tidak boleh sebelum hari ini.")
    assert_field_error(page, "assignee", "Penanggung jawab harus pengguna dari OPD yang dipilih.")
    assert row_counts() == before


def test_editing_a_task_with_its_past_deadline_unchanged_saves(client, auth, world):
    auth.login(world.admin)
    task = world.task  # due 30 September 2025
    response = client.post(
        f"/tasks/{task.id}/edit",
        data=task_form(
            world, title="Judul yang diperbaiki", due_on="2025-09-30", version=str(task.version)
        ),
    )
    assert response.status_code == 302
    assert db.session.get(Task, task.id).title == "Judul yang diperbaiki"


# --- 7. the assignee list follows the OPD -------------------------------------------------------


def option(page: str, user) -> str:
    """The ``<option>`` tag of ``user`` in the assignee select."""
    start = re.search(r'<select[^>]*data-follows="agency"[^>]*id="assignee"', page)
    assert start, "the assignee select does not follow the agency select"
    select_tag = page[start.start() :]
    select_tag = select_tag[: select_tag.index("</select>")]
    match = re.search(rf'<option[^>]*value="{user.id}"[^>]*>', select_tag)
    assert match, f"no option for user {user.id}"
    return match.group(0)


def test_the_assignee_options_say_their_opd_and_hide_other_opds(client, auth, world):
    other_head = factories.make_user(world.gov, Role.OPD, agency=world.other_agency)
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get(f"/agreements/{world.agreement.id}/tasks/new"))
    assert 'src="/static/forms.js"' in page
    # The agreement's lead agency (the OPD user's) is proposed: its head shows, the other
    # OPD's head is there for the script but hidden; the admin holds any task.
    assert f'data-agency="{world.agency.id}"' in option(page, world.opd)
    assert "hidden" not in option(page, world.opd)
    assert f'data-agency="{world.other_agency.id}"' in option(page, other_head)
    assert "hidden" in option(page, other_head)
    assert 'data-agency="any"' in option(page, world.admin)
    assert "hidden" not in option(page, world.admin)
    script = client.get("/static/forms.js")
    try:
        assert script.status_code == 200 and b"data-follows" in script.data
    finally:
        script.close()  # a file response: close it, or the file stays open
