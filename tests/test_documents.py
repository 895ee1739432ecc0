"""Documents: content checks with real files of every accepted and refused type, upload to an
agreement, a step and a task, downloads across roles and governments, replace and delete with
their audit trail, and a deleted step that keeps its documents."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services as agreement_services
from kerjasama_flow.documents import services
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.uploads import identify
from tests import factories
from tests.document_helpers import (
    EXECUTABLE,
    HTML,
    FakeUpload,
    docx_bytes,
    image_bytes,
    make_document,
    pdf_bytes,
    xlsx_bytes,
    zip_bytes,
)

# Each test stores its files in a folder of its own (conftest's ``own_file_store``).
pytestmark = pytest.mark.usefixtures("own_file_store")


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / services.FOLDER
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []


def upload(world, name, content, **data):
    return services.upload_document(
        world.admin, world.agreement, FakeUpload(name, content), {"kind": "lainnya", **data}
    )


# --- what a file is, by its content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "extension"),
    [
        ("Naskah KB.pdf", pdf_bytes, ".pdf"),
        ("foto kegiatan.jpg", lambda: image_bytes("JPEG"), ".jpg"),
        ("foto kegiatan.png", lambda: image_bytes("PNG"), ".png"),
        ("Draf PKS.docx", docx_bytes, ".docx"),
        ("Realisasi.xlsx", xlsx_bytes, ".xlsx"),
    ],
)
def test_each_accepted_type_is_kept_under_its_own_extension(app, world, name, make, extension):
    content = make()
    document = upload(world, name, content)
    db.session.commit()
    assert document.file_name == name and document.stored_name.endswith(extension)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size_bytes == len(content)
    [stored] = stored_files(app)
    assert stored.read_bytes() == content and stored.name == document.stored_name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("surat.pdf", EXECUTABLE),  # a program renamed .pdf
        ("surat.pdf", HTML),  # a web page renamed .pdf
        ("notulen.docx", zip_bytes()),  # a ZIP that is no Word document
        ("surat.pdf", b"just some text"),
    ],
)
def test_content_that_is_none_of_the_types_is_refused_whatever_its_name(app, world, name, content):
    with pytest.raises(DomainError, match="Isi berkas bukan PDF, JPG, PNG, DOCX atau XLSX") as e:
        upload(world, name, content)
    assert e.value.field == "file"
    db.session.rollback()
    assert stored_files(app) == []
    assert db.session.scalar(select(Document)) is None


def test_a_workbook_named_docx_is_kept_as_what_it_is(app, world):
    document = upload(world, "laporan.docx", xlsx_bytes())
    assert document.file_name == "laporan.xlsx" and document.stored_name.endswith(".xlsx")


def test_identify_tells_word_from_excel_from_zip():
    assert identify(docx_bytes()).extension == ".docx"
    assert identify(xlsx_bytes()).extension == ".xlsx"
    assert identify(zip_bytes()) is None


def test_empty_and_oversized_files_are_refused(app, world):
    with pytest.raises(DomainError, match="kosong"):
        upload(world, "kosong.pdf", b"")
    app.config["KERJASAMA_MAX_UPLOAD_BYTES"] = 1024
    with pytest.raises(DomainError, match="paling besar"):
        upload(world, "besar.pdf", pdf_bytes() + b"%" * 2048)


def test_a_folder_in_the_name_is_dropped(app, world):
    document = upload(world, "..\\..\\C:/Windows/evil.pdf", pdf_bytes())
    assert document.file_name == "evil.pdf"


# --- uploading on the web ---------------------------------------------------------------------


def test_admin_uploads_a_signed_kb_to_its_step(app, client, auth, world):
    mou = factories.make_mou(world.agreement)
    db.session.commit()
    auth.login(world.admin)
    url = f"/agreements/{world.agreement.id}/documents/new"
    form = client.get(f"{url}?tahapan=mou-{mou.id}").get_data(as_text=True)
    assert '<option selected value="naskah_kb">' in form
    assert f'<option selected value="mou-{mou.id}">' in form
    response = client.post(
        url,
        data={
            "file": (io.BytesIO(pdf_bytes()), "KB Blitar-DKI.pdf"),
            "kind": "naskah_kb",
            "step": f"mou-{mou.id}",
            "title": "Naskah KB bertanda tangan",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(Document))
    assert (document.milestone_kind, document.milestone_id) == ("mou", mou.id)
    assert document.uploaded_by_id == world.admin.id
    page = client.get(f"/agreements/{world.agreement.id}").get_data(as_text=True)
    assert "Naskah KB bertanda tangan" in page and "KB Blitar-DKI.pdf" in page
    assert f"/documents/{document.id}" in page
    assert "mengunggah dokumen “Naskah KB bertanda tangan”" in page  # the activity log
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "document"))
    assert entry.action == "uploaded" and entry.after["sha256"] == document.sha256


def test_a_refused_upload_says_why_on_its_field_and_keeps_nothing(app, client, auth, world):
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{world.agreement.id}/documents/new",
        data={"file": (io.BytesIO(HTML), "surat.pdf"), "kind": "lainnya", "title": "Surat"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Isi berkas bukan PDF" in body and 'value="Surat"' in body
    assert db.session.scalar(select(Document)) is None and stored_files(app) == []


def test_a_step_of_another_agreement_is_refused(app, world):
    other = factories.make_agreement(world.gov, world.agency, title="Kerja sama lain")
    mou = factories.make_mou(other)
    with pytest.raises(DomainError, match="bukan milik kerja sama ini"):
        services.upload_document(
            world.admin,
            world.agreement,
            FakeUpload("kb.pdf", pdf_bytes()),
            {"kind": "naskah_kb"},
            services.Attachment("mou", mou.id),
        )


def test_opd_proves_its_own_task_done_with_a_photo(app, client, auth, world):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/documents",
        data={"file": (io.BytesIO(image_bytes("JPEG")), "serah terima.jpg"), "title": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(Document))
    assert document.task_id == world.task.id and document.kind == DocumentKind.PROOF
    assert document.title == "serah terima.jpg"
    page = client.get(f"/tasks/{world.task.id}").get_data(as_text=True)
    assert "serah terima.jpg" in page and "Ganti berkas" in page


def test_opd_cannot_upload_to_another_agencys_task_nor_to_the_agreement(client, auth, world):
    other_task = factories.make_task(world.agreement, world.other_agency)
    db.session.commit()
    auth.login(world.opd)
    data = {"file": (io.BytesIO(pdf_bytes()), "bukti.pdf")}
    response = client.post(
        f"/tasks/{other_task.id}/documents", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 403
    # The upload form offers the OPD only its PKS's transaction (test_opd_realisations);
    # the agreement itself, or its KB, is Bagian Pemerintahan's to document.
    for step in ("", f"mou-{world.mou.id}"):
        response = client.post(
            f"/agreements/{world.agreement.id}/documents/new",
            data={"file": (io.BytesIO(pdf_bytes()), "kb.pdf"), "kind": "bukti", "step": step},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, step
        assert "Anda tidak berhak mengunggah dokumen di sini." in response.get_data(as_text=True)
    assert db.session.scalar(select(Document)) is None


def test_a_refused_task_proof_is_flashed_on_the_task_page(client, auth, world):
    auth.login(world.opd)
    response = client.post(
        f"/tasks/{world.task.id}/documents",
        data={"file": (io.BytesIO(EXECUTABLE), "bukti.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Isi berkas bukan PDF" in response.get_data(as_text=True)
    assert db.session.scalar(select(Document)) is None


def test_an_upload_over_the_request_limit_gets_the_413_page(client, auth, world):
    auth.login(world.admin)
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n\r\n'
        + b"%PDF-1.7\n"
        + b"x" * (21 * 1024 * 1024 + 1)
        + b"\r\n--B--\r\n"
    )
    response = client.post(
        f"/agreements/{world.agreement.id}/documents/new",
        data=body,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 413
    assert "lebih besar dari batas 20 MB" in response.get_data(as_text=True)


# --- downloading: only those who may see the agreement ----------------------------------------


def test_download_by_role_and_government(app, client, auth, world):
    content = pdf_bytes("Notulen TKKSD")
    document = make_document(world.admin, world.agreement, content=content, title="Notulen")
    outsider = factories.make_user(world.gov, factories.Role.OPD, agency=world.other_agency)
    db.session.commit()
    url = f"/documents/{document.id}"
    assert client.get(url).status_code == 302  # to the login page
    for user, status in [
        (world.admin, 200),
        (world.pimpinan, 200),
        (world.opd, 200),  # the OPD pengampu
        (outsider, 403),  # an OPD with no part in the agreement
        (world.other_admin, 404),  # another government
    ]:
        auth.login(user)
        response = client.get(url)
        assert response.status_code == status, user.email
        if status == 200:
            assert response.data == content
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.mimetype == "application/pdf"
        response.close()
        auth.logout()


# --- replacing and deleting -------------------------------------------------------------------


def test_replacing_keeps_the_old_fingerprint_in_the_log_and_removes_the_old_file(app, world):
    document = make_document(world.admin, world.agreement, title="Naskah KB")
    db.session.commit()
    old_name, old_sha = document.stored_name, document.sha256
    signed = pdf_bytes("Naskah KB bertanda tangan")
    services.replace_document(
        world.admin, document, FakeUpload("KB final.pdf", signed), {}, document.version
    )
    db.session.commit()
    assert [p.name for p in stored_files(app)] == [document.stored_name] != [old_name]
    assert document.file_name == "KB final.pdf" and document.title == "Naskah KB"
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.action == "replaced"))
    assert entry.before["sha256"] == old_sha
    assert entry.after["sha256"] == hashlib.sha256(signed).hexdigest()


def test_a_stale_replace_is_a_conflict_and_changes_nothing(app, world):
    document = make_document(world.admin, world.agreement)
    db.session.commit()
    with pytest.raises(ConflictError):
        services.replace_document(
            world.admin, document, FakeUpload("b.pdf", pdf_bytes()), {}, document.version - 1
        )


def test_delete_through_the_page_removes_row_and_file_and_logs_it(app, client, auth, world):
    document = make_document(world.admin, world.agreement, title="Surat penawaran")
    db.session.commit()
    auth.login(world.admin)
    response = client.post(f"/documents/{document.id}/delete", data={"version": document.version})
    assert response.status_code == 302
    assert db.session.scalar(select(Document)) is None and stored_files(app) == []
    entry = db.session.scalar(select(ActivityLog).where(ActivityLog.action == "deleted"))
    assert entry.entity == "document" and entry.before["title"] == "Surat penawaran"


def test_opd_may_change_only_its_own_task_proofs(app, client, auth, world):
    own = make_document(world.opd, world.agreement, world.task, title="Bukti DKPP")
    by_admin = make_document(world.admin, world.agreement, title="Naskah KB")
    db.session.commit()
    auth.login(world.opd)
    assert client.get(f"/documents/{own.id}/replace").status_code == 200
    assert client.get(f"/documents/{by_admin.id}/replace").status_code == 403
    response = client.post(f"/documents/{by_admin.id}/delete", data={"version": 1})
    assert response.status_code == 403
    assert db.session.get(Document, by_admin.id) is not None


def test_a_deleted_step_keeps_its_documents_on_the_agreement(app, world):
    mou = factories.make_mou(world.agreement)
    document = services.upload_document(
        world.admin,
        world.agreement,
        FakeUpload("kb.pdf", pdf_bytes()),
        {"kind": "naskah_kb"},
        services.Attachment("mou", mou.id),
    )
    db.session.commit()
    outcome = agreement_services.delete_milestone(world.admin, mou, mou.version)
    db.session.commit()
    assert (document.milestone_kind, document.milestone_id) == (None, None)
    assert "1 dokumennya tetap tersimpan pada kerja sama ini." in outcome.notices
    assert len(stored_files(app)) == 1
