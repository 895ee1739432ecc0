"""Every main page of every role at a desktop's 1366x900 and a phone's 390x844, in a real
Chromium (issue 13, "phones first").

For each role (admin, OPD head, pimpinan) and both sizes the test opens the role's main pages
and asserts that none scrolls sideways (``scrollWidth <= innerWidth``), that none of the tables
this part of the work owns is cut off inside its scrolling box, that no page logs a console
error (a CSP violation from the icons would), and, on a phone, that the status form of a task
page is on the first screen. A full-page screenshot of each page lands in the test's tmp_path.
Reuses the browser harness of ``test_e2e_browser``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from kerjasama_flow.extensions import db
from tests import test_e2e_browser as e2e

# The harness's fixtures, made available to this module by name.
browser = e2e.browser
live_server = e2e.live_server

pytestmark = pytest.mark.browser

DESKTOP = (1366, 900)
PHONE = (390, 844)
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LONG_NAME = "Kepala Dinas Ketahanan Pangan dan Pertanian"

# Pages whose tables belong to colleagues in issue 13 (the dashboard is being reworked, the
# settings pages and the register have their own tables): a table cut off inside its scrolling
# box there is reported in the test's output folder, not asserted here. The whole page
# scrolling sideways is asserted on every page, these included.
OTHERS_TABLES = ("dashboard", "register", "settings")

# Every scrolling box (overflow-x auto/scroll) whose content is wider than the box.
CUT_OFF_BOXES = """() => [...document.querySelectorAll('main *')]
  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
               && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)"""


@dataclass
class Visit:
    name: str
    path: str


@pytest.fixture(scope="module")
def layout_server(live_server):
    """The live demo with the public page turned on and an OPD head with a long name (the
    navigation must not wrap because of it)."""
    from kerjasama_flow.accounts import services as account_services
    from kerjasama_flow.accounts.models import User

    admin_email = e2e.blitar_user(live_server, "admin")
    opd_email = e2e.blitar_user(live_server, "opd", with_open_tasks=True)

    def prepare():
        admin = db.session.scalar(select(User).where(User.email == admin_email))
        account_services.set_public_page(admin, True)
        opd = db.session.scalar(select(User).where(User.email == opd_email))
        opd.name = LONG_NAME
        db.session.commit()

    e2e._query(live_server, prepare)
    return live_server


def _main_pages(server, role: str) -> list[Visit]:
    agreement_id, _title, _stage = e2e.blitar_dki_agreement(server)
    pages = [
        Visit("dashboard", "/dashboard"),
        Visit("agreements", "/agreements"),
        Visit("agreement", f"/agreements/{agreement_id}"),
        Visit("tasks", "/tasks"),
        Visit("notifications", "/notifications"),
        Visit("account", "/account"),
        Visit("register", "/register"),
        Visit("public", f"/publik/{e2e.BLITAR}"),
    ]
    if role == "admin":
        pages += [
            Visit("settings-agencies", "/settings/agencies"),
            Visit("settings-users", "/settings/users"),
            Visit("settings-playbooks", "/settings/playbooks"),
            Visit("settings-days-off", "/settings/days-off"),
            Visit("settings-reminders", "/settings/reminders"),
        ]
    if role == "opd":  # "Tugas Saya" is /tasks; with the finished tasks too
        pages.append(Visit("my-tasks-all", "/tasks?selesai=1"))
    else:
        pages.append(Visit("tasks-overdue", "/tasks?status=terlambat"))
    return pages


@pytest.fixture
def context_for(browser):
    contexts = []

    def open_context(size):
        width, height = size
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", timezone_id="Asia/Jakarta"
        )
        context.set_default_timeout(e2e.TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def _login(page, server, email: str) -> None:
    page.goto(server.url + "/login")
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(server.demo_password)
    form.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def _first_task_path(page, server) -> str:
    page.goto(server.url + "/tasks")
    href = page.locator('main a[href^="/tasks/"][href*="next="]').first.get_attribute("href")
    return href.split("?")[0]


@pytest.mark.parametrize("size_name", SIZES)
@pytest.mark.parametrize("role", ["admin", "opd", "pimpinan"])
def test_no_main_page_scrolls_sideways(context_for, layout_server, tmp_path, role, size_name):
    server = layout_server
    width, height = SIZES[size_name]
    page = context_for(SIZES[size_name]).new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and errors.append(f"{page.url}: {m.text}")
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.request.is_navigation_request()
            and errors.append(f"{page.url}: {r.status} for {r.url}")
        ),
    )
    _login(page, server, e2e.blitar_user(server, role, with_open_tasks=role == "opd"))

    visits = _main_pages(server, role)
    visits.append(Visit("task", _first_task_path(page, server)))
    sideways, cut_off, reported = [], [], []
    for visit in visits:
        response = page.goto(server.url + visit.path)
        assert response is not None and response.status == 200, (visit.path, response.status)
        page.screenshot(path=str(tmp_path / f"{role}-{size_name}-{visit.name}.png"), full_page=True)
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert inner_width == width
        # The dashboard is being reworked by a colleague (issue 13): its assertion stays here.
        if scroll_width > inner_width:
            sideways.append(f"{visit.path}: {scroll_width} px wide in a {inner_width} px window")
        boxes = page.evaluate(CUT_OFF_BOXES)
        if boxes and visit.name.startswith(OTHERS_TABLES):
            reported.append(f"{visit.path}: {boxes}")
        elif boxes:
            cut_off.append(f"{visit.path}: {boxes}")

        if visit.name == "task" and size_name == "phone":
            status_form = page.locator('main form[action$="/status"]')
            if role == "pimpinan":
                assert status_form.count() == 0  # pimpinan reads, never updates a task
            else:
                button = status_form.get_by_role("button", name="Simpan status")
                box = button.bounding_box()
                assert box is not None and box["y"] + box["height"] <= height, (
                    f"the status form ends at {box and box['y'] + box['height']} px, "
                    f"below the first screen ({height} px)"
                )

    (tmp_path / "others-tables.txt").write_text("\n".join(reported) + "\n")
    assert not sideways, "pages that scroll sideways:\n" + "\n".join(sideways)
    assert not cut_off, "tables cut off inside their box:\n" + "\n".join(cut_off)
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_phone_navigation_keeps_the_unread_count_and_the_long_name_in_sight(
    context_for, layout_server, tmp_path
):
    from playwright.sync_api import expect

    server = layout_server
    email = e2e.blitar_user(server, "opd", with_open_tasks=True)

    # Desktop: one row of navigation although the name is long; the menu holds it in full.
    page = context_for(DESKTOP).new_page()
    _login(page, server, email)
    navbar = page.locator("nav.navbar")
    assert navbar.bounding_box()["height"] <= 72, "the navigation wraps onto a second row"
    name = navbar.locator(".navbar-user-name")
    expect(name).to_be_visible()
    assert name.evaluate("e => e.scrollWidth > e.clientWidth"), "the long name is not cut short"
    name.click()
    expect(navbar.locator(".dropdown-menu.show")).to_contain_text(LONG_NAME)
    bell_icon = navbar.locator("#mainnav .bi-bell")
    expect(bell_icon).to_be_visible()
    assert (
        bell_icon.evaluate(  # the icon font is served and applied
            "e => getComputedStyle(e, '::before').fontFamily"
        )
        .strip('"')
        .startswith("bootstrap-icons")
    )

    # Phone: the menu is folded, the bell and its count stay next to the menu button.
    page = context_for(PHONE).new_page()
    _login(page, server, email)
    expect(page.locator("#mainnav")).to_be_hidden()
    bell = page.get_by_role("link", name=re.compile(r"^Notifikasi, \d+ perlu perhatian$"))
    expect(bell).to_be_visible()
    label = bell.get_attribute("aria-label")
    unread = int(re.search(r"\d+", label).group())
    if unread:
        expect(bell.locator("[data-unread-count]")).to_have_text(str(unread))
    toggler = page.locator(".navbar-toggler").bounding_box()
    bell_box = bell.bounding_box()
    assert abs(bell_box["y"] - toggler["y"]) < toggler["height"], "the bell is not beside the menu"
    page.screenshot(path=str(tmp_path / "phone-navigation.png"))


def test_phone_agreement_list_starts_with_the_list_and_counts_active_filters(
    context_for, layout_server, tmp_path
):
    from playwright.sync_api import expect

    server = layout_server
    _agreement_id, title, _stage = e2e.blitar_dki_agreement(server)
    page = context_for(PHONE).new_page()
    _login(page, server, e2e.blitar_user(server, "pimpinan"))

    page.goto(server.url + "/agreements?stage=pelaksanaan")
    search = page.get_by_role("search")
    toggle = page.get_by_role("button", name=re.compile("^Filter"))
    expect(search).to_be_hidden()
    expect(toggle).to_contain_text("1 aktif")
    card = page.locator("main tbody tr", has=page.get_by_role("link", name=title, exact=True))
    expect(card).to_be_visible()
    assert card.bounding_box()["y"] < PHONE[1], "the first agreement is below the first screen"
    # A card shows its stage with its column name; no header row is shown.
    expect(card.locator('td[data-label="Tahap"]')).to_be_visible()
    expect(page.locator("main thead")).not_to_be_in_viewport()
    toggle.click()
    expect(search).to_be_visible()
    expect(search.get_by_label("Tahap")).to_have_value("pelaksanaan")
    page.screenshot(path=str(tmp_path / "phone-agreements-filter-open.png"), full_page=True)

    # The desktop shows the filters as a row and no toggle.
    page = context_for(DESKTOP).new_page()
    _login(page, server, e2e.blitar_user(server, "pimpinan"))
    page.goto(server.url + "/agreements")
    expect(page.get_by_role("search")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Filter"))).to_be_hidden()
    expect(page.locator("main thead")).to_be_visible()


def test_phone_task_cards_show_deadline_and_status_without_the_opd_for_an_opd_head(
    context_for, layout_server
):
    from playwright.sync_api import expect

    server = layout_server
    page = context_for(PHONE).new_page()
    _login(page, server, e2e.blitar_user(server, "opd", with_open_tasks=True))
    page.goto(server.url + "/tasks")
    cards = page.locator("main tbody tr")
    expect(cards.first).to_be_visible()
    for index in range(cards.count()):
        card = cards.nth(index)
        for label in ("Tenggat", "Status"):
            cell = card.locator(f'td[data-label="{label}"]')
            expect(cell).to_be_in_viewport()
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
        expect(card.locator('td[data-label="OPD"]')).to_have_count(0)
    expect(page.locator("main th", has_text="OPD")).to_have_count(0)

    # The pimpinan's list keeps the OPD: tasks of every agency are listed there.
    page = context_for(PHONE).new_page()
    _login(page, server, e2e.blitar_user(server, "pimpinan"))
    page.goto(server.url + "/tasks")
    expect(page.locator('main tbody tr td[data-label="OPD"]').first).to_be_visible()


def test_agreement_page_shows_the_latest_activity_and_folds_the_rest(
    context_for, layout_server, tmp_path
):
    from playwright.sync_api import expect

    server = layout_server
    agreement_id, _title, _stage = e2e.blitar_dki_agreement(server)
    page = context_for(PHONE).new_page()
    _login(page, server, e2e.blitar_user(server, "admin"))
    page.goto(server.url + f"/agreements/{agreement_id}")
    log = page.locator("#aktivitas")
    more = log.locator("details#aktivitas-lainnya")
    expect(more).to_have_count(1)
    folded = more.locator("li.list-group-item")
    assert folded.count() > 0
    expect(folded.first).to_be_hidden()
    expect(log.locator(":scope > .card-body > ul > li.list-group-item")).to_have_count(5)
    # The tasks and the documents come before the history of steps.
    tops = {
        section: page.locator(f"#{section}").bounding_box()["y"]
        for section in ("tugas", "dokumen", "riwayat", "aktivitas")
    }
    assert tops["tugas"] < tops["dokumen"] < tops["riwayat"] < tops["aktivitas"], tops
    height_folded = page.evaluate("document.documentElement.scrollHeight")
    more.locator("summary").click()
    expect(folded.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > height_folded
    Path(tmp_path / "heights.txt").write_text(f"folded: {height_folded}\n")
