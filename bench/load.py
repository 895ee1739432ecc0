"""Load test: gunicorn with 4 workers on PostgreSQL, 50 users logged in once each, then a mix
of the agreement list, agreement pages, the dashboard and task status updates; run twice, the
second time while ten clients hammer the login with wrong passwords (issue 12).

The database is a PostgreSQL schema of its own (``common.database_for``, dropped at the end):
``flask --app wsgi db upgrade``, ``flask --app wsgi seed-demo`` (the three demo governments),
then a generated government (``dashboard.generate``: 40 agencies with an OPD head each, one
agreement per 25 tasks with its visits, KB, PKS and transactions; 20,000 tasks by default).
Every account gets the load test's password (one hash, copied). gunicorn then serves
``wsgi:app`` on a free port of 127.0.0.1, and each run is a locust process of its own
(headless, as a library; ``locust`` is in the ``bench`` extra: ``pip install -e '.[bench]'``):

* the users, 40% admins, 40% OPD heads and 20% pimpinan spread over the accounts of the four
  governments, log in through the form (CSRF token included) and read their lists; once all
  are in, the measured window of ``--duration`` seconds starts, during which each does the
  mix of ``load_mix.py`` with 2-5 s of reading between pages (``--think``);
* in the second run, ten clients post wrong passwords for the users' emails from that
  moment, each at most ``--hammer-rate`` attempts a second (answers 200, the form again, or
  429 once login throttling refuses them: both expected, counted apart).

Reported per run: the users' requests in the window (login excluded) with their errors, the
requests per second, p50/p95/p99 in ms (exact, from every request), per page p50/p95, and the
hammering's answers. The verdict: no error in either run, and the users' p95 while hammered
within 1.5x of the quiet run's. Loopback only; each run stops by itself after its login phase
(at most ``LOGIN_TIMEOUT`` s) and window (at most 60 s together), and every user stops after
``MAX_STEPS`` pages whatever the time.

    .venv/bin/python bench/load.py                                  # PostgreSQL (default URL)
    .venv/bin/python bench/load.py --duration 30 --users 50 --hammer 10 --json /tmp/load.json
    .venv/bin/python bench/load.py --runs quiet                     # the quiet run only

Not a test: nothing here asserts a time (the exit status says whether the verdict held).
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from common import DEFAULT_URL, ROOT, backend_of, child, database_for, make_app, normalise_url
from load_mix import Account, Failed, csrf_token, share_out

PASSWORD = "beban-uji-kerjasama-" + "7f3a9c"  # set on every account of the test database
WORKERS = 4
LOGIN_TIMEOUT = 30  # seconds for all users to log in before the window
SPAWN_RATE = 10  # users started a second: 50 logins over 5 s, not in one burst
MAX_RUN = 60  # seconds: login phase and window together
MAX_STEPS = 2000  # pages per user per run, whatever the time
THINK = (2.0, 5.0)  # seconds between a user's pages (``--think``)
SHARES = {"admin": 0.4, "opd": 0.4, "pimpinan": 0.2}
NOW = datetime(2025, 10, 17, 3, 0, tzinfo=UTC)
GENERATED_REGION = "99.01"  # the generated government; the demo's are real region codes


# --- phase 1: the database ------------------------------------------------------------------


def prepare(url: str, tasks: int, seed: int) -> dict:
    """Migrate, seed the demo, generate a government, set every account's password."""
    import dashboard
    from sqlalchemy import select

    from kerjasama_flow.accounts.models import User
    from kerjasama_flow.extensions import db

    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    generated = dashboard.generate(url, tasks, seed, region_code=GENERATED_REGION, opd_users=True)
    with make_app(url, NOW).app_context():
        users = db.session.scalars(select(User).where(User.is_active).order_by(User.id)).all()
        users[0].set_password(PASSWORD)
        for user in users[1:]:
            user.password_hash = users[0].password_hash
        db.session.commit()
        accounts = [
            {"email": u.email, "role": u.role.value, "government": u.government.region_code}
            for u in users
        ]
        db.engine.dispose()
    return {
        "accounts": accounts,
        "agreements": generated["agreements"],
        "prepare_s": time.perf_counter() - started,
    }


def choose_accounts(accounts: list[dict], users: int) -> list[Account]:
    """``users`` accounts by ``SHARES`` of role, each role's accounts taken in turn, the
    generated government's and the demo's interleaved."""
    by_role: dict[str, list[Account]] = {role: [] for role in SHARES}
    for account in accounts:
        by_role[account["role"]].append(Account(**account))
    chosen: list[Account] = []
    counts = {role: round(users * share) for role, share in SHARES.items()}
    counts["admin"] += users - sum(counts.values())
    for role, count in counts.items():
        chosen += [by_role[role][n % len(by_role[role])] for n in range(count)]
    return chosen


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)}
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
        f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60", "wsgi:app",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def check_loopback(target: str) -> None:
    host = urlsplit(target).hostname or ""
    if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise SystemExit(f"refused: {target} is not a loopback address")


# --- phase 2: one run (a locust process of its own) -------------------------------------------


def run(
    target: str,
    accounts_file: str,
    users: int,
    hammer: int,
    duration: float,
    rate: float,
    think: tuple[float, float],
):
    """One run against ``target``: log the users in, then the window. Returns the figures."""
    import gevent
    from gevent.event import Event
    from locust import FastHttpUser, between, constant, constant_throughput, task
    from locust.env import Environment
    from locust.exception import StopUser
    from locust.log import setup_logging

    check_loopback(target)
    setup_logging("WARNING")
    accounts = choose_accounts(json.loads(Path(accounts_file).read_text()), users)
    visitors = iter(share_out(accounts, users))
    emails = [account.email for account in accounts]
    targets = itertools.count()
    everyone_in = Event()
    window = {"start": float("inf"), "end": float("inf")}
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    logins = {"done": 0, "ms": []}
    hammering: dict[str, int] = {}

    def in_window(started: float) -> bool:
        return window["start"] <= started and time.time() <= window["end"]

    class Page:
        def __init__(self, response):
            self.status = response.status_code
            self.text = response.text or ""

    class LocustBrowser:
        def __init__(self, client):
            self.client = client

        def get(self, path: str, name: str) -> Page:
            return self._timed(name, lambda: self.client.get(path, name=name))

        def post(self, path: str, data: dict, name: str) -> Page:
            return self._timed(name, lambda: self.client.post(path, data=data, name=name))

        def _timed(self, name: str, send) -> Page:
            started = time.time()
            page = Page(send())
            elapsed_ms = (time.time() - started) * 1000
            if name == "login":
                logins["ms"].append(elapsed_ms)
            elif in_window(started):  # a status other than 200 fails the step (load_mix)
                times.setdefault(name, []).append(elapsed_ms)
            return page

    class User(FastHttpUser):
        host = target
        fixed_count = users
        wait_time = between(*think)

        def on_start(self):
            self.visitor = next(visitors)
            self.browser = LocustBrowser(self.client)
            self.steps = 0
            try:
                self.visitor.login(self.browser, PASSWORD)
                self.visitor.discover(self.browser)
            except Failed as error:
                errors.append(f"login of {self.visitor.account.email}: {error}")
            finally:
                logins["done"] += 1
                if logins["done"] == users:
                    everyone_in.set()

        @task
        def act(self):
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise StopUser()
            started = time.time()
            try:
                self.visitor.step(self.browser)
            except Failed as error:
                if in_window(started):
                    errors.append(str(error))

    class Hammer(FastHttpUser):
        host = target
        fixed_count = hammer
        wait_time = constant_throughput(rate) if rate else constant(0)

        def on_start(self):
            everyone_in.wait()
            self.email = emails[next(targets) % len(emails)]
            self.token = None
            self.attempts = 0

        @task
        def attempt(self):
            self.attempts += 1
            if self.attempts > MAX_STEPS * 10:
                raise StopUser()
            if self.token is None:
                form = self.client.get("/login", name="hammer: login form")
                self.token = csrf_token(form.text)
            with self.client.post(
                "/login",
                data={"csrf_token": self.token, "email": self.email, "password": "salah-123"},
                name="hammer: wrong password",
                catch_response=True,
            ) as answer:
                status = str(answer.status_code)
                hammering[status] = hammering.get(status, 0) + 1
                if answer.status_code in (200, 429):
                    answer.success()  # the form again, or throttled: both expected
                if answer.status_code == 400:  # CSRF token expired: fetch a new form
                    self.token = None

    classes = [User, Hammer] if hammer else [User]
    environment = Environment(user_classes=classes, host=target)
    runner = environment.create_local_runner()
    login_started = time.time()
    load_before = os.getloadavg()[0]
    runner.start(users + hammer, spawn_rate=SPAWN_RATE)
    everyone_in.wait(timeout=LOGIN_TIMEOUT)
    everyone_in.set()  # the window starts now, whoever is still logging in
    logged_in_s = time.time() - login_started
    window["start"] = time.time()
    gevent.sleep(duration)
    window["end"] = time.time()
    elapsed = window["end"] - window["start"]
    runner.quit()
    all_ms = sorted(ms for values in times.values() for ms in values)
    return {
        "users": users,
        "hammer": hammer,
        "think_s": list(think),
        "load_average": load_before,
        "logged_in": logins["done"],
        "login_phase_s": logged_in_s,
        "login_p50_ms": _percentile(sorted(logins["ms"]), 50),
        "window_s": elapsed,
        "requests": len(all_ms),
        "rps": len(all_ms) / elapsed,
        "p50": _percentile(all_ms, 50),
        "p95": _percentile(all_ms, 95),
        "p99": _percentile(all_ms, 99),
        "pages": {
            name: {
                "n": len(values),
                "p50": _percentile(sorted(values), 50),
                "p95": _percentile(sorted(values), 95),
            }
            for name, values in sorted(times.items())
        },
        "errors": errors,
        "hammering": hammering,
    }


def _seconds(text: str) -> tuple[float, float]:
    low, high = (float(part) for part in text.split("-"))
    return low, high


def _percentile(ordered: list[float], percent: float) -> float:
    """Nearest rank: the smallest value with ``percent``% of the values at or below it."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


# --- orchestration ----------------------------------------------------------------------------


def report(name: str, figures: dict) -> None:
    hammer = figures["hammering"]
    print(
        f"\n{name}: {figures['users']} users reading {figures['think_s'][0]:g}-"
        f"{figures['think_s'][1]:g} s per page ({figures['logged_in']} logged in, login phase "
        f"{figures['login_phase_s']:.1f} s, login p50 {figures['login_p50_ms']:.0f} ms)"
        + (f", {figures['hammer']} clients hammering the login" if figures["hammer"] else "")
        + f"; load average {figures['load_average']:.1f} on {os.cpu_count()} cores at the start"
    )
    print(
        f"  {figures['requests']} requests in {figures['window_s']:.1f} s: "
        f"{figures['rps']:.1f}/s, p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
        f"p99 {figures['p99']:.0f} ms, errors {len(figures['errors'])}"
    )
    for page, stats in figures["pages"].items():
        print(
            f"    {page:<16}{stats['n']:>6}  p50 {stats['p50']:>6.0f} ms  "
            f"p95 {stats['p95']:>6.0f} ms"
        )
    if figures["hammer"]:
        answers = ", ".join(f"{count} x {status}" for status, count in sorted(hammer.items()))
        print(f"  hammering: {sum(hammer.values())} wrong passwords answered ({answers})")
    for error in figures["errors"][:10]:
        print(f"  error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--hammer", type=int, default=10, help="clients posting wrong passwords")
    parser.add_argument(
        "--hammer-rate",
        type=float,
        default=2.0,
        help="attempts a second per client (0: no pause)",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per run")
    parser.add_argument("--tasks", type=int, default=20_000, help="the generated government's")
    parser.add_argument(
        "--think", type=_seconds, default=THINK, help="seconds between a user's pages: 2-5"
    )
    parser.add_argument("--seed", type=int, default=20251017)
    parser.add_argument("--runs", choices=("both", "quiet"), default="both")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--phase", choices=("prepare", "run"), help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duration + LOGIN_TIMEOUT > MAX_RUN:
        parser.error(f"--duration: at most {MAX_RUN - LOGIN_TIMEOUT} s (a run: <= {MAX_RUN} s)")
    url = normalise_url(args.url)

    if args.phase == "prepare":
        print(json.dumps(prepare(url, args.tasks, args.seed)))
        return
    if args.phase == "run":
        signal.alarm(MAX_RUN + 30)  # whatever happens, this process ends
        figures = run(
            args.target,
            args.accounts,
            args.users,
            args.hammer,
            args.duration,
            args.hammer_rate,
            args.think,
        )
        print(json.dumps(figures))
        return

    if backend_of(url) != "postgresql":
        parser.error("the load test runs on PostgreSQL")
    scoped, drop = database_for(url, "load")
    folder = Path(tempfile.mkdtemp(prefix="kf_load_"))
    server = None
    results: dict = {}
    try:
        prepared = child(__file__, "prepare", scoped, tasks=args.tasks, seed=args.seed)
        accounts_file = folder / "accounts.json"
        accounts_file.write_text(json.dumps(prepared["accounts"]))
        print(
            f"database ready in {prepared['prepare_s']:.0f} s: the demo and a generated "
            f"government ({prepared['agreements']} agreements, {args.tasks:,} tasks), "
            f"{len(prepared['accounts'])} accounts"
        )
        port = free_port()
        server = start_server(scoped, port, folder / "gunicorn.log")
        target = f"http://127.0.0.1:{port}"
        runs = {"quiet": 0, "hammered": args.hammer} if args.runs == "both" else {"quiet": 0}
        for name, hammer in runs.items():
            results[name] = child(
                __file__,
                "run",
                scoped,
                target=target,
                accounts=accounts_file,
                users=args.users,
                hammer=hammer,
                duration=args.duration,
                think="-".join(str(value) for value in args.think),
                **{"hammer-rate": args.hammer_rate},
            )
            report(name, results[name])
    finally:
        if server is not None:
            stop_server(server)
        drop()
    failures = [f"{name}: {len(f['errors'])} errors" for name, f in results.items() if f["errors"]]
    if "hammered" in results:
        ratio = results["hammered"]["p95"] / results["quiet"]["p95"]
        print(f"\np95 hammered / quiet: {ratio:.2f} (at most 1.5)")
        if ratio > 1.5:
            failures.append(f"p95 {ratio:.2f}x the quiet run's")
    print("verdict: " + ("held" if not failures else "NOT held: " + "; ".join(failures)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
