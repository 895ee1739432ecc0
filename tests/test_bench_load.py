"""The load test's users (``bench/load_mix.py``) against the app itself, with real CSRF
tokens, so that ``bench/load.py`` does not rot: every page of the mix answers, the forms it
parses are where it looks for them, and its task updates are saved without conflicts."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories

spec = importlib.util.spec_from_file_location(
    "load_mix", Path(__file__).resolve().parents[1] / "bench" / "load_mix.py"
)
load_mix = sys.modules["load_mix"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_mix)


class ClientBrowser:
    """``load_mix.Browser`` over Flask's test client: redirects followed, as locust does."""

    def __init__(self, client):
        self.client = client
        self.seen: Counter[str] = Counter()

    def get(self, path: str, name: str):
        return self._page(name, self.client.get(path, follow_redirects=True))

    def post(self, path: str, data: dict, name: str):
        return self._page(name, self.client.post(path, data=data, follow_redirects=True))

    def _page(self, name, response):
        self.seen[name] += 1
        return Page(response.status_code, response.get_data(as_text=True))


@dataclass
class Page:
    status: int
    text: str


@pytest.fixture
def tasks(world):
    """Open tasks enough for the admin and the OPD head to have a share each."""
    made = [factories.make_task(world.agreement, world.agency) for _ in range(6)]
    db.session.commit()
    return made


def test_the_load_mix_runs_as_a_browser_would(app, client, world, tasks):
    app.config["WTF_CSRF_ENABLED"] = True
    accounts = [
        load_mix.Account(world.admin.email, "admin", "35.72"),
        load_mix.Account(world.opd.email, "opd", "35.72"),
        load_mix.Account(world.pimpinan.email, "pimpinan", "35.72"),
    ]
    visitors = load_mix.share_out(accounts, 3)
    assert [(v.slot, v.slots) for v in visitors] == [(0, 3), (1, 3), (2, 3)]
    before = {task.id: task.version for task in db.session.scalars(select(Task))}
    seen: Counter[str] = Counter()
    for visitor in visitors:
        browser = ClientBrowser(app.test_client())
        visitor.login(browser, factories.PASSWORD)
        visitor.discover(browser)
        assert visitor.agreements == [world.agreement.id]
        if visitor.account.role != "pimpinan":
            assert visitor.tasks  # its share of the open tasks
            assert all(task % 3 == visitor.slot for task in visitor.tasks)
            visitor.update_task(browser, visitor.tasks[0])  # raises unless saved
        for _ in range(25):
            visitor.step(browser)
        seen += browser.seen
    assert set(seen) >= {
        "login form",
        "login",
        "agreement list",
        "agreement page",
        "dashboard",
        "task list",
        "task page",
        "task update",
    }
    db.session.rollback()
    updated = {
        task.id for task in db.session.scalars(select(Task)) if task.version != before[task.id]
    }
    assert len(updated) >= 2  # the admin's and the OPD head's, never the same one twice
    statuses = {task.status for task in db.session.scalars(select(Task))}
    assert statuses <= {TaskStatus.OPEN, TaskStatus.IN_PROGRESS}


def test_a_refused_login_fails_the_user(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = load_mix.Visitor(load_mix.Account(world.admin.email, "admin", "35.72"))
    with pytest.raises(load_mix.Failed, match="not logged in"):
        visitor.login(ClientBrowser(app.test_client()), "salah-123")
