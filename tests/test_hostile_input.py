"""Hostile input on every route and every form: never a server error (issue 12, item 6).

Walks the URL map as ``test_permissions_matrix`` does (each role and an anonymous visitor,
URL arguments from the same ``world``): a NUL byte in a path argument or the query string, an
id beyond PostgreSQL's ``integer``, a page number beyond any. Then it opens every page each
role can see, reads every form on it (``html.parser``) and sends each form back once per kind
of hostile value, all other fields as the page filled them: dates of year 1 and 9999, whole
numbers beyond any column, line breaks in one-line fields, 10,000-character texts, NUL bytes.
One form is sent by the first role that sees it (sampling, not brute force).

Besides "no 5xx", what the walk leaves in the database is checked: no one-line text with a
line break, no date outside ``forms_common.DATE_RANGE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Date, Enum, String, Text, or_, select
from werkzeug.routing.converters import NumberConverter

from kerjasama_flow.agreements.models import Agreement, Transaction
from kerjasama_flow.db import MAX_ID
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import DATE_RANGE, ONE_LINE
from kerjasama_flow.tasks.models import Task
from tests import factories
from tests.agreements_helpers import assert_field_error, text
from tests.test_permissions_matrix import (
    RULES,
    Visitor,
    add_route_records,
    find_rule,
    methods_of,
    url_for_rule,
    visitors,
)

HUGE = "99999999999999999999"  # beyond PostgreSQL's bigint, let alone its integer
LONG = "x" * 10_000
LINE_BREAK = "\r\nBaris dua"
NUL = "a\x00b"
BAD_REQUEST_TEXT = "Permintaan tidak dapat diproses"
CONFLICT = ConflictError().message

# Forms the walk does not send: they take away what the next pages need (the session, the
# records) without reading any hostile value.
NOT_SENT = re.compile(r"/(logout|delete)$")
# Sent last: an agreement stalled or ended takes no more edits.
LAST = re.compile(r"/stage$")
# Routes of files (exports, charts, the calendar feed): no form to read there.
FILE = re.compile(r"\.[a-z<>]+$")


# --- reading forms ---------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type, "select", "select-multiple" or "textarea"
    value: str | None  # what a browser would send as the page is (None: nothing)
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)

    def key(self) -> tuple:
        return (self.method, self.action, tuple(sorted(f.name for f in self.fields)))


class FormReader(HTMLParser):
    """The forms of a page, with what a browser would submit from each field."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attr = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = attr.get("action") or self.page_url
            self._form = Form(attr.get("method", "get").upper(), action)
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = attr.get("value")
            if value is not None:
                self._select.options.append(value)
                if "selected" in attr and self._select.value is None:
                    self._select.value = value
            return
        if self._form is None or not attr.get("name") or "disabled" in attr:
            return
        name = attr["name"]
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio"):
                value = attr.get("value", "on") if "checked" in attr else None
                if kind == "radio" and any(f.name == name for f in self._form.fields):
                    if value is not None:
                        next(f for f in self._form.fields if f.name == name).value = value
                    return
                self._form.fields.append(Field(name, kind, value, [attr.get("value", "on")]))
                return
            self._form.fields.append(Field(name, kind, attr.get("value", "")))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in attr else "select"
            self._select = Field(name, kind, None)
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", "")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            # A browser drops the line break right after <textarea>.
            first = not self._textarea.value
            self._textarea.value += data.removeprefix("\r\n") if first else data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen, options = self._select.value, self._select.options
            if chosen is None and options and self._select.kind == "select":
                self._select.value = options[0]  # what a browser sends
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[Form]:
    reader = FormReader(page_url)
    reader.feed(html)
    reader.close()
    return reader.forms


# --- hostile values --------------------------------------------------------------------------

ONE_LINE_INPUTS = {"text", "email", "search", "tel", "url", "password"}
CHOSEN = {"select", "select-multiple", "checkbox", "radio"}


def _hostile(kind: str, field: Field) -> str | None:
    """The value of ``field`` in the submission of one hostile ``kind``; None keeps the
    page's own value."""
    if kind == "nul":
        return NUL
    if field.name == "csrf_token":
        return None
    if kind in ("year 1", "year 9999"):
        if field.kind == "date" or re.search(r"(_on|dari|sampai|tanggal)$", field.name):
            return "0001-01-01" if kind == "year 1" else "9999-12-31"
        return None
    if kind == "huge number":
        return HUGE if field.kind not in ("checkbox", "radio") else None
    if kind == "line break":  # in what the page filled in, so that the rest stays valid
        return (
            f"{field.value}{LINE_BREAK}" if field.kind in ONE_LINE_INPUTS and field.value else None
        )
    if kind == "long text":
        return LONG if field.kind in ONE_LINE_INPUTS | {"textarea"} else None
    raise AssertionError(kind)


HOSTILE_KINDS = ("year 1", "year 9999", "huge number", "line break", "long text", "nul")


def submission(form: Form, kind: str) -> dict[str, str]:
    data: dict[str, list[str]] = {}
    for item in form.fields:
        value = _hostile(kind, item)
        if value is None:
            value = item.value
        if value is not None:
            data.setdefault(item.name, []).append(value)
    if form.method == "GET":
        data.setdefault("page", []).append(HUGE)
    if kind == "nul":
        data["catatan"] = [NUL]  # also in a form with no field of its own
    return data


# --- the walk ---------------------------------------------------------------------------------


def _rules(app):
    for endpoint, rule_text in RULES:
        if endpoint not in ("static", "bootstrap.static"):
            yield find_rule(app, endpoint, rule_text)


def _send(visitor: Visitor, method: str, url: str, expected: int | None, **kwargs):
    """(the response or None, what is wrong with it or None). The test app propagates a
    view's exception (``TESTING``): that is a server error too, named by its type."""
    try:
        response = visitor.open(method, url, **kwargs)
    except Exception as error:
        return None, f"{type(error).__name__}: {str(error)[:200]}"
    status = response.status_code
    if status >= 500:
        return response, str(status)
    if expected == 400:
        if status != 400:
            return response, f"{status}, expected 400"
        if BAD_REQUEST_TEXT not in response.get_data(as_text=True):
            return response, "400 without the Indonesian page"
    if expected == 404 and status not in (302, 403, 404):  # 302/403: not theirs to see
        return response, f"{status}, expected 404"
    return response, None


def test_no_server_error_from_hostile_urls(app, world):
    """Every route, role and method: a NUL byte in a string argument or in the query string is
    a 400 with its page; an id beyond the database's integers a 404; a page number beyond any
    page no error."""
    world = add_route_records(world)
    problems = []
    roles = visitors(app, world)
    for rule in _rules(app):
        numbers = [n for n in rule.arguments if isinstance(rule._converters[n], NumberConverter)]
        variants = [({n: HUGE}, 404) for n in numbers]
        variants += [({n: NUL}, 400) for n in sorted(rule.arguments) if n not in numbers]
        own = url_for_rule(app, rule, world)
        urls = [(own + "?page=" + HUGE, None), (own + "?q=a%00b", 400)]
        urls += [(url_for_rule(app, rule, world, values), code) for values, code in variants]
        for role, visitor in roles.items():
            for method in methods_of(rule):
                for url, expected in urls:
                    _, problem = _send(visitor, method, url, expected, data={})
                    if problem:
                        problems.append(f"{method} {url!r} as {role}: {problem}")
    assert not problems, "\n".join(problems)


def _all_forms(app, world) -> list[tuple[str, Visitor, str, Form]]:
    """(role, visitor, page, form) of every form of every page, once (the first role that
    sees it). Read as an anonymous visitor, an admin and an OPD head: a pimpinan only reads,
    and the forms they see (the account page, the bell) are the admin's."""
    seen: set[tuple] = set()
    found = []
    roles = {role: v for role, v in visitors(app, world).items() if role != "pimpinan"}
    for rule in _rules(app):
        if "GET" not in rule.methods or FILE.search(rule.rule):
            continue
        url = url_for_rule(app, rule, world)
        for role, visitor in roles.items():
            response = visitor.open("GET", url)
            if not _is_html(response):
                continue
            for form in forms_of(response.get_data(as_text=True), url):
                if form.key() in seen or NOT_SENT.search(urlsplit(form.action).path):
                    continue
                seen.add(form.key())
                found.append((role, visitor, url, form))
    found.sort(key=lambda item: bool(LAST.search(item[3].action)))
    return found


def test_no_server_error_from_hostile_form_values(app, world):
    """Every form, each kind of hostile value: no server error; a NUL byte a 400; and what a
    form saved holds no line break in a one-line text and no date outside the range (checked
    right after each save: the next kind would overwrite it)."""
    world = add_route_records(world)
    forms = _all_forms(app, world)
    assert len(forms) > 20, [form.action for *_, form in forms]
    problems: list[str] = []
    stored: set[str] = set()
    for role, visitor, page, form in forms:
        for kind in HOSTILE_KINDS:
            if not any(_hostile(kind, item) for item in form.fields) and kind != "nul":
                continue  # no field of that kind: the form as it is, nothing hostile
            response, problem = _submit(visitor, form, kind)
            if _is_conflict(response):  # a save moved the record's version on: read it again
                form = _reread(visitor, page, form)
                response, problem = _submit(visitor, form, kind)
            where = f"{form.method} {form.action} as {role}, {kind}"
            if problem:
                problems.append(f"{where}: {problem}")
            check = STORED_CHECKS.get(kind)
            saved = response is not None and response.status_code == 302
            if check and saved:
                found = set(check()) - stored
                problems += [f"{where}: saved {item}" for item in sorted(found)]
                stored |= found
    assert not problems, "\n".join(problems)


def _submit(visitor: Visitor, form: Form, kind: str):
    data = submission(form, kind)
    sent = {"query_string" if form.method == "GET" else "data": data}
    return _send(visitor, form.method, form.action, 400 if kind == "nul" else None, **sent)


def _is_conflict(response) -> bool:
    return response is not None and CONFLICT in response.get_data(as_text=True)


def _reread(visitor: Visitor, page: str, form: Form) -> Form:
    """``form`` as ``page`` shows it now (with the record's current version)."""
    response = visitor.open("GET", page)
    fresh = forms_of(response.get_data(as_text=True), page) if _is_html(response) else []
    return next((f for f in fresh if f.key() == form.key()), form)


def _is_html(response) -> bool:
    return response.status_code == 200 and response.mimetype == "text/html"


def _scan(column_type, condition, is_bad) -> list[str]:
    """``table.column: value`` of every bad value in a column of ``column_type``: one query
    per table for the rows where ``condition(column)`` holds for any column, then
    ``is_bad(value)`` for each of their values."""
    db.session.rollback()  # read what the requests committed
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if column_type(c.type)]
        if not columns:
            continue
        statement = select(*columns).where(or_(*(condition(c) for c in columns)))
        for row in db.session.execute(statement):
            for column, value in zip(columns, row, strict=True):
                if value is not None and is_bad(value):
                    found.append(f"{table.name}.{column.name}: {value!r}")
    return found


def one_line_texts_with_line_breaks() -> list[str]:
    """One-line texts (``String`` columns, not ``Text``) holding a line break."""
    return _scan(
        lambda kind: isinstance(kind, String) and not isinstance(kind, Text | Enum),
        lambda column: column.contains("\n") | column.contains("\r"),
        lambda value: "\n" in value or "\r" in value,
    )


def dates_out_of_range() -> list[str]:
    first, last = DATE_RANGE
    return _scan(
        lambda kind: isinstance(kind, Date),
        lambda column: (column < first) | (column > last),
        lambda value: not first <= value <= last,
    )


STORED_CHECKS = {
    "line break": one_line_texts_with_line_breaks,
    "year 1": dates_out_of_range,
    "year 9999": dates_out_of_range,
}


# --- each defect the probe found, said once ---------------------------------------------------


def _page_form(client, page: str, action: str = "") -> tuple[str, dict[str, list[str]]]:
    """The first form of ``page`` whose action ends with ``action``, as a browser sends it."""
    response = client.get(page)
    assert response.status_code == 200, page
    form = next(
        f for f in forms_of(response.get_data(as_text=True), page) if f.action.endswith(action)
    )
    data: dict[str, list[str]] = {}
    for item in form.fields:
        if item.value is not None:
            data.setdefault(item.name, []).append(item.value)
    return form.action, data


def _is_nul_page(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 400 and "karakter NUL" in body and BAD_REQUEST_TEXT in body


def test_a_nul_byte_anywhere_is_a_400_before_any_view(app, client, auth, world):
    """Logged out and in, with the CSRF check on (the NUL check runs first): the login email,
    the public page, the calendar feed, a query string, a form field's name."""
    app.config["WTF_CSRF_ENABLED"] = True
    world.admin.calendar_token = "token-rahasia"
    world.gov.settings = {"public_page": True}
    db.session.commit()
    login = {"email": "admin@blitarkota.go.id\x00", "password": "x"}
    assert _is_nul_page(client.post("/login", data=login))
    assert _is_nul_page(client.get("/publik/35.72%00"))
    assert _is_nul_page(client.get("/calendar/token-rahasia%00.ics"))
    assert _is_nul_page(client.get("/login?next=/tasks%00"))
    assert client.get("/publik/35.72").status_code == 200  # the same pages, without it
    assert client.get("/calendar/token-rahasia.ics").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login(world.admin)
    assert _is_nul_page(client.get("/agreements?q=pangan%00"))
    assert _is_nul_page(client.post("/partners/new", data={"na\x00me": "Mitra"}))
    before = world.agreement.version
    action, data = _page_form(client, f"/agreements/{world.agreement.id}/edit", "/edit")
    assert _is_nul_page(client.post(action, data={**data, "title": "Judul\x00"}))
    assert db.session.get(Agreement, world.agreement.id).version == before


@pytest.mark.parametrize("number", [MAX_ID + 1, int(HUGE), 10**4000])
def test_an_id_beyond_the_database_is_404(client, auth, world, number):
    auth.login(world.admin)
    for url in (f"/agreements/{number}", f"/tasks/{number}/edit", f"/documents/{number}"):
        assert client.get(url).status_code == 404
    assert client.get(f"/agreements/{MAX_ID}").status_code == 404  # in range, no such record
    # A filter's id from the query string is ignored rather than compared.
    assert client.get(f"/tasks?agency={number}&agreement={number}").status_code == 200
    assert client.get(f"/agreements?partner={number}").status_code == 200


@pytest.mark.parametrize("url", ["/agreements", "/tasks", "/notifications"])
def test_a_page_beyond_any_shows_the_last_one(app, client, auth, world, url):
    app.config["PAGE_SIZE"] = 1
    factories.make_agreement(world.gov, world.agency, title="Kerja sama kedua")
    factories.make_task(world.agreement, world.agency, title="Tugas kedua")
    db.session.commit()
    auth.login(world.admin)
    for page in (HUGE, str(MAX_ID + 1), "-3", "dua"):
        response = client.get(f"{url}?page={page}")
        assert response.status_code == 200, page
    if url != "/notifications":  # the admin has none

        def listed(page: str) -> list[str]:
            html = client.get(f"{url}?page={page}").get_data(as_text=True)
            return re.findall(rf'href="{url}/(\d+)["?]', html)

        assert listed(HUGE) == listed("2") != listed("1")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1944-12-31", "2101-01-01"])
def test_a_date_outside_the_range_is_a_form_error(client, auth, world, day):
    """The report's period, a task's due date and a transaction's date: refused next to the
    field in Indonesian, nothing saved (year 1 or 9999 overflowed the date arithmetic)."""
    message = "Tanggal harus antara tahun 1945 dan 2100."
    auth.login(world.admin)
    response = client.get(f"/reports/pdf?dari={day}&sampai=2025-12-31")
    assert response.status_code == 200 and message in response.get_data(as_text=True)

    task_version = world.task.version
    action, data = _page_form(client, f"/tasks/{world.task.id}/edit", "/edit")
    response = client.post(action, data={**data, "due_on": day})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.get(Task, world.task.id).version == task_version

    page = f"/agreements/{world.agreement.id}/milestones/transaction/{world.transaction.id}/edit"
    action, data = _page_form(client, page, "/edit")
    response = client.post(action, data={**data, "transacted_on": day})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.get(Transaction, world.transaction.id).transacted_on != date.fromisoformat(
        day
    )


def test_a_line_break_is_refused_in_a_one_line_field_and_kept_in_a_text_area(client, auth, world):
    auth.login(world.admin)
    action, data = _page_form(client, f"/agreements/{world.agreement.id}/edit", "/edit")
    response = client.post(action, data={**data, "title": "Pasokan pangan\r\nke DKI"})
    assert response.status_code == 200
    assert_field_error(text(response), "title", ONE_LINE)
    assert db.session.get(Agreement, world.agreement.id).title == "Pasokan pangan ke DKI"

    action, data = _page_form(client, f"/tasks/{world.task.id}/edit", "/edit")
    response = client.post(action, data={**data, "description": "Langkah satu\r\nLangkah dua"})
    assert response.status_code == 302
    assert db.session.get(Task, world.task.id).description == "Langkah satu\r\nLangkah dua"
