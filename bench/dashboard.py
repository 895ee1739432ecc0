"""Benchmark of the dashboard (``GET /dashboard`` and its five chart images).

Generates one government with N tasks (default: 10,000 and 1,000,000) and, in proportion, one
agreement per 25 tasks (or a fixed number with ``--agreements``) with visits, MoU/KB, PKS and
transactions, sectors and partners in ten provinces; then times the page with the Flask test
client as the pimpinan and counts its SQL statements. The target of the issue: under 3x the
time for 100x the data, and the same number of queries.

    .venv/bin/python bench/dashboard.py                                # PostgreSQL (default URL)
    .venv/bin/python bench/dashboard.py --agreements 400               # only the tasks grow
    .venv/bin/python bench/dashboard.py --sizes 10000 100000
    .venv/bin/python bench/dashboard.py --url sqlite:////tmp/kf_dash.db --sizes 10000

Data is loaded with ``common.py``, as ``reminder_sweep.py`` loads it (bulk inserts, then the
agreements filed under their year, the task tallies recounted and ``VACUUM ANALYZE``), in a
PostgreSQL schema of its own that is dropped at the end. Generation and measurement run in
child processes. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

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
from sqlalchemy import event, text

NOW = datetime(2025, 10, 17, 3, 0, tzinfo=UTC)
TODAY = date(2025, 10, 17)
AGENCIES = 40
PARTNERS = 200
TASKS_PER_AGREEMENT = 25
PROVINCES = [
    "DKI Jakarta",
    "Jawa Barat",
    "Jawa Tengah",
    "Jawa Timur",
    "Bali",
    "Banten",
    "DI Yogyakarta",
    "Sumatera Utara",
    "Kalimantan Timur",
    "Sulawesi Selatan",
]
SECTOR_CODES = ["pangan", "pertanian", "umkm", "pariwisata", "investasi", "pendidikan"]


# --- phase 1: data ----------------------------------------------------------------------------


def generate(
    url: str,
    tasks: int,
    seed: int,
    agreements: int = 0,
    region_code: str = "35.72",
    opd_users: bool = False,
) -> dict:
    """Kota Uji (``region_code``; ``opd_users``: with an OPD head per agency) and its
    generated agreements, milestones and tasks (the module's docstring says which)."""
    from kerjasama_flow.agreements.models import (
        Mou,
        Partner,
        Pks,
        Transaction,
        Visit,
    )
    from kerjasama_flow.extensions import db
    from kerjasama_flow.tasks.models import Task

    rng = random.Random(seed)
    app = make_app(url, NOW)
    started = time.perf_counter()
    now = datetime.now(UTC)
    with app.app_context():
        government = create_government(AGENCIES, opd_users, region_code)
        gid, agency_ids = government.id, government.agency_ids
        partners = [
            Partner(
                government_id=gid,
                name=f"Mitra {i}",
                kind="pemda_kota",
                province=PROVINCES[i % len(PROVINCES)],
            )
            for i in range(PARTNERS)
        ]
        db.session.add_all(partners)
        db.session.commit()
        partner_ids = [p.id for p in partners]

        n_agreements = agreements or max(1, tasks // TASKS_PER_AGREEMENT)
        plans = []  # (stage, visit_on, mou_on, pks_on, tx_on)
        for _ in range(n_agreements):
            visit_on = TODAY - timedelta(days=rng.randint(30, 1500))
            pick = rng.random()
            mou_on = visit_on + timedelta(days=rng.randint(10, 200)) if pick < 0.8 else None
            pks_on = mou_on + timedelta(days=rng.randint(10, 200)) if pick < 0.5 else None
            tx_on = pks_on + timedelta(days=rng.randint(5, 120)) if pick < 0.3 else None
            stage = (
                "pelaksanaan"
                if tx_on
                else "pks"
                if pks_on
                else "kesepakatan"
                if mou_on
                else "penjajakan"
            )
            plans.append((stage, visit_on, mou_on, pks_on, tx_on))
        ids = insert_agreements(
            gid,
            [
                {
                    "title": f"Kerja sama {i}",
                    "lead_agency_id": agency_ids[i % AGENCIES],
                    "stage": plan[0],
                    "partner_id": partner_ids[i % PARTNERS],
                    "sectors": {SECTOR_CODES[i % 6], SECTOR_CODES[(i * 7) % 6]},
                }
                for i, plan in enumerate(plans)
            ],
        )
        milestone = {"created_at": now, "version": 1}
        bulk(
            Visit.__table__,
            [
                {
                    "agreement_id": a,
                    "visited_on": p[1],
                    "place": "Balai Kota",
                    "direction": "keluar",
                    **milestone,
                }
                for a, p in zip(ids, plans, strict=True)
            ],
        )
        bulk(
            Mou.__table__,
            [
                {
                    "agreement_id": a,
                    "document_kind": "mou",
                    "signed_on": p[2],
                    "starts_on": p[2],
                    "ends_on": p[2] + timedelta(days=rng.randint(300, 1800)),
                    **milestone,
                }
                for a, p in zip(ids, plans, strict=True)
                if p[2]
            ],
        )
        bulk(
            Pks.__table__,
            [
                {
                    "agreement_id": a,
                    "title": "PKS",
                    "is_direct": True,
                    "signed_on": p[3],
                    "starts_on": p[3],
                    "ends_on": p[3] + timedelta(days=rng.randint(200, 1000)),
                    **milestone,
                }
                for a, p in zip(ids, plans, strict=True)
                if p[3]
            ],
        )
        pks_of = dict(
            db.session.execute(text("SELECT agreement_id, min(id) FROM pks GROUP BY 1")).all()
        )
        bulk(
            Transaction.__table__,
            [
                {
                    "agreement_id": a,
                    "pks_id": pks_of[a],
                    "transacted_on": p[4] + timedelta(days=k * 30),
                    "buyer": "Pembeli",
                    "seller": "Penjual",
                    "commodity": "Beras",
                    "value_rp": rng.randint(1, 500) * 1_000_000,
                    **milestone,
                }
                for a, p in zip(ids, plans, strict=True)
                if p[4]
                for k in range(2)
            ],
        )

        def task_row(n: int) -> dict:
            pick = rng.random()
            due_on = TODAY + timedelta(days=rng.randint(-400, 200))
            if pick < 0.45:
                status, done_at = rng.choice(("open", "in_progress")), None
            elif pick < 0.9:
                status = "done"
                done_at = datetime.combine(due_on, datetime.min.time(), UTC) + timedelta(
                    hours=rng.randint(-240, 120)
                )
                if done_at > now:
                    done_at = now
            else:
                status, done_at = "cancelled", None
            return {
                "government_id": gid,
                "agreement_id": ids[n % len(ids)],
                "agency_id": agency_ids[(n * 7) % AGENCIES],
                "title": f"Tindak lanjut {n}",
                "due_on": due_on,
                "status": status,
                "done_at": done_at,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }

        bulk(Task.__table__, (task_row(n) for n in range(tasks)))
        finish()
    return {"generate_s": time.perf_counter() - started, "agreements": n_agreements}


# --- phase 2: measure -------------------------------------------------------------------------


def measure(url: str, repeat: int) -> dict:
    from kerjasama_flow.accounts.models import User
    from kerjasama_flow.extensions import db
    from kerjasama_flow.reports.charts import CHARTS
    from tests.factories import start_session

    app = make_app(url, NOW)
    client = app.test_client()
    with app.app_context():
        user_id = db.session.scalar(
            text("SELECT id FROM user_account WHERE role = 'pimpinan' ORDER BY id LIMIT 1")
        )
        session_id = start_session(db.session.get(User, user_id))
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True

    def get(path: str):
        with app.app_context():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

    paths = ["/dashboard"] + [f"/dashboard/chart/{name}.svg" for name in CHARTS]
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for path in paths:  # warm up
        get(path)
    result: dict = {}
    event.listen(engine, "before_cursor_execute", count)
    get("/dashboard")
    result["page_queries"] = len(statements)
    statements.clear()
    for path in paths[1:]:
        get(path)
    result["chart_queries"] = len(statements)
    event.remove(engine, "before_cursor_execute", count)

    timings = {"page": [], "charts": []}
    for _ in range(repeat):
        started = time.perf_counter()
        get("/dashboard")
        timings["page"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for path in paths[1:]:
            get(path)
        timings["charts"].append(time.perf_counter() - started)
    result["page_s"] = min(timings["page"])
    result["charts_s"] = min(timings["charts"])
    with app.app_context():
        db.engine.dispose()
    return result


# --- orchestration ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20251017)
    parser.add_argument(
        "--agreements",
        type=int,
        default=0,
        help="a fixed number of agreements for every size (default: one per 25 tasks)",
    )
    parser.add_argument("--tasks", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("generate", "measure"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = normalise_url(args.url)

    if args.phase == "generate":
        print(json.dumps(generate(url, args.tasks, args.seed, args.agreements)))
        return
    if args.phase == "measure":
        print(json.dumps(measure(url, args.repeat)))
        return

    backend = backend_of(url)
    print(f"dashboard benchmark on {backend}, today {TODAY}, best of {args.repeat}")
    rows = []
    for size in args.sizes:
        scoped, drop = database_for(url, f"dash{size}")
        try:
            made = child(
                __file__, "generate", scoped, tasks=size, seed=args.seed, agreements=args.agreements
            )
            measured = child(__file__, "measure", scoped, repeat=args.repeat)
            rows.append({"tasks": size, **made, **measured})
        finally:
            drop()
    header = (
        f"{'tasks':>10} {'agreements':>10} {'page s':>7} {'charts s':>8} {'queries':>7} "
        f"{'chart q':>7} {'generate s':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['tasks']:>10,} {row['agreements']:>10,} {row['page_s']:>7.3f} "
            f"{row['charts_s']:>8.3f} {row['page_queries']:>7} {row['chart_queries']:>7} "
            f"{row['generate_s']:>10.1f}"
        )
    first, last = rows[0], rows[-1]
    if len(rows) > 1:
        print(
            f"ratio {last['tasks'] // first['tasks']}x data: page "
            f"{last['page_s'] / first['page_s']:.2f}x, charts "
            f"{last['charts_s'] / first['charts_s']:.2f}x; queries "
            f"{first['page_queries']} -> {last['page_queries']}"
        )


if __name__ == "__main__":
    main()
