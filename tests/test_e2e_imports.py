"""A large import in a real Chromium: the job page refreshes itself (a meta refresh, allowed
by the CSP) from "queued" to the preview, and from the confirmation to the result, while the
scheduler's work is done in between. Reuses the browser harness of ``test_e2e_browser``."""

from __future__ import annotations

import csv

import pytest

from kerjasama_flow.imports import jobs
from kerjasama_flow.imports.columns import COLUMNS
from tests import test_e2e_browser as e2e

# The harness's fixtures, made available to this module by name.
browser = e2e.browser
browsing = e2e.browsing
live_server = e2e.live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def background_imports(live_server):
    """Every file of more than 2 rows goes to the background, for this test only."""
    config = live_server.app.config
    saved = config.get("IMPORT_INLINE_ROWS")
    config["IMPORT_INLINE_ROWS"] = 2
    yield
    config["IMPORT_INLINE_ROWS"] = saved


def write_csv(path, rows: int):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in COLUMNS])
        for n in range(1, rows + 1):
            values = {
                "Referensi": f"E2E-{n:03d}",
                "Judul": f"Kerja sama uji peramban {n}",
                "Jenis": "KSDD",
                "Mitra": "Pemerintah Kota Batam",
            }
            writer.writerow([values.get(column.header, "") for column in COLUMNS])
    return path


def test_a_background_import_from_upload_to_result(
    browsing, live_server, background_imports, tmp_path
):
    from playwright.sync_api import expect

    page = browsing.page
    heading = page.get_by_role("heading", level=1)
    browsing.login(e2e.blitar_user(live_server, "admin"))
    browsing.goto("/agreements/import")
    # The count beside "Notifikasi" also counts the overdue tasks: two more when done.
    badge = page.locator("[data-unread-count]:visible")  # the phone's bell is hidden here
    before = int(badge.inner_text()) if badge.count() else 0
    page.locator('input[type="file"]').set_input_files(str(write_csv(tmp_path / "besar.csv", 5)))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(heading).to_have_text("Memeriksa berkas")
    expect(page.get_by_role("heading", name="Menunggu pemeriksaan…")).to_be_visible()

    e2e._query(live_server, jobs.work)  # the scheduler's turn
    expect(heading).to_have_text("Pratinjau impor", timeout=15_000)  # the page reloaded itself
    page.get_by_role("button", name="Impor 5 baris").click()
    expect(heading).to_have_text("Mengimpor")

    e2e._query(live_server, jobs.work)
    expect(heading).to_have_text("Impor selesai", timeout=15_000)
    expect(page.locator("main")).to_contain_text("5 kerja sama baru")
    expect(badge).to_have_text(str(before + 2))
    browsing.finish()
