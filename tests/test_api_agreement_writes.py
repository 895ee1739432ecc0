"""Contract tests of the agreement writes: POST/PATCH agreements, POST status, and steps
(POST/PATCH/DELETE milestones) through the web's own forms and services: the same rules and
messages as the pages, the version rules (428/409), roles and tenants."""

from __future__ import annotations

import pytest

from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, Transaction, Visit
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task
from tests import factories
from tests.api_helpers import bearer, token_for


@pytest.fixture
def tokens(world):
    return {role: bearer(token_for(user)) for role, user in world.users().items()}


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- agreements -------------------------------------------------------------------------------


def test_admin_creates_an_agreement_as_the_form_does(client, world, tokens):
    body = {
        "title": "Pasokan telur ke Depok",
        "partner_ids": [world.partner.id],
        "lead_agency_id": world.agency.id,
        "sectors": ["pangan"],
    }
    response = client.post("/api/v1/agreements", json=body, headers=tokens["admin"])
    assert response.status_code == 201, response.json
    created = response.json
    assert response.headers["Location"].endswith(f"/api/v1/agreements/{created['id']}")
    assert created["stage"] == "penjajakan" and created["version"] == 1
    assert created["partner_ids"] == [world.partner.id]
    assert created["lead_agency_id"] == world.agency.id and created["sectors"] == ["pangan"]
    assert created["kind"] == "ksdd"  # the form's default
    stored = db.session.get(Agreement, created["id"])
    assert stored.government_id == world.gov.id and stored.title == "Pasokan telur ke Depok"


def test_a_refused_agreement_names_each_field_in_indonesian_and_saves_nothing(
    client, world, tokens
):
    before = _count(Agreement)
    body = {"title": "  ", "partner_ids": [], "sectors": ["bukan-sektor"]}
    response = client.post("/api/v1/agreements", json=body, headers=tokens["admin"])
    assert response.status_code == 422, response.json
    fields = response.json["error"]["fields"]
    assert "title" in fields and "partner_ids" in fields
    assert any("Sektor" in message or "salah satu" in message for message in fields["sectors"])
    assert _count(Agreement) == before


def test_another_governments_records_cannot_be_chosen(client, world, tokens):
    body = {
        "title": "Mencoba OPD tetangga",
        "partner_ids": [world.partner.id],
        "lead_agency_id": world.other_agency_b.id,
    }
    response = client.post("/api/v1/agreements", json=body, headers=tokens["admin"])
    assert response.status_code == 422
    assert "lead_agency_id" in response.json["error"]["fields"]


@pytest.mark.parametrize("role", ["opd", "pimpinan"])
def test_only_bagian_pemerintahan_creates_and_edits_agreements(client, world, tokens, role):
    body = {"title": "X", "partner_ids": [world.partner.id]}
    assert client.post("/api/v1/agreements", json=body, headers=tokens[role]).status_code == 403
    patch = {"title": "Y", "version": world.agreement.version}
    url = f"/api/v1/agreements/{world.agreement.id}"
    assert client.patch(url, json=patch, headers=tokens[role]).status_code == 403


def test_patch_changes_only_what_it_sends(client, world, tokens):
    agreement = world.agreement
    version = agreement.version
    before = (agreement.title, [p.id for p in agreement.partners], agreement.lead_agency_id)
    url = f"/api/v1/agreements/{agreement.id}"
    response = client.patch(
        url,
        json={"commodities": "telur ayam", "version": agreement.version},
        headers=tokens["admin"],
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["commodities"] == "telur ayam" and body["version"] == version + 1
    assert (body["title"], body["partner_ids"], body["lead_agency_id"]) == before


def test_null_empties_a_field_and_a_required_one_is_refused(client, world, tokens):
    agreement = world.agreement
    agreement.commodities = "beras"
    db.session.commit()
    url = f"/api/v1/agreements/{agreement.id}"
    body = {"commodities": None, "lead_agency_id": None, "version": agreement.version}
    emptied = client.patch(url, json=body, headers=tokens["admin"])
    assert emptied.status_code == 200, emptied.json
    assert emptied.json["commodities"] is None and emptied.json["lead_agency_id"] is None
    refused = client.patch(
        url, json={"title": None, "version": emptied.json["version"]}, headers=tokens["admin"]
    )
    assert refused.status_code == 422 and "title" in refused.json["error"]["fields"]


def test_patch_without_version_is_428_and_with_a_stale_one_409_with_the_current(
    client, world, tokens
):
    url = f"/api/v1/agreements/{world.agreement.id}"
    version = world.agreement.version
    missing = client.patch(url, json={"title": "Tanpa versi"}, headers=tokens["admin"])
    assert missing.status_code == 428 and missing.json["error"]["code"] == "version_required"
    first = client.patch(
        url, json={"title": "Judul A", "version": version}, headers=tokens["admin"]
    )
    assert first.status_code == 200
    stale = client.patch(
        url, json={"title": "Judul B", "version": version}, headers=tokens["admin"]
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "conflict"
    current = stale.json["current"]
    assert current["title"] == "Judul A" and current["version"] == version + 1
    db.session.expire_all()
    assert db.session.get(Agreement, world.agreement.id).title == "Judul A"


def test_another_governments_agreement_is_404(client, world, tokens):
    url = f"/api/v1/agreements/{world.other_agreement.id}"
    response = client.patch(url, json={"title": "X", "version": 1}, headers=tokens["admin"])
    assert response.status_code == 404


def test_bodies_that_are_not_json_objects(client, world, tokens):
    headers = tokens["admin"]
    not_json = client.post(
        "/api/v1/agreements", data="title=x", headers=headers, content_type="text/plain"
    )
    assert (
        not_json.status_code == 415 and not_json.json["error"]["code"] == "unsupported_media_type"
    )
    broken = client.post(
        "/api/v1/agreements", data="{", headers=headers, content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json["error"]["code"] == "bad_request"
    a_list = client.post("/api/v1/agreements", json=[1, 2], headers=headers)
    assert a_list.status_code == 422
    unknown = client.post(
        "/api/v1/agreements",
        json={"title": "X", "partner_ids": [world.partner.id], "colour": "red"},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"]["colour"] == ["Isian ini tidak dikenal."]


# --- status -----------------------------------------------------------------------------------


def test_status_stalls_with_a_reason_and_refuses_without(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/status"
    version = world.agreement.version
    refused = client.post(
        url, json={"action": "tunda", "version": version}, headers=tokens["admin"]
    )
    assert refused.status_code == 422
    assert "reason" in refused.json["error"]["fields"]
    done = client.post(
        url,
        json={"action": "tunda", "reason": "Menunggu APBD perubahan", "version": version},
        headers=tokens["admin"],
    )
    assert done.status_code == 200, done.json
    assert (
        done.json["stage"] == "ditunda" and done.json["stage_reason"] == "Menunggu APBD perubahan"
    )
    again = client.post(
        url,
        json={"action": "selesaikan", "reason": "x", "version": done.json["version"]},
        headers=tokens["admin"],
    )
    assert again.status_code == 422  # the lifecycle does not complete a stalled agreement
    assert "tidak dapat dilakukan" in again.json["error"]["message"]


def test_status_needs_a_version(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/status"
    response = client.post(url, json={"action": "tunda", "reason": "x"}, headers=tokens["admin"])
    assert response.status_code == 428


# --- steps ------------------------------------------------------------------------------------


def test_recording_a_mou_moves_the_stage_and_makes_its_follow_up_tasks(client, world, tokens):
    agreement = factories.make_agreement(world.gov, world.agency, partners=[world.partner])
    factories.make_visit(agreement)
    db.session.commit()
    url = f"/api/v1/agreements/{agreement.id}/milestones"
    body = {
        "kind": "mou",
        "date": "2025-08-14",
        "document_kind": "kb",
        "number_own": "119/2025",
        "starts_on": "2025-08-14",
        "ends_on": "2030-08-13",
    }
    response = client.post(url, json=body, headers=tokens["admin"])
    assert response.status_code == 201, response.json
    result = response.json
    assert result["kind"] == "mou" and result["date"] == "2025-08-14"
    assert result["stage"] == "kesepakatan" and result["agreement_id"] == agreement.id
    assert result["details"]["number_own"] == "119/2025"
    assert set(result["follow_up"]) == {"created_task_ids", "notices", "warnings"}
    tasks = db.session.scalars(db.select(Task.id).where(Task.agreement_id == agreement.id)).all()
    assert set(result["follow_up"]["created_task_ids"]) <= set(tasks)
    assert db.session.get(Agreement, agreement.id).stage == Stage.KESEPAKATAN


def test_a_refused_step_is_422_with_the_rules_message(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    body = {
        "kind": "mou",
        "date": "2025-08-14",
        "document_kind": "kb",
        "starts_on": "2025-08-14",
        "ends_on": "2024-01-01",  # before it starts
    }
    before = _count(Mou)
    response = client.post(url, json=body, headers=tokens["admin"])
    assert response.status_code == 422
    assert "ends_on" in response.json["error"]["fields"]
    assert _count(Mou) == before


def test_a_step_body_is_checked_against_its_kind(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    headers = tokens["admin"]
    unknown_kind = client.post(url, json={"kind": "party", "date": "2025-01-01"}, headers=headers)
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json["error"]["fields"]
    missing = client.post(url, json={"kind": "visit"}, headers=headers)
    assert missing.status_code == 422
    assert {"date", "place", "direction"} <= set(missing.json["error"]["fields"])
    bad_date = client.post(
        url,
        json={"kind": "visit", "date": "0001-01-01", "place": "Depok", "direction": "keluar"},
        headers=headers,
    )
    assert bad_date.status_code == 422 and "date" in bad_date.json["error"]["fields"]


def test_a_transaction_takes_its_pks_commodity_and_value(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    body = {
        "kind": "transaction",
        "date": "2025-09-01",
        "pks_id": world.pks.id,
        "commodity": "Telur ayam",
        "volume": 1250.5,
        "unit": "kg",
        "value": 1_250_000,
        "seller": "Peternak Kota Blitar",
        "buyer": "Perumda Food Station",
    }
    response = client.post(url, json=body, headers=tokens["opd"])
    assert response.status_code == 201, response.json
    details = response.json["details"]
    assert details["value"] == 1_250_000 and details["pks_id"] == world.pks.id
    assert details["volume"] == "1250.50" or float(details["volume"]) == 1250.5
    stored = db.session.get(Transaction, response.json["id"])
    assert stored.value_rp == 1_250_000 and stored.commodity == "Telur ayam"


def test_an_opd_head_records_only_under_their_agencys_pks(client, world, tokens):
    other_pks = factories.make_pks(world.agreement, world.mou, agencies=[world.other_agency])
    db.session.commit()
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    body = {
        "kind": "transaction",
        "date": "2025-09-01",
        "pks_id": other_pks.id,
        "commodity": "Beras",
        "seller": "A",
        "buyer": "B",
    }
    response = client.post(url, json=body, headers=tokens["opd"])
    assert response.status_code == 422
    assert "pks_id" in response.json["error"]["fields"]
    visit = {"kind": "visit", "date": "2025-01-01", "place": "Depok", "direction": "keluar"}
    assert client.post(url, json=visit, headers=tokens["opd"]).status_code == 403


def test_patch_and_delete_a_step_with_its_version(client, world, tokens):
    visit = world.visit
    visit_id = visit.id
    url = f"/api/v1/agreements/{world.agreement.id}/milestones/visit/{visit_id}"
    headers = tokens["admin"]
    assert (
        client.patch(url, json={"place": "Gedung Graha Patria"}, headers=headers).status_code == 428
    )
    changed = client.patch(
        url, json={"place": "Gedung Graha Patria", "version": visit.version}, headers=headers
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["details"]["place"] == "Gedung Graha Patria"
    assert changed.json["date"] == visit.visited_on.isoformat()  # untouched
    stale = client.patch(url, json={"place": "Lain", "version": 1}, headers=headers)
    assert (
        stale.status_code == 409
        and stale.json["current"]["details"]["place"] == "Gedung Graha Patria"
    )
    assert client.delete(url, headers=headers).status_code == 428
    assert client.delete(url + "?version=1", headers=headers).status_code == 409
    gone = client.delete(url + f"?version={changed.json['version']}", headers=headers)
    assert gone.status_code == 204
    db.session.expire_all()
    assert db.session.get(Visit, visit_id) is None


def test_a_step_others_rest_on_is_not_deleted(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/milestones/pks/{world.pks.id}"
    response = client.delete(url + f"?version={world.pks.version}", headers=tokens["admin"])
    assert response.status_code == 422
    assert "transaksi" in response.json["error"]["message"]
    assert db.session.get(Pks, world.pks.id) is not None


def test_steps_of_another_agreement_or_government_are_404(client, world, tokens):
    headers = tokens["admin"]
    other = f"/api/v1/agreements/{world.other_agreement.id}/milestones/mou/{world.other_mou.id}"
    assert client.patch(other, json={"version": 1}, headers=headers).status_code == 404
    crossed = f"/api/v1/agreements/{world.agreement.id}/milestones/mou/{world.other_mou.id}"
    assert client.delete(crossed + "?version=1", headers=headers).status_code == 404
    unknown = f"/api/v1/agreements/{world.agreement.id}/milestones/party/1"
    assert client.delete(unknown + "?version=1", headers=headers).status_code == 404


def test_a_closed_agreement_takes_no_step(client, world, tokens):
    world.agreement.stage = Stage.BATAL
    db.session.commit()
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    body = {"kind": "visit", "date": "2025-01-01", "place": "Depok", "direction": "keluar"}
    response = client.post(url, json=body, headers=tokens["admin"])
    assert response.status_code == 422 and "dibatalkan" in response.json["error"]["message"]


def test_every_step_kind_is_in_the_document(client):
    spec = client.get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/agreements/{agreement_id}/milestones"]["post"]["requestBody"]
    mapping = body["content"]["application/json"]["schema"]["discriminator"]["mapping"]
    assert {"visit", "mou", "pks", "transaction", "activity", "offer", "tkksd"} <= set(mapping)
    assert {"legal_review", "dprd", "report", "amendment"} <= set(mapping)
    transaction = spec["components"]["schemas"]["TransactionStepCreate"]
    assert {"pks_id", "commodity", "volume", "unit", "value", "seller", "buyer"} <= set(
        transaction["properties"]
    )
    pks = spec["components"]["schemas"]["PksStepCreate"]
    assert "agency_ids" in pks["properties"] and "date" in pks["required"]


def _every_kind(world) -> dict[str, dict]:
    """A body for each step kind, as an officer would fill its form: after the world's KB
    (14 August 2025) and PKS (1 September 2025), before today."""
    return {
        "offer": {"direction": "keluar", "letter_number": "005/12/2025", "date": "2025-01-06"},
        "visit": {"date": "2025-02-10", "place": "Balai Kota Depok", "direction": "keluar"},
        "tkksd": {"date": "2025-03-03", "subject": "Draf KB", "recommendation": "lanjut"},
        "legal_review": {
            "date": "2025-03-10",
            "draft": "Draf KB pangan",
            "paraf_kabag_on": "2025-03-11",
            "paraf_asisten_on": "2025-03-12",
        },
        "dprd": {"date": "2025-03-20", "request_number": "170/45/2025"},
        "mou": {"date": "2025-04-01", "document_kind": "kb", "number_own": "119/2025"},
        "pks": {
            "date": "2025-09-05",
            "title": "PKS pasokan telur",
            "mou_id": world.mou.id,
            "agency_ids": [world.agency.id],
        },
        "report": {"date": "2025-09-10", "mou_id": world.mou.id, "letter_number": "050/9"},
        "amendment": {
            "date": "2025-09-20",
            "mou_id": world.mou.id,
            "amendment_kind": "addendum",
            "number": "ADD-1",
        },
        "transaction": {
            "date": "2025-10-01",
            "pks_id": world.pks.id,
            "commodity": "Telur ayam",
            "seller": "Peternak",
            "buyer": "Food Station",
        },
        "activity": {"date": "2025-10-05", "pks_id": world.pks.id, "name": "Pelatihan"},
    }


@pytest.mark.parametrize(
    "kind",
    [
        "offer",
        "visit",
        "tkksd",
        "legal_review",
        "dprd",
        "mou",
        "pks",
        "report",
        "amendment",
        "transaction",
        "activity",
    ],
)
def test_every_step_kind_is_recorded_read_back_and_changed(client, world, tokens, kind):
    """Each kind through its page's form: recorded (201), read back in the agreement's steps
    under the names a body uses, then changed with those same names."""
    url = f"/api/v1/agreements/{world.agreement.id}/milestones"
    body = {"kind": kind, **_every_kind(world)[kind]}
    created = client.post(url, json=body, headers=tokens["admin"])
    assert created.status_code == 201, created.json
    step = created.json
    assert step["kind"] == kind and step["date"] == body["date"]
    for name, value in body.items():
        if name not in ("kind", "date"):
            assert step["details"][name] == value, name
    detail = client.get(f"/api/v1/agreements/{world.agreement.id}", headers=tokens["admin"])
    listed = {(m["kind"], m["id"]) for m in detail.json["milestones"]}
    assert (kind, step["id"]) in listed
    changed = client.patch(
        f"{url}/{kind}/{step['id']}",
        json={"notes": "Dicatat lewat API", "version": step["version"]},
        headers=tokens["admin"],
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["notes"] == "Dicatat lewat API"
    assert {k: v for k, v in changed.json["details"].items() if k != "notes"} == {
        k: v for k, v in step["details"].items() if k != "notes"
    }
