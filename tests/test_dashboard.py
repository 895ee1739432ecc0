"""The dashboard (/dashboard) and its charts: figures against a known dataset, filters, the OPD
view, tenant separation, SVG charts without scripts, and a constant number of queries."""

from __future__ import annotations

import re
import statistics
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, PartnerKind
from kerjasama_flow.extensions import db
from kerjasama_flow.reports import dashboard, pdf_report
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories

NOW = datetime(2025, 10, 17, 3, 0, tzinfo=UTC)  # Friday 17 October 2025, 10:00 WIB
TODAY = date(2025, 10, 17)


@pytest.fixture
def data(app, world):
    """World's agreement (pelaksanaan, DKPP) plus three more in Kota Blitar:

    - a2: penjajakan, led by Bappeda, sector pariwisata, partner in Jawa Barat, one visit
    - a3: kesepakatan, led by DKPP, MoU ending 2026-01-15 (in 90 days)
    - a4: pelaksanaan, led by Bappeda, visit/PKS/transaction (Rp 9.000.000) all in 2024
    """
    app.config["KERJASAMA_NOW"] = NOW.isoformat()
    w = world
    factories.make_transaction(
        w.agreement, w.pks, transacted_on=date(2025, 10, 10), value_rp=3_000_000
    )
    jabar = factories.make_partner(w.gov, "Pemerintah Kota Bandung", province="Jawa Barat")
    a2 = factories.make_agreement(
        w.gov,
        w.other_agency,
        title="Promosi wisata Bandung",
        partners=[jabar],
        sectors=["pariwisata"],
    )
    factories.make_visit(a2, visited_on=date(2025, 7, 1))
    a3 = factories.make_agreement(w.gov, w.agency, title="Kesepakatan beras Kediri")
    factories.make_mou(a3, signed_on=date(2025, 9, 1), ends_on=date(2026, 1, 15))
    a4 = factories.make_agreement(w.gov, w.other_agency, title="Kerja sama lama 2024")
    factories.make_visit(a4, visited_on=date(2024, 5, 1))
    pks4 = factories.make_pks(a4, signed_on=date(2024, 6, 1))
    factories.make_transaction(a4, pks4, transacted_on=date(2024, 8, 1), value_rp=9_000_000)

    # DKPP: world.task (due 30 Sep, open: 17 days overdue) plus these.
    factories.make_task(
        w.agreement,
        w.agency,
        title="Laporan stok",
        due_on=date(2025, 10, 15),
        status=TaskStatus.IN_PROGRESS,
    )
    factories.make_task(a3, w.agency, title="Rapat koordinasi", due_on=date(2025, 10, 18))
    factories.make_task(
        w.agreement,
        w.agency,
        title="Selesai tepat",
        due_on=date(2025, 10, 1),
        status=TaskStatus.DONE,
        done_at=datetime(2025, 9, 30, 20, tzinfo=UTC),
    )
    # Done at 01:00 WIB on 2 October: one day late in Blitar, though 1 October in UTC.
    factories.make_task(
        w.agreement,
        w.agency,
        title="Selesai telat",
        due_on=date(2025, 10, 1),
        status=TaskStatus.DONE,
        done_at=datetime(2025, 10, 1, 18, tzinfo=UTC),
    )
    # Bappeda
    factories.make_task(a2, w.other_agency, title="Kajian wisata", due_on=date(2025, 11, 1))
    factories.make_task(
        a2,
        w.other_agency,
        title="Survei",
        due_on=date(2025, 10, 5),
        status=TaskStatus.DONE,
        done_at=datetime(2025, 10, 4, 1, tzinfo=UTC),
    )
    # Another government: an MoU ending soon that Blitar must never see.
    factories.make_mou(w.other_agreement, signed_on=date(2025, 1, 2), ends_on=date(2025, 12, 1))
    db.session.commit()
    w.a2, w.a3, w.a4 = a2, a3, a4
    return w


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card(html: str, label: str) -> str:
    """The figure shown on the card labelled ``label``."""
    match = re.search(
        rf'<div class="small text-muted">{re.escape(label)}</div>\s*(?:<a[^>]*>|<span[^>]*>)'
        r"([^<]+)<",
        html,
    )
    assert match, f"no figure card {label!r}"
    return match.group(1).strip()


def page(client, auth, user, query: str = "") -> str:
    auth.login(user)
    response = client.get("/dashboard" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_figures_match_the_data(client, auth, data):
    html = page(client, auth, data.pimpinan)
    assert card(html, "Semua kerja sama") == "4"
    assert card(html, "Pelaksanaan") == "2"
    assert card(html, "Penjajakan") == "1"
    assert card(html, "Kesepakatan Bersama (KB)") == "1"
    # Stages without agreements are folded into one line, not tiles of 0.
    assert "no figure card" in str(pytest.raises(AssertionError, card, html, "Diakhiri/Batal"))
    folded = re.search(r"<details[^>]*data-empty-stages>(.*?)</details>", html, re.S).group(1)
    assert "5 tahap tanpa kerja sama" in folded and "Diakhiri/Batal" in folded
    assert card(html, "MoU/KB aktif") == "2"
    assert card(html, "PKS aktif") == "1"
    assert card(html, "Tugas terbuka") == "4"
    assert card(html, "Tugas lewat tenggat") == "2"
    assert card(html, "Tenggat minggu ini") == "2"
    assert card(html, "Nilai transaksi 2025") == "Rp 4.250.000"
    assert 'href="/agreements?stage=pelaksanaan"' in html
    assert 'href="/tasks?status=terlambat"' in html


def test_agency_accountability_worst_first(client, auth, data):
    html = page(client, auth, data.pimpinan)
    rows = re.findall(r'<tr data-agency="(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _ in rows] == [data.agency.id, data.other_agency.id]
    dkpp = text_of(rows[0][1])
    assert "Dinas Ketahanan Pangan dan Pertanian" in dkpp
    assert " 3 2 50% (1/2) " in dkpp  # open, overdue, done on time (local date decides)
    assert data.task.title in dkpp and "terlambat 17 hari" in dkpp
    assert f'href="/tasks?agency={data.agency.id}"' in rows[0][1]
    assert " 1 0 100% (1/1) " in text_of(rows[1][1])


def test_documents_ending_within_180_days(client, auth, data):
    html = page(client, auth, data.pimpinan)
    table = re.search(r'data-table="ending">(.*?)</ul>', html, re.S).group(1)
    assert "Kesepakatan beras Kediri" in table
    assert f'href="/agreements/{data.a3.id}"' in table
    assert "berakhir dalam 90 hari" in table
    assert "15 Januari 2026" in table
    assert "PKS uji" not in table  # the world's PKS ends in September 2026
    assert data.other_agreement.title not in html


def test_filters_change_the_figures(client, auth, data):
    html = page(client, auth, data.pimpinan, "?sector=pariwisata")
    assert card(html, "Semua kerja sama") == "1"
    assert card(html, "Tugas terbuka") == "1"
    assert card(html, "Tugas lewat tenggat") == "0"
    assert card(html, "Nilai transaksi 2025") == "Rp 0"
    assert 'href="/agreements?stage=penjajakan&amp;sector=pariwisata"' in html
    assert 'data="/dashboard/chart/corong.svg?sector=pariwisata"' in html

    html = client.get(f"/dashboard?agency={data.other_agency.id}").get_data(as_text=True)
    assert card(html, "Semua kerja sama") == "2"
    html = client.get("/dashboard?year=2024").get_data(as_text=True)
    years = re.search(r'name="year">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d+)"', years) == ["2025", "2024"]
    assert card(html, "Semua kerja sama") == "1"
    assert card(html, "Pelaksanaan") == "1"
    html = client.get(f"/dashboard?partner={data.partner.id}").get_data(as_text=True)
    assert card(html, "Semua kerja sama") == "1"
    assert card(html, "Nilai transaksi 2025") == "Rp 4.250.000"
    # Unknown values are ignored, not refused.
    html = client.get("/dashboard?year=abc&sector=nope&agency=-3").get_data(as_text=True)
    assert card(html, "Semua kerja sama") == "4"


def test_opd_sees_only_their_agency(client, auth, data):
    html = page(client, auth, data.opd)
    assert card(html, "Semua kerja sama") == "2"  # world.agreement and a3: DKPP leads them
    assert card(html, "Tugas terbuka") == "3"
    assert card(html, "Tugas lewat tenggat") == "2"
    rows = re.findall(r'<tr data-agency="(\d+)">', html)
    assert rows == [str(data.agency.id)]
    assert "Promosi wisata Bandung" not in html and "Kajian wisata" not in html
    svg = client.get("/dashboard/chart/opd.svg").get_data(as_text=True)
    assert "DKPP" in svg and "BAPPEDA" not in svg


def test_tenant_separation(client, auth, data):
    html = page(client, auth, data.other_admin)
    assert card(html, "Semua kerja sama") == "1"
    assert card(html, "Kesepakatan Bersama (KB)") == "1"
    assert card(html, "Tugas terbuka") == "1"
    assert "Pasokan ke Batam" in html  # its own MoU ends within 180 days
    for foreign in ("Kesepakatan beras Kediri", "Dinas Ketahanan Pangan", data.task.title):
        assert foreign not in html
    svg = client.get("/dashboard/chart/provinsi.svg").get_data(as_text=True)
    assert "Jawa Barat" not in svg


def test_pimpinan_lands_on_the_dashboard(client, auth, data):
    auth.login(data.pimpinan)
    assert client.get("/").headers["Location"] == "/dashboard"
    html = client.get("/dashboard").get_data(as_text=True)
    # The navigation's link, after its icon.
    assert re.search(r'aria-current="page" href="/dashboard">(<i [^>]*></i> )?Dasbor</a>', html)


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        (
            "corong",
            [
                "Sampai kunjungan kerja",
                "Sampai KB/MoU",
                "Sampai PKS",
                "Sampai transaksi pertama",
                ">4<",
                ">3 (75%)<",
                ">2 (67%)<",
                ">2 (100%)<",
            ],
        ),
        (
            "durasi",
            ["Kunjungan→KB", "KB→PKS", "PKS→transaksi", "45.5 hari (n=2)", "59 hari (n=1)"],
        ),
        (
            "opd",
            [
                "DKPP",
                "BAPPEDA",
                "Tepat waktu",
                "Terlambat selesai",
                "Lewat tenggat",
                "Belum jatuh tempo",
            ],
        ),
        ("sektor", ["Ketahanan pangan", "Pariwisata"]),
        ("provinsi", ["Jawa Barat", "(provinsi belum diisi)"]),
    ],
)
def test_chart_is_a_clean_svg(client, auth, data, name, labels):
    auth.login(data.pimpinan)
    response = client.get(f"/dashboard/chart/{name}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    for label in labels:
        assert label in svg, label
    assert "<script" not in svg.lower()
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


def test_unknown_chart_is_404(client, auth, data):
    auth.login(data.pimpinan)
    assert client.get("/dashboard/chart/nope.svg").status_code == 404


# --- agreement-level figures at their edges ----------------------------------------------------


def active_on(documents, today: date) -> int:
    return sum(1 for doc in documents if doc.ends_on is None or doc.ends_on >= today)


@pytest.fixture
def edges(data):
    """Documents at the edges of "active" and "this year", led by Bappeda (``other_agency``):

    - a5 (kesepakatan): MoUs ending today, yesterday and never; PKS the same; transactions on
      1 January 2025 (Rp 100.000) and 31 December 2024 (Rp 200.000)
    - a6 (selesai) and a7 (batal): an active MoU and PKS each, which never count; a6 has a
      2025 transaction (Rp 400.000), which does
    - Kabupaten Malang: an active PKS and a 2025 transaction, never seen from Blitar
    """
    w = data
    yesterday = TODAY - timedelta(days=1)
    a5 = factories.make_agreement(w.gov, w.other_agency, title="Batas masa berlaku")
    for ends_on in (TODAY, yesterday, None):
        mou = factories.make_mou(a5, signed_on=date(2024, 1, 2), ends_on=ends_on)
        factories.make_pks(a5, mou, signed_on=date(2024, 2, 1), ends_on=ends_on)
    pks5 = a5.pks_list[0]
    factories.make_transaction(a5, pks5, transacted_on=date(2025, 1, 1), value_rp=100_000)
    factories.make_transaction(a5, pks5, transacted_on=date(2024, 12, 31), value_rp=200_000)
    a5.stage = Stage.KESEPAKATAN
    closed = {}
    for stage in (Stage.SELESAI, Stage.BATAL):
        agreement = factories.make_agreement(w.gov, w.other_agency, title=f"Tertutup {stage}")
        mou = factories.make_mou(agreement, ends_on=TODAY + timedelta(days=30))
        factories.make_pks(agreement, mou, ends_on=TODAY + timedelta(days=40))
        agreement.stage = stage
        closed[stage] = agreement
    factories.make_transaction(
        closed[Stage.SELESAI],
        closed[Stage.SELESAI].pks_list[0],
        transacted_on=date(2025, 3, 1),
        value_rp=400_000,
    )
    closed[Stage.SELESAI].stage = Stage.SELESAI  # a transaction moves it to pelaksanaan
    foreign_pks = factories.make_pks(w.other_agreement, w.other_mou, ends_on=TODAY)
    factories.make_transaction(w.other_agreement, foreign_pks, value_rp=800_000)
    w.other_agreement.stage = Stage.PKS
    db.session.commit()
    w.a5, w.a6, w.a7 = a5, closed[Stage.SELESAI], closed[Stage.BATAL]
    return w


def test_active_documents_and_transaction_value_at_their_edges(client, auth, edges):
    html = page(client, auth, edges.pimpinan)
    # Before: MoU 2 and PKS 1 active; a5 adds the ones ending today and those without an end.
    assert card(html, "MoU/KB aktif") == "4"
    assert card(html, "PKS aktif") == "3"
    assert card(html, "Nilai transaksi 2025") == "Rp 4.750.000"  # + 100.000 + 400.000
    assert card(html, "Selesai") == "1" and card(html, "Diakhiri/Batal") == "1"

    # Narrowed to Bappeda's agreements (a2, a4, a5, a6, a7): only a5's documents are active.
    html = client.get(f"/dashboard?agency={edges.other_agency.id}").get_data(as_text=True)
    assert card(html, "MoU/KB aktif") == "2"
    assert card(html, "PKS aktif") == "2"
    assert card(html, "Nilai transaksi 2025") == "Rp 500.000"

    # The same figures counted one by one from the records.
    agreements = [edges.agreement, edges.a2, edges.a3, edges.a4, edges.a5, edges.a6, edges.a7]
    open_ones = [a for a in agreements if a.stage not in dashboard.CLOSED_STAGES]
    assert active_on([m for a in open_ones for m in a.mous], TODAY) == 4
    assert active_on([p for a in open_ones for p in a.pks_list], TODAY) == 3

    auth.logout()
    html = page(client, auth, edges.other_admin)
    assert card(html, "PKS aktif") == "1"
    assert card(html, "Nilai transaksi 2025") == "Rp 800.000"


def test_documents_ending_soon_across_both_kinds(app, edges):
    """More documents than the list holds, in both kinds: the list is the soonest of all of
    them, whichever kind they are, from open agreements of the government only."""
    w = edges
    many = factories.make_agreement(w.gov, w.agency, title="Banyak MoU")
    for day in range(dashboard.ENDING_LIMIT):
        factories.make_mou(many, ends_on=TODAY + timedelta(days=100 + day))
    direct = factories.make_agreement(w.gov, w.agency, title="PKS langsung")
    for day in (3, 120, 170):
        factories.make_pks(direct, signed_on=date(2025, 1, 1), ends_on=TODAY + timedelta(days=day))
    late = factories.make_agreement(w.gov, w.agency, title="Lewat 180 hari")
    factories.make_mou(late, ends_on=TODAY + timedelta(days=dashboard.ENDING_WITHIN_DAYS + 1))
    db.session.commit()

    with app.test_request_context():
        ending = dashboard.ending_soon(w.pimpinan, dashboard.DashboardFilters(), TODAY)

    horizon = TODAY + timedelta(days=dashboard.ENDING_WITHIN_DAYS)
    agreements = db.session.scalars(
        select(Agreement).where(Agreement.government_id == w.gov.id)
    ).all()
    expected = sorted(
        (doc.ends_on, a.title, kind, a.id)
        for a in agreements
        if a.stage not in dashboard.CLOSED_STAGES
        for kind, docs in (("MoU/KB", a.mous), ("PKS", a.pks_list))
        for doc in docs
        if doc.ends_on is not None and TODAY <= doc.ends_on <= horizon
    )[: dashboard.ENDING_LIMIT]
    assert len(expected) == dashboard.ENDING_LIMIT
    assert [(d.ends_on, d.agreement_title, d.kind, d.agreement_id) for d in ending] == expected
    assert ending[0].days_left == 0  # a5's MoU and PKS ending today, MoU first
    assert [d.kind for d in ending[:2]] == ["MoU/KB", "PKS"]
    assert ("PKS", TODAY + timedelta(days=120)) in [(d.kind, d.ends_on) for d in ending]
    titles = {d.agreement_title for d in ending}
    assert not titles & {"Tertutup selesai", "Tertutup batal", "Lewat 180 hari"}
    assert w.other_agreement.title not in titles


def first_dates(agreement: Agreement) -> list[date | None]:
    """The first visit, MoU, PKS and transaction of ``agreement``, from its records."""
    kinds = (agreement.visits, agreement.mous, agreement.pks_list, agreement.transactions)
    return [min((m.occurred_on for m in kind), default=None) for kind in kinds]


def test_funnel_and_durations_match_the_records(app, edges):
    """An agreement without milestones, one with two MoUs, a direct PKS and milestones in
    another government: the charts' figures, counted again from the records."""
    w = edges
    factories.make_agreement(w.gov, w.agency, title="Belum ada tahap")
    two = factories.make_agreement(w.gov, w.agency, title="Dua MoU")
    factories.make_visit(two, visited_on=date(2025, 2, 1))
    factories.make_mou(two, signed_on=date(2025, 5, 1))
    factories.make_mou(two, signed_on=date(2025, 3, 1))  # the first one counts
    direct = factories.make_agreement(w.gov, w.agency, title="PKS langsung")
    factories.make_pks(direct, signed_on=date(2025, 4, 1))
    factories.make_visit(w.other_agreement, visited_on=date(2024, 1, 1))
    db.session.commit()

    with app.test_request_context():
        funnel = dashboard.funnel(w.pimpinan, dashboard.DashboardFilters())
        durations = dashboard.stage_durations(w.pimpinan, dashboard.DashboardFilters())

    agreements = db.session.scalars(
        select(Agreement).where(Agreement.government_id == w.gov.id)
    ).all()
    rows = [first_dates(a) for a in agreements]
    reached = [sum(1 for row in rows if any(row[i:])) for i in range(4)]
    assert [n for _, n in funnel] == reached == [9, 8, 6, 4]
    for i, (label, median, n) in enumerate(durations):
        gaps = [(row[i + 1] - row[i]).days for row in rows if row[i] and row[i + 1]]
        assert (label, median, n) == (
            dashboard.DURATION_STEPS[i][2],
            statistics.median(gaps),
            len(gaps),
        )
    # Visit to MoU: the world's agreement (59 days) and Dua MoU (1 February to 1 March).
    assert durations[0][1:] == (statistics.median([59, 28]), 2)


# --- the number of queries does not grow with the data ----------------------------------------


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(world, times: int) -> None:
    """``times`` more agreements, each with milestones, transactions and tasks in new
    agencies."""
    for i in range(times):
        agency = factories.make_agency(world.gov)
        partner = factories.make_partner(
            world.gov, province=f"Provinsi {i % 5}", kind=PartnerKind.PEMDA_PROVINSI
        )
        agreement = factories.make_agreement(
            world.gov, agency, partners=[partner], sectors=["pangan", "umkm"]
        )
        factories.make_visit(agreement, visited_on=date(2025, 1, 1) + timedelta(days=i))
        mou = factories.make_mou(agreement, ends_on=TODAY + timedelta(days=30 + i))
        pks = factories.make_pks(agreement, mou)
        factories.make_transaction(agreement, pks, value_rp=1000 * i)
        for k in range(3):
            factories.make_task(agreement, agency, due_on=TODAY + timedelta(days=k - 1 - i))
    db.session.commit()


def statements_for_dashboard(client) -> int:
    client.get("/dashboard")  # warm up: first-use queries of the app, not of the page
    with counted_statements() as statements:
        assert client.get("/dashboard").status_code == 200
    return len(statements)


def test_query_count_does_not_grow_with_the_data(client, auth, data):
    auth.login(data.pimpinan)
    grow(data, 2)
    small = statements_for_dashboard(client)
    grow(data, 20)
    large = statements_for_dashboard(client)
    assert small == large
    assert small < 40


# --- the filter row: the same filters as the agreements list ----------------------------------


def filter_select(html: str, name: str) -> str:
    """The options of the filter row's ``<select>`` for ``name``."""
    match = re.search(rf'<select [^>]*id="f-{name}" name="{name}">(.*?)</select>', html, re.S)
    assert match, f"no filter select {name!r}"
    return match.group(1)


def selected_options(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', options)


def option_values(options: str) -> list[str]:
    return re.findall(r'<option (?:selected )?value="([^"]*)"', options)


def test_filter_row_keeps_the_chosen_values(client, auth, data):
    query = f"?year=2024&sector=pariwisata&partner={data.partner.id}&agency={data.other_agency.id}"
    html = page(client, auth, data.pimpinan, query)
    assert selected_options(filter_select(html, "year")) == ["2024"]
    assert selected_options(filter_select(html, "sector")) == ["pariwisata"]
    assert selected_options(filter_select(html, "partner")) == [str(data.partner.id)]
    assert selected_options(filter_select(html, "agency")) == [str(data.other_agency.id)]
    labels = {"year": "Tahun", "sector": "Sektor", "partner": "Mitra", "agency": "OPD pengampu"}
    for name, label in labels.items():
        assert f'<label class="form-label small mb-1" for="f-{name}">{label}</label>' in html
    assert '<option value="">Semua tahun</option>' in html
    assert card(html, "Semua kerja sama") == "0"  # no agreement has all four
    assert ">Hapus filter</a>" in html


def test_filter_row_ignores_unknown_values(client, auth, data):
    foreign_partner = data.other_agreement.partners[0]
    query = f"?year=2019&sector=nope&partner={foreign_partner.id}&agency={data.other_agency_b.id}"
    html = page(client, auth, data.pimpinan, query)
    assert card(html, "Semua kerja sama") == "4"
    for name in ("year", "sector", "partner", "agency"):
        assert selected_options(filter_select(html, name)) == [], name
    assert ">Hapus filter</a>" not in html
    assert 'data="/dashboard/chart/corong.svg"' in html

    # The charts read the same arguments the same way.
    def sector_chart(query: str = "") -> str:
        svg = client.get("/dashboard/chart/sektor.svg" + query).get_data(as_text=True)
        return re.sub(r"chart-[0-9a-f-]{36}", "chart", svg)  # pygal's random element id

    assert sector_chart(query) == sector_chart()
    narrowed = sector_chart("?sector=pariwisata")
    assert "Pariwisata" in narrowed and "Ketahanan pangan" not in narrowed


def test_filter_choices_are_the_lists(client, auth, data):
    """One definition: the dashboard offers exactly the agreements list's options."""
    html = page(client, auth, data.pimpinan)
    listing = client.get("/agreements").get_data(as_text=True)
    for name in ("year", "sector", "partner", "agency"):
        in_list = re.search(rf'<select [^>]*name="{name}">(.*?)</select>', listing, re.S)
        assert option_values(filter_select(html, name)) == option_values(in_list.group(1))
    assert option_values(filter_select(html, "year")) == ["", "2025", "2024"]
    assert str(data.other_agency_b.id) not in option_values(filter_select(html, "agency"))


# --- the year filter on every figure; the realisation against last year -----------------------


def note(html: str, label: str) -> str:
    """The last year's line under the figure card ``label``."""
    match = re.search(
        rf'<div class="small text-muted">{re.escape(label)}</div>.*?<div class="small '
        r'text-muted" data-note>([^<]+)</div>',
        html,
        re.S,
    )
    assert match, f"no note under {label!r}"
    return match.group(1).strip()


def test_year_filter_on_every_figure(client, auth, data):
    """2024 and 2025 against the records: ``data`` has a4's visit, PKS and Rp 9.000.000 in
    2024; the world's visit, KB, PKS and two transactions (Rp 4.250.000) and a2's visit and
    a3's KB in 2025."""
    html = page(client, auth, data.pimpinan, "?year=2024")
    assert card(html, "Nilai transaksi 2024") == "Rp 9.000.000"
    assert note(html, "Nilai transaksi 2024") == "2023: Rp 0 (naik Rp 9.000.000)"
    assert card(html, "Jumlah transaksi 2024") == "1"
    assert card(html, "Kunjungan kerja 2024") == "1"
    assert card(html, "KB/MoU ditandatangani 2024") == "0"
    assert card(html, "PKS ditandatangani 2024") == "1"
    assert card(html, "Semua kerja sama") == "1"
    assert card(html, "Pelaksanaan") == "1"
    assert card(html, "Tugas terbuka") == "0"  # a4 has no tasks
    assert "Realisasi 2024 dibanding 2023" in html
    assert "Nilai transaksi 2025" not in html

    html = client.get("/dashboard?year=2025").get_data(as_text=True)
    assert card(html, "Nilai transaksi 2025") == "Rp 4.250.000"
    assert note(html, "Nilai transaksi 2025") == "2024: Rp 9.000.000 (turun Rp 4.750.000)"
    assert card(html, "Jumlah transaksi 2025") == "2"
    assert note(html, "Jumlah transaksi 2025") == "2024: 1 (naik 1)"
    assert card(html, "Kunjungan kerja 2025") == "2"
    assert card(html, "KB/MoU ditandatangani 2025") == "2"
    assert card(html, "PKS ditandatangani 2025") == "1"
    assert card(html, "Realisasi kegiatan 2025") == "0"
    assert card(html, "Semua kerja sama") == "3"
    assert card(html, "Tugas terbuka") == "4"
    # The charts follow the year too.
    assert 'data="/dashboard/chart/corong.svg?year=2025"' in html
    svg = client.get("/dashboard/chart/sektor.svg?year=2024").get_data(as_text=True)
    assert "Pariwisata" not in svg and "Ketahanan pangan" in svg

    # Without a year: this year's (2025) against 2024.
    html = client.get("/dashboard").get_data(as_text=True)
    assert card(html, "Nilai transaksi 2025") == "Rp 4.250.000"


def test_realisation_counts_what_the_pdf_report_counts(app, data):
    """One definition of "visits, KB and PKS in a period" for the dashboard and the PDF."""
    for year in (2024, 2025):
        start, end = date(year, 1, 1), date(year, 12, 31)
        counts = dashboard.period_counts(data.pimpinan, dashboard.DashboardFilters(), start, end)
        report = pdf_report.collect(data.pimpinan, start, end, TODAY)
        assert (counts.visits, counts.mous, counts.pks) == (
            report.milestone_counts["visit"],
            report.milestone_counts["mou"],
            report.milestone_counts["pks"],
        )
        assert (counts.transactions, counts.transaction_value) == (
            report.transaction_count,
            report.transaction_value,
        )


def test_filter_button_counts_the_active_filters(client, auth, data):
    html = page(client, auth, data.pimpinan)
    assert 'data-bs-target="#dashboard-filters"' in html
    assert 'id="dashboard-filters" class="collapse' in html
    assert "data-active-filters" not in html
    html = client.get("/dashboard?year=2025&sector=pangan").get_data(as_text=True)
    assert re.search(r"<span [^>]*data-active-filters>2 aktif</span>", html)


# --- charts that read on a phone and link to their records ------------------------------------


def y_ticks(svg: str) -> list[str]:
    """The value axis's tick labels (pygal's ``axis y`` / ``axis x`` of a horizontal bar)."""
    return re.findall(r'<g class="guides">.*?<text[^>]*>([^<]*)</text>', svg, re.S)


def test_count_charts_have_whole_ticks_and_zeroes_labelled(client, auth, data):
    auth.login(data.pimpinan)
    for name in ("corong", "sektor", "provinsi", "opd"):
        svg = client.get(f"/dashboard/chart/{name}.svg").get_data(as_text=True)
        ticks = [t for t in y_ticks(svg) if re.fullmatch(r"[\d.,]+", t)]
        assert ticks, name
        assert all(re.fullmatch(r"\d+", t) for t in ticks), (name, ticks)
    # Bappeda has one open task not yet due (Kajian wisata): it is drawn, not left empty.
    svg = client.get("/dashboard/chart/opd.svg").get_data(as_text=True)
    assert "Belum jatuh tempo" in svg
    assert f'href="/tasks?agency={data.other_agency.id}"' in svg
    assert f'href="/tasks?agency={data.agency.id}&amp;status=terlambat"' in svg
    assert 'target="_top"' in svg
    # The sector bars open the list of that sector.
    svg = client.get("/dashboard/chart/sektor.svg").get_data(as_text=True)
    assert 'href="/agreements?sector=pariwisata"' in svg
    # Fonts of at least 15 units on a 420-unit-wide chart: 12 px and more on a phone.
    assert re.search(r'width="420"|viewBox="0 0 420 ', svg)
    sizes = {int(n) for n in re.findall(r"font-size:\s*(\d+)px", svg)}
    assert sizes and min(sizes) >= 15, sizes


def test_median_chart_draws_zero_day_gaps(client, auth, world, app):
    """A visit and a KB on one day: a median of 0 days, labelled, with whole ticks."""
    app.config["KERJASAMA_NOW"] = NOW.isoformat()
    same_day = factories.make_agreement(world.gov, world.agency, title="Sehari jadi")
    factories.make_visit(same_day, visited_on=date(2025, 3, 3))
    factories.make_mou(same_day, signed_on=date(2025, 3, 3))
    db.session.commit()
    auth.login(world.pimpinan)
    svg = client.get(f"/dashboard/chart/durasi.svg?agency={world.agency.id}")
    svg = svg.get_data(as_text=True)
    assert "Belum ada data" not in svg
    assert "0 hari (n=" in svg
    ticks = [t for t in y_ticks(svg) if re.fullmatch(r"[\d.,]+", t)]
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
