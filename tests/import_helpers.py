"""What the import tests share: rows and files, uploading through the web, reading back."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from kerjasama_flow.agreements.models import Agreement
from kerjasama_flow.extensions import db
from kerjasama_flow.imports.columns import COLUMNS
from kerjasama_flow.imports.models import ImportJob, ImportStatus

HEADERS = [column.header for column in COLUMNS]


def row(ref="KS-001", title="Pasokan beras ke Batam", **kw):
    values = {
        "Referensi": ref,
        "Judul": title,
        "Jenis": "KSDD",
        "Mitra": "Pemerintah Kota Batam; Perumda Pasar Jaya",
        "Jenis mitra": "Pemerintah Kota",
        "Sektor": "pangan; UMKM dan perdagangan",
        "Komoditas": "beras; telur ayam",
        "OPD pengampu": "dkpp",
        "Asal kerja sama": "Indonesia City Expo 2024",
        "Tanggal MoU": date(2024, 3, 1),
        "Nomor MoU": "415.4/12/2024",
        "Berlaku mulai": date(2024, 3, 1),
        "Berakhir": date(2027, 3, 1),
    }
    values.update(kw)
    return values


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content: bytes, filename: str = "data.xlsx"):
    """Upload a file and follow to the job's page (a small file's preview is ready there)."""
    return client.post(
        "/agreements/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def job_id_of(response) -> int:
    match = re.search(r"/agreements/import/jobs/(\d+)/confirm", response.get_data(as_text=True))
    assert match, "no confirm form on the preview"
    return int(match.group(1))


def confirm(client, job_id: int, follow_redirects: bool = False):
    return client.post(
        f"/agreements/import/jobs/{job_id}/confirm", follow_redirects=follow_redirects
    )


def stored_files(app, job_id: int) -> list[Path]:
    """The files kept for the job (the upload, its progress)."""
    db.session.rollback()
    token = db.session.get(ImportJob, job_id).token
    return list((Path(app.instance_path) / "imports").glob(f"{token}.*"))


def agreement_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Agreement))


def by_ref(ref: str, government_id: int) -> Agreement | None:
    db.session.rollback()
    return db.session.scalar(
        select(Agreement).where(
            Agreement.external_ref == ref, Agreement.government_id == government_id
        )
    )


def make_import_job(user, status: ImportStatus = ImportStatus.CHECKED, **kw) -> ImportJob:
    """A job row without a stored file (its steps then fail with "file not found")."""
    job = ImportJob(
        government_id=user.government_id,
        user_id=user.id,
        filename=kw.pop("filename", "data.xlsx"),
        extension="xlsx",
        token=uuid.uuid4().hex,
        status=status,
        report=kw.pop("report", []),
        **kw,
    )
    db.session.add(job)
    db.session.flush()
    return job
