"""What the import tests share: rows and files, uploading through the web, reading back."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Border, Side
from sqlalchemy import func, select

from kerjasama_flow import scheduler
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


def xlsx_with_blank_rows(
    rows, blank_rows: int, dimension: str | None = "actual", broken_at: int | None = None
) -> bytes:
    """An XLSX of the header and ``rows``, then ``blank_rows`` rows that hold nothing but a
    formatted empty cell (a border in column A): what Excel keeps of a range that was once
    formatted, and costs as much to read as a full row. ``dimension``: "actual" declares the
    sheet's real size (as Excel does), None declares none, any other ref (``"A1:M3"``) is
    declared as given. ``broken_at``: from that row on the sheet is not XML, so a reader that
    reaches it fails; one that stops before it does not."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for values in rows:
        sheet.append([values.get(h) for h in HEADERS])
    first_blank = sheet.max_row + 1
    sheet.cell(row=first_blank, column=1).border = Border(bottom=Side(style="thin"))
    out = io.BytesIO()
    workbook.save(out)
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as saved:
        parts = {item: saved.read(item.filename) for item in saved.infolist()}
    info = next(item for item in parts if item.filename == part)
    xml = parts[info].decode()
    style = re.search(rf'<c r="A{first_blank}" s="(\d+)"', xml).group(1)
    last = first_blank + blank_rows - 1
    tail = "".join(
        f'<row r="{n}"><c r="A{n}" s="{style}"/></row>' for n in range(first_blank + 1, last + 1)
    )
    if broken_at is not None:
        tail += f'<row r="{broken_at}"><c r="A{broken_at}" <<< not xml'
    xml = xml.replace("</sheetData>", tail + "</sheetData>", 1)
    declared = {"actual": f'<dimension ref="A1:M{last}"/>', None: ""}.get(
        dimension, f'<dimension ref="{dimension}"/>'
    )
    xml = re.sub(r'<dimension ref="[^"]*" ?/>', declared, xml, count=1)
    parts[info] = xml.encode()
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in parts.items():
            archive.writestr(item.filename, data)
    return result.getvalue()


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


def run_scheduler_job(app, job_id: str = scheduler.IMPORTS_JOB_ID) -> None:
    """What the scheduler process does every few seconds (``imports.work``) or every hour
    (``imports.expire``), in an app context (and database session) of its own."""
    spec = next(s for s in scheduler.job_specs(app) if s.id == job_id)
    scheduler.run_job(app, spec.id, spec.func, *spec.args)
