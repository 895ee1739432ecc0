"""Two people editing one record: the second save gets a conflict, never a silent overwrite.

Each record's form carries the version it was loaded at; these tests submit a stale one."""

import pytest

from kerjasama_flow.accounts.models import Agency, User
from kerjasama_flow.agreements.models import Partner
from kerjasama_flow.errors import ConflictError
from kerjasama_flow.extensions import db

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
