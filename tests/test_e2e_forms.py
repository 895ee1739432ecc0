"""End to end in a real Chromium: the task form's assignee list follows the chosen OPD
(``static/forms.js``), and a form with two errors shows both at once.

The browser, the live server on the demo data and the console-error check are those of
``test_e2e_browser`` (see there: Debian's /usr/bin/chromium, skipped without it).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kerjasama_flow import clock
from kerjasama_flow.extensions import db
from tests import test_e2e_browser as e2e
from tests.test_e2e_browser import BLITAR, _query, blitar_dki_agreement, blitar_user

# The fixtures of ``test_e2e_browser``, used here under the same names.
browser = e2e.browser
live_server = e2e.live_server
browsing = e2e.browsing

pytestmark = pytest.mark.browser

VISIBLE_OPTIONS = (
    "select => Array.from(select.options).filter(o => !o.hidden).map(o => o.textContent.trim())"
)


def two_opds_with_heads(server) -> list[tuple[str, list[str], list[str]]]:
    """Two Kota Blitar agencies that have OPD heads: (agency label, its heads' option labels,
    the admins' option labels)."""
    from kerjasama_flow.accounts.models import Agency, Government, Role, User
    from kerjasama_flow.tasks.forms import user_label

    def pick():
        government = db.session.scalar(select(Government).where(Government.region_code == BLITAR))
        users = db.session.scalars(
            select(User)
            .where(User.government_id == government.id, User.is_active.is_(True))
            .order_by(User.name)
        ).all()
        admins = [user_label(u) for u in users if u.role == Role.ADMIN]
        heads: dict[int, list[str]] = {}
        for user in users:
            if user.role == Role.OPD and user.agency_id is not None:
                heads.setdefault(user.agency_id, []).append(user_label(user))
        assert len(heads) >= 2, "the demo needs two Blitar OPDs with a head"
        chosen = sorted(heads)[:2]
        return [
            (db.session.get(Agency, agency_id).label, heads[agency_id], admins)
            for agency_id in chosen
        ]

    return _query(server, pick)


def test_the_assignee_list_follows_the_chosen_opd(browsing, live_server):
    from playwright.sync_api import expect

    from kerjasama_flow.tasks.models import Task

    page = browsing.page
    agreement_id, _, _ = blitar_dki_agreement(live_server)
    (first, first_heads, admins), (second, second_heads, _) = two_opds_with_heads(live_server)
    browsing.login(blitar_user(live_server, "admin"))
    browsing.goto(f"/agreements/{agreement_id}/tasks/new")

    agency = page.get_by_label("OPD yang menindaklanjuti")
    assignee = page.get_by_label("Penanggung jawab")
    blank = "— tidak ditentukan —"

    agency.select_option(label=first)
    assert sorted(assignee.evaluate(VISIBLE_OPTIONS)) == sorted([blank, *admins, *first_heads])
    assignee.select_option(label=first_heads[0])

    agency.select_option(label=second)
    assert sorted(assignee.evaluate(VISIBLE_OPTIONS)) == sorted([blank, *admins, *second_heads])
    # The head of the first OPD no longer fits: the choice is cleared, not kept hidden.
    expect(assignee).to_have_value("__None")

    assignee.select_option(label=second_heads[0])
    title = "Koordinasi jadwal pengiriman (uji e2e formulir)"
    page.get_by_label("Judul tugas").fill(title)
    today = _query(live_server, lambda: clock.today_in("Asia/Jakarta"))
    page.get_by_label("Tenggat").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Tambah tugas").click()
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement_id}$"))
    expect(page.get_by_role("alert").filter(has_text=title)).to_be_visible()

    def stored():
        task = db.session.scalar(select(Task).where(Task.title == title))
        return task.agency.label, task.assignee and task.assignee.name

    agency_label, assignee_name = _query(live_server, stored)
    assert agency_label == second and second_heads[0].startswith(f"{assignee_name} (")
    browsing.finish()


def test_a_form_with_two_errors_shows_both(browsing, live_server):
    from playwright.sync_api import expect

    from kerjasama_flow.agreements.models import Mou

    page = browsing.page
    agreement_id, _, _ = blitar_dki_agreement(live_server)

    def kb_count():
        return db.session.scalar(select(func.count(Mou.id)).where(Mou.agreement_id == agreement_id))

    before = _query(live_server, kb_count)
    browsing.login(blitar_user(live_server, "admin"))
    browsing.goto(f"/agreements/{agreement_id}/milestones/mou/new")
    # No signing date, and an end before the start: both told in one round.
    page.get_by_label("Mulai berlaku").fill("2025-08-14")
    page.get_by_label("Berakhir").fill("2025-08-01")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    feedback = page.locator(".invalid-feedback")
    expect(feedback.filter(has_text="Wajib diisi.")).to_have_count(1)
    expect(
        feedback.filter(has_text="Tanggal berakhir harus sesudah tanggal mulai berlaku.")
    ).to_have_count(1)
    expect(page.get_by_role("alert").first).to_contain_text("Belum ada yang disimpan.")
    assert _query(live_server, kb_count) == before
    browsing.finish()
