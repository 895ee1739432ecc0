"""Documents over the API: upload by role with the web's form and content checks, 415 and
413, download with its exact bytes and headers, tenant isolation, replace and delete with
their versions (428/409), and the OpenAPI description of the multipart bodies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.documents import services
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.extensions import db
from tests import factories
from tests.api_helpers import bearer, token_for
from tests.document_helpers import HTML, image_bytes, make_document, pdf_bytes

NOT_A_FILE_TYPE = "Isi berkas bukan PDF, JPG, PNG, DOCX atau XLSX"


# Each test stores its files in a folder of its own (conftest's ``own_file_store``).
pytestmark = pytest.mark.usefixtures("own_file_store")


@pytest.fixture
def tokens(world):
    return {role: bearer(token_for(user)) for role, user in world.users().items()}


def stored_files(app) -> list[Path]:
    """Every file of the documents folder, staged parts (hidden) included."""
    folder = Path(app.instance_path) / services.FOLDER
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def document_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Document))


def upload(client, agreement_id, headers, content=None, name="naskah.pdf", **fields):
    data = {"file": (io.BytesIO(content if content is not None else pdf_bytes()), name)}
    return client.post(
        f"/api/v1/agreements/{agreement_id}/documents",
        data={**data, **fields},
        headers=headers,
        content_type="multipart/form-data",
    )


# --- upload -----------------------------------------------------------------------------------


def test_admin_uploads_to_the_agreement_and_to_a_step(app, client, world, tokens):
    content = pdf_bytes("Naskah KB bertanda tangan")
    response = upload(
        client,
        world.agreement.id,
        tokens["admin"],
        content,
        name="KB Blitar-DKI.pdf",
        kind="naskah_kb",
        step=f"mou-{world.mou.id}",
        title="Naskah KB bertanda tangan",
    )
    assert response.status_code == 201, response.json
    body = response.json
    document = db.session.get(Document, body["id"])
    assert response.headers["Location"] == f"/api/v1/documents/{document.id}"
    assert body["title"] == "Naskah KB bertanda tangan" and body["kind"] == "naskah_kb"
    assert (body["milestone_kind"], body["milestone_id"]) == ("mou", world.mou.id)
    assert (body["file_name"], body["mime_type"]) == ("KB Blitar-DKI.pdf", "application/pdf")
    assert body["size_bytes"] == len(content) and body["version"] == document.version
    assert body["agreement_id"] == world.agreement.id
    assert body["file_url"] == f"/api/v1/documents/{document.id}/file"
    assert document.uploaded_by_id == world.admin.id
    assert [p.read_bytes() for p in stored_files(app)] == [content]
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "document"))
    assert entry.action == "uploaded" and entry.actor_id == world.admin.id

    # The agreement itself (no step), with no title: the file name is the title.
    response = upload(client, world.agreement.id, tokens["admin"], kind="lainnya")
    assert response.status_code == 201
    assert response.json["milestone_kind"] is None and response.json["title"] == "naskah.pdf"
    assert client.get(response.headers["Location"], headers=tokens["admin"]).json == response.json


def test_opd_uploads_proof_of_its_pks_realisation_only(app, client, world, tokens):
    photo = image_bytes("JPEG")
    step = f"transaction-{world.transaction.id}"
    response = upload(
        client,
        world.agreement.id,
        tokens["opd"],
        photo,
        "serah terima.jpg",
        kind="bukti",
        step=step,
    )
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "bukti" and response.json["mime_type"] == "image/jpeg"
    assert response.json["milestone_id"] == world.transaction.id
    # The agreement itself or its KB is Bagian Pemerintahan's, as on the web (same message);
    # another kind than proof is not offered to an OPD head.
    for fields, field in [
        ({"kind": "bukti", "step": ""}, None),
        ({"kind": "bukti", "step": f"mou-{world.mou.id}"}, None),
        ({"kind": "naskah_kb", "step": step}, "kind"),
    ]:
        response = upload(client, world.agreement.id, tokens["opd"], **fields)
        assert response.status_code == 422, fields
        error = response.json["error"]
        if field is None:
            assert error["message"] == "Anda tidak berhak mengunggah dokumen di sini."
        else:
            assert list(error["fields"]) == [field]
    assert document_count() == 1 and len(stored_files(app)) == 1


def test_who_may_not_upload_gets_403_and_nothing_is_stored(app, client, world, tokens):
    # An agreement the OPD's agency leads but where it carries out no PKS: nothing to prove
    # (the web's upload page is a 403 too); one it has no part in; and the pimpinan anywhere.
    led = factories.make_agreement(world.gov, world.agency, title="Kerja sama tanpa PKS")
    unrelated = factories.make_agreement(world.gov, world.other_agency, title="Bappeda saja")
    db.session.commit()
    for role, agreement_id in [
        ("pimpinan", world.agreement.id),
        ("opd", led.id),
        ("opd", unrelated.id),
    ]:
        response = upload(client, agreement_id, tokens[role], kind="bukti")
        assert response.status_code == 403, (role, agreement_id)
        assert response.json["error"]["code"] == "forbidden"
    assert document_count() == 0 and stored_files(app) == []


def test_a_fake_pdf_is_refused_on_its_field_and_nothing_is_kept(app, client, world, tokens):
    response = upload(
        client, world.agreement.id, tokens["admin"], HTML, "surat.pdf", kind="lainnya"
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["file"]
    assert error["fields"]["file"][0].startswith(NOT_A_FILE_TYPE)
    assert document_count() == 0 and stored_files(app) == []
    logged = select(func.count()).select_from(ActivityLog).where(ActivityLog.entity == "document")
    assert db.session.scalar(logged) == 0


def test_form_errors_are_the_web_forms(client, world, tokens):
    url = f"/api/v1/agreements/{world.agreement.id}/documents"
    response = client.post(
        url, data={"kind": "lainnya"}, headers=tokens["admin"], content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"file": ["Pilih berkas yang akan diunggah."]}
    response = upload(client, world.agreement.id, tokens["admin"], kind="rahasia", title="A\nB")
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"kind", "title"}
    assert fields["kind"] == ["Pilihan tidak tersedia. Muat ulang halaman lalu pilih lagi."]
    assert document_count() == 0


def test_a_json_body_is_415(app, client, world, tokens):
    response = client.post(
        f"/api/v1/agreements/{world.agreement.id}/documents",
        json={"kind": "lainnya", "file": "JVBERi0xLjcK"},
        headers=tokens["admin"],
    )
    assert response.status_code == 415
    error = response.json["error"]
    assert error["code"] == "unsupported_media_type" and "multipart/form-data" in error["message"]
    assert document_count() == 0 and stored_files(app) == []


def test_a_body_over_the_apps_limit_is_a_json_413(app, client, world, tokens):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n\r\n'
        + b"%PDF-1.7\n"
        + b"x" * (limit + 1)
        + b"\r\n--B--\r\n"
    )
    response = client.post(
        f"/api/v1/agreements/{world.agreement.id}/documents",
        data=body,
        headers=tokens["admin"],
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert "Permintaan lebih besar dari batas 20 MB" in response.json["error"]["message"]
    assert document_count() == 0 and stored_files(app) == []


# --- reading and downloading ------------------------------------------------------------------


def test_download_returns_the_exact_bytes_and_headers_to_who_may_see_it(client, world, tokens):
    content = pdf_bytes("Notulen TKKSD")
    document = make_document(
        world.admin, world.agreement, name="Notulen TKKSD.pdf", content=content
    )
    outsider = factories.make_user(world.gov, factories.Role.OPD, agency=world.other_agency)
    db.session.commit()
    for role in ("admin", "opd", "pimpinan"):
        response = client.get(f"/api/v1/documents/{document.id}/file", headers=tokens[role])
        assert response.status_code == 200, role
        assert response.data == content
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="Notulen TKKSD.pdf"'
        )
        assert response.headers["Content-Length"] == str(len(content))
        response.close()
        meta = client.get(f"/api/v1/documents/{document.id}", headers=tokens[role])
        assert meta.status_code == 200
        assert meta.json["size_bytes"] == len(content) and meta.json["kind"] == "naskah_kb"
    # An OPD head whose agency has no part in the agreement: a 403, as on the web.
    stranger = bearer(token_for(outsider))
    for path in (f"/api/v1/documents/{document.id}", f"/api/v1/documents/{document.id}/file"):
        response = client.get(path, headers=stranger)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_a_file_missing_from_the_store_is_404(app, client, world, tokens):
    document = make_document(world.admin, world.agreement)
    db.session.commit()
    (Path(app.instance_path) / services.FOLDER / document.stored_name).unlink()
    response = client.get(f"/api/v1/documents/{document.id}/file", headers=tokens["admin"])
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_another_governments_document_is_404_everywhere(app, client, world, tokens):
    foreign = make_document(world.other_admin, world.other_agreement, title="Naskah Malang")
    db.session.commit()
    document_id, version = foreign.id, foreign.version
    for role in ("admin", "opd", "pimpinan"):
        headers = tokens[role]
        for method, path in [
            ("GET", f"/api/v1/documents/{document_id}"),
            ("GET", f"/api/v1/documents/{document_id}/file"),
            ("DELETE", f"/api/v1/documents/{document_id}?version={version}"),
        ]:
            response = client.open(path, method=method, headers=headers)
            expected = 403 if (role, method) == ("pimpinan", "DELETE") else 404
            assert response.status_code == expected, (role, method, path)
            assert "Naskah Malang" not in response.get_data(as_text=True)
        response = client.put(
            f"/api/v1/documents/{document_id}/file",
            data={"file": (io.BytesIO(pdf_bytes()), "x.pdf"), "version": str(version)},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == (403 if role == "pimpinan" else 404), role
        response = upload(client, world.other_agreement.id, headers, kind="lainnya")
        assert response.status_code == (403 if role == "pimpinan" else 404), role
    assert db.session.get(Document, document_id).version == version
    assert document_count() == 1


# --- deleting ---------------------------------------------------------------------------------


def test_delete_needs_the_current_version_then_the_document_is_gone(app, client, world, tokens):
    document = make_document(world.admin, world.agreement, title="Surat penawaran")
    db.session.commit()
    document_id, version = document.id, document.version
    url = f"/api/v1/documents/{document_id}"
    admin = tokens["admin"]
    listed = client.get(f"/api/v1/agreements/{world.agreement.id}", headers=admin).json
    assert [d["id"] for d in listed["documents"]] == [document_id]

    response = client.delete(url, headers=admin)
    assert response.status_code == 428 and response.json["error"]["code"] == "version_required"
    response = client.delete(f"{url}?version=satu", headers=admin)
    assert response.status_code == 422 and list(response.json["error"]["fields"]) == ["version"]
    response = client.delete(f"{url}?version={version + 1}", headers=admin)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["current"]["id"] == document_id
    assert response.json["current"]["version"] == version
    # Who may not change it: the pimpinan (role), an OPD head (not their agency's upload).
    for role in ("pimpinan", "opd"):
        response = client.delete(f"{url}?version={version}", headers=tokens[role])
        assert response.status_code == 403, role
    assert document_count() == 1 and len(stored_files(app)) == 1

    response = client.delete(f"{url}?version={version}", headers=admin)
    assert response.status_code == 204 and response.data == b""
    assert document_count() == 0 and stored_files(app) == []
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.action == "deleted"))
    assert entry.entity == "document" and entry.before["title"] == "Surat penawaran"
    assert client.get(url, headers=admin).status_code == 404
    listed = client.get(f"/api/v1/agreements/{world.agreement.id}", headers=admin).json
    assert listed["documents"] == []


def test_opd_deletes_its_own_task_proof(app, client, world, tokens):
    proof = make_document(world.opd, world.agreement, world.task, kind=DocumentKind.PROOF)
    db.session.commit()
    response = client.delete(
        f"/api/v1/documents/{proof.id}?version={proof.version}", headers=tokens["opd"]
    )
    assert response.status_code == 204
    assert document_count() == 0


# --- replacing --------------------------------------------------------------------------------


def replace(client, document_id, headers, content, name="KB final.pdf", **fields):
    return client.put(
        f"/api/v1/documents/{document_id}/file",
        data={"file": (io.BytesIO(content), name), **fields},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_replace_needs_the_version_and_checks_the_content(app, client, world, tokens):
    document = make_document(world.admin, world.agreement, title="Naskah KB")
    db.session.commit()
    document_id, version, old_name = document.id, document.version, document.stored_name
    admin = tokens["admin"]
    signed = pdf_bytes("Naskah KB bertanda tangan")

    response = replace(client, document_id, admin, signed)
    assert response.status_code == 428
    response = replace(client, document_id, admin, signed, version="v1")
    assert response.status_code == 422 and list(response.json["error"]["fields"]) == ["version"]
    response = replace(client, document_id, admin, signed, version=str(version + 1))
    assert response.status_code == 409 and response.json["current"]["version"] == version
    response = replace(client, document_id, admin, HTML, "kb.pdf", version=str(version))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["file"][0].startswith(NOT_A_FILE_TYPE)
    response = client.put(
        f"/api/v1/documents/{document_id}/file", json={"version": version}, headers=admin
    )
    assert response.status_code == 415
    response = replace(client, document_id, tokens["pimpinan"], signed, version=str(version))
    assert response.status_code == 403
    assert [p.name for p in stored_files(app)] == [old_name]

    response = replace(client, document_id, admin, signed, version=str(version))
    assert response.status_code == 200, response.json
    assert response.json["file_name"] == "KB final.pdf" and response.json["title"] == "Naskah KB"
    assert response.json["version"] == version + 1
    download = client.get(f"/api/v1/documents/{document_id}/file", headers=admin)
    assert download.data == signed
    download.close()
    assert [p.read_bytes() for p in stored_files(app)] == [signed]


# --- the OpenAPI document ---------------------------------------------------------------------


def test_the_openapi_document_describes_the_document_operations(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    operations = {
        ("post", "/api/v1/agreements/{agreement_id}/documents"): {"201", "403", "415", "422"},
        ("get", "/api/v1/documents/{document_id}"): {"200", "403", "404"},
        ("get", "/api/v1/documents/{document_id}/file"): {"200", "403", "404"},
        ("put", "/api/v1/documents/{document_id}/file"): {"200", "409", "415", "428"},
        ("delete", "/api/v1/documents/{document_id}"): {"204", "409", "422", "428"},
    }
    for (method, path), statuses in operations.items():
        operation = paths[path][method]
        assert operation["summary"] and operation["description"], (method, path)
        assert statuses <= set(operation["responses"]), (method, path)
    upload_body = paths["/api/v1/agreements/{agreement_id}/documents"]["post"]["requestBody"]
    form = upload_body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][form]
    assert schema["properties"]["file"] == {
        **schema["properties"]["file"],
        "type": "string",
        "format": "binary",
    }
    assert {"kind", "step", "title"} <= set(schema["properties"])
    download = paths["/api/v1/documents/{document_id}/file"]["get"]["responses"]["200"]
    assert {"application/pdf", "image/png", "image/jpeg"} <= set(download["content"])
    delete = paths["/api/v1/documents/{document_id}"]["delete"]
    assert [p["name"] for p in delete["parameters"]] == ["version"]
