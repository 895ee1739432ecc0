"""Contract tests of the read endpoints: each role, tenant isolation, pagination, filters,
and bad parameters answered 422 in JSON (never a 500)."""

from __future__ import annotations

import pytest

from tests.api_helpers import bearer, token_for

ROLES = ("admin", "opd", "pimpinan")


@pytest.fixture
def tokens(world):
    return {role: bearer(token_for(user)) for role, user in world.users().items()}


@pytest.mark.parametrize("role", ROLES)
def test_lists_answer_the_page_envelope(client, world, tokens, role):
    for path in ("/api/v1/agencies", "/api/v1/partners", "/api/v1/agreements", "/api/v1/tasks"):
        response = client.get(path, headers=tokens[role])
        assert response.status_code == 200, (path, response.json)
        body = response.json
        assert set(body) == {"items", "total", "page", "per_page"}
        assert (body["page"], body["per_page"]) == (1, 20)
        text = response.get_data(as_text=True)
        assert world.other_agreement.title not in text and world.other_agency_b.name not in text


@pytest.mark.parametrize("role", ROLES)
def test_agreement_detail_has_stage_version_milestones_documents(client, world, tokens, role):
    response = client.get(f"/api/v1/agreements/{world.agreement.id}", headers=tokens[role])
    assert response.status_code == 200
    body = response.json
    assert body["id"] == world.agreement.id and body["stage"] == world.agreement.stage.value
    assert body["version"] == world.agreement.version
    assert body["partner_ids"] == [world.partner.id]
    kinds = {m["kind"] for m in body["milestones"]}
    assert {"visit", "mou", "pks", "transaction"} <= kinds
    pks = next(m for m in body["milestones"] if m["kind"] == "pks")
    assert pks["id"] == world.pks.id and pks["details"]["agency_ids"] == [world.agency.id]
    assert pks["date"] == world.pks.signed_on.isoformat()
    transaction = next(m for m in body["milestones"] if m["kind"] == "transaction")
    assert transaction["details"]["value"] == world.transaction.value_rp
    assert body["documents"] == []


@pytest.mark.parametrize("role", ROLES)
def test_task_detail(client, world, tokens, role):
    response = client.get(f"/api/v1/tasks/{world.task.id}", headers=tokens[role])
    assert response.status_code == 200
    body = response.json
    assert body["status"] == world.task.status.value
    assert body["due_on"] == world.task.due_on.isoformat()
    assert (body["agency_id"], body["agreement_id"]) == (world.agency.id, world.agreement.id)
    assert body["version"] == world.task.version and "closure" in body and "done_at" in body


@pytest.mark.parametrize("role", ROLES)
def test_another_governments_ids_are_404_json(client, world, tokens, role):
    for path in (
        f"/api/v1/agreements/{world.other_agreement.id}",
        f"/api/v1/tasks/{world.other_task.id}",
        "/api/v1/agreements/2147483647",
        "/api/v1/agreements/99999999999",
    ):
        response = client.get(path, headers=tokens[role])
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"
    filtered = client.get(
        f"/api/v1/agreements?partner={world.other_agreement.partners[0].id}", headers=tokens[role]
    )
    assert filtered.json["total"] == 0


def test_pagination_and_filters(client, world, tokens):
    admin = tokens["admin"]
    body = client.get("/api/v1/agencies?per_page=1&page=2", headers=admin).json
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (2, 2, 1, 1)
    stage = world.agreement.stage.value
    found = client.get(f"/api/v1/agreements?stage={stage}&q=pangan", headers=admin).json
    assert [a["id"] for a in found["items"]] == [world.agreement.id]
    other_stage = "batal" if stage != "batal" else "selesai"
    assert client.get(f"/api/v1/agreements?stage={other_stage}", headers=admin).json["total"] == 0
    by_agency = client.get(f"/api/v1/agreements?agency={world.other_agency.id}", headers=admin)
    assert by_agency.json["total"] == 0
    tasks = client.get(f"/api/v1/tasks?agreement={world.agreement.id}", headers=admin).json
    assert [t["id"] for t in tasks["items"]] == [world.task.id]
    assert client.get("/api/v1/tasks?status=done", headers=admin).json["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/agreements?page=0",
        "/api/v1/agreements?per_page=101",
        "/api/v1/agreements?page=abc",
        "/api/v1/agreements?stage=tahap",
        "/api/v1/agreements?partner=99999999999",
        "/api/v1/agreements?sector=bukan",
        "/api/v1/agreements?q=" + "x" * 201,
        "/api/v1/tasks?status=selesai",
        "/api/v1/tasks?overdue=mungkin",
    ],
)
def test_bad_parameters_are_422_field_by_field(client, world, tokens, query):
    response = client.get(query, headers=tokens["admin"])
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error" and error["fields"]
    name = query.split("?")[1].split("=")[0]
    assert list(error["fields"]) == [name]


def test_errors_are_json_for_405_404_and_nul(client, world, tokens):
    response = client.post("/api/v1/agreements/1", headers=tokens["admin"])
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    response = client.get("/api/v1/nothing-here", headers=tokens["admin"])
    assert response.status_code == 404 and response.is_json
    response = client.get("/api/v1/agreements?q=%00", headers=tokens["admin"])
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/agreements/{agreement_id}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/agreements"]["get"]["parameters"]}
    assert {"stage", "partner", "sector", "agency", "q", "page", "per_page"} <= params
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script>" not in html and "https://" not in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    asset = client.get("/api/v1/assets/swagger-ui-bundle.js")
    asset.close()  # release the file sent by ``send_file``
    assert asset.status_code == 200
