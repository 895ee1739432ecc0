"""End to end in a real Chromium: the app served over HTTP, the demo data, real forms with CSRF.

Debian's /usr/bin/chromium driven by Playwright (never ``playwright install``). Without it the
tests are skipped, or fail when KERJASAMA_REQUIRE_BROWSER=1 (CI). Every page visited must
produce no console error: a Content-Security-Policy violation, a missing asset or a script
error shows up there. One screenshot per test lands in the test's tmp_path.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from kerjasama_flow import create_app
from kerjasama_flow.extensions import db
from tests.live_server import serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
BLITAR = "35.72"


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (Debian: apt-get install chromium)"
        if os.environ.get("KERJASAMA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KERJASAMA_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# --- the app, served for real -----------------------------------------------------------------


@dataclass
class LiveServer:
    app: Flask
    url: str
    demo_password: str


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a migrated SQLite file with the demo data, served by werkzeug in a thread.

    CSRF stays on: the browser submits the real forms with their tokens.
    """
    from flask_migrate import upgrade

    from kerjasama_flow.demo.seed import demo_password, seed_demo

    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.db'}",
        }
    )
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        password = demo_password(folder)
        seed_demo(password)
        db.session.commit()
    with serving(app, "e2e-server") as url:
        yield LiveServer(app, url, password)


# --- a page that records console errors -------------------------------------------------------


@dataclass
class Browsing:
    """One browser context (own cookies) on the live server, with its console errors."""

    page: object
    server: LiveServer
    screenshot_path: Path
    console_errors: list[str] = field(default_factory=list)
    shot: bool = False

    def goto(self, path: str):
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        return response

    def login(self, email: str) -> None:
        self.goto("/login")
        form = self.page.locator("form", has=self.page.locator('input[name="password"]'))
        form.locator('input[name="email"]').fill(email)
        form.locator('input[name="password"]').fill(self.server.demo_password)
        form.get_by_role("button", name="Masuk").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.locator("main").inner_text()

    def finish(self) -> None:
        """The screenshot of the test, then: no console error on any page visited."""
        self.page.screenshot(path=str(self.screenshot_path), full_page=True)
        self.shot = True
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def browsing(browser, live_server, tmp_path, request) -> Iterator[Browsing]:
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    session = Browsing(page, live_server, tmp_path / f"{request.node.name}.png")

    def on_console(message):
        # A failed sub-resource is reported with its address by on_response below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            session.console_errors.append(f"{page.url}: {message.text}")

    def on_response(response):
        # Pages are checked by the tests themselves; here: every asset a page loads must load
        # (the favicon included: base.html links the app's own).
        if response.status >= 400 and not response.request.is_navigation_request():
            session.console_errors.append(f"{page.url}: {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: session.console_errors.append(f"{page.url}: {error}"))
    try:
        yield session
    finally:
        if not session.shot:  # a failed test: keep the page it failed on
            with contextlib.suppress(Exception):  # the browser may be gone; pytest reports why
                page.screenshot(path=str(session.screenshot_path), full_page=True)
        context.close()


# --- reading the demo data (the tests pick their accounts and records from it) -----------------


def _query(server: LiveServer, fn):
    with server.app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def blitar_user(server: LiveServer, role: str, with_open_tasks: bool = False) -> str:
    from kerjasama_flow.accounts.models import Government, User
    from kerjasama_flow.tasks.models import OPEN_STATUSES, Task

    def pick():
        query = (
            select(User.email)
            .join(Government, User.government_id == Government.id)
            .where(Government.region_code == BLITAR, User.role == role, User.is_active)
            .order_by(User.id)
        )
        if with_open_tasks:
            query = query.where(
                select(Task.id)
                .where(Task.agency_id == User.agency_id, Task.status.in_(OPEN_STATUSES))
                .exists()
            )
        email = db.session.scalar(query.limit(1))
        assert email, f"no {role} demo account of Kota Blitar in the demo data"
        return email

    return _query(server, pick)


def blitar_dki_agreement(server: LiveServer):
    """(id, title, stage label) of Kota Blitar's agreement with Pemprov DKI Jakarta."""
    from kerjasama_flow.accounts.models import Government
    from kerjasama_flow.agreements.models import Agreement, Partner

    def pick():
        agreement = db.session.scalar(
            select(Agreement)
            .join(Government, Agreement.government_id == Government.id)
            .where(
                Government.region_code == BLITAR,
                Agreement.partners.any(Partner.name.ilike("%DKI Jakarta%")),
            )
            .order_by(Agreement.id)
            .limit(1)
        )
        assert agreement is not None, "no Blitar - DKI Jakarta agreement in the demo data"
        return agreement.id, agreement.title, agreement.stage.label

    return _query(server, pick)


# --- the tests --------------------------------------------------------------------------------


def test_admin_logs_in_and_opens_the_dki_jakarta_agreement(browsing, live_server):
    from playwright.sync_api import expect

    page = browsing.page
    agreement_id, title, stage_label = blitar_dki_agreement(live_server)
    browsing.login(blitar_user(live_server, "admin"))

    # The admin lands on (or navigates to) the agreements list.
    if not page.url.rstrip("/").endswith("/agreements"):
        page.get_by_role("link", name="Kerja Sama", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/agreements/?(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kerja Sama")
    link = page.get_by_role("link", name=title, exact=True).first
    expect(link).to_be_visible()

    link.click()
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement_id}$"))
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(main).to_contain_text("DKI Jakarta")
    expect(main).to_contain_text(stage_label)
    expect(main).to_contain_text("14 Agustus 2025")
    browsing.finish()


def test_opd_marks_a_task_done_with_a_note(browsing, live_server):
    from playwright.sync_api import expect

    from kerjasama_flow.tasks.models import Task, TaskStatus

    page = browsing.page
    browsing.login(blitar_user(live_server, "opd", with_open_tasks=True))
    # An OPD head lands on "Tugas Saya".
    expect(page).to_have_url(re.compile(r"/tasks/?(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tugas Saya")
    expect(page.get_by_role("navigation").first).to_contain_text("Tugas Saya")

    # Open the first open task of the list.
    # (the task's title is the first link of its row; the page has download links too)
    task_link = page.locator("main table tbody tr").first.get_by_role("link").first
    expect(task_link).to_be_visible()
    task_link.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+(\?.*)?$"))
    task_id = int(re.search(r"/tasks/(\d+)", page.url).group(1))

    note = "Draf PKS sudah dikirim ke mitra dan disetujui (uji e2e)."
    form = page.locator("form").filter(has=page.get_by_role("button", name="Simpan status"))
    form.get_by_label("Status", exact=True).select_option(label=TaskStatus.DONE.label)
    form.get_by_label("Catatan penyelesaian").fill(note)
    form.get_by_role("button", name="Simpan status").click()

    expect(page.get_by_role("alert").filter(has_text="Status tugas diperbarui.")).to_be_visible()

    def stored():
        task = db.session.get(Task, task_id)
        return task.status, task.note, task.done_at is not None

    assert _query(live_server, stored) == (TaskStatus.DONE, note, True)
    # The task's page shows the note and the new status.
    browsing.goto(f"/tasks/{task_id}")
    expect(page.locator("main")).to_contain_text(note)
    expect(page.locator("main")).to_contain_text(TaskStatus.DONE.label)
    browsing.finish()


def test_admin_creates_an_agreement(browsing, live_server):
    from playwright.sync_api import expect

    from kerjasama_flow.agreements.models import Agreement

    page = browsing.page
    browsing.login(blitar_user(live_server, "admin"))
    browsing.goto("/agreements/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kerja sama baru")

    title = "Kerja sama pemasaran produk UMKM dengan Kota Kediri (uji e2e)"
    page.get_by_label("Judul kerja sama").fill(title)
    page.get_by_label("Jenis kerja sama").select_option(index=0)
    page.get_by_label("OPD pengampu").select_option(
        label="Dinas Perindustrian dan Perdagangan (DISPERINDAG)"
    )
    page.get_by_label("Nama mitra baru").fill("Kota Kediri")
    page.get_by_label("Jenis mitra baru").select_option(label="Pemerintah Kota")
    page.get_by_label("UMKM dan perdagangan").check()
    page.get_by_label("Komoditas").fill("kerajinan,  makanan olahan")
    page.get_by_label("Asal kerja sama (acara)").fill("Temu bisnis UMKM Jawa Timur 2026")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(re.compile(r"/agreements/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    main = page.locator("main")
    expect(main).to_contain_text("Kota Kediri")
    expect(main).to_contain_text("Penjajakan")
    agreement_id = int(page.url.rsplit("/", 1)[1])

    def stored():
        agreement = db.session.get(Agreement, agreement_id)
        return (
            agreement.title,
            agreement.lead_agency.code,
            [p.name for p in agreement.partners],
            list(agreement.sectors),
            agreement.commodities,
        )

    assert _query(live_server, stored) == (
        title,
        "DISPERINDAG",
        ["Kota Kediri"],
        ["umkm"],
        "kerajinan, makanan olahan",
    )
    browsing.finish()


def test_mou_with_end_before_start_is_refused_next_to_the_field(browsing, live_server):
    from playwright.sync_api import expect

    from kerjasama_flow.agreements.models import Mou

    page = browsing.page
    agreement_id, _, _ = blitar_dki_agreement(live_server)

    def mou_count():
        return db.session.scalar(select(func.count(Mou.id)).where(Mou.agreement_id == agreement_id))

    before = _query(live_server, mou_count)
    browsing.login(blitar_user(live_server, "admin"))
    browsing.goto(f"/agreements/{agreement_id}/milestones/mou/new")

    form = page.locator("main form")
    number = "119/123/410.010/2026"
    form.get_by_label("Nomor pihak kita").fill(number)
    form.get_by_label("Tanggal penandatanganan").fill("2026-03-02")
    form.get_by_label("Mulai berlaku").fill("2026-03-02")
    form.get_by_label("Berakhir", exact=True).fill("2025-03-02")
    form.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()

    # Still the form (not saved), the message in Indonesian next to "Berakhir".
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement_id}/milestones/mou/new"))
    ends_on = page.get_by_label("Berakhir", exact=True)
    expect(ends_on).to_have_class(re.compile(r"\bis-invalid\b"))
    feedback = ends_on.locator("xpath=..").locator(".invalid-feedback")
    expect(feedback).to_have_text("Tanggal berakhir harus sesudah tanggal mulai berlaku.")
    # The other fields are not marked, and what was typed is kept.
    expect(page.get_by_label("Mulai berlaku")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(ends_on).to_have_value("2025-03-02")
    expect(page.get_by_label("Nomor pihak kita")).to_have_value(number)
    assert _query(live_server, mou_count) == before
    browsing.finish()


def _blitar_agreement(partner_name: str, title: str):
    """A new agreement of the demo's Kota Blitar led by DKPP, with a new partner, flushed (run
    it inside ``_query``)."""
    from kerjasama_flow.accounts.models import Agency, Government, User
    from kerjasama_flow.agreements.models import Agreement, Partner, PartnerKind

    government = db.session.scalar(select(Government).where(Government.region_code == BLITAR))
    lead = db.session.scalar(
        select(Agency).where(Agency.government_id == government.id, Agency.code == "DKPP")
    )
    admin = db.session.scalar(
        select(User).where(User.government_id == government.id, User.role == "admin")
    )
    partner = Partner(government_id=government.id, name=partner_name, kind=PartnerKind.PEMDA_KOTA)
    agreement = Agreement(
        government_id=government.id,
        title=title,
        kind="ksdd",
        lead_agency=lead,
        partners=[partner],
        created_by=admin,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def test_recording_the_four_steps_closes_the_tasks_that_waited_for_them(browsing, live_server):
    """Visit, Kesepakatan Bersama, PKS and first transaction recorded through the forms: each
    step closes the generated task that waited for it, and the page says so."""
    from playwright.sync_api import expect

    from kerjasama_flow.agreements.models import Agreement
    from kerjasama_flow.agreements.services import report_recipient
    from kerjasama_flow.tasks.models import Task, TaskStatus

    def make_agreement():
        agreement = _blitar_agreement(
            "Kota Kediri (uji e2e)", "Pasokan telur ke Kota Kediri (uji e2e)"
        )
        db.session.commit()
        return agreement.id

    agreement_id = _query(live_server, make_agreement)
    page = browsing.page
    browsing.login(blitar_user(live_server, "admin"))
    tasks = page.locator("#tugas")

    def record(kind: str, fill) -> None:
        browsing.goto(f"/agreements/{agreement_id}/milestones/{kind}/new")
        form = page.locator("main form")
        fill(form)
        form.get_by_role("button", name="Simpan").click()
        page.wait_for_load_state()
        expect(page).to_have_url(re.compile(rf"/agreements/{agreement_id}(#riwayat)?$"))

    def row(title: str):
        return tasks.locator("tr", has=page.get_by_role("link", name=title, exact=True))

    def visit(form):
        form.get_by_label("Tanggal kunjungan").fill("2026-11-02")
        form.get_by_label("Tempat").fill("Balai Kota Kediri")

    record("visit", visit)
    expect(row("Susun draf Kesepakatan Bersama")).to_contain_text("Belum dikerjakan")

    def kb(form):
        form.get_by_label("Tanggal penandatanganan").fill("2026-11-09")
        form.get_by_label("Mulai berlaku").fill("2026-11-09")
        form.get_by_label("Berakhir", exact=True).fill("2029-11-08")

    record("mou", kb)
    expect(page.locator(".alert-success")).to_contain_text("1 tugas selesai otomatis")
    expect(row("Susun draf Kesepakatan Bersama")).to_contain_text(
        "Selesai otomatis: Kesepakatan Bersama dicatat 9 November 2026"
    )
    expect(row("Susun draf PKS")).to_contain_text("Belum dikerjakan")

    def pks(form):
        form.get_by_label("Judul PKS").fill("PKS pasokan telur ke Kota Kediri")
        form.get_by_label("Tanggal penandatanganan").fill("2026-11-16")
        form.get_by_label("Mulai berlaku").fill("2026-11-16")
        form.get_by_label("Berakhir", exact=True).fill("2027-11-15")

    record("pks", pks)
    expect(row("Susun draf PKS")).to_contain_text("Selesai otomatis: PKS dicatat 16 November 2026")

    def transaction(form):
        form.get_by_label("Tanggal transaksi").fill("2026-11-23")
        form.get_by_label("Pembeli").fill("Perumda Pasar Kota Kediri")
        form.get_by_label("Penjual").fill("Peternak ayam petelur Kota Blitar")
        form.get_by_label("Komoditas").fill("Telur ayam")
        form.get_by_label("Nilai (Rp)").fill("12.500.000")

    record("transaction", transaction)
    expect(row("Realisasi transaksi perdana")).to_contain_text(
        "Selesai otomatis: Transaksi dicatat 23 November 2026"
    )

    def still_open():
        return sorted(
            (task.title, task.completed_by)
            for task in db.session.scalars(
                select(Task).where(
                    Task.agreement_id == agreement_id,
                    Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)),
                )
            )
        )

    # The reports to the Gubernur, recorded from the "Catat lainnya" menu, close theirs: the
    # KB's report its task, the PKS's report the other.
    recipient = _query(
        live_server, lambda: report_recipient(db.session.get(Agreement, agreement_id).government)
    )
    kb_task = f"Laporkan penandatanganan Kesepakatan Bersama kepada {recipient}"
    pks_task = f"Laporkan penandatanganan PKS kepada {recipient}"
    expect(row(kb_task)).to_contain_text("Belum dikerjakan")
    expect(row(pks_task)).to_contain_text("Belum dikerjakan")

    def report(choose) -> None:
        page.get_by_role("button", name="Catat lainnya").click()
        page.get_by_role("link", name="Catat pelaporan kepada Gubernur/Mendagri").click()
        form = page.locator("main form")
        expect(form.get_by_label("Kepada")).to_have_value(recipient)
        choose(form)
        form.get_by_label("Tanggal surat laporan").fill("2026-11-24")
        form.get_by_role("button", name="Simpan").click()
        page.wait_for_load_state()

    # The form offers the latest document not reported yet: the PKS, then the KB.
    def chosen(form, label: str):
        return form.get_by_label(label, exact=True).locator("option:checked")

    report(lambda form: expect(chosen(form, "atau PKS")).to_contain_text("PKS pasokan"))
    expect(row(pks_task)).to_contain_text("Selesai otomatis: Pelaporan dicatat 24 November 2026")
    expect(row(kb_task)).to_contain_text("Belum dikerjakan")
    report(lambda form: expect(chosen(form, "atau PKS")).to_have_text("— bukan PKS —"))
    expect(row(kb_task)).to_contain_text("Selesai otomatis: Pelaporan dicatat 24 November 2026")
    expect(page.locator("#riwayat")).to_contain_text(f"Pelaporan kepada {recipient}")

    # What is still open is what people close themselves, or waits for the first monev.
    open_tasks = _query(live_server, still_open)
    assert open_tasks and all(by in (None, "evaluation") for _, by in open_tasks)
    browsing.finish()


def test_stalling_an_agreement_asks_first_then_pauses_its_tasks(browsing, live_server):
    """The stage form chooses nothing by itself; "Tunda" with a reason shows what will happen
    to the open tasks, and "Ya, terapkan" (a real form with its CSRF token) pauses them."""
    from playwright.sync_api import expect

    from kerjasama_flow import clock
    from kerjasama_flow.tasks.models import Task, TaskStatus

    def make_agreement():
        agreement = _blitar_agreement(
            "Kota Madiun (uji e2e)", "Pasokan beras ke Kota Madiun (uji e2e)"
        )
        government, lead = agreement.government, agreement.lead_agency
        for title in ("Kirim contoh beras", "Hitung kebutuhan gudang"):
            db.session.add(
                Task(
                    government_id=government.id,
                    agreement=agreement,
                    agency=lead,
                    title=title,
                    due_on=clock.today_in(government.timezone),
                )
            )
        db.session.commit()
        return agreement.id

    agreement_id = _query(live_server, make_agreement)
    page = browsing.page
    browsing.login(blitar_user(live_server, "admin"))
    browsing.goto(f"/agreements/{agreement_id}")
    action = page.get_by_label("Tindakan")
    expect(action).to_have_value("")
    action.select_option("tunda")
    page.get_by_label("Alasan").fill("Menunggu APBD perubahan")
    page.get_by_role("button", name="Lanjut ke konfirmasi").click()
    page.wait_for_load_state()

    expect(page.locator("#akibat-tugas")).to_have_text(
        "2 tugas terbuka akan ditunda dan tidak diingatkan sampai kerja sama dilanjutkan."
    )
    expect(page.locator("#tugas-terdampak")).to_contain_text("Kirim contoh beras")
    page.get_by_role("button", name="Ya, terapkan").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement_id}$"))
    expect(page.locator(".alert-success")).to_contain_text("2 tugas terbuka ditunda")
    expect(page.locator("#tugas")).to_contain_text("Ditunda otomatis")

    def statuses():
        return set(db.session.scalars(select(Task.status).where(Task.agreement_id == agreement_id)))

    assert _query(live_server, statuses) == {TaskStatus.PAUSED}
    browsing.finish()
