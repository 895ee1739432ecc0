"""The dashboard in a real Chromium: no console error (a CSP violation would show there), no
failed asset, every chart drawn, "Perlu perhatian" before the first chart at a desktop's and a
phone's size for pimpinan and admin, the year filter behind its button changing the money
figure, chart labels readable on a phone and a bar that opens its records. Reuses the browser
harness of ``test_e2e_browser``; screenshots land in the test's tmp_path."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import extract, func, select

from kerjasama_flow.accounts.models import Government
from kerjasama_flow.agreements.models import Agreement, Transaction
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_rupiah
from tests import test_e2e_browser as e2e

# The harness's fixtures, made available to this module by name.
browser = e2e.browser
browsing = e2e.browsing
live_server = e2e.live_server

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def test_pimpinan_lands_on_the_dashboard_with_its_charts(browsing, live_server):
    from playwright.sync_api import expect

    page = browsing.page
    browsing.login(e2e.blitar_user(live_server, "pimpinan"))
    expect(page).to_have_url(live_server.url + "/dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor")
    expect(page.get_by_role("link", name="Dasbor", exact=True)).to_be_visible()

    charts = page.locator("object[data-chart]")
    expect(charts).to_have_count(5)
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "o => o.contentDocument && o.contentDocument.querySelector('svg .plot')",
            arg=chart.element_handle(),
        )

    # A filter goes through and the charts follow it.
    page.get_by_role("button", name="Filter").click()
    page.locator("#f-sector").select_option("pangan")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state()
    assert "sector=pangan" in page.url
    data = page.locator("object[data-chart]").first.get_attribute("data")
    assert "sector=pangan" in data
    expect(page.locator("[data-active-filters]")).to_have_text("1 aktif")

    # A bar opens the records behind it, in the page (not inside the chart).
    page.goto(live_server.url + "/dashboard")
    sectors = page.locator("object[data-chart=sektor]")
    sectors.scroll_into_view_if_needed()
    page.wait_for_function(
        "o => o.contentDocument && o.contentDocument.querySelector('svg a rect')",
        arg=sectors.element_handle(),
    )
    bar = sectors.evaluate(
        "o => { const r = o.contentDocument.querySelector('svg a rect')"
        ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"
    )
    box = sectors.bounding_box()
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])
    page.wait_for_url("**/agreements?sector=*")
    browsing.finish()


def _transaction_year(live_server) -> tuple[int, int]:
    """The demo's latest year with transactions in Kota Blitar, and their value."""
    with live_server.app.app_context():
        try:
            year_of = extract("year", Transaction.transacted_on)
            row = db.session.execute(
                select(year_of, func.sum(Transaction.value_rp))
                .join(Agreement, Agreement.id == Transaction.agreement_id)
                .join(Government, Government.id == Agreement.government_id)
                .where(Government.region_code == e2e.BLITAR)
                .group_by(year_of)
                .order_by(year_of.desc())
            ).first()
            return int(row[0]), int(row[1])
        finally:
            db.session.remove()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["pimpinan", "admin"])
def test_attention_first_and_the_year_filter(browser, live_server, tmp_path, role, size):
    from playwright.sync_api import expect

    width, height = SIZES[size]
    year, value = _transaction_year(live_server)
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    context.set_default_timeout(e2e.TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    session = e2e.Browsing(page, live_server, tmp_path / f"dashboard-{role}-{size}.png")
    try:
        session.login(e2e.blitar_user(live_server, role))
        session.goto("/dashboard")
        attention = page.locator('[data-section="attention"]')
        expect(attention).to_be_visible()
        first_chart = page.locator("object[data-chart]").first
        assert attention.bounding_box()["y"] < first_chart.bounding_box()["y"]
        # The OPD accountability table is high on the page too: before the first chart.
        table = page.locator('[data-section="agencies"]')
        assert table.bounding_box()["y"] < first_chart.bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The filters wait behind one button.
        expect(page.locator("#f-year")).to_be_hidden()
        page.screenshot(path=str(tmp_path / f"dashboard-{role}-{size}-top.png"))

        # Chart labels at least 12 px wide screens and phones alike.
        first_chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "o => o.contentDocument && o.contentDocument.querySelector('svg .plot')",
            arg=first_chart.element_handle(),
        )
        smallest = first_chart.evaluate(
            "o => Math.min(...[...o.contentDocument.querySelectorAll('text')]"
            ".filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect().height))"
        )
        assert smallest >= 12, smallest

        page.get_by_role("button", name="Filter").click()
        # The filters open with an animation: act on them once it is over.
        expect(page.locator("#f-year")).to_be_visible()
        expect(page.locator(".collapsing")).to_have_count(0)
        page.locator("#f-year").select_option(str(year))
        # The click starts a navigation: wait for its address (a load-state wait right after the
        # click can still see the page before, on a busy machine).
        with page.expect_navigation(url=re.compile(rf"[?&]year={year}\b")):
            page.get_by_role("button", name="Terapkan").click()
        assert f"year={year}" in page.url
        money = page.locator(".dashboard-figure", has_text=f"Nilai transaksi {year}")
        expect(money.locator(".fs-4")).to_have_text(format_rupiah(value))
        page.screenshot(path=str(tmp_path / f"dashboard-{role}-{size}-{year}.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()
