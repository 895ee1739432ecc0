"""Monev: recording an evaluation (rules, evidence file, activity log), the history on the
agreement page, the evidence download, and the list filter on the latest recommendation."""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kerjasama_flow import storage, uploads
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.errors import DomainError
from kerjasama_flow.evaluations import services
from kerjasama_flow.evaluations.models import Evaluation, Recommendation, Timeliness
from kerjasama_flow.extensions import db
from kerjasama_flow.web import run_service
from tests import factories
from tests.document_helpers import docx_bytes

# 10 January 2026, 00.30 WIB (still 9 January in UTC): "today" is the government's date.
NOW = "2026-01-09T17:30:00+00:00"


@pytest.fixture(autouse=True)
def pinned_clock(app):
    app.config["KERJASAMA_NOW"] = NOW


@pytest.fixture(autouse=True)
def instance_folder(app, tmp_path, monkeypatch):
    """Each test's files in a folder of its own (the store lives under the instance folder)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def form_data(**overrides) -> dict:
    data = {
        "evaluated_on": "2026-01-10",
        "period_label": "Semester II 2025",
        "realisation": "Pasokan telur 12 ton dari 20 ton yang disepakati.",
        "progress_pct": "60",
        "timeliness": "terlambat",
        "partner_contribution": "Perumda menyediakan armada.",
        "obstacles": "Harga pakan naik.",
        "solutions": "Subsidi ongkos angkut.",
        "recommendation": "perluas",
    }
    data.update(overrides)
    return data


class FakeUpload:
    def __init__(self, filename: str, content: bytes):
        self.filename = filename
        self.stream = io.BytesIO(content)


def record(world, tmp_path, evidence=None, **overrides):
    values = {
        "evaluated_on": date(2026, 1, 10),
        "period_label": "Semester II 2025",
        "realisation": "Berjalan.",
        "progress_pct": 50,
        "timeliness": Timeliness.ON_TIME,
        "recommendation": Recommendation.CONTINUE,
    }
    values.update(overrides)
    return services.record_evaluation(world.admin, world.agreement, values, evidence=evidence)


# --- the service's rules ----------------------------------------------------------------------


def test_records_with_evidence_and_activity(app, world, tmp_path):
    evaluation = record(world, tmp_path, evidence=FakeUpload("../Laporan monev.pdf", b"%PDF-1"))
    assert evaluation.evidence_filename == "Laporan monev.pdf"  # no folder, the user's words
    db.session.commit()
    stored = tmp_path / "evidence" / evaluation.evidence_path
    assert stored.read_bytes() == b"%PDF-1"
    assert evaluation.evidence_path.endswith(".pdf") and "/" not in evaluation.evidence_path
    log = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "evaluation"))
    assert log.agreement_id == world.agreement.id and log.action == "created"
    assert log.after["recommendation"] == "lanjutkan"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"progress_pct": 101}, "progress_pct"),
        ({"progress_pct": -1}, "progress_pct"),
        ({"evaluated_on": date(2026, 1, 11)}, "evaluated_on"),  # tomorrow in WIB
        ({"realisation": "  "}, "realisation"),
    ],
)
def test_refusals_name_their_field(app, world, tmp_path, overrides, field):
    with pytest.raises(DomainError) as refused:
        record(world, tmp_path, **overrides)
    assert refused.value.field == field


def test_today_in_the_governments_zone_is_allowed(app, world, tmp_path):
    # 10 January is already today in Jakarta though UTC still says 9 January.
    assert record(world, tmp_path, evaluated_on=date(2026, 1, 10)).id


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bukti.exe", b"x" * 10, "Isi berkas bukan"),
        ("bukti", b"x" * 10, "Isi berkas bukan"),
        ("bukti.pdf", b"MZ\x90\x00" + b"\x00" * 60, "Isi berkas bukan"),  # a program
        ("bukti.pdf", b"<!DOCTYPE html><html><body>", "Isi berkas bukan"),  # a web page
        ("bukti.pdf", b"%PDF-1.7" + b"x" * uploads.DEFAULT_MAX_BYTES, "20 MB"),
        ("bukti.png", b"", "kosong"),
    ],
)
def test_evidence_is_checked(app, world, tmp_path, name, content, message):
    with pytest.raises(DomainError, match=message) as refused:
        record(world, tmp_path, evidence=FakeUpload(name, content))
    assert refused.value.field == "evidence"
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").iterdir())


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PELAKSANAAN, True),
        (Stage.BERAKHIR, True),
        (Stage.KESEPAKATAN, True),
        (Stage.PKS, True),
        (Stage.DITUNDA, True),
        (Stage.SELESAI, False),
        (Stage.BATAL, False),
    ],
)
def test_open_agreements_with_a_signed_document_are_evaluated(app, world, tmp_path, stage, allowed):
    world.agreement.stage = stage
    assert services.can_be_evaluated(world.agreement) is allowed
    if allowed:
        assert record(world, tmp_path).id
    else:
        with pytest.raises(DomainError, match="monev tidak dicatat lagi"):
            record(world, tmp_path)


def test_no_monev_before_a_kb_or_pks(app, world, tmp_path):
    """Signed documents are what a monev evaluates: an agreement still at penjajakan (a visit,
    no KB or PKS) has none, whatever its stage says."""
    bare = factories.make_agreement(world.gov, world.agency, title="Penjajakan Kota Kediri")
    factories.make_visit(bare)
    assert not services.can_be_evaluated(bare)
    values = {
        "evaluated_on": date(2026, 1, 10),
        "period_label": "Semester II 2025",
        "realisation": "Belum ada.",
        "progress_pct": 0,
        "timeliness": Timeliness.NOT_DONE,
        "recommendation": Recommendation.CONTINUE,
    }
    with pytest.raises(DomainError, match="setelah Kesepakatan Bersama"):
        services.record_evaluation(world.admin, bare, values)
    factories.make_mou(bare, document_kind="kb", signed_on=date(2025, 12, 1))
    assert services.can_be_evaluated(bare)
    assert services.record_evaluation(world.admin, bare, values).agreement_id == bare.id


# --- the evidence file exists if and only if a committed evaluation points to it ----------------


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden or partial ones included) with its content."""
    if not folder.exists():
        return {}
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_evidence_is_written_once_the_save_commits(app, world, tmp_path):
    evaluation = record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1 isi"))
    path = evaluation.evidence_path
    db.session.commit()
    assert files_in(tmp_path / "evidence") == {path: b"%PDF-1 isi"}
    assert services.evidence_file(evaluation) == tmp_path / "evidence" / path


def test_rolled_back_save_leaves_no_evidence_file(app, world, tmp_path):
    record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    db.session.rollback()
    assert files_in(tmp_path / "evidence") == {}
    assert db.session.scalar(select(Evaluation)) is None


def test_session_closed_without_commit_leaves_no_evidence_file(app, world, tmp_path):
    record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    db.session.close()  # as at the end of a request whose view never committed
    assert files_in(tmp_path / "evidence") == {}


def test_refusal_after_the_evidence_is_stored_leaves_no_file(app, world, tmp_path):
    # A service that records the monev and then refuses (as a larger operation could).
    def record_then_refuse():
        record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
        raise DomainError("Ditolak setelah berkas diperiksa.")

    with app.test_request_context():
        assert run_service(None, record_then_refuse) is None
    assert files_in(tmp_path / "evidence") == {}
    assert db.session.scalar(select(Evaluation)) is None


def test_version_conflict_at_commit_leaves_no_file(app, world, tmp_path):
    db.session.commit()
    agreement_id, version = world.agreement.id, world.agreement.version

    def record_and_retitle():
        record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
        # Someone else saved the agreement meanwhile: our UPDATE finds no row of our version.
        table = Agreement.__table__
        db.session.execute(
            table.update().where(table.c.id == agreement_id).values(version=version + 1)
        )
        world.agreement.title = "Judul baru"

    with app.test_request_context():
        assert run_service(None, record_and_retitle) is None
    assert files_in(tmp_path / "evidence") == {}
    assert db.session.scalar(select(Evaluation)) is None


def test_commit_failure_leaves_no_file(app, world, tmp_path):
    evaluation = record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    evaluation.progress_pct = 150  # the CHECK constraint refuses it when the commit flushes
    with pytest.raises(IntegrityError):
        db.session.commit()
    # The database already rolled back: the file is gone before anyone calls rollback().
    assert files_in(tmp_path / "evidence") == {}
    db.session.rollback()
    assert db.session.scalar(select(Evaluation)) is None
    assert files_in(tmp_path / "evidence") == {}


def test_released_savepoint_does_not_publish_before_the_commit(app, world, tmp_path):
    evaluation = record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    with db.session.begin_nested():  # SQLAlchemy calls after_commit when a savepoint is released
        evaluation.obstacles = "Tidak ada."
    assert services.evidence_file(evaluation) is None
    db.session.rollback()
    assert files_in(tmp_path / "evidence") == {}


def test_evidence_that_cannot_be_written_is_refused_on_its_field(app, world, tmp_path):
    (tmp_path / "evidence").write_bytes(b"")  # a file where the folder should be
    with pytest.raises(DomainError, match="tidak dapat disimpan") as refused:
        record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    assert refused.value.field == "evidence"


def test_evidence_lost_after_the_commit_is_logged(app, world, tmp_path, caplog):
    evaluation = record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1"))
    shutil.rmtree(tmp_path / "evidence")  # the folder vanished between write and commit
    with caplog.at_level(logging.ERROR, logger=storage.__name__):
        db.session.commit()
    assert evaluation.evidence_path in caplog.text
    assert services.evidence_file(evaluation) is None


# --- the web ----------------------------------------------------------------------------------


def test_admin_records_monev_through_the_form(client, auth, world, app):
    auth.login(world.admin)
    url = f"/agreements/{world.agreement.id}/evaluations/new"
    assert client.get(url).status_code == 200
    minutes = docx_bytes()
    data = form_data(evidence=(io.BytesIO(minutes), "Notulen monev.docx"))
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{world.agreement.id}#monev")
    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.progress_pct, evaluation.recommendation) == (60, Recommendation.EXPAND)
    assert evaluation.obstacles == "Harga pakan naik."
    assert (Path(app.instance_path) / "evidence" / evaluation.evidence_path).is_file()

    page = client.get(f"/agreements/{world.agreement.id}").get_data(as_text=True)
    assert "Monitoring dan evaluasi" in page and "Perluas" in page and "Catat monev" in page
    download = client.get(f"/evaluations/{evaluation.id}/evidence")
    assert download.status_code == 200
    assert download.data == minutes
    assert 'filename="Notulen monev.docx"' in download.headers["Content-Disposition"]
    download.close()  # release the file sent by ``send_file``


def test_web_save_leaves_exactly_the_uploaded_file(client, auth, world, app):
    folder = Path(app.instance_path) / "evidence"
    before = files_in(folder)
    auth.login(world.admin)
    data = form_data(evidence=(io.BytesIO(b"%PDF-1 notulen"), "notulen.pdf"))
    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evaluation = db.session.scalar(select(Evaluation))
    new = {name: content for name, content in files_in(folder).items() if name not in before}
    assert new == {evaluation.evidence_path: b"%PDF-1 notulen"}


def test_web_save_failing_at_commit_leaves_no_file(client, auth, world, app, monkeypatch):
    folder = Path(app.instance_path) / "evidence"
    before = files_in(folder)
    real = services.record_evaluation

    def record_then_break(*args, **kwargs):
        evaluation = real(*args, **kwargs)
        evaluation.progress_pct = 150  # refused by the CHECK constraint at commit
        return evaluation

    monkeypatch.setattr(services, "record_evaluation", record_then_break)
    auth.login(world.admin)
    data = form_data(evidence=(io.BytesIO(b"%PDF-1"), "bukti.pdf"))
    with pytest.raises(IntegrityError):  # TESTING propagates what would be the 500 page
        client.post(
            f"/agreements/{world.agreement.id}/evaluations/new",
            data=data,
            content_type="multipart/form-data",
        )
    assert files_in(folder) == before
    assert db.session.scalar(select(Evaluation)) is None


def test_form_shows_service_errors_next_to_fields(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data=form_data(progress_pct="150", evaluated_on="2026-02-01"),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Tanggal monev tidak boleh di masa depan." in body
    assert db.session.scalar(select(Evaluation)) is None


def test_progress_error_on_its_field(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new", data=form_data(progress_pct="150")
    )
    assert "Progres antara 0 dan 100 persen." in response.get_data(as_text=True)


def test_agreement_without_a_kb_or_pks_redirects_with_a_message(client, auth, world):
    agreement = factories.make_agreement(world.gov, world.agency)
    auth.login(world.admin)
    response = client.get(f"/agreements/{agreement.id}/evaluations/new", follow_redirects=True)
    assert "Monev dicatat setelah Kesepakatan Bersama (KB) atau PKS ditandatangani." in (
        response.get_data(as_text=True)
    )
    assert "Catat monev" not in response.get_data(as_text=True).split("Monitoring dan evaluasi")[1]


def test_history_newest_first_and_readers_see_it_without_the_button(client, auth, world):
    factories.make_evaluation(
        world.agreement, evaluated_on=date(2025, 6, 30), period_label="Semester I 2025"
    )
    factories.make_evaluation(
        world.agreement,
        evaluated_on=date(2025, 12, 15),
        period_label="Semester II 2025",
        recommendation=Recommendation.STOP,
    )
    auth.login(world.opd)
    page = client.get(f"/agreements/{world.agreement.id}").get_data(as_text=True)
    assert page.index("Semester II 2025") < page.index("Semester I 2025")
    assert "Hentikan" in page
    assert "Catat monev" not in page
    assert client.get(f"/agreements/{world.agreement.id}/evaluations/new").status_code == 403


def test_evidence_of_a_monev_without_file_redirects(client, auth, world):
    evaluation = factories.make_evaluation(world.agreement)
    auth.login(world.pimpinan)
    response = client.get(f"/evaluations/{evaluation.id}/evidence")
    assert response.status_code == 302


def test_opd_not_involved_cannot_download(client, auth, world, app):
    other = factories.make_agreement(world.gov, world.other_agency, stage=Stage.PELAKSANAAN)
    evaluation = factories.make_evaluation(other, evidence_filename="a.pdf", evidence_path="x.pdf")
    auth.login(world.opd)
    assert client.get(f"/evaluations/{evaluation.id}/evidence").status_code == 403


# --- the list filter --------------------------------------------------------------------------


def test_filter_on_latest_recommendation(client, auth, world):
    stop = world.agreement
    expand = factories.make_agreement(world.gov, world.agency, title="Kerja sama beras Banyuwangi")
    never = factories.make_agreement(world.gov, world.agency, title="Kerja sama tanpa monev")
    factories.make_evaluation(
        stop, evaluated_on=date(2025, 6, 1), recommendation=Recommendation.EXPAND
    )
    factories.make_evaluation(
        stop, evaluated_on=date(2025, 12, 1), recommendation=Recommendation.STOP
    )
    factories.make_evaluation(
        expand, evaluated_on=date(2025, 6, 1), recommendation=Recommendation.STOP
    )
    factories.make_evaluation(
        expand, evaluated_on=date(2025, 12, 1), recommendation=Recommendation.EXPAND
    )
    auth.login(world.pimpinan)

    page = client.get("/agreements?recommendation=hentikan").get_data(as_text=True)
    assert stop.title in page and expand.title not in page and never.title not in page
    page = client.get("/agreements?recommendation=perluas").get_data(as_text=True)
    assert expand.title in page and stop.title not in page
    page = client.get("/agreements").get_data(as_text=True)
    assert "Rekomendasi monev terakhir" in page
    assert all(a.title in page for a in (stop, expand, never))


PDF_HEAD = b"%PDF-1.7\n"  # what makes the content a PDF (uploads.check reads the content)


def multipart(size: int, filename: str = "besar.pdf") -> bytes:
    """The form with an evidence file of ``size`` bytes, built by hand: the test client would
    spool a large body to a temporary file that nobody closes when the request is refused."""
    parts = [
        f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form_data().items()
    ]
    parts.append(
        f'--B\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + PDF_HEAD
        + b"x" * (size - len(PDF_HEAD))
        + b"\r\n"
    )
    return b"".join(parts) + b"--B--\r\n"


def post_multipart(client, world, size: int):
    return client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data=multipart(size),
        content_type="multipart/form-data; boundary=B",
    )


def test_upload_over_the_request_limit_gets_the_413_page(client, auth, world):
    auth.login(world.admin)
    response = post_multipart(client, world, 21 * 1024 * 1024 + 1)
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Berkas terlalu besar" in body and "lebih besar dari batas 20 MB" in body
    assert db.session.scalar(select(Evaluation)) is None


def test_evidence_over_20_mb_is_refused_on_its_field(client, auth, world):
    auth.login(world.admin)
    response = post_multipart(client, world, uploads.DEFAULT_MAX_BYTES + 1)
    assert response.status_code == 200
    assert "Berkas terlalu besar: paling besar 20 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(Evaluation)) is None


def test_evidence_just_under_the_limit_is_kept(client, auth, world, app):
    auth.login(world.admin)
    assert post_multipart(client, world, 1024).status_code == 302
    evaluation = db.session.scalar(select(Evaluation))
    assert evaluation.evidence_filename == "besar.pdf"
    stored = Path(app.instance_path) / "evidence" / evaluation.evidence_path
    assert stored.stat().st_size == 1024


def test_evidence_on_a_full_disk_is_refused_next_to_its_field(client, auth, world, monkeypatch):
    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write", full_disk)
    auth.login(world.admin)
    data = form_data(evidence=(io.BytesIO(b"%PDF-1"), "bukti.pdf"))
    response = client.post(
        f"/agreements/{world.agreement.id}/evaluations/new",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "ruang penyimpanan server penuh" in body
    assert "Perumda menyediakan armada." in body  # the input is kept
    assert db.session.scalar(select(Evaluation)) is None


def test_the_evidence_checksum_is_in_the_activity_log(app, world, tmp_path):
    evaluation = record(world, tmp_path, evidence=FakeUpload("bukti.pdf", b"%PDF-1 isi"))
    db.session.commit()
    log = db.session.scalar(select(ActivityLog).where(ActivityLog.entity == "evaluation"))
    assert log.entity_id == evaluation.id
    assert log.after["evidence_sha256"] == hashlib.sha256(b"%PDF-1 isi").hexdigest()
