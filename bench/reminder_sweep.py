"""Benchmark of the reminder sweep's planning half (``reminders.planner.plan``).

Generates a government with N open tasks of which a fixed number are due today under some rule
(default: 200,000 tasks, 2% = 4,000 due), runs ``plan()`` and reports its wall time and peak
memory; then does the same with 20,000 tasks and the SAME number of due items. If the cost
follows the due items and not the tasks, both rows of the table are about equal.

The tasks that are not due are spread over dates that give no reminder today: 60% in the
future, 30% long overdue but not on one of their overdue days today (the sweep must not read
them), 10% done or cancelled in the past.

    .venv/bin/python bench/reminder_sweep.py                       # PostgreSQL (default URL)
    .venv/bin/python bench/reminder_sweep.py --url sqlite:////tmp/bench.db
    .venv/bin/python bench/reminder_sweep.py --tasks 50000 --small 5000 --due 1000

PostgreSQL work happens in a schema of its own (dropped at the end); a SQLite URL names a file
that is recreated. Each phase (generate, sweep) runs in a child process, so the reported
maximum resident set size is the sweep's own. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
import tracemalloc
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
from sqlalchemy import text

NOW = datetime(2025, 10, 17, 0, 0, tzinfo=UTC)
TODAY = date(2025, 10, 17)  # a Friday
AGENCIES = 40
AGREEMENTS = 400


# --- phase 1: data ----------------------------------------------------------------------------


def generate(url: str, tasks: int, due: int, seed: int) -> dict:
    from kerjasama_flow.agreements.models import Partner, agreement_partner
    from kerjasama_flow.extensions import db
    from kerjasama_flow.reminders import rules
    from kerjasama_flow.tasks.models import Task

    rng = random.Random(seed)
    app = make_app(url, NOW)
    started = time.perf_counter()
    with app.app_context():
        government = create_government(AGENCIES, opd_users=True)
        gid, agency_ids = government.id, government.agency_ids
        partner = Partner(government_id=gid, name="Pemerintah Kota Depok", kind="pemda_kota")
        db.session.add(partner)
        db.session.commit()
        agreement_ids = insert_agreements(
            gid,
            [
                {"title": f"Kerja sama {i}", "lead_agency_id": agency_ids[i % AGENCIES]}
                for i in range(AGREEMENTS)
            ],
        )
        bulk(
            agreement_partner,
            ({"agreement_id": a, "partner_id": partner.id} for a in agreement_ids),
        )

        days = rules.WorkingDays.with_days_off(TODAY)
        oldest = TODAY - timedelta(days=730)
        due_dates = sorted(rules.due_dates_with_reminders(TODAY, oldest, days))
        quiet_past = [
            oldest + timedelta(days=k)
            for k in range((TODAY - oldest).days)
            if oldest + timedelta(days=k) not in set(due_dates)
        ]
        horizon = max(due_dates)

        def row(n: int) -> dict:
            if n < due:
                due_on, status = due_dates[n % len(due_dates)], "open"
            else:
                pick = rng.random()
                if pick < 0.6:
                    due_on, status = horizon + timedelta(days=rng.randint(1, 700)), "open"
                elif pick < 0.9:
                    due_on, status = rng.choice(quiet_past), rng.choice(("open", "in_progress"))
                else:
                    due_on = oldest + timedelta(days=rng.randint(0, 729))
                    status = rng.choice(("done", "cancelled"))
            now = datetime.now(UTC)
            return {
                "government_id": gid,
                "agreement_id": agreement_ids[n % AGREEMENTS],
                "agency_id": agency_ids[n % AGENCIES],
                "title": f"Tindak lanjut nomor {n}",
                "due_on": due_on,
                "status": status,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }

        order = list(range(tasks))
        rng.shuffle(order)  # due and quiet tasks interleaved in the table, as in real life
        bulk(Task.__table__, (row(n) for n in order))
        finish()
    return {"generate_s": time.perf_counter() - started, "due_dates": len(due_dates)}


# --- phase 2: the sweep -----------------------------------------------------------------------


def sweep(url: str) -> dict:
    from kerjasama_flow.extensions import db
    from kerjasama_flow.reminders.planner import plan

    app = make_app(url, NOW)
    result: dict = {}
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connect before measuring

        # 1. Peak Python memory of the whole plan (dry run: the same work, rolled back).
        tracemalloc.start()
        started = time.perf_counter()
        dry = plan(TODAY, dry_run=True)
        result["dry_run_traced_s"] = time.perf_counter() - started
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

        # 2. Wall time, untraced: the best of three dry runs (each does the whole work and
        # rolls it back), so a busy machine disturbs the figure less.
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            plan(TODAY, dry_run=True)
            timings.append(time.perf_counter() - started)
        result["best_dry_s"] = min(timings)
        # 3. The real plan.
        started = time.perf_counter()
        real = plan(TODAY)
        result["plan_s"] = time.perf_counter() - started
        # 4. The same day again: everything exists already (ON CONFLICT DO NOTHING).
        started = time.perf_counter()
        again = plan(TODAY)
        result["replan_s"] = time.perf_counter() - started

        result["queued"] = sum(p.queued for p in real)
        result["notified"] = sum(p.notified for p in real)
        result["dry_queued"] = sum(p.queued for p in dry)
        result["replan_queued"] = sum(p.queued for p in again)
        result["errors"] = [p.error for p in real + dry + again if p.error]
        due_items = db.session.scalar(
            text("SELECT count(DISTINCT item_id) FROM notification WHERE item_kind = 'task'")
        )
        result["due_items"] = due_items
        db.engine.dispose()
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# --- orchestration ----------------------------------------------------------------------------


def scenario(url: str, tasks: int, due: int, seed: int) -> dict:
    scoped, drop = database_for(url, f"{tasks}")
    try:
        made = child(__file__, "generate", scoped, tasks=tasks, due=due, seed=seed)
        measured = child(__file__, "sweep", scoped)
    finally:
        drop()
    return {"tasks": tasks, **made, **measured}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=None, help="due items (default 2%% of --tasks)")
    parser.add_argument("--seed", type=int, default=20251017)
    parser.add_argument("--phase", choices=("generate", "sweep"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = normalise_url(args.url)

    if args.phase == "generate":
        print(json.dumps(generate(url, args.tasks, args.due, args.seed)))
        return
    if args.phase == "sweep":
        print(json.dumps(sweep(url)))
        return

    due = args.due if args.due is not None else args.tasks * 2 // 100
    backend = backend_of(url)
    print(f"reminder sweep benchmark on {backend}, today {TODAY}, {due:,} due items")
    rows = [scenario(url, n, due, args.seed) for n in (args.tasks, args.small)]
    header = (
        f"{'tasks':>9} {'due':>6} {'outbox':>7} {'notif':>7} {'best s':>7} {'plan s':>7} "
        f"{'replan s':>8} "
        f"{'peak MB':>8} {'maxrss MB':>9} {'generate s':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['tasks']:>9,} {row['due_items']:>6,} {row['queued']:>7,} "
            f"{row['notified']:>7,} {row['best_dry_s']:>7.2f} {row['plan_s']:>7.2f} "
            f"{row['replan_s']:>8.2f} "
            f"{row['tracemalloc_peak_mb']:>8.1f} {row['maxrss_mb']:>9.1f} "
            f"{row['generate_s']:>10.1f}"
        )
        if row["errors"]:
            print(f"  errors: {row['errors']}")
        if row["dry_queued"] != row["queued"] or row["replan_queued"]:
            print(f"  unexpected: dry run {row['dry_queued']}, replan {row['replan_queued']}")
    print(
        "best s: best of three dry runs (the whole plan, rolled back); plan s: the first real\n"
        "sweep of the day; replan s: the same day again (nothing new); peak MB:\n"
        "tracemalloc peak of a dry run (the same work, rolled back); maxrss MB: the sweep\n"
        "process's maximum resident set size (Python, the app and the driver included)."
    )


if __name__ == "__main__":
    main()
