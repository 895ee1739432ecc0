"""The API's documentation page in a real Chromium: Swagger UI, served by the app itself under
its CSP, renders the OpenAPI 3.1 document (an older Swagger UI refuses 3.1 with "Unable to
render this definition")."""

from __future__ import annotations

import pytest

from tests import test_e2e_browser as e2e

# The harness's fixtures, made available to this module by name.
browser = e2e.browser
browsing = e2e.browsing
live_server = e2e.live_server

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_every_operation(browsing):
    from playwright.sync_api import expect

    page = browsing.page
    browsing.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("kerjasama-flow")
    for path in ("/api/v1/agreements", "/api/v1/tasks/{task_id}", "/api/v1/agencies"):
        expect(page.locator(f'.opblock-summary-path[data-path="{path}"]').first).to_be_visible()
    assert page.get_by_text("Unable to render this definition").count() == 0
    browsing.finish()
