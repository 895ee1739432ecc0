"""Contract tests of the report endpoints (``api.reports``): ``/api/v1/summary`` answers the
web dashboard's figures and ``/api/v1/register`` the register page's rows, for the same
filters and each role; the filters narrow; bad values are 422 with Indonesian messages;
another government's records never appear; every answer loads back through its schema."""

from __future__ import annotations

from datetime import date

import pytest

from kerjasama_flow.agreements import register as agreement_register
from kerjasama_flow.agreements.lifecycle import Stage, Standing
from kerjasama_flow.api import report_schemas
from kerjasama_flow.reports import attention, dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters
from tests import test_attention, test_dashboard
from tests.agreements_helpers import NOW as REGISTER_NOW
from tests.agreements_helpers import register_papers
from tests.api_helpers import bearer, token_for
from tests.test_dashboard import TODAY, card
from tests.test_dashboard import page as dashboard_page

ROLES = ("admin", "opd", "pimpinan")
ZONE = "Asia/Jakarta"
# The known data of the dashboard's and the attention list's own tests (fixtures).
data = test_dashboard.data
stuck = test_attention.stuck


@pytest.fixture
def tokens(world):
    return {role: bearer(token_for(user)) for role, user in world.users().items()}


def get_summary(client, headers, query: str = "") -> dict:
    response = client.get("/api/v1/summary" + query, headers=headers)
    assert response.status_code == 200, response.json
    # Every key described, none missing, the types as documented (unknown keys raise).
    report_schemas.SummarySchema().load(response.json)
    return response.json


def dashboard_of(user, filters: DashboardFilters, today: date = TODAY):
    """The web dashboard's figures, by the calls ``reports.views.dashboard_page`` makes."""
    agencies = dashboard.agency_accountability(user, filters, today, ZONE)
    realised = dashboard.realisation(user, filters, today)
    figures = dashboard.figures(user, filters, today, agencies, realised)
    found = attention.attention(user, filters, today, ZONE, agencies)
    return figures, realised, agencies, found


def assert_summary_is_the_dashboard(body: dict, user, filters: DashboardFilters) -> None:
    figures, realised, agencies, found = dashboard_of(user, filters)
    assert body["as_of"] == TODAY.isoformat()
    assert body["agreements"]["total"] == figures.agreements
    assert {row["stage"]: row["count"] for row in body["agreements"]["by_stage"]} == {
        stage.value: figures.by_stage[stage] for stage in Stage
    }
    assert body["documents"] == {"active_kb": figures.active_mou, "active_pks": figures.active_pks}
    assert body["tasks"] == {
        "open": figures.open_tasks,
        "overdue": figures.overdue_tasks,
        "due_this_week": figures.due_this_week,
        "done": figures.done_tasks,
        "done_on_time": figures.done_on_time,
        "done_late": figures.done_late,
    }
    assert body["realisation"]["year"] == realised.year
    assert body["realisation"]["current"]["transaction_value"] == realised.current.transaction_value
    assert [
        (item["key"], item["label"], item["current"], item["previous"])
        for item in body["realisation"]["items"]
    ] == realised.rows()
    assert [
        (a["agency_id"], a["open"], a["overdue"], a["done"], a["done_on_time"], a["done_late"])
        for a in body["agencies"]
    ] == [(a.agency_id, a.open, a.overdue, a.done, a.done_on_time, a.done_late) for a in agencies]
    listed = body["attention"]
    assert listed["count"] == found.count
    assert [s["agreement_id"] for s in listed["stalled"]] == [s.agreement_id for s in found.stalled]
    assert [a["agency_id"] for a in listed["agencies"]] == [a.agency_id for a in found.agencies]
    assert [(d["document_kind"], d["agreement_id"], d["ends_on"]) for d in listed["ending"]] == [
        (d.document_kind, d.agreement_id, d.ends_on.isoformat()) for d in found.ending
    ]
    assert [(d["document_id"], d["agreement_id"]) for d in listed["unreported"]] == [
        (d.document_id, d.agreement_id) for d in found.unreported
    ]


# --- /summary ---------------------------------------------------------------------------------


def test_no_token_is_401(client, world):
    for path in ("/api/v1/summary", "/api/v1/register"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_summary_is_the_dashboard_of_each_role(client, data, tokens, role):
    body = get_summary(client, tokens[role])
    user = data.users()[role]
    assert_summary_is_the_dashboard(body, user, DashboardFilters())
    assert body["scope"]["role"] == role
    assert body["filters"] == {
        "year": None,
        "sector": None,
        "partner": None,
        "agency": None,
        "active_count": 0,
    }
    # The known data (tests/test_dashboard.py): 2025's transactions are Rp 3.000.000 plus
    # the world's; 2024's Rp 9.000.000 (a4, Bappeda's: not an OPD head's of DKPP).
    realisation = body["realisation"]
    assert (realisation["year"], realisation["previous_year"]) == (2025, 2024)
    assert realisation["current"]["transaction_value"] >= 3_000_000
    assert realisation["previous"]["transaction_value"] == (0 if role == "opd" else 9_000_000)
    text = str(body)
    assert data.other_agreement.title not in text and data.other_agency_b.name not in text


def test_summary_figures_are_those_the_web_dashboard_shows(client, auth, data, tokens):
    for role in ("pimpinan", "opd"):
        user = data.users()[role]
        html = dashboard_page(client, auth, user)
        auth.logout()
        body = get_summary(client, tokens[role])
        assert card(html, "Semua kerja sama") == str(body["agreements"]["total"])
        assert card(html, "Tugas terbuka") == str(body["tasks"]["open"])
        assert card(html, "Tugas lewat tenggat") == str(body["tasks"]["overdue"])
        assert card(html, "PKS aktif") == str(body["documents"]["active_pks"])


def test_an_opd_head_gets_their_own_agencys_view(client, data, tokens):
    opd = get_summary(client, tokens["opd"])
    leader = get_summary(client, tokens["pimpinan"])
    assert opd["scope"] == {"role": "opd", "agency_id": data.agency.id}
    assert leader["scope"] == {"role": "pimpinan", "agency_id": None}
    assert {a["agency_id"] for a in opd["agencies"]} == {data.agency.id}
    assert {a["agency_id"] for a in leader["agencies"]} == {data.agency.id, data.other_agency.id}
    # DKPP is involved in the world's agreement and a3, not in Bappeda's a2 and a4.
    assert opd["agreements"]["total"] == 2
    assert leader["agreements"]["total"] == 4


def test_attention_has_keys_ids_and_the_nudge_contact_where_the_web_offers_it(
    client, stuck, tokens
):
    leader = get_summary(client, tokens["pimpinan"])["attention"]
    stalled = {item["agreement_id"]: item for item in leader["stalled"]}
    assert [r["key"] for r in stalled[stuck.dormant.id]["reasons"]] == ["kb_without_pks"]
    assert stalled[stuck.dormant.id]["waiting_since"] == "2025-01-10"
    assert [r["key"] for r in stalled[stuck.a3.id]["reasons"]] == ["overdue_steps"]
    assert stalled[stuck.a3.id]["reasons"][0]["label"].startswith("Langkah “Susun draf PKS”")
    assert stalled[stuck.a3.id]["overdue_steps"] == 1
    (dkpp,) = leader["agencies"]
    assert dkpp["agency_id"] == stuck.agency.id and dkpp["overdue"] == 3
    assert dkpp["contact"] == {
        "head_name": "Ir. Sri Wahyuni",
        "email": "dkpp@blitarkota.go.id",
        "phone": "6281234567890",
    }
    ending = {(d["document_kind"], d["document_id"]) for d in leader["ending"]}
    assert ("kb", stuck.a3.mous[0].id) in ending
    assert leader["headings"] == attention.HEADINGS
    # The web shows an OPD head no nudge: no contact either.
    opd = get_summary(client, tokens["opd"])["attention"]
    assert [a["contact"] for a in opd["agencies"]] == [None]
    assert stuck.dormant.id not in {item["agreement_id"] for item in opd["stalled"]}


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("?year=2024", lambda w: DashboardFilters(year=2024)),
        ("?sector=pariwisata", lambda w: DashboardFilters(sector="pariwisata")),
        ("?agency={other_agency}", lambda w: DashboardFilters(agency_id=w.other_agency.id)),
        ("?partner={partner}", lambda w: DashboardFilters(partner_id=w.partner.id)),
    ],
)
def test_each_summary_filter_narrows_as_the_dashboard(client, data, tokens, query, filters):
    query = query.format(other_agency=data.other_agency.id, partner=data.partner.id)
    chosen = filters(data)
    body = get_summary(client, tokens["admin"], query)
    assert_summary_is_the_dashboard(body, data.admin, chosen)
    assert body["filters"]["active_count"] == 1
    everything = get_summary(client, tokens["admin"])
    assert body["agreements"]["total"] < everything["agreements"]["total"]
    if chosen.year == 2024:
        assert (body["realisation"]["year"], body["realisation"]["previous_year"]) == (2024, 2023)


def test_another_governments_filter_values_find_nothing(client, data, tokens):
    foreign_partner = data.other_agreement.partners[0].id
    for query in (f"?partner={foreign_partner}", f"?agency={data.other_agency_b.id}"):
        body = get_summary(client, tokens["admin"], query)
        assert body["agreements"]["total"] == 0 and body["agencies"] == []
        assert body["attention"]["count"] == 0
        assert body["realisation"]["current"]["transaction_value"] == 0


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?year=abc", "year", "Harus bilangan bulat."),
        ("?year=1800", "year", "Harus bilangan bulat 1900 sampai 2100."),
        ("?sector=bukan", "sector", "Harus salah satu dari:"),
        ("?partner=0", "partner", "Harus bilangan bulat 1 sampai"),
        ("?agency=99999999999", "agency", "Harus bilangan bulat 1 sampai"),
    ],
)
def test_bad_summary_filters_are_422_in_indonesian(client, world, tokens, query, field, message):
    response = client.get("/api/v1/summary" + query, headers=tokens["admin"])
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0].startswith(message)


# --- /register --------------------------------------------------------------------------------


@pytest.fixture
def papers(app, world):
    """As tests/test_register.py: Blitar's registered KB with DKI, a PKS of DKPP under it
    (the partner's number missing), an ended 2020 KB with Depok (Bappeda's agreement), and a
    KB of another government."""
    app.config["KERJASAMA_NOW"] = REGISTER_NOW
    world.kb, world.pks_telur, world.old_kb, world.depok_partner = register_papers(world)
    return world


def get_register(client, headers, query: str = "") -> dict:
    response = client.get("/api/v1/register" + query, headers=headers)
    assert response.status_code == 200, response.json
    report_schemas.RegisterPage().load(response.json)
    return response.json


ALL_ROWS = agreement_register.RegisterFilters()


def web_rows(user, filters=ALL_ROWS):
    today = date.fromisoformat(REGISTER_NOW[:10])
    return agreement_register.narrow(agreement_register.register_rows(user, today), filters)


@pytest.mark.parametrize("role", ROLES)
def test_register_rows_are_the_pages_for_each_role(client, papers, tokens, role):
    user = papers.users()[role]
    body = get_register(client, tokens[role], "?per_page=100")
    expected = web_rows(user)
    assert body["total"] == len(expected) and len(body["items"]) == len(expected)
    assert [(item["kind"], item["id"]) for item in body["items"]] == [
        (row.kind, row.document_id) for row in expected
    ]
    assert [item["standing"] for item in body["items"]] == [row.standing.value for row in expected]
    text = str(body)
    assert "RAHASIA-MALANG-001" not in text and papers.other_agreement.title not in text
    ids = {(item["kind"], item["id"]) for item in body["items"]}
    assert ("pks", papers.pks_telur.id) in ids
    # An OPD head (DKPP) sees the papers of its agreements only, as on the web page.
    assert (("kb", papers.old_kb.id) in ids) is (role != "opd")


def test_a_register_row_says_what_the_page_shows(client, papers, tokens):
    items = get_register(client, tokens["admin"], "?per_page=100")["items"]
    pks = next(i for i in items if (i["kind"], i["id"]) == ("pks", papers.pks_telur.id))
    assert pks["kind_label"] == "Perjanjian Kerja Sama" and pks["milestone_kind"] == "pks"
    assert pks["title"] == "Pasokan telur ke Food Station"
    assert (pks["agreement_id"], pks["agreement_title"]) == (
        papers.agreement.id,
        papers.agreement.title,
    )
    assert (pks["number_own"], pks["number_partner"]) == ("027/15/410.201/2025", None)
    assert pks["party_own"] == papers.agency.name
    assert pks["party_partner"] == "Dinas KPKP Provinsi DKI Jakarta"
    assert pks["partner_ids"] == [papers.partner.id] and pks["agency_ids"] == [papers.agency.id]
    assert pks["signed_on"] == papers.pks_telur.signed_on.isoformat()
    assert (pks["standing"], pks["standing_label"]) == ("belum_registrasi", "Belum diregistrasi")
    old = next(i for i in items if (i["kind"], i["id"]) == ("kb", papers.old_kb.id))
    assert old["milestone_kind"] == "mou" and old["party_own"] == papers.gov.name
    assert (old["starts_on"], old["ends_on"]) == (
        papers.old_kb.starts_on.isoformat(),
        "2025-03-01",
    )
    assert (old["standing"], old["agency_ids"]) == (Standing.ENDED.value, [])


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("?kind=pks", lambda w: agreement_register.RegisterFilters(kind="pks")),
        (
            "?standing=berakhir",
            lambda w: agreement_register.RegisterFilters(standing=Standing.ENDED),
        ),
        ("?year=2020", lambda w: agreement_register.RegisterFilters(year=2020)),
        ("?q=027/15", lambda w: agreement_register.RegisterFilters(q="027/15")),
        (
            "?partner={depok}",
            lambda w: agreement_register.RegisterFilters(partner_id=w.depok_partner.id),
        ),
    ],
)
def test_each_register_filter_narrows_as_the_page(client, papers, tokens, query, filters):
    query = query.format(depok=papers.depok_partner.id)
    body = get_register(client, tokens["pimpinan"], query)
    expected = web_rows(papers.pimpinan, filters(papers))
    assert [(i["kind"], i["id"]) for i in body["items"]] == [
        (row.kind, row.document_id) for row in expected
    ]
    everything = get_register(client, tokens["pimpinan"])
    assert 0 < body["total"] < everything["total"]


def test_register_pages_and_foreign_partner(client, papers, tokens):
    everything = get_register(client, tokens["admin"], "?per_page=100")
    second = get_register(client, tokens["admin"], "?per_page=1&page=2")
    assert (second["total"], second["page"], second["per_page"]) == (everything["total"], 2, 1)
    assert second["items"] == everything["items"][1:2]
    foreign = papers.other_agreement.partners[0].id
    assert get_register(client, tokens["admin"], f"?partner={foreign}")["total"] == 0


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?kind=mou", "kind", "Harus salah satu dari: kb, pks."),
        ("?standing=aktif", "standing", "Harus salah satu dari:"),
        ("?year=dua", "year", "Harus bilangan bulat."),
        ("?partner=-1", "partner", "Harus bilangan bulat 1 sampai"),
        ("?q=" + "x" * 101, "q", "Paling banyak 100 karakter."),
        ("?per_page=0", "per_page", "Harus bilangan bulat 1 sampai 100."),
    ],
)
def test_bad_register_filters_are_422_in_indonesian(client, world, tokens, query, field, message):
    response = client.get("/api/v1/register" + query, headers=tokens["opd"])
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == [field]
    assert error["fields"][field][0].startswith(message)


# --- the document -----------------------------------------------------------------------------


def test_the_openapi_document_describes_both(client):
    spec = client.get("/api/v1/openapi.json").json
    register = spec["paths"]["/api/v1/register"]["get"]
    summary = spec["paths"]["/api/v1/summary"]["get"]
    assert register["summary"] == "Daftar KB dan PKS" and "Register" in register["description"]
    assert summary["summary"] == "Ringkasan dasbor" and "Perlu perhatian" in summary["description"]
    assert {p["name"] for p in register["parameters"]} == {
        "q",
        "kind",
        "standing",
        "year",
        "partner",
        "page",
        "per_page",
    }
    assert {p["name"] for p in summary["parameters"]} == {"year", "sector", "partner", "agency"}
    schemas = spec["components"]["schemas"]
    row = schemas["RegisterRow"]
    assert set(row["required"]) == set(row["properties"])
    assert set(schemas["Summary"]["required"]) == set(schemas["Summary"]["properties"])
    assert "null" in schemas["StalledAgreement"]["properties"]["waiting_since"]["type"]
