"""What the benchmarks share: a database of their own per scenario, the app on it, bulk loading
of generated rows, and child processes for the phases (so each phase's memory is its own).

Generated data is written with bulk ``executemany`` inserts of ``BATCH`` rows, which bypass the
ORM and the services; ``finish`` therefore files the agreements under their year and recounts
the task tallies, as the services and the session would have, then runs ``VACUUM ANALYZE``
on PostgreSQL (as autovacuum would have, see ``finish``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Integer, cast, create_engine, insert, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 10_000


def normalise_url(url: str) -> str:
    """``postgresql://`` URLs as the app's driver (psycopg 3) needs them."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()


def database_for(url: str, label: str) -> tuple[str, Callable[[], None]]:
    """A fresh database for one scenario: its URL and a function that drops it. PostgreSQL
    work happens in a schema of its own; a SQLite URL names a file that is recreated."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database).with_name(f"{Path(parsed.database).stem}_{label}.db")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def make_app(url: str, now: datetime):
    from kerjasama_flow import create_app

    return create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "KERJASAMA_NOW": now.isoformat()}
    )


def child(script: str, phase: str, url: str, **options) -> dict:
    """Run ``script --phase phase`` in a fresh interpreter; its last output line is JSON."""
    command = [sys.executable, script, "--phase", phase, "--url", url]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- generated data ---------------------------------------------------------------------------


@dataclass
class Government:
    """The ids of a generated government: its agencies and its users by role."""

    id: int
    agency_ids: list[int]
    pimpinan_id: int


def create_government(
    agencies: int, opd_users: bool = False, region_code: str = "35.72"
) -> Government:
    """Kota Uji (``region_code``) with ``agencies`` agencies, an admin and a pimpinan (and one
    OPD head per agency when asked), in the app context's session; committed."""
    from kerjasama_flow.accounts.models import Agency, Role, User
    from kerjasama_flow.accounts.models import Government as GovernmentModel
    from kerjasama_flow.extensions import db

    db.create_all()
    government = GovernmentModel(region_code=region_code, name="Kota Uji", timezone="Asia/Jakarta")
    db.session.add(government)
    db.session.flush()
    rows = [
        Agency(government_id=government.id, code=f"OPD{i}", name=f"Dinas Uji {i}")
        for i in range(agencies)
    ]
    db.session.add_all(rows)
    db.session.flush()
    users = [
        User(government_id=government.id, email="admin@uji.go.id", name="Admin", role=Role.ADMIN),
        User(
            government_id=government.id,
            email="walikota@uji.go.id",
            name="Wali",
            role=Role.PIMPINAN,
        ),
    ]
    if opd_users:
        users += [
            User(
                government_id=government.id,
                email=f"opd{i}@uji.go.id",
                name=f"Kepala OPD {i}",
                role=Role.OPD,
                agency_id=agency.id,
            )
            for i, agency in enumerate(rows)
        ]
    for user in users:
        user.password_hash = "x"
    db.session.add_all(users)
    db.session.commit()
    return Government(government.id, [a.id for a in rows], users[1].id)


def bulk(table, rows: Iterable[dict]) -> None:
    """Insert ``rows`` into ``table`` in batches of ``BATCH``, one commit per batch."""
    from kerjasama_flow.extensions import db

    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(table), batch)
            db.session.commit()
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
        db.session.commit()


def insert_agreements(government_id: int, rows: list[dict]) -> list[int]:
    """Bulk-insert agreements (each row's own columns over plain defaults), with a row's
    ``partner_id`` and ``sectors`` linked to it; the government's agreement ids in order (one
    call per government: the rows are matched to the ids by position)."""
    from kerjasama_flow.agreements.models import Agreement, AgreementSector, agreement_partner
    from kerjasama_flow.extensions import db

    rows = list(rows)
    links = [(row.pop("partner_id", None), row.pop("sectors", ())) for row in rows]

    now = datetime.now(UTC)
    defaults = {
        "government_id": government_id,
        "kind": "ksdd",
        "stage": "pks",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    bulk(Agreement.__table__, ({**defaults, **row} for row in rows))
    ids = list(
        db.session.scalars(
            text("SELECT id FROM agreement WHERE government_id = :g ORDER BY id"),
            {"g": government_id},
        )
    )
    pairs = list(zip(ids, links, strict=True))
    bulk(
        agreement_partner,
        ({"agreement_id": a, "partner_id": p} for a, (p, _) in pairs if p is not None),
    )
    bulk(
        AgreementSector.__table__,
        ({"agreement_id": a, "sector": s} for a, (_, sectors) in pairs for s in sectors),
    )
    return ids


def finish() -> None:
    """After bulk loading: file the agreements under their year and recount the task tallies
    (what the services and the session keep when rows come through the ORM), then VACUUM
    ANALYZE (PostgreSQL).

    VACUUM, not only ANALYZE: it is what autovacuum does to a production database shortly
    after a bulk load, and the state the pages are measured in there. Without it the tables
    keep the dead rows of the UPDATE above and no visibility map, so PostgreSQL cannot answer
    from an index alone (an index-only scan) and every count reads the table itself."""
    from kerjasama_flow.agreements.models import Agreement
    from kerjasama_flow.agreements.services import filing_year
    from kerjasama_flow.extensions import db
    from kerjasama_flow.tasks import tally

    db.session.execute(update(Agreement).values(year=cast(filing_year(), Integer)))
    tally.rebuild(db.session)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Table by table (the benchmark's own, through its search_path), outside a
        # transaction block, as VACUUM requires.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in db.metadata.sorted_tables:
                conn.execute(text(f'VACUUM ANALYZE "{table.name}"'))
    db.engine.dispose()
