"""The agreement list (filters, search, pagination, per-row figures, a constant number of
queries) and the partner pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Partner, PartnerKind
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.agreements_helpers import NOW, assert_field_error, count, text
from tests.sql_helpers import recorded_statements


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold" href="/agreements/\d+">([^<]+)</a>', page)


@pytest.fixture
def catalogue(world):
    """Agreements of government A that differ in one filterable property each."""
    depok = factories.make_partner(world.gov, "Pemerintah Kota Depok")
    samarinda = factories.make_partner(world.gov, "Pemerintah Kota Samarinda")
    food_station = factories.make_partner(world.gov, "Food Station", kind=PartnerKind.BUMD)

    a = factories.make_agreement(
        world.gov,
        world.agency,
        partners=[depok],
        title="Ketahanan pangan Depok",
        sectors=["pangan"],
        commodities="beras, telur ayam",
    )
    factories.make_mou(a, signed_on=date(2025, 5, 9))
    b = factories.make_agreement(
        world.gov,
        world.other_agency,
        partners=[samarinda],
        title="Akses pasar Samarinda",
        sectors=["umkm"],
        commodities="kerajinan",
        origin_event="Indonesia City Expo 2025",
    )
    factories.make_visit(b, visited_on=date(2024, 11, 2))
    c = factories.make_agreement(
        world.gov,
        None,
        partners=[food_station, depok],
        title="Pasokan cabai",
        sectors=["pertanian", "pangan"],
        commodities="cabai rawit",
        stage=Stage.DITUNDA,
        created_at=datetime(2023, 3, 1, tzinfo=UTC),
    )
    db.session.commit()
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            {
                "Ketahanan pangan Depok",
                "Akses pasar Samarinda",
                "Pasokan cabai",
                "Pasokan pangan ke DKI",
            },
        ),
        ("stage=ditunda", {"Pasokan cabai"}),
        ("stage=pelaksanaan", {"Pasokan pangan ke DKI"}),
        ("sector=pangan", {"Ketahanan pangan Depok", "Pasokan cabai", "Pasokan pangan ke DKI"}),
        ("sector=umkm", {"Akses pasar Samarinda"}),
        ("q=telur", {"Ketahanan pangan Depok"}),  # commodities
        ("q=SAMARINDA", {"Akses pasar Samarinda"}),  # partner name, any case
        ("q=food+station", {"Pasokan cabai"}),
        ("q=city+expo", {"Akses pasar Samarinda"}),  # origin event
        ("q=100%25", set()),  # LIKE wildcards are taken literally
        ("q=pangan&sector=pangan", {"Ketahanan pangan Depok", "Pasokan pangan ke DKI"}),
        ("year=2025", {"Ketahanan pangan Depok", "Pasokan pangan ke DKI"}),  # MoU signed
        ("year=2024", {"Akses pasar Samarinda"}),  # no MoU yet: first visit
        ("year=2023", {"Pasokan cabai"}),  # neither: the year it was recorded
        (
            "stage=bukan-tahap",
            {
                "Ketahanan pangan Depok",
                "Akses pasar Samarinda",
                "Pasokan cabai",
                "Pasokan pangan ke DKI",
            },
        ),  # ignored
    ],
)
def test_filters_and_search(client, world, auth, catalogue, query, expected):
    auth.login(world.admin)
    response = client.get(f"/agreements?{query}")
    assert response.status_code == 200
    assert set(listed_titles(text(response))) == expected


def test_filter_by_partner_and_lead_agency(client, world, auth, catalogue):
    auth.login(world.admin)
    depok = db.session.scalar(db.select(Partner).where(Partner.name == "Pemerintah Kota Depok"))
    page = text(client.get(f"/agreements?partner={depok.id}"))
    assert set(listed_titles(page)) == {"Ketahanan pangan Depok", "Pasokan cabai"}
    assert "2 kerja sama sesuai filter" in page
    page = text(client.get(f"/agreements?agency={world.other_agency.id}"))
    assert listed_titles(page) == ["Akses pasar Samarinda"]
    # a partner of another government is not a choice: the filter is ignored
    other_partner = world.other_agreement.partners[0]
    page = text(client.get(f"/agreements?partner={other_partner.id}"))
    assert len(listed_titles(page)) == 4


def test_filter_choices_are_the_governments_own(client, world, auth, catalogue):
    auth.login(world.admin)
    page = text(client.get("/agreements"))
    assert "Pemerintah Kota Samarinda</option>" in page
    assert world.other_agreement.partners[0].name + "</option>" not in page
    years = re.findall(r'<option value="(\d{4})">', page)
    assert years == ["2025", "2024", "2023"]


def test_rows_show_stage_partners_agency_last_milestone_and_tasks(client, world, auth):
    factories.make_task(world.agreement, world.agency, due_on=date(2025, 12, 1))
    factories.make_task(
        world.agreement, world.agency, due_on=date(2025, 1, 1), status=TaskStatus.DONE
    )
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get("/agreements"))
    row = page[page.index("Pasokan pangan ke DKI") :]
    row = row[: row.index("</tr>")]
    assert "Pelaksanaan" in row
    assert "Pemerintah Provinsi DKI Jakarta" in row
    assert "DKPP" in row
    assert "1 Oktober 2025" in row  # the transaction, the latest milestone
    assert re.search(r"\s2\s+<span class=\"badge text-bg-danger ms-1\">1 terlambat</span>", row)
    assert "1 kerja sama" in page


def test_pagination_keeps_filters(client, world, auth, app):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        factories.make_agreement(world.gov, world.agency, title=f"Kerja sama pangan {n}")
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get("/agreements?sector=pangan"))
    assert "6 kerja sama sesuai filter" in page
    assert len(listed_titles(page)) == 2
    assert 'href="/agreements?sector=pangan&amp;page=2"' in page
    page3 = text(client.get("/agreements?sector=pangan&page=3"))
    assert len(listed_titles(page3)) == 2
    assert set(listed_titles(page)).isdisjoint(listed_titles(page3))
    # a page past the end is empty, not an error
    assert client.get("/agreements?page=99").status_code == 200


def test_empty_states(client, world, auth):
    for agreement in (world.agreement, world.other_agreement):
        db.session.delete(agreement)
    db.session.commit()
    auth.login(world.admin)
    page = text(client.get("/agreements"))
    assert "Belum ada kerja sama. Catat kerja sama pertama." in page
    assert 'href="/agreements/new"' in page
    auth.logout()
    auth.login(world.pimpinan)
    page = text(client.get("/agreements"))
    assert "Belum ada kerja sama" in page
    assert 'href="/agreements/new"' not in page


def test_no_match_says_so_and_offers_to_clear_filters(client, world, auth):
    auth.login(world.admin)
    page = text(client.get("/agreements?q=tidak-ada-yang-cocok"))
    assert "Tidak ada kerja sama yang cocok dengan filter ini." in page
    assert "Hapus filter" in page


def test_admin_sees_the_new_button_others_do_not(client, world, auth):
    auth.login(world.admin)
    assert "Kerja sama baru" in text(client.get("/agreements"))
    auth.logout()
    auth.login(world.pimpinan)
    page = text(client.get("/agreements"))
    assert "Kerja sama baru" not in page
    assert "Pasokan pangan ke DKI" in page


# --- a constant number of queries -------------------------------------------------------------


def _add_agreements(world, n: int) -> None:
    for i in range(n):
        partners = [factories.make_partner(world.gov), factories.make_partner(world.gov)]
        agency = world.agency if i % 2 else world.other_agency
        agreement = factories.make_agreement(world.gov, agency, partners=partners)
        factories.make_visit(agreement)
        mou = factories.make_mou(agreement)
        factories.make_pks(agreement, mou, agencies=[agency])
        factories.make_task(agreement, agency, due_on=date(2025, 1, 1))
        factories.make_task(agreement, agency, due_on=date(2026, 1, 1))
    db.session.commit()


def _list_queries(client, url: str) -> int:
    db.session.expire_all()  # the test shares the session: reload everything like a request
    with recorded_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("user_role", ["admin", "opd"])
def test_list_query_count_does_not_grow_with_rows(client, world, auth, user_role):
    user = getattr(world, user_role)
    auth.login(user)
    _add_agreements(world, 2)  # 3 agreements with the world's own
    few = _list_queries(client, "/agreements")
    few_filtered = _list_queries(client, "/agreements?q=Kerja&sector=pangan&year=2025")
    _add_agreements(world, 12)  # 15
    page = text(client.get("/agreements"))
    assert len(listed_titles(page)) >= (15 if user_role == "admin" else 7)
    assert _list_queries(client, "/agreements") == few
    assert _list_queries(client, "/agreements?q=Kerja&sector=pangan&year=2025") == few_filtered


# --- partners ---------------------------------------------------------------------------------


def test_partner_list_for_every_role(client, world, auth):
    for user in (world.admin, world.opd, world.pimpinan):
        auth.login(user)
        page = text(client.get("/partners"))
        assert "Pemerintah Provinsi DKI Jakarta" in page
        assert world.other_agreement.partners[0].name not in page
        assert ("Tambah mitra" in page) == (user is world.admin)
        auth.logout()


def test_admin_adds_and_edits_a_partner(client, world, auth):
    auth.login(world.admin)
    before = count(Partner)
    response = client.post(
        "/partners/new",
        data={
            "name": "Perumda Pasar Jaya",
            "kind": "bumd",
            "region_code": "",
            "province": "DKI Jakarta",
            "contact": "Bagian Kemitraan, 021-000",
        },
    )
    assert response.status_code == 302
    assert count(Partner) == before + 1
    partner = db.session.scalar(db.select(Partner).where(Partner.name == "Perumda Pasar Jaya"))
    assert partner.kind == PartnerKind.BUMD
    page = text(client.get("/partners"))
    assert "Mitra “Perumda Pasar Jaya” ditambahkan." in page
    assert "BUMD" in page

    response = client.post(
        f"/partners/{partner.id}/edit",
        data={
            "name": "Perumda Pasar Jaya",
            "kind": "bumd",
            "province": "DKI Jakarta",
            "region_code": "31",
            "contact": "",
            "version": partner.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(partner)
    assert partner.region_code == "31" and partner.contact is None


def test_duplicate_partner_name_is_refused(client, world, auth):
    auth.login(world.admin)
    before = count(Partner)
    response = client.post(
        "/partners/new",
        data={"name": "pemerintah provinsi DKI jakarta", "kind": "pemda_provinsi"},
    )
    assert response.status_code == 200
    assert_field_error(text(response), "name", "Mitra dengan nama ini sudah ada.")
    assert count(Partner) == before

    other = factories.make_partner(world.gov, "Kota Bekasi")
    db.session.commit()
    response = client.post(
        f"/partners/{other.id}/edit",
        data={
            "name": "Pemerintah Provinsi DKI Jakarta",
            "kind": "pemda_kota",
            "version": other.version,
        },
    )
    assert response.status_code == 200
    assert_field_error(text(response), "name", "Mitra dengan nama ini sudah ada.")
    db.session.refresh(other)
    assert other.name == "Kota Bekasi"


def test_non_admin_cannot_change_partners(client, world, auth):
    auth.login(world.opd)
    assert client.get("/partners/new").status_code == 403
    assert client.get(f"/partners/{world.partner.id}/edit").status_code == 403


def test_year_choices_follow_the_year_filter(world, catalogue):
    """The options of the year filter are the years ``services.filing_year`` files the
    readable agreements under: the first MoU, else the first visit, else the year
    recorded; newest first."""
    from kerjasama_flow.agreements import queries, services

    d = factories.make_agreement(world.gov, world.agency, title="MoU setelah kunjungan")
    factories.make_visit(d, visited_on=date(2021, 4, 1))  # an earlier visit does not count
    factories.make_mou(d, signed_on=date(2026, 2, 1))
    factories.make_mou(d, signed_on=date(2027, 1, 5))  # nor does a later MoU
    db.session.commit()

    def by_definition(user) -> list[int]:
        years = db.session.scalars(
            db.select(services.filing_year()).where(queries.visible_to(user))
        )
        return sorted({int(year) for year in years}, reverse=True)

    assert queries.year_choices(world.admin) == [2026, 2025, 2024, 2023]
    assert queries.year_choices(world.opd) == [2026, 2025]  # DKPP leads d, a and the world's
    assert queries.year_choices(world.other_admin) == [2025]
    for user in (world.admin, world.opd, world.other_admin):
        assert queries.year_choices(user) == by_definition(user)
