"""Two people editing one record: the second save gets a conflict, never a silent overwrite.

Each record's form carries the version it was loaded at; these tests submit a stale one."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import Agency, Government, User
from kerjasama_flow.agreements.models import Agreement, Partner, Visit
from kerjasama_flow.db import MISSING_VERSION, SYSTEM_CHANGE, check_version
from kerjasama_flow.documents.models import Document
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks.models import TaskTemplate
from kerjasama_flow.tasks.models import Task
from tests import factories
from tests.document_helpers import make_document
from tests.test_hostile_input import forms_of

CONFLICT = ConflictError().message


@pytest.mark.parametrize(
    ("model", "attribute", "url", "data"),
    [
        (
            Agency,
            "agency",
            "/settings/agencies/{id}/edit",
            {"code": "DKPP", "name": "Nama baru dari pengguna kedua"},
        ),
        (
            Partner,
            "partner",
            "/partners/{id}/edit",
            {"name": "Nama baru dari pengguna kedua", "kind": "pemda_provinsi"},
        ),
        (
            User,
            "opd",
            "/settings/users/{id}/edit",
            {
                "name": "Nama baru dari pengguna kedua",
                "email": "dkpp@blitarkota.go.id",
                "role": "opd",
                "is_active": "y",
            },
        ),
    ],
)
def test_stale_edit_is_refused_and_changes_nothing(
    client, world, auth, model, attribute, url, data
):
    record = getattr(world, attribute)
    loaded_version = record.version
    record.name = "Disimpan lebih dulu oleh pengguna pertama"
    db.session.commit()
    assert record.version == loaded_version + 1

    auth.login(world.admin)
    form = dict(data, version=str(loaded_version))
    if model is User:
        form["agency"] = str(world.agency.id)
    response = client.post(url.format(id=record.id), data=form)

    assert response.status_code == 200
    assert CONFLICT in response.get_data(as_text=True)
    assert db.session.get(model, record.id).name == "Disimpan lebih dulu oleh pengguna pertama"


def test_current_version_saves(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        f"/settings/agencies/{world.agency.id}/edit",
        data={"code": "DKPP", "name": "Dinas Pangan", "version": str(world.agency.version)},
    )
    assert response.status_code == 302
    assert db.session.get(Agency, world.agency.id).name == "Dinas Pangan"


def test_account_page_with_a_stale_version_is_refused(client, world, auth):
    loaded_version = world.pimpinan.version
    world.pimpinan.phone = "081234"
    db.session.commit()
    auth.login(world.pimpinan)
    response = client.post("/account", data={"phone": "089999", "version": str(loaded_version)})
    assert CONFLICT in response.get_data(as_text=True)
    assert db.session.get(User, world.pimpinan.id).phone == "081234"


# --- the version cannot be left out (issue 12, item 9) ----------------------------------------

RELOAD = "Muat ulang halaman lalu coba lagi."


@dataclass(frozen=True)
class EditForm:
    """An edit form as its page shows it: where it is, what to change in it, and the record
    it saves (its version counter tells whether anything was saved)."""

    name: str
    page: Callable  # world -> the page's URL
    action: str  # a regex the form's action matches
    changes: dict
    record: Callable  # world -> (model, id)


EDIT_FORMS = [
    EditForm(
        "agreement",
        lambda w: f"/agreements/{w.agreement.id}/edit",
        r"/edit$",
        {"title": "Judul dari halaman basi"},
        lambda w: (Agreement, w.agreement.id),
    ),
    *(
        EditForm(
            kind,
            lambda w, kind=kind: (
                f"/agreements/{w.agreement.id}/milestones/{kind}/{getattr(w, kind).id}/edit"
            ),
            r"/edit$",
            changes,
            lambda w, kind=kind: (type(getattr(w, kind)), getattr(w, kind).id),
        )
        for kind, changes in [
            ("visit", {"place": "Tempat dari halaman basi"}),
            ("mou", {"place": "Tempat dari halaman basi"}),
            ("pks", {"title": "PKS dari halaman basi"}),
            ("transaction", {"commodity": "Komoditas basi"}),
        ]
    ),
    EditForm(
        "task",
        lambda w: f"/tasks/{w.task.id}/edit",
        r"/edit$",
        {"title": "Tugas dari halaman basi"},
        lambda w: (Task, w.task.id),
    ),
    EditForm(
        "task status",
        lambda w: f"/tasks/{w.task.id}",
        r"/status$",
        {"status": "in_progress", "note": "Catatan dari halaman basi"},
        lambda w: (Task, w.task.id),
    ),
    EditForm(
        "stage",
        lambda w: f"/agreements/{w.agreement.id}",
        r"/stage$",
        {"action": "tunda", "reason": "Ditunda dari halaman basi", "confirm": "1"},
        lambda w: (Agreement, w.agreement.id),
    ),
    EditForm(
        "partner",
        lambda w: f"/partners/{w.partner.id}/edit",
        r"/edit$",
        {"name": "Mitra dari halaman basi"},
        lambda w: (Partner, w.partner.id),
    ),
    EditForm(
        "agency",
        lambda w: f"/settings/agencies/{w.agency.id}/edit",
        r"/edit$",
        {"name": "OPD dari halaman basi"},
        lambda w: (Agency, w.agency.id),
    ),
    EditForm(
        "user",
        lambda w: f"/settings/users/{w.opd.id}/edit",
        r"/edit$",
        {"name": "Nama dari halaman basi"},
        lambda w: (User, w.opd.id),
    ),
    EditForm(
        "template",
        lambda w: f"/settings/playbooks/{w.template.id}/edit",
        r"/edit$",
        {"title": "Templat dari halaman basi"},
        lambda w: (TaskTemplate, w.template.id),
    ),
    EditForm(
        "account",
        lambda w: "/account",
        r"/account$",
        {"phone": "0899999"},
        lambda w: (User, w.admin.id),
    ),
    EditForm(
        "reminder settings",
        lambda w: "/settings/reminders",
        r"/settings/reminders$",
        {"sweep_time": "06:30"},
        lambda w: (Government, w.gov.id),
    ),
    EditForm(
        "milestone delete",
        lambda w: f"/agreements/{w.agreement.id}",
        r"/milestones/visit/\d+/delete$",
        {},
        lambda w: (Visit, w.visit.id),
    ),
    EditForm(
        "document delete",
        lambda w: f"/agreements/{w.agreement.id}",
        r"/documents/\d+/delete$",
        {},
        lambda w: (Document, w.document.id),
    ),
]


@pytest.fixture
def editable(world):
    world.template = factories.make_task_template(world.gov)
    world.document = make_document(world.admin, world.agreement, title="Naskah KB")
    db.session.commit()
    return world


def _state(model, record_id):
    """What tells whether a save happened: the version counter, or the settings of a
    government (which has none); a deleted record is None."""
    db.session.expire_all()
    record = db.session.get(model, record_id)
    if record is None:
        return None
    return dict(record.settings or {}) if model is Government else record.version


def _form(client, edit: EditForm, world) -> tuple[str, dict]:
    page = edit.page(world)
    response = client.get(page)
    assert response.status_code == 200, page
    found = [f for f in forms_of(response.get_data(as_text=True), page)]
    form = next(f for f in found if re.search(edit.action, f.action))
    data: dict[str, list[str]] = {}
    for item in form.fields:
        if item.value is not None:
            data.setdefault(item.name, []).append(item.value)
    data.update({name: [value] for name, value in edit.changes.items()})
    assert data.get("version"), f"{edit.name}: the page's form carries no version"
    return form.action, data


@pytest.mark.parametrize("edit", EDIT_FORMS, ids=[e.name for e in EDIT_FORMS])
def test_an_edit_without_its_version_saves_nothing(client, auth, editable, edit):
    """The version is left out, then sent empty, then not a number: each time nothing is
    saved and the page says to reload, in Indonesian; the same form with its version saves
    (so the version alone was missing)."""
    auth.login(editable.admin)
    model, record_id = edit.record(editable)
    action, data = _form(client, edit, editable)
    before = _state(model, record_id)
    for version in (None, "", "versi-basi"):
        sent = {k: v for k, v in data.items() if k != "version"}
        if version is not None:
            sent["version"] = [version]
        response = client.post(action, data=sent, follow_redirects=True)
        assert response.status_code == 200
        # The settings' version is a fingerprint: any text is one, an unknown one is stale.
        expected = CONFLICT if model is Government and version == "versi-basi" else RELOAD
        assert expected in response.get_data(as_text=True), (edit.name, version)
        assert _state(model, record_id) == before, (edit.name, version)

    loaded = data["version"][0]
    stale = dict(data, version=["sidik-jari-lama" if model is Government else int(loaded) - 1])
    response = client.post(action, data=stale, follow_redirects=True)
    assert CONFLICT in response.get_data(as_text=True), edit.name
    assert _state(model, record_id) == before

    client.post(action, data=data, follow_redirects=True)
    assert _state(model, record_id) != before, f"{edit.name}: the complete form did not save"


def test_the_version_error_is_at_the_top_of_the_form(client, auth, world):
    """The version is a hidden field: its message goes above the form, not next to an
    invisible input; the fields keep what was typed."""
    auth.login(world.admin)
    response = client.post(
        f"/partners/{world.partner.id}/edit",
        data={"name": "Mitra baru", "kind": "pemda_provinsi"},
    )
    html = response.get_data(as_text=True)
    assert f'<div class="alert alert-danger" role="alert">{MISSING_VERSION}</div>' in html
    assert 'value="Mitra baru"' in html
    assert html.count(MISSING_VERSION) == 1  # not again next to the hidden input


def test_a_new_record_needs_no_version(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        "/partners/new", data={"name": "Mitra baru", "kind": "swasta", "version": ""}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Partner).where(Partner.name == "Mitra baru"))


def test_a_service_refuses_no_version_and_takes_an_explicit_system_change(app, world):
    """A form can never skip the check: None (what a form without its version gives) is
    refused; only code says that no person loaded the record (``SYSTEM_CHANGE``)."""
    with pytest.raises(ConflictError) as caught:
        check_version(world.agency, None)
    assert caught.value.message == MISSING_VERSION
    with pytest.raises(ConflictError):
        check_version(world.agency, world.agency.version - 1)
    check_version(world.agency, world.agency.version)
    check_version(world.agency, SYSTEM_CHANGE)
