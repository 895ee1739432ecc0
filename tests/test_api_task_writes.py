"""Contract tests of POST /tasks and PATCH /tasks/{id}: the page's forms and services, the
OPD token's limits (status and note of its own agency's tasks), the version rules."""

from __future__ import annotations

import threading
import traceback
from datetime import timedelta

import pytest

from kerjasama_flow import clock
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories
from tests.api_helpers import bearer, token_for


@pytest.fixture
def tokens(world):
    return {role: bearer(token_for(user)) for role, user in world.users().items()}


def _due(days: int = 14) -> str:
    return (clock.today_in("Asia/Jakarta") + timedelta(days=days)).isoformat()


def _task_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Task))


def test_admin_creates_a_task(client, world, tokens):
    body = {
        "agreement_id": world.agreement.id,
        "title": "Menyusun draf PKS pasokan beras",
        "agency_id": world.agency.id,
        "due_on": _due(),
    }
    response = client.post("/api/v1/tasks", json=body, headers=tokens["admin"])
    assert response.status_code == 201, response.json
    task = response.json
    assert response.headers["Location"].endswith(f"/api/v1/tasks/{task['id']}")
    assert task["status"] == "open" and task["agency_id"] == world.agency.id
    assert task["agreement_id"] == world.agreement.id and task["due_on"] == body["due_on"]


def test_a_refused_task_names_its_fields_and_saves_nothing(client, world, tokens):
    before = _task_count()
    body = {
        "agreement_id": world.agreement.id,
        "title": "",
        "agency_id": world.other_agency_b.id,  # another government's
        "due_on": "2001-01-01",  # in the past
    }
    response = client.post("/api/v1/tasks", json=body, headers=tokens["admin"])
    assert response.status_code == 422
    assert {"title", "agency_id", "due_on"} <= set(response.json["error"]["fields"])
    assert _task_count() == before


def test_another_governments_agreement_is_not_found(client, world, tokens):
    body = {
        "agreement_id": world.other_agreement.id,
        "title": "X",
        "agency_id": world.agency.id,
        "due_on": _due(),
    }
    response = client.post("/api/v1/tasks", json=body, headers=tokens["admin"])
    assert response.status_code == 422
    assert "agreement_id" in response.json["error"]["fields"]


@pytest.mark.parametrize("role", ["opd", "pimpinan"])
def test_only_bagian_pemerintahan_creates_tasks(client, world, tokens, role):
    body = {"agreement_id": world.agreement.id, "title": "X", "agency_id": world.agency.id}
    assert client.post("/api/v1/tasks", json=body, headers=tokens[role]).status_code == 403


def test_opd_token_moves_its_task_to_in_progress_and_done_with_a_note(client, world, tokens):
    url = f"/api/v1/tasks/{world.task.id}"
    version = world.task.version
    started = client.patch(
        url, json={"status": "in_progress", "version": version}, headers=tokens["opd"]
    )
    assert started.status_code == 200, started.json
    assert started.json["status"] == "in_progress"
    no_note = client.patch(
        url, json={"status": "done", "version": started.json["version"]}, headers=tokens["opd"]
    )
    assert no_note.status_code == 422 and "note" in no_note.json["error"]["fields"]
    done = client.patch(
        url,
        json={"status": "done", "note": "Draf dikirim", "version": started.json["version"]},
        headers=tokens["opd"],
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["note"] == "Draf dikirim"
    assert done.json["done_at"] is not None


def test_opd_token_may_not_change_other_fields_or_cancel(client, world, tokens):
    url = f"/api/v1/tasks/{world.task.id}"
    version = world.task.version
    title = client.patch(url, json={"title": "Baru", "version": version}, headers=tokens["opd"])
    assert title.status_code == 403 and "status dan catatan" in title.json["error"]["message"]
    cancel = client.patch(
        url, json={"status": "cancelled", "version": version}, headers=tokens["opd"]
    )
    assert cancel.status_code == 422
    db.session.expire_all()
    task = db.session.get(Task, world.task.id)
    assert task.status == TaskStatus.OPEN and task.title != "Baru"


def test_opd_token_may_not_touch_another_agencys_task(client, world, tokens):
    foreign = factories.make_task(world.agreement, world.other_agency)
    db.session.commit()
    response = client.patch(
        f"/api/v1/tasks/{foreign.id}",
        json={"status": "in_progress", "version": foreign.version},
        headers=tokens["opd"],
    )
    assert response.status_code == 403


def test_opd_token_may_not_reopen_a_cancelled_task(client, world, tokens):
    world.task.status = TaskStatus.CANCELLED
    db.session.commit()
    response = client.patch(
        f"/api/v1/tasks/{world.task.id}",
        json={"status": "open", "version": world.task.version},
        headers=tokens["opd"],
    )
    assert response.status_code == 422
    assert "Bagian Pemerintahan" in response.json["error"]["message"]


def test_admin_changes_data_and_status_in_one_version(client, world, tokens):
    url = f"/api/v1/tasks/{world.task.id}"
    version = world.task.version
    new_due = _due(30)
    response = client.patch(
        url,
        json={"due_on": new_due, "status": "in_progress", "version": version},
        headers=tokens["admin"],
    )
    assert response.status_code == 200, response.json
    assert response.json["due_on"] == new_due and response.json["status"] == "in_progress"
    assert response.json["title"] == world.task.title  # untouched


def test_task_patch_version_rules(client, world, tokens):
    url = f"/api/v1/tasks/{world.task.id}"
    missing = client.patch(url, json={"status": "in_progress"}, headers=tokens["opd"])
    assert missing.status_code == 428
    version = world.task.version
    client.patch(url, json={"status": "in_progress", "version": version}, headers=tokens["opd"])
    stale = client.patch(url, json={"status": "open", "version": version}, headers=tokens["admin"])
    assert stale.status_code == 409
    assert stale.json["current"]["status"] == "in_progress"
    assert stale.json["current"]["version"] == version + 1


def test_another_governments_task_is_404(client, world, tokens):
    response = client.patch(
        f"/api/v1/tasks/{world.other_task.id}",
        json={"status": "in_progress", "version": 1},
        headers=tokens["admin"],
    )
    assert response.status_code == 404


def test_two_clients_changing_one_task_at_once_get_one_save_and_one_conflict(app, world, backend):
    """On PostgreSQL, two tokens send a change made from the same version at the same moment:
    one is saved, the other is a 409 carrying the saved one; nothing is overwritten."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrency")
    url = f"/api/v1/tasks/{world.task.id}"
    version = world.task.version
    changes = [
        (bearer(token_for(world.admin)), {"title": "Judul dari admin", "version": version}),
        (bearer(token_for(world.opd)), {"status": "in_progress", "version": version}),
    ]
    db.session.commit()
    barrier = threading.Barrier(len(changes))
    answers: list[tuple[int, dict]] = []
    failures: list[str] = []

    def send(headers: dict, body: dict) -> None:
        try:
            with app.app_context():  # this thread's own, as each request of a real server
                client = app.test_client()
                barrier.wait(timeout=10)
                response = client.patch(url, json=body, headers=headers)
                answers.append((response.status_code, response.json))
        except BaseException:  # reported below; a thread must not die silently
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=send, args=change) for change in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, "\n".join(failures)
    assert sorted(status for status, _ in answers) == [200, 409]
    saved = next(body for status, body in answers if status == 200)
    conflict = next(body for status, body in answers if status == 409)
    assert conflict["current"]["version"] == saved["version"] == version + 1
    db.session.expire_all()
    task = db.session.get(Task, world.task.id)
    # Exactly one of the two changes is in the database, the one that was answered 200.
    assert (task.title == "Judul dari admin") != (task.status == TaskStatus.IN_PROGRESS)
    assert task.version == version + 1
