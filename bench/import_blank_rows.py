"""Benchmark of the upload of a small XLSX full of blank rows (issue 12, item 7).

Excel keeps every row that was ever formatted: a sheet with a header, a few data rows and a
border drawn down 300,000 rows is a 1.4 MB file that unpacks to 16 MB of XML, and openpyxl
spends as long on a blank row as on a full one. Before the fix the upload request read such a
file whole, twice (to count its rows, then to check them in the request, since it held
fewer rows than ``IMPORT_INLINE_ROWS``): 29 s of a gunicorn worker for one upload.

The file is the one the tests use (``tests.import_helpers.xlsx_with_blank_rows``): the header,
5 data rows, then N blank rows with a formatted cell each. Three variants of what the sheet
declares (``<dimension ref=...>``): the real size (as Excel and LibreOffice write it), nothing
(as openpyxl's write-only mode writes it), and a false three rows. For each it times, with
the Flask test client and the upload form's CSRF token:

* **request s**: ``POST /agreements/import`` until its answer (a refusal, a preview, or a job
  queued for the scheduler); this is the time a web worker is held;
* **job s**: the job runner's step, when the request queued one (``imports.jobs.work``, what
  the ``scheduler`` process runs), until it fails or the preview is ready.

    .venv/bin/python bench/import_blank_rows.py                         # PostgreSQL (default URL)
    .venv/bin/python bench/import_blank_rows.py --url sqlite:////tmp/kf_blank.db
    .venv/bin/python bench/import_blank_rows.py --blank-rows 300000 100000 --repeat 3

The database is a schema of its own (``common.database_for``) with one generated government
(``common.create_government``). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import tempfile
import time
from datetime import UTC, datetime

from common import DEFAULT_URL, ROOT, backend_of, create_government, database_for, normalise_url
from sqlalchemy import select

from tests.factories import start_session
from tests.import_helpers import row, xlsx_with_blank_rows

NOW = datetime(2025, 10, 17, 3, 0, tzinfo=UTC)
DATA_ROWS = 5
VARIANTS = {"dimension as Excel": "actual", "no dimension": None, "false dimension": "A1:M3"}
ADMIN_EMAIL = "admin@uji.go.id"  # made by common.create_government
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def measure(url: str, blank_rows: list[int], repeat: int) -> list[dict]:
    from kerjasama_flow import create_app
    from kerjasama_flow.accounts.models import User
    from kerjasama_flow.extensions import db
    from kerjasama_flow.imports import jobs
    from kerjasama_flow.imports.models import ImportJob

    app = create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "KERJASAMA_NOW": NOW.isoformat()}
    )
    app.instance_path = tempfile.mkdtemp(prefix="kf_blank_")
    with app.app_context():
        create_government(4)
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        session_id = start_session(admin)  # a login session, as /login starts one
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True

    def upload(content: bytes) -> tuple[float, str, int | None]:
        page = client.get("/agreements/import").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        started = time.perf_counter()
        response = client.post(
            "/agreements/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "kosong.xlsx")},
            content_type="multipart/form-data",
        )
        elapsed = time.perf_counter() - started
        location = response.headers.get("Location", "")
        job_id = int(location.rsplit("/", 1)[-1]) if "/import/jobs/" in location else None
        if job_id is None:
            body = response.get_data(as_text=True)
            refused = re.search(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', body)
            return elapsed, "refused: " + (refused.group(1).strip() if refused else "?"), None
        return elapsed, "", job_id

    results = []
    for blanks in blank_rows:
        for label, dimension in VARIANTS.items():
            content = xlsx_with_blank_rows(
                [row(f"KS-{n}", f"Kerja sama {n}") for n in range(DATA_ROWS)], blanks, dimension
            )
            best_request = best_job = None
            outcome = ""
            for _ in range(repeat):
                elapsed, outcome, job_id = upload(content)
                best_request = min(best_request or elapsed, elapsed)
                if job_id is None:
                    continue
                with app.app_context():
                    job = db.session.get(ImportJob, job_id)
                    if job.status.is_waiting:
                        started = time.perf_counter()
                        jobs.work(limit=1)
                        job_s = time.perf_counter() - started
                        best_job = min(best_job or job_s, job_s)
                        db.session.refresh(job)
                        outcome = "queued, then " + (job.message or job.status.label)
                    else:
                        outcome = f"in the request: {job.status.label}"
                    db.session.remove()
            results.append(
                {
                    "blank_rows": blanks,
                    "variant": label,
                    "file_mb": len(content) / 2**20,
                    "request_s": best_request,
                    "job_s": best_job,
                    "outcome": outcome,
                }
            )
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--blank-rows", type=int, nargs="+", default=[300_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the best is shown")
    args = parser.parse_args()
    url = normalise_url(args.url)
    scoped, drop = database_for(url, "blank")
    try:
        results = measure(scoped, args.blank_rows, args.repeat)
    finally:
        drop()
    print(
        f"upload of an XLSX with {DATA_ROWS} data rows and N formatted blank rows, on "
        f"{backend_of(url)} (code in {ROOT.name}), best of {args.repeat}"
    )
    header = (
        f"{'blank rows':>10}  {'sheet declares':<20}{'file MB':>8}{'request s':>10}{'job s':>8}"
    )
    print(header + "  outcome")
    print("-" * (len(header) + 40))
    for r in results:
        job = f"{r['job_s']:>8.2f}" if r["job_s"] is not None else f"{'-':>8}"
        print(
            f"{r['blank_rows']:>10,}  {r['variant']:<20}{r['file_mb']:>8.2f}"
            f"{r['request_s']:>10.2f}{job}  {r['outcome'][:110]}"
        )


if __name__ == "__main__":
    main()
