"""Benchmark of the spreadsheet import (``kerjasama_flow.imports``): preview and confirmation.

Generates one government (40 agencies, 200 partners, 1,000 agreements that the file does not
mention) plus the agreements the file re-imports, then an XLSX in the import template's
format with N rows: 70% new references, 30% references that exist already (an update; half of
those carry the MoU number they already have, so the MoU is updated, not added), 60% with an
MoU, one row in ten naming a partner that is not recorded yet, one row in 50 with a bad date
(refused by ``parse_rows``) and one in 97 with an unknown sector (refused by the service,
inside its SAVEPOINT). Then it times each phase of the two requests:

* the upload request (``POST /agreements/import``) of a file over ``IMPORT_INLINE_ROWS``: it
  only reads the file, stores it and queues an ``ImportJob`` (``services.start`` and the
  request's commit, which publishes the stored file);
* the check (the preview), run by the scheduler: ``read_table``, ``parse_rows``,
  ``validate_rows`` (every clean row through the services, then rolled back);
* the import after the confirmation, run by the scheduler: ``read_table`` and ``parse_rows``
  again, ``import_rows`` and the commit.

    .venv/bin/python bench/import_rows.py                                # PostgreSQL (default URL)
    .venv/bin/python bench/import_rows.py --url sqlite:////tmp/kf_import.db
    .venv/bin/python bench/import_rows.py --sizes 500 2000 5000 --no-memory
    .venv/bin/python bench/import_rows.py --sizes 2000 --profile /tmp/import.prof

PostgreSQL work happens in a schema of its own (``database_for`` from ``common.py``,
dropped at the end); a SQLite URL names a file that is recreated and removed. Each size runs
in a child process. Peak memory is the tracemalloc peak of a separate traced run of each
request (the confirmation's traced run is rolled back), made before the timed runs, because
tracing slows Python down. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import (
    DEFAULT_URL,
    backend_of,
    bulk,
    child,
    create_government,
    database_for,
    finish,
    insert_agreements,
    make_app,
    normalise_url,
)
from sqlalchemy import event, func, select

NOW = datetime(2025, 10, 17, 3, 0, tzinfo=UTC)
AGENCIES = 40
PARTNERS = 200
BACKGROUND = 1_000  # agreements the file does not mention
UPDATE_SHARE = 0.3
SECTOR_CODES = ["pangan", "pertanian", "umkm", "pariwisata", "investasi", "pendidikan"]
PARTNER_KINDS = ["Pemerintah Kota", "Pemerintah Kabupaten", "BUMD", "Swasta"]
ADMIN_EMAIL = "admin@uji.go.id"  # made by common.create_government


# --- phase 1: the data and the file ---------------------------------------------------------------


def _mou_number(n: int) -> str:
    return f"415.4/{n}/410.010/2024"


def generate(url: str, size: int, seed: int, path: str) -> dict:
    """The government and its existing records, and the XLSX of ``size`` rows at ``path``."""
    from kerjasama_flow.agreements.models import Mou, Partner
    from kerjasama_flow.extensions import db

    started = time.perf_counter()
    updates = round(size * UPDATE_SHARE)
    with make_app(url, NOW).app_context():
        government = create_government(AGENCIES)
        gid, agency_ids = government.id, government.agency_ids
        partner_names = [f"Pemerintah Kota Mitra {i}" for i in range(PARTNERS)]
        bulk(
            Partner.__table__,
            (
                {"government_id": gid, "name": n, "kind": "pemda_kota", "version": 1}
                for n in partner_names
            ),
        )
        partner_ids = list(db.session.scalars(select(Partner.id).order_by(Partner.id)))
        # Agreement i of BACKGROUND + updates; the last ``updates`` are re-imported (KS-n).
        refs = [f"LAMA-{i:05d}" for i in range(BACKGROUND)] + [
            f"KS-{i:05d}" for i in range(updates)
        ]
        ids = insert_agreements(
            gid,
            [
                {
                    "title": f"Kerja sama lama {ref}",
                    "lead_agency_id": agency_ids[i % AGENCIES],
                    "stage": "kesepakatan",
                    "external_ref": ref,
                    "partner_id": partner_ids[i % PARTNERS],
                    "sectors": [SECTOR_CODES[i % len(SECTOR_CODES)]],
                }
                for i, ref in enumerate(refs)
            ],
        )
        bulk(
            Mou.__table__,
            (
                {
                    "agreement_id": a,
                    "document_kind": "mou",
                    "number_own": _mou_number(i),
                    "signed_on": date(2023, 1, 2) + timedelta(days=i % 700),
                    "created_at": datetime.now(UTC),
                    "version": 1,
                }
                for i, a in enumerate(ids)
            ),
        )
        finish()

    import openpyxl

    from kerjasama_flow.imports.columns import COLUMNS, DATA_SHEET

    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    headers = [column.header for column in COLUMNS]
    sheet.append(headers)
    order = list(range(size))
    rng.shuffle(order)  # updates and new rows interleaved
    for position, n in enumerate(order):
        is_update = n < updates
        ref = f"KS-{n:05d}" if is_update else f"KS-{n:05d}-BARU"
        partners = [partner_names[(n * 7) % PARTNERS]]
        if n % 3 == 0:
            partners.append(partner_names[(n * 13 + 1) % PARTNERS].upper())  # case differs
        if n % 10 == 1:
            partners.append(f"Perumda Baru {n}")  # not recorded yet
        sectors = [SECTOR_CODES[n % len(SECTOR_CODES)], SECTOR_CODES[(n + 2) % 6]]
        if position % 97 == 96:
            sectors.append("antariksa")  # the service refuses it
        signed = date(2023, 1, 2) + timedelta(days=n % 700)
        has_mou = n % 5 < 3
        # Half of the updates carry the MoU they have already (BACKGROUND + n is its index).
        number = _mou_number(BACKGROUND + n) if is_update and n % 2 == 0 else f"MOU/{n}/2024"
        values = {
            "Referensi": ref,
            "Judul": f"Kerja sama pasokan pangan nomor {n}",
            "Jenis": "KSDD" if n % 4 else "KSDPK",
            "Mitra": "; ".join(partners),
            "Jenis mitra": PARTNER_KINDS[n % len(PARTNER_KINDS)],
            "Sektor": "; ".join(sectors),
            "Komoditas": "beras, telur ayam" if n % 2 else "cabai; bawang merah",
            "OPD pengampu": f"opd{n % AGENCIES}",
            "Asal kerja sama": "Indonesia City Expo 2024",
            "Tanggal MoU": signed if has_mou else None,
            "Nomor MoU": number if has_mou else None,
            "Berlaku mulai": signed if has_mou else None,
            "Berakhir": signed + timedelta(days=3 * 365) if has_mou else None,
        }
        if position % 50 == 49:
            values["Berlaku mulai"] = "31-02-2024"  # parse_rows refuses it
        sheet.append([values[h] for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    Path(path).write_bytes(out.getvalue())
    return {"generate_s": time.perf_counter() - started, "file_kb": len(out.getvalue()) / 1024}


# --- phase 2: the two requests -------------------------------------------------------------------


class Counter:
    """SQL statements sent to the database (an executemany counts once)."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args) -> None:
        self.count += 1


def measure(url: str, path: str, memory: bool, profile: str) -> dict:
    from kerjasama_flow import storage
    from kerjasama_flow.accounts.models import User
    from kerjasama_flow.agreements.models import Agreement
    from kerjasama_flow.extensions import db
    from kerjasama_flow.imports import services
    from kerjasama_flow.imports.applying import import_rows, validate_rows
    from kerjasama_flow.imports.parsing import parse_rows
    from kerjasama_flow.imports.reading import read_table

    content = Path(path).read_bytes()
    result: dict = {}
    with make_app(url, NOW).app_context():
        counter = Counter(db.engine)
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        admin_id, gid = admin.id, admin.government_id
        before = db.session.scalar(select(func.count()).select_from(Agreement))

        def fresh_actor() -> User:
            """A new request: an empty session, the user loaded again (as Flask-Login does)."""
            db.session.remove()
            return db.session.get(User, admin_id)

        def preview() -> None:
            actor = fresh_actor()
            rows = parse_rows(gid, read_table(content, "xlsx"))
            validate_rows(actor, rows)
            db.session.rollback()

        def confirm_rolled_back() -> None:
            actor = fresh_actor()
            rows = parse_rows(gid, read_table(content, "xlsx"))
            import_rows(actor, rows)
            db.session.rollback()

        if memory:  # traced runs first: the confirmation's is rolled back
            for name, call in (("preview", preview), ("confirm", confirm_rolled_back)):
                tracemalloc.start()
                call()
                result[f"{name}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()

        profiler = cProfile.Profile() if profile else None

        def timed(name: str, call, profiled: bool = False):
            statements = counter.count
            if profiled and profiler:
                profiler.enable()
            clock = time.perf_counter()
            value = call()
            result[f"{name}_s"] = time.perf_counter() - clock
            if profiled and profiler:
                profiler.disable()
            result[f"{name}_sql"] = counter.count - statements
            return value

        # The upload request of a file too large to check in the request: it reads the file,
        # stores it and queues the job (``services.start``, then the commit of ``run_service``);
        # the phases below then run in the scheduler process (``jobs.run``), not in a request.
        actor = fresh_actor()

        def upload():
            job = services.start(actor, "bench.xlsx", "xlsx", content, 0)
            db.session.commit()
            return job

        queued = timed("upload", upload)
        # The stored upload is not needed below.
        storage.path_of(services.FOLDER, queued.file_name).unlink()
        # The check (the preview), phase by phase (rolled back after validate_rows).
        actor = fresh_actor()
        table = timed("read", lambda: read_table(content, "xlsx"))
        previewed = timed("parse", lambda: parse_rows(gid, table))
        timed(
            "preview",
            lambda: (validate_rows(actor, previewed), db.session.rollback()),
            profiled=True,
        )
        outcome = [(r.number, r.action, r.errors) for r in previewed]
        # The confirmation request.
        actor = fresh_actor()
        rows = parse_rows(gid, read_table(content, "xlsx"))
        timed("import", lambda: import_rows(actor, rows), profiled=True)
        timed("commit", db.session.commit)
        if profiler:
            profiler.dump_stats(profile)

        result["creates"] = sum(1 for r in rows if r.is_valid and r.action == "create")
        result["updates"] = sum(1 for r in rows if r.is_valid and r.action == "update")
        result["refused"] = sum(1 for r in rows if not r.is_valid)
        result["preview_agrees"] = outcome == [(r.number, r.action, r.errors) for r in rows]
        after = db.session.scalar(select(func.count()).select_from(Agreement))
        result["agreements_added"] = after - before
        db.engine.dispose()
    return result


# --- orchestration --------------------------------------------------------------------------------


def scenario(url: str, size: int, seed: int, memory: bool, profile: str) -> dict:
    scoped, drop = database_for(url, f"import{size}")
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="kf_import_")
    os.close(handle)
    try:
        made = child(__file__, "generate", scoped, size=size, seed=seed, file=path)
        measured = child(
            __file__, "measure", scoped, file=path, memory=int(memory), profile=profile
        )
    finally:
        Path(path).unlink(missing_ok=True)
        drop()
    return {"size": size, **made, **measured}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--seed", type=int, default=20251017)
    parser.add_argument(
        "--no-memory",
        dest="memory",
        action="store_false",
        help="skip the traced runs (tracemalloc peak)",
    )
    parser.add_argument(
        "--profile",
        default="",
        help="write a cProfile of validate_rows and import_rows to this file "
        "(with several sizes, the last one's)",
    )
    parser.add_argument("--phase", choices=("generate", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = normalise_url(args.url)

    if args.phase == "generate":
        print(json.dumps(generate(url, args.size, args.seed, args.file)))
        return
    if args.phase == "measure":
        print(json.dumps(measure(url, args.file, bool(args.memory), args.profile)))
        return

    print(
        f"import benchmark on {backend_of(url)}: {UPDATE_SHARE:.0%} of the rows re-import "
        "a reference"
    )
    results = [scenario(url, size, args.seed, args.memory, args.profile) for size in args.sizes]
    header = (
        f"{'rows':>6} {'read':>6} {'parse':>6} {'preview':>8} {'import':>7} {'commit':>7} "
        f"{'sql/row':>7} {'upload s':>8} {'check s':>8} {'import s':>8} {'peak MB':>8}"
        "  new/upd/refused"
    )
    print(f"{'ms per row':<55}{'seconds per step':<28}")
    print(header)
    print("-" * len(header))
    for r in results:
        n = r["size"]
        ms = {k: r[f"{k}_s"] * 1000 / n for k in ("read", "parse", "preview", "import", "commit")}
        sql = (r["preview_sql"] + r["import_sql"] + r["commit_sql"]) / n / 2
        preview_s = r["read_s"] + r["parse_s"] + r["preview_s"]
        confirm_s = r["read_s"] + r["parse_s"] + r["import_s"] + r["commit_s"]
        peak = (
            f"{max(r['preview_peak_mb'], r['confirm_peak_mb']):>8.1f}"
            if "preview_peak_mb" in r
            else f"{'-':>8}"
        )
        print(
            f"{n:>6,} {ms['read']:>6.2f} {ms['parse']:>6.2f} {ms['preview']:>8.2f} "
            f"{ms['import']:>7.2f} {ms['commit']:>7.2f} {sql:>7.1f} {r['upload_s']:>8.2f} "
            f"{preview_s:>8.2f} {confirm_s:>8.2f} {peak}  "
            f"{r['creates']}/{r['updates']}/{r['refused']}"
        )
        if not r["preview_agrees"] or r["agreements_added"] != r["creates"]:
            print(
                f"  unexpected: preview agrees with the import: {r['preview_agrees']}; "
                f"{r['agreements_added']} agreements added for {r['creates']} new rows"
            )
    print(
        "read: read_table (openpyxl); parse: parse_rows; preview: validate_rows + rollback;\n"
        "import: import_rows; commit: the confirmation's commit; sql/row: SQL statements per\n"
        "row, the average of preview and import; upload s: the upload request of a file\n"
        "queued for the scheduler (read, store, queue); check s / import s: the scheduler's\n"
        "two steps (read + parse + preview, read + parse + import + commit); peak MB: the\n"
        "tracemalloc peak of the larger step (a traced run made before the timed ones)."
    )


if __name__ == "__main__":
    main()
