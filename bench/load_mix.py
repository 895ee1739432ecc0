"""What one user of the load test does (``load.py``), as a browser would: log in through the
form, then a weighted mix of the agreement list, an agreement's page, the dashboard and, for
those who may, a task's status update posted through its form with the form's CSRF token.

Pure: no load-testing library here. A ``Browser`` is anything with ``get(path, name)`` and
``post(path, data, name)`` returning a ``Page`` (its status after redirects, and its text):
locust's HTTP client in ``load.py``, Flask's test client in ``tests/test_bench_load.py``.

Task updates never collide: the users of one government share out its tasks by id (``slot``
of ``slots``), so that no two users post the same task, and an update is checked by the
message it flashes; a version conflict would be an error.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Protocol

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
AGREEMENT_LINK = re.compile(r'href="/agreements/(\d+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)[?"]')
SELECTED_STATUS = re.compile(r'<option selected value="(\w+)">|<option value="(\w+)" selected>')
LOGGED_IN = 'action="/logout"'
SAVED = "Status tugas diperbarui."
# open <-> in_progress: a status change that starts no playbook and needs no note.
TOGGLE = {"open": "in_progress", "in_progress": "open"}
TASK_PAGES = 3  # pages of the task list read to find one's share of the tasks

# Weights of the actions, by role; pimpinan read only.
MIX = {
    "admin": {"agreement list": 3, "agreement page": 4, "dashboard": 2, "task update": 2},
    "opd": {"agreement list": 3, "agreement page": 3, "dashboard": 2, "task update": 2},
    "pimpinan": {"agreement list": 3, "agreement page": 4, "dashboard": 3},
}


class Page(Protocol):
    status: int
    text: str


class Browser(Protocol):
    def get(self, path: str, name: str) -> Page: ...

    def post(self, path: str, data: dict, name: str) -> Page: ...


class Failed(Exception):
    """A page that did not answer as a browser expects (status, or content)."""


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise Failed("no CSRF token in the form")
    return match.group(1)


def ids(pattern: re.Pattern, html: str) -> list[int]:
    return list(dict.fromkeys(int(found) for found in pattern.findall(html)))


def selected_status(html: str) -> str | None:
    match = SELECTED_STATUS.search(html)
    return (match.group(1) or match.group(2)) if match else None


@dataclass
class Account:
    email: str
    role: str  # admin, opd, pimpinan
    government: str


@dataclass
class Visitor:
    """One user: an account, and its share (``slot`` of ``slots``) of its government's tasks."""

    account: Account
    slot: int = 0
    slots: int = 1
    rng: random.Random = field(default_factory=random.Random)
    agreements: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)

    def login(self, browser: Browser, password: str) -> None:
        form = expect(browser.get("/login", "login form"))
        page = expect(
            browser.post(
                "/login",
                {
                    "csrf_token": csrf_token(form.text),
                    "email": self.account.email,
                    "password": password,
                },
                "login",
            )
        )
        if LOGGED_IN not in page.text:
            raise Failed(f"{self.account.email} not logged in")

    def discover(self, browser: Browser) -> None:
        """The agreements this user sees, and its share of the tasks it may update."""
        page = expect(browser.get("/agreements", "agreement list"))
        self.agreements = ids(AGREEMENT_LINK, page.text)
        if "task update" not in MIX[self.account.role]:
            return
        query = "status=open&" if self.account.role == "admin" else ""
        for number in range(1, TASK_PAGES + 1):
            page = expect(browser.get(f"/tasks?{query}page={number}", "task list"))
            found = ids(TASK_LINK, page.text)
            self.tasks += [task for task in found if task % self.slots == self.slot]
            if not found:
                break

    def step(self, browser: Browser) -> str:
        """One action of the mix, chosen by weight; its name."""
        weights = MIX[self.account.role]
        action = self.rng.choices(list(weights), list(weights.values()))[0]
        if action == "task update" and not self.tasks:
            action = "agreement list"
        if action == "agreement page" and not self.agreements:
            action = "agreement list"
        if action == "agreement list":
            page = expect(browser.get("/agreements", action))
            self.agreements = ids(AGREEMENT_LINK, page.text) or self.agreements
        elif action == "agreement page":
            expect(browser.get(f"/agreements/{self.rng.choice(self.agreements)}", action))
        elif action == "dashboard":
            expect(browser.get("/dashboard", action))
        else:
            self.update_task(browser, self.rng.choice(self.tasks))
        return action

    def update_task(self, browser: Browser, task_id: int) -> None:
        """Open the task's page, then post its status form: open <-> in progress."""
        page = expect(browser.get(f"/tasks/{task_id}", "task page"))
        status = selected_status(page.text)
        if status not in TOGGLE:  # closed meanwhile (its agreement ended): not ours any more
            self.tasks.remove(task_id)
            return
        version = VERSION.search(page.text)
        if version is None:
            raise Failed(f"no status form on task {task_id}")
        saved = expect(
            browser.post(
                f"/tasks/{task_id}/status",
                {
                    "csrf_token": csrf_token(page.text),
                    "status": TOGGLE[status],
                    "note": "",
                    "version": version.group(1),
                    "next": "",
                },
                "task update",
            )
        )
        if SAVED not in saved.text:
            raise Failed(f"task {task_id}: status not saved")


def expect(page: Page) -> Page:
    if page.status != 200:
        raise Failed(f"status {page.status}")
    return page


def share_out(accounts: list[Account], users: int) -> list[Visitor]:
    """``users`` visitors over the accounts (round robin), each with its slot among the
    visitors of its government."""
    visitors = []
    per_government: dict[str, int] = {}
    for number in range(users):
        account = accounts[number % len(accounts)]
        slot = per_government.get(account.government, 0)
        per_government[account.government] = slot + 1
        visitors.append(Visitor(account, slot=slot, rng=random.Random(number)))
    for visitor in visitors:
        visitor.slots = per_government[visitor.account.government]
    return visitors
