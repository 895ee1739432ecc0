"""The permission matrix, generated from the app's URL map: a new route cannot skip it.

For every rule: every role (and an anonymous visitor) x every method the rule takes, with URL
arguments filled from the ``world`` fixture; then the same rule with another government's
record ids (tenant isolation: 404, never a hint). A rule whose URL argument has no entry in
``OWN_ARGS`` fails here until one is added.

Each request runs in an application context of its own, as in production: a fresh ``g`` (where
Flask-Login caches the current user) and a fresh database session per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from kerjasama_flow import create_app, storage
from kerjasama_flow.accounts import api_tokens
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from kerjasama_flow.permissions import ENDPOINT_ROLES, PUBLIC
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories
from tests.api_helpers import bearer, token_for
from tests.conftest import make_test_app
from tests.document_helpers import image_bytes, make_document
from tests.import_helpers import make_import_job

ROLES = ("anonymous", "admin", "opd", "pimpinan")
METHODS = ("GET", "POST")
CSRF_MESSAGE = "Sesi formulir sudah kedaluwarsa atau tidak sah"

# URL argument name -> its value in the world of government A (the users' own).
OWN_ARGS: dict[str, Callable] = {
    "agreement_id": lambda w: w.agreement.id,
    "task_id": lambda w: w.task.id,
    "kind": lambda w: "mou",
    "milestone_id": lambda w: w.mou.id,
    "partner_id": lambda w: w.partner.id,
    "agency_id": lambda w: w.agency.id,
    "user_id": lambda w: w.opd.id,
    "day_off_id": lambda w: w.day_off.id,
    "template_id": lambda w: w.template.id,
    "notification_id": lambda w: w.notifications["opd"].id,
    "fmt": lambda w: "csv",
    "name": lambda w: "corong",  # reports.chart
    "job_id": lambda w: w.import_job.id,
    "evaluation_id": lambda w: w.evaluation.id,
    "document_id": lambda w: w.document.id,
    "token_id": lambda w: w.api_tokens["admin"].id,
    # reports.calendar; accounts.reset_password takes it for a link that is not valid (its page)
    "token": lambda w: w.admin.calendar_token,
    "region_code": lambda w: w.gov.region_code,  # reports.public_agreements (turned on below)
    # ``static`` and ``bootstrap.static``: a file that exists in each (see ``static_file``).
    "filename": lambda w: None,
}

# The same names pointing at government B's records (another tenant).
FOREIGN_ARGS: dict[str, Callable] = {
    "agreement_id": lambda w: w.other_agreement.id,
    "task_id": lambda w: w.other_task.id,
    "milestone_id": lambda w: w.other_mou.id,
    "partner_id": lambda w: w.other_agreement.partners[0].id,
    "agency_id": lambda w: w.other_agency_b.id,
    "user_id": lambda w: w.other_admin.id,
    "day_off_id": lambda w: w.other_day_off.id,
    "template_id": lambda w: w.other_template.id,
    "notification_id": lambda w: w.other_notification.id,
    "evaluation_id": lambda w: w.other_evaluation.id,
    "document_id": lambda w: w.other_document.id,
    "job_id": lambda w: w.other_import_job.id,
    "token_id": lambda w: w.other_api_token.id,
}
# Records only their owner may open (another user's is a 404): each visitor uses their own.
PER_USER_ARGS: dict[str, Callable] = {
    "notification_id": lambda w, role: w.notifications[role].id,
    "token_id": lambda w, role: w.api_tokens[role].id,
}
ID_ARGS = frozenset(FOREIGN_ARGS)


def _rules_at_collection() -> list[tuple[str, str]]:
    """(endpoint, rule) of every route, read from an app built just for collecting them."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules())


RULES = _rules_at_collection()
FOREIGN_RULES = [(e, r) for e, r in RULES if set(re.findall(r"<(?:[^:>]+:)?(\w+)>", r)) & ID_ARGS]

# Routes whose URL's ``kind`` narrows the endpoint's roles: the matrix has a row per kind, with
# the roles that get through (the others get 403) and the milestone of that kind to open. A
# KB (as a visit and a PKS) is Bagian Pemerintahan's; the OPD user's agency carries
# ``world.pks`` out, so its head records, edits and deletes its transactions and activities.
# Each visitor opens a realisation of its own (``world.realisations``): an allowed delete
# takes its record away, and the next visitor must still find one.
KIND_ROUTES = frozenset(
    {"agreements.milestone_new", "agreements.milestone_edit", "agreements.milestone_delete"}
)
KIND_ROLES: dict[str, frozenset[Role]] = {
    "mou": frozenset({Role.ADMIN}),
    "transaction": frozenset({Role.ADMIN, Role.OPD}),
    "activity": frozenset({Role.ADMIN, Role.OPD}),
}
MILESTONE_OF_KIND: dict[str, Callable] = {
    "mou": lambda w, role: w.mou.id,
    "transaction": lambda w, role: w.realisations["transaction"][role].id,
    "activity": lambda w, role: w.realisations["activity"][role].id,
}
MATRIX = [
    (endpoint, rule_text, kind)
    for endpoint, rule_text in RULES
    for kind in (KIND_ROLES if endpoint in KIND_ROUTES else [None])
]


@pytest.fixture
def world(world):
    return add_route_records(world)


def add_route_records(world):
    """The shared world plus a record for every URL argument of ``OWN_ARGS`` and
    ``FOREIGN_ARGS`` in each government: one day off, one task template, notifications,
    evaluations, realisations, documents, import jobs; the calendar feed and the public page
    turned on, with a lambang. (``tests/test_hostile_input.py`` walks the routes with it too.)"""
    world.day_off = factories.make_day_off(world.gov, name="Hari Jadi Kota Blitar")
    world.other_day_off = factories.make_day_off(world.other_gov, name="Hari Jadi Kab. Malang")
    world.template = factories.make_task_template(world.gov)
    world.other_template = factories.make_task_template(
        world.other_gov, title="Templat tugas Kab. Malang"
    )
    world.notifications = {r: factories.make_notification(u) for r, u in world.users().items()}
    world.notifications["anonymous"] = world.notifications["opd"]
    world.other_notification = factories.make_notification(world.other_admin)
    # API tokens (accounts.api_token_revoke): each user's own, and one in government B.
    world.api_tokens = {r: api_tokens.issue(u, "Matriks")[0] for r, u in world.users().items()}
    world.api_tokens["anonymous"] = world.api_tokens["opd"]
    world.other_api_token = api_tokens.issue(world.other_admin, "Matriks")[0]
    world.evaluation = factories.make_evaluation(world.agreement)
    world.realisations = {
        "transaction": {r: factories.make_transaction(world.agreement, world.pks) for r in ROLES},
        "activity": {r: factories.make_activity(world.agreement, world.pks) for r in ROLES},
    }
    world.other_evaluation = factories.make_evaluation(world.other_agreement)
    # A proof the OPD uploaded to its own task: every role may try every document route.
    world.document = make_document(world.opd, world.agreement, world.task, title="Bukti DKPP")
    world.other_document = make_document(world.other_admin, world.other_agreement)
    world.import_job = make_import_job(world.admin)
    world.other_import_job = make_import_job(world.other_admin)
    world.admin.calendar_token = "matrix-calendar-token"
    lambang = storage.store(image_bytes("PNG"), folder="identity", suffix=".png")
    world.gov.settings = {
        **(world.gov.settings or {}),
        "public_page": True,
        "lambang_file": lambang.name,  # identity.lambang
    }
    db.session.commit()
    return world


# --- helpers ----------------------------------------------------------------------------------


def find_rule(app: Flask, endpoint: str, rule_text: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == endpoint and rule.rule == rule_text:
            return rule
    pytest.fail(f"rule {rule_text} ({endpoint}) disappeared from the URL map")


def static_file(app: Flask, endpoint: str) -> str:
    folder = (
        app.static_folder
        if endpoint == "static"
        else app.blueprints[endpoint.split(".")[0]].static_folder
    )
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    assert files, f"no file to request under {folder}"
    return files[0].relative_to(folder).as_posix()


def url_for_rule(app: Flask, rule, world, overrides: dict | None = None) -> str:
    values = {}
    for name in sorted(rule.arguments):
        if overrides and name in overrides:
            values[name] = overrides[name]
        elif name == "filename":
            values[name] = static_file(app, rule.endpoint)
        elif name in OWN_ARGS:
            values[name] = OWN_ARGS[name](world)
        else:
            pytest.fail(
                f"URL argument {name!r} of rule {rule.rule} ({rule.endpoint}) has no value: add "
                f"it to OWN_ARGS (and to FOREIGN_ARGS when it names a record) in {__file__}"
            )
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


def methods_of(rule) -> list[str]:
    return [m for m in METHODS if m in rule.methods]


def is_api(endpoint: str) -> bool:
    """The JSON API's routes: a visitor there is a client with its user's personal token (no
    session); an anonymous one has no token and gets a 401."""
    return endpoint.startswith("api.")


class Visitor:
    """A browser of one role (or, with ``token``, an API client with that user's personal
    token and no session). Each request runs in an app context of its own."""

    def __init__(self, app: Flask, user=None, token: bool = False):
        self.app = app
        self.client = app.test_client()
        self.user_id = user.id if user is not None else None
        self.headers = bearer(token_for(user)) if token and user is not None else {}
        if user is not None and not token:
            # Log in through the session, as Flask-Login does after a successful /login
            # (the real form is covered by test_accounts_login): no password hashing here.
            with self.client.session_transaction() as session:
                session["_user_id"] = factories.start_session(user)
                session["_fresh"] = True

    def open(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            response = self.client.open(url, method=method, headers=self.headers, **kwargs)
            response.get_data()  # read it all, then release files sent by ``send_file``
            response.close()
            return response


def visitors(app: Flask, world, endpoint: str = "") -> dict[str, Visitor]:
    users = world.users()
    return {role: Visitor(app, users.get(role), token=is_api(endpoint)) for role in ROLES}


def table_counts() -> dict[str, int]:
    db.session.rollback()  # see what the requests committed
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def activity_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ActivityLog))


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- completeness -----------------------------------------------------------------------------


def test_every_route_is_in_the_permission_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ENDPOINT_ROLES.keys())
    assert not missing, f"routes without an entry in permissions.ENDPOINT_ROLES: {missing}"


def test_permission_table_has_no_stale_entries(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(ENDPOINT_ROLES.keys() - endpoints)
    assert not stale, f"permissions.ENDPOINT_ROLES names endpoints that have no route: {stale}"


def test_permission_table_names_only_known_roles():
    for endpoint, roles in ENDPOINT_ROLES.items():
        assert roles is PUBLIC or (roles and roles <= set(Role)), endpoint


def test_collected_rules_match_the_app(app):
    assert sorted((r.endpoint, r.rule) for r in app.url_map.iter_rules()) == RULES


def test_one_blueprint_per_package_named_after_it(app):
    """An endpoint's prefix names the package its view lives in (``accounts.login`` is in
    ``kerjasama_flow/accounts/views.py``); Flask-Bootstrap's own blueprint aside."""
    ours = {name: bp for name, bp in app.blueprints.items() if name != "bootstrap"}
    assert {name: bp.import_name for name, bp in ours.items()} == {
        name: f"kerjasama_flow.{name}.views" for name in ours
    }


def test_the_feed_and_public_page_switches_are_account_settings(app):
    """Issuing a calendar link and turning the public page on are writes of ``accounts``, at
    the URLs they always had; the ``reports`` blueprint (the feed and the public page among
    it) only reads."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    assert rules["accounts.calendar_token"].rule == "/account/calendar-token"
    assert ENDPOINT_ROLES["accounts.calendar_token"] == frozenset(Role)
    assert rules["accounts.public_page"].rule == "/settings/public-page"
    assert ENDPOINT_ROLES["accounts.public_page"] == {Role.ADMIN}
    for endpoint, rule in rules.items():
        if endpoint.startswith("reports."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, endpoint


def test_unknown_endpoint_fails_closed(app, world, tmp_path):
    """An endpoint missing from the table answers 403 even to an admin."""
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)

    @other.route("/__unlisted_for_test")
    def unlisted_for_test():  # pragma: no cover - must never run
        return "leak"

    try:
        response = Visitor(other, world.admin).open("GET", "/__unlisted_for_test")
        assert response.status_code == 403
        assert "leak" not in response.get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()


# --- the matrix: every rule x role x method ---------------------------------------------------


def expected_problem(
    endpoint: str, role: str, method: str, response, roles: frozenset[Role] | None = None
) -> str | None:
    """What is wrong with ``response``, or None when it is what the matrix expects (of
    ``roles``, the endpoint's by default)."""
    roles = ENDPOINT_ROLES[endpoint] if roles is None else roles
    status = response.status_code
    location = response.headers.get("Location", "")
    if role == "anonymous" and roles is not PUBLIC and is_api(endpoint):
        return None if status == 401 else f"{status}, expected 401 (no token)"
    if role == "anonymous" and roles is not PUBLIC:
        return None if is_login_redirect(response) else f"{status} {location}, expected 302 /login"
    if roles is not PUBLIC and Role(role) not in roles:
        return None if status == 403 else f"{status}, expected 403"
    if is_login_redirect(response) and role != "anonymous" and endpoint != "accounts.logout":
        return f"302 to {location} for a logged-in {role}"
    allowed = (200, 302) if method == "GET" else (200, 302, 400)
    if is_api(endpoint) and method != "GET":
        # The matrix's empty body reached the view, which refused it as the API refuses a
        # body it cannot use: not multipart (415), invalid (422), without a version (428).
        allowed += (415, 422, 428)
    return None if status in allowed else f"{status}, expected one of {allowed}"


def test_kind_routes_are_the_milestone_routes():
    """Every route with a ``kind`` argument has a row per kind, and a kind only narrows the
    endpoint's roles."""
    with_kind = {e for e, r in RULES if "<kind>" in r}
    assert with_kind == KIND_ROUTES
    for endpoint in KIND_ROUTES:
        assert set().union(*KIND_ROLES.values()) == ENDPOINT_ROLES[endpoint], endpoint


@pytest.mark.parametrize(
    ("endpoint", "rule_text", "kind"),
    MATRIX,
    ids=[r if kind is None else f"{r}[{kind}]" for _, r, kind in MATRIX],
)
def test_role_matrix(app, world, endpoint, rule_text, kind):
    rule = find_rule(app, endpoint, rule_text)
    assert endpoint in ENDPOINT_ROLES, f"{endpoint} is not in permissions.ENDPOINT_ROLES"
    roles = ENDPOINT_ROLES[endpoint] if kind is None else KIND_ROLES[kind]
    shared_url = url_for_rule(app, rule, world)
    problems = []
    for role, visitor in visitors(app, world, endpoint).items():
        own = {n: f(world, role) for n, f in PER_USER_ARGS.items() if n in rule.arguments}
        if kind is not None:
            own |= {"kind": kind, "milestone_id": MILESTONE_OF_KIND[kind](world, role)}
        url = url_for_rule(app, rule, world, own) if own else shared_url
        for method in methods_of(rule):
            forbidden = role == "anonymous" or Role(role) not in roles
            forbidden = forbidden and roles is not PUBLIC
            before = table_counts() if method == "POST" and forbidden else None
            response = visitor.open(method, url, data={})
            problem = expected_problem(endpoint, role, method, response, roles)
            if problem:
                problems.append(f"{method} {url} as {role}: {problem}")
            if before is not None and table_counts() != before:
                problems.append(f"{method} {url} as {role} (forbidden) changed the database")
    assert not problems, "\n".join(problems)


# --- tenant isolation: another government's records are invisible ----------------------------


def foreign_markers(world) -> list[str]:
    """Texts that only government B's records contain."""
    partner_b = world.other_agreement.partners[0]
    return [
        world.other_agreement.title,
        world.other_task.title,
        world.other_agency_b.name,
        world.other_gov.name,
        world.other_admin.email,
        world.other_admin.name,
        partner_b.name,
        world.other_day_off.name,
        world.other_template.title,
    ]


@pytest.mark.parametrize(
    ("endpoint", "rule_text"), FOREIGN_RULES, ids=[r for _, r in FOREIGN_RULES]
)
def test_other_government_records_answer_404(app, world, endpoint, rule_text):
    rule = find_rule(app, endpoint, rule_text)
    id_args = sorted(set(rule.arguments) & ID_ARGS)
    markers = foreign_markers(world)
    # Every id argument from government B at once, then each one alone (the others from A):
    # a nested route must check every record, not only the first.
    variants = [dict.fromkeys(id_args)] + [{name: None} for name in id_args]
    problems = []
    for variant in variants:
        overrides = {name: FOREIGN_ARGS[name](world) for name in variant}
        if "milestone_id" in overrides:
            overrides["kind"] = "mou"
        url = url_for_rule(app, rule, world, overrides)
        for role, visitor in visitors(app, world, endpoint).items():
            if role == "anonymous":
                continue
            allowed = ENDPOINT_ROLES[endpoint] is PUBLIC or Role(role) in ENDPOINT_ROLES[endpoint]
            for method in methods_of(rule):
                before = table_counts() if method == "POST" else None
                response = visitor.open(method, url, data={})
                body = response.get_data(as_text=True)
                expected = (404,) if allowed else (403, 404)
                if response.status_code not in expected:
                    problems.append(
                        f"{method} {url} as {role}: {response.status_code}, expected {expected}"
                    )
                leaked = [m for m in markers if m in body]
                if leaked:
                    problems.append(f"{method} {url} as {role}: the page shows {leaked}")
                if before is not None and table_counts() != before:
                    problems.append(f"{method} {url} as {role} changed the database")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("endpoint", "rule_text"),
    [(e, r) for e, r in RULES if is_api(e) and ENDPOINT_ROLES[e] is not PUBLIC],
)
def test_api_routes_refuse_the_session_cookie(app, world, endpoint, rule_text):
    """A logged-in browser without a token gets the API's 401, whatever its role."""
    rule = find_rule(app, endpoint, rule_text)
    url = url_for_rule(app, rule, world)
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    for role, visitor in visitors(app, world).items():
        response = visitor.open(method, url)
        assert response.status_code == 401, (role, url)
        assert response.json["error"]["code"] == "unauthorized"


def test_foreign_ids_cover_every_id_argument():
    """Every URL argument that names a record has a government-B value."""
    for _, rule_text in RULES:
        for name in re.findall(r"<(?:[^:>]+:)?(\w+)>", rule_text):
            if name.endswith("_id"):
                assert name in FOREIGN_ARGS, f"{rule_text}: add {name!r} to FOREIGN_ARGS"


# --- OPD: object-level checks within their own government -------------------------------------


@pytest.fixture
def unrelated(world):
    """An agreement of gov A that the OPD user's agency neither leads nor has tasks in, with
    a task of another agency."""
    agreement = factories.make_agreement(
        world.gov, world.other_agency, title="Kerja sama e-government Bappeda"
    )
    task = factories.make_task(agreement, world.other_agency, title="Susun kajian Bappeda")
    db.session.commit()
    return agreement, task


def test_opd_cannot_open_an_agreement_their_agency_has_no_part_in(app, world, unrelated):
    agreement, _ = unrelated
    opd = Visitor(app, world.opd)
    response = opd.open("GET", f"/agreements/{agreement.id}")
    assert response.status_code == 403
    assert agreement.title not in response.get_data(as_text=True)
    # Their own agency's agreement opens, and admin and pimpinan see the other one.
    assert opd.open("GET", f"/agreements/{world.agreement.id}").status_code == 200
    for user in (world.admin, world.pimpinan):
        assert Visitor(app, user).open("GET", f"/agreements/{agreement.id}").status_code == 200


def test_opd_cannot_update_another_agencys_task(app, world, unrelated):
    _, task = unrelated
    task_id, version = task.id, task.version
    before = activity_count()
    response = Visitor(app, world.opd).open(
        "POST",
        f"/tasks/{task_id}/status",
        data={"status": "done", "note": "Diselesaikan oleh OPD lain", "version": version},
    )
    assert response.status_code == 403
    assert activity_count() == before
    stored = db.session.get(Task, task_id)
    assert (stored.status, stored.note, stored.version) == (TaskStatus.OPEN, None, version)


def test_opd_cannot_open_another_agencys_task_elsewhere(app, world, unrelated):
    _, task = unrelated
    response = Visitor(app, world.opd).open("GET", f"/tasks/{task.id}")
    assert response.status_code == 403
    assert task.title not in response.get_data(as_text=True)


def test_opd_task_list_shows_only_their_agencys_tasks(app, world, unrelated):
    _, task = unrelated
    body = Visitor(app, world.opd).open("GET", "/tasks").get_data(as_text=True)
    assert world.task.title in body
    assert task.title not in body
    assert world.other_task.title not in body


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token field in the form"
    return match.group(1)


def test_login_without_csrf_token_is_refused(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = Visitor(app)
    data = {"email": world.admin.email, "password": factories.PASSWORD}
    response = visitor.open("POST", "/login", data=data)
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)

    # The same login with the form's token goes through: the token is what was missing.
    token = csrf_token_from(visitor.open("GET", "/login").get_data(as_text=True))
    response = visitor.open("POST", "/login", data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert not response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["admin", "opd"])
def test_task_status_without_csrf_token_is_refused(app, world, who):
    visitor = Visitor(app, getattr(world, who))
    app.config["WTF_CSRF_ENABLED"] = True
    task_id, version = world.task.id, world.task.version
    before = table_counts()
    response = visitor.open(
        "POST",
        f"/tasks/{task_id}/status",
        data={"status": "done", "note": "Sudah dikerjakan", "version": version},
    )
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert table_counts() == before
    stored = db.session.get(Task, task_id)
    assert (stored.status, stored.version) == (TaskStatus.OPEN, version)
