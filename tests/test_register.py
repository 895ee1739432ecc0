"""The register (Daftar Kerja Sama): a signed KB/PKS's standing, the page with its filters and
what each role sees, and the export with the same filters."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kerjasama_flow.agreements.lifecycle import Standing, standing
from kerjasama_flow.agreements.models import Agreement, Mou, Pks
from kerjasama_flow.extensions import db
from tests import factories
from tests.agreements_helpers import NOW, register_papers

TODAY = date(2025, 10, 15)


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


# --- the rule ---------------------------------------------------------------------------------


def judge(own="001/KB/2025", partner="12/DKI/2025", starts=date(2025, 8, 14), ends=None):
    return standing(
        number_own=own,
        number_partner=partner,
        starts_on=starts,
        ends_on=ends,
        today=TODAY,
        ending_soon_days=90,
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, Standing.IN_FORCE),
        ({"ends": date(2028, 8, 14)}, Standing.IN_FORCE),
        ({"partner": None}, Standing.UNREGISTERED),
        ({"own": "  "}, Standing.UNREGISTERED),
        ({"starts": date(2025, 11, 1)}, Standing.NOT_YET),
        ({"ends": date(2026, 1, 13)}, Standing.ENDING_SOON),  # 90 days left
        ({"ends": date(2026, 1, 14)}, Standing.IN_FORCE),  # 91 days left
        ({"ends": TODAY}, Standing.ENDING_SOON),  # its last day
        ({"ends": date(2025, 10, 14)}, Standing.ENDED),
        ({"ends": date(2025, 10, 14), "own": None}, Standing.ENDED),
    ],
)
def test_standing(kwargs, expected):
    assert judge(**kwargs) == expected


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def papers(world):
    """Blitar's KB with DKI (registered), a PKS of DKPP under it (the partner's number
    missing), and an older KB with Depok that ended."""
    kb, pks, old_kb, _ = register_papers(world)
    return kb, pks, old_kb


def test_the_register_lists_every_kb_and_pks_with_numbers_parties_and_standing(
    client, auth, world, papers
):
    auth.login(world.admin)
    page = client.get("/register").get_data(as_text=True)
    assert page.count("register-table") == 1
    for text in (
        "119/4/410.010/2025",
        "12/DKI/2025",
        "Pasokan telur ke Food Station",
        "Dinas KPKP Provinsi DKI Jakarta",
        world.agency.name,
        "Pertukaran data kependudukan",
        "14 Agustus 2025",
        "Berlaku",
        "Belum diregistrasi",  # the PKS lacks the partner's number
        "Berakhir",
    ):
        assert text in page, text
    own = select(func.count()).join(Agreement).where(Agreement.government_id == world.gov.id)
    count = db.session.scalar(own.select_from(Mou)) + db.session.scalar(own.select_from(Pks))
    assert count >= 3 and f"ditandatangani: {count} dokumen." in page
    assert "RAHASIA-MALANG-001" not in page  # another government's


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("?kind=pks", ["Pasokan telur ke Food Station"], ["Pertukaran data"]),
        ("?standing=berakhir", ["Pertukaran data"], ["Pasokan telur"]),
        ("?year=2020", ["Pertukaran data"], ["Pasokan telur"]),
        ("?q=027/15", ["Pasokan telur ke Food Station"], ["Pertukaran data"]),
        ("?kind=nonsense", ["Pasokan telur", "Pertukaran data"], []),  # ignored
    ],
)
def test_filters(client, auth, world, papers, query, present, absent):
    auth.login(world.admin)
    page = client.get(f"/register{query}").get_data(as_text=True)
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page.split("register-table")[-1], text


def test_an_opd_head_sees_only_the_papers_of_its_agreements(client, auth, world, papers):
    auth.login(world.opd)  # DKPP: leads the DKI agreement, no part in Depok's
    page = client.get("/register").get_data(as_text=True)
    assert "Pasokan telur ke Food Station" in page
    assert "Pertukaran data kependudukan" not in page


def test_an_empty_register_says_what_fills_it(client, auth, world):
    new_gov = factories.make_government("35.73", "Kota Malang")
    auth.login(factories.make_user(new_gov, factories.Role.PIMPINAN, email="wali@malangkota.go.id"))
    page = client.get("/register").get_data(as_text=True)
    assert "Belum ada Kesepakatan Bersama atau PKS yang dicatat" in page


def test_the_export_holds_the_filtered_register(client, auth, world, papers):
    auth.login(world.admin)
    response = client.get("/register/export.xlsx?kind=kb")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [str(v) for row in values for v in row if v is not None]
    assert "119/4/410.010/2025" in flat and "05/KB/2020" in flat
    assert "027/15/410.201/2025" not in flat
    csv_rows = list(
        csv.reader(io.StringIO(client.get("/register/export.csv").data.decode("utf-8-sig")))
    )
    assert any("027/15/410.201/2025" in row for row in csv_rows)
    assert not any("RAHASIA-MALANG-001" in row for row in csv_rows)


def test_every_role_may_open_the_register(client, auth, world, papers):
    for user in (world.admin, world.opd, world.pimpinan):
        auth.login(user)
        assert client.get("/register").status_code == 200, user.role
        auth.logout()
