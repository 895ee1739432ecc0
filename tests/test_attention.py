"""The "perlu perhatian" list (``reports.attention``): stalled agreements (dormant and overdue
steps of the path), the OPDs furthest behind with a nudge, KB/PKS ending soon, reports to the
Gubernur not yet sent; scoped like the dashboard, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from kerjasama_flow.agreements.models import SigningReport
from kerjasama_flow.extensions import db
from kerjasama_flow.reports import attention
from kerjasama_flow.reports.dashboard import DashboardFilters
from tests import factories
from tests.test_dashboard import TODAY, counted_statements, data, grow  # noqa: F401

ALL = DashboardFilters()


@pytest.fixture
def stuck(data):  # noqa: F811
    """``data`` plus: a KB signed in January 2025 with no PKS (dormant after 6 months, led by
    Bappeda), an overdue step of a3's path ("Susun draf PKS", completed by a PKS, due 1
    October), and DKPP's head's contact."""
    w = data
    dormant = factories.make_agreement(w.gov, w.other_agency, title="KB Depok tanpa PKS")
    factories.make_mou(dormant, signed_on=date(2025, 1, 10))
    factories.make_task(
        w.a3, w.agency, title="Susun draf PKS", due_on=date(2025, 10, 1), completed_by="pks"
    )
    w.agency.head_name = "Ir. Sri Wahyuni"
    w.agency.email = "dkpp@blitarkota.go.id"
    w.agency.phone = "0812-3456-7890"
    db.session.commit()
    w.dormant = dormant
    return w


def collect(user, filters=ALL):
    return attention.attention(user, filters, TODAY, "Asia/Jakarta")


def test_stalled_agreements_dormant_and_overdue_steps(app, stuck):
    found = collect(stuck.pimpinan).stalled
    assert [item.agreement_id for item in found] == [stuck.dormant.id, stuck.a3.id]
    dormant, a3 = found
    assert dormant.reasons == (
        "Kesepakatan Bersama ditandatangani 10 Januari 2025 belum diikuti PKS setelah 6 bulan.",
    )
    assert dormant.waiting_since == date(2025, 1, 10)
    assert a3.reasons == ("Langkah “Susun draf PKS” lewat tenggat 16 hari.",)
    assert a3.overdue_steps == 1
    # The world's overdue task is not a step of the path (nothing completes it): not stalled.
    assert stuck.agreement.id not in {item.agreement_id for item in found}

    # The government's setting decides when a KB is dormant.
    stuck.gov.settings = {"dormant_kb_months": 12}
    db.session.commit()
    assert [item.agreement_id for item in collect(stuck.pimpinan).stalled] == [stuck.a3.id]


def test_lagging_agencies_with_a_nudge(app, stuck):
    agencies = collect(stuck.pimpinan).agencies
    assert [a.code for a in agencies] == ["DKPP"]  # Bappeda has nothing overdue
    dkpp = agencies[0]
    assert (dkpp.overdue, dkpp.head_name, dkpp.phone) == (3, "Ir. Sri Wahyuni", "6281234567890")
    url = "http://kerjasama.example/tasks?agency=1&status=terlambat"
    wa = attention.whatsapp_nudge_url(dkpp, url)
    assert wa.startswith("https://wa.me/6281234567890?text=")
    text = unquote(wa.split("?text=", 1)[1])
    assert text.startswith("Yth. Ir. Sri Wahyuni,")
    assert "3 tugas tindak lanjut kerja sama daerah yang lewat tenggat" in text
    assert url in text
    mail = urlsplit(attention.email_nudge_url(dkpp, url))
    assert mail.scheme == "mailto" and mail.path == "dkpp@blitarkota.go.id"
    assert parse_qs(mail.query)["subject"] == [attention.NUDGE_SUBJECT]


def test_unreported_documents_until_a_report_is_recorded(app, stuck):
    found = collect(stuck.pimpinan).unreported
    assert [(d.kind, d.agreement_title, d.signed_on) for d in found] == [
        ("KB/MoU", "KB Depok tanpa PKS", date(2025, 1, 10)),
        ("KB/MoU", "Pasokan pangan ke DKI", date(2025, 8, 14)),
        ("KB/MoU", "Kesepakatan beras Kediri", date(2025, 9, 1)),
        ("PKS", "Pasokan pangan ke DKI", date(2025, 9, 1)),
    ]
    assert found[0].recipient == "Gubernur"
    assert found[-1].label == "PKS “PKS uji”"
    # a4's PKS ended in June 2025: nothing to report any more.
    assert "Kerja sama lama 2024" not in {d.agreement_title for d in found}

    db.session.add(
        SigningReport(
            agreement=stuck.agreement, mou=stuck.mou, sent_on=date(2025, 8, 20), recipient="Gub"
        )
    )
    db.session.commit()
    titles = [(d.kind, d.agreement_title) for d in collect(stuck.pimpinan).unreported]
    assert ("KB/MoU", "Pasokan pangan ke DKI") not in titles
    assert ("PKS", "Pasokan pangan ke DKI") in titles


def test_ending_soon_is_the_dashboards(app, stuck):
    ending = collect(stuck.pimpinan).ending
    assert [(d.agreement_title, d.days_left) for d in ending][0] == (
        "Kesepakatan beras Kediri",
        90,
    )


def test_opd_head_sees_their_agencys_items_only(app, stuck):
    found = collect(stuck.opd)
    # DKPP leads a3 (its step is DKPP's) but has no part in Bappeda's dormant KB.
    assert [item.agreement_id for item in found.stalled] == [stuck.a3.id]
    assert [a.code for a in found.agencies] == ["DKPP"]
    assert "KB Depok tanpa PKS" not in {d.agreement_title for d in found.unreported}


def test_other_government_sees_none_of_it(app, stuck):
    found = collect(stuck.other_admin)
    titles = {item.title for item in found.stalled} | {
        d.agreement_title for d in found.unreported + found.ending
    }
    assert titles <= {"Pasokan ke Batam"}
    assert all(a.code != "BAPPEDA" for a in found.agencies)


def test_filters_narrow_the_list(app, stuck):
    narrowed = collect(stuck.pimpinan, DashboardFilters(agency_id=stuck.other_agency.id))
    assert [item.agreement_id for item in narrowed.stalled] == [stuck.dormant.id]
    assert {d.agreement_title for d in narrowed.unreported} == {"KB Depok tanpa PKS"}


def test_dashboard_shows_it_first_with_links(client, auth, stuck):
    auth.login(stuck.pimpinan)
    html = client.get("/dashboard").get_data(as_text=True)
    first = html.index('data-section="attention"')
    assert first < html.index('data-section="realisation"') < html.index("data-chart=")
    assert first < html.index('data-table="agencies"') < html.index("data-chart=")
    section = html[first : html.index('data-section="realisation"')]
    assert f'href="/agreements/{stuck.dormant.id}"' in section
    assert f'href="/tasks?agreement={stuck.a3.id}&amp;status=terlambat"' in section
    assert f'href="/tasks?agency={stuck.agency.id}&amp;status=terlambat"' in section
    assert 'href="https://wa.me/6281234567890?text=' in section
    assert 'href="mailto:dkpp@blitarkota.go.id?subject=' in section
    assert "belum dilaporkan kepada Gubernur" in section
    assert re.search(r"Perlu perhatian <span[^>]*>\d+</span>", section)

    # An OPD head gets their own items, without nudging themselves.
    auth.logout()
    auth.login(stuck.opd)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-section="attention"' in html
    assert "KB Depok tanpa PKS" not in html
    assert "wa.me" not in html


def test_query_count_of_the_list_is_constant(app, stuck):
    def statements() -> int:
        with counted_statements() as found:
            collect(stuck.pimpinan)
        return len(found)

    small = statements()
    grow(stuck, 15)
    assert statements() == small <= 10
