"""The dashboard in a real Chromium: no console error (a CSP violation would show there), no
failed asset, and every chart image actually drawn. Reuses the browser harness of
``test_e2e_browser``."""

from __future__ import annotations

import pytest

from tests import test_e2e_browser as e2e

# The harness's fixtures, made available to this module by name.
browser = e2e.browser
browsing = e2e.browsing
live_server = e2e.live_server

pytestmark = pytest.mark.browser


def test_pimpinan_lands_on_the_dashboard_with_its_charts(browsing, live_server):
    from playwright.sync_api import expect

    page = browsing.page
    browsing.login(e2e.blitar_user(live_server, "pimpinan"))
    expect(page).to_have_url(live_server.url + "/dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor")
    expect(page.get_by_role("link", name="Dasbor", exact=True)).to_be_visible()

    charts = page.locator("img[data-chart]")
    expect(charts).to_have_count(5)
    for index in range(charts.count()):
        image = charts.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        width = image.evaluate("img => img.naturalWidth")
        assert width > 0, image.get_attribute("src")

    # A filter goes through and the charts follow it.
    page.locator("#f-sector").select_option("pangan")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state()
    assert "sector=pangan" in page.url
    src = page.locator("img[data-chart]").first.get_attribute("src")
    assert "sector=pangan" in src
    browsing.finish()
