"""Identitas Pemda: the lambang (upload checked by content, replace, remove, served only to
whom may see it, with caching headers) and the kop/signature texts as settings keys."""

from __future__ import annotations

import io

import pytest

from kerjasama_flow import government_settings, storage
from kerjasama_flow.extensions import db
from kerjasama_flow.identity import queries
from tests.document_helpers import pdf_bytes
from tests.identity_helpers import lambang_png


def _get(client, url: str, **kwargs):
    """GET, read and close (a file sent by ``send_file`` stays open until then)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _upload(client, content: bytes, name: str = "lambang.png"):
    return client.post(
        "/settings/identity/lambang",
        data={"lambang": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_admin_uploads_replaces_and_removes_the_lambang(app, client, auth, world):
    auth.login(world.admin)
    page = client.get("/settings/identity").get_data(as_text=True)
    assert "Belum ada lambang" in page and "Identitas Pemda" in page
    assert _upload(client, lambang_png()).status_code == 302
    db.session.refresh(world.gov)
    first = queries.lambang_name(world.gov)
    assert first and first.endswith(".png")
    assert storage.path_of("identity", first).read_bytes() == lambang_png()
    # shown in the header (navbar brand) next to the government's name
    home = client.get("/dashboard").get_data(as_text=True)
    assert f'src="/lambang/35.72?v={first[:8]}"' in home
    # replaced: a JPEG under a new name, the old file gone with the commit
    assert _upload(client, lambang_png(fmt="JPEG"), "lambang.jpg").status_code == 302
    db.session.refresh(world.gov)
    second = queries.lambang_name(world.gov)
    assert second.endswith(".jpg") and second != first
    assert storage.path_of("identity", first) is None
    response = _get(client, f"/lambang/35.72?v={second[:8]}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    # removed
    assert client.post("/settings/identity/lambang/remove").status_code == 302
    db.session.refresh(world.gov)
    assert queries.lambang_name(world.gov) is None
    assert storage.path_of("identity", second) is None
    assert _get(client, "/lambang/35.72").status_code == 404
    assert "data-lambang" not in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (pdf_bytes("bukan gambar"), "lambang.png", "Lambang harus berupa gambar PNG atau JPG."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "lambang.svg", "apa pun nama berkasnya"),
        (lambang_png((8, 8)), "kecil.png", "setiap sisi harus 32 sampai 4000 piksel"),
        (lambang_png()[:200], "rusak.png", "rusak atau tidak dapat dibaca"),
    ],
)
def test_a_lambang_that_is_not_a_usable_image_is_refused(
    client, auth, world, content, name, message
):
    auth.login(world.admin)
    stored_before = set(storage.folder_path("identity").iterdir())
    response = _upload(client, content, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(world.gov)
    assert queries.lambang_name(world.gov) is None
    assert set(storage.folder_path("identity").iterdir()) == stored_before


def test_the_lambang_is_served_only_to_whom_may_see_it(app, client, auth, world):
    auth.login(world.admin)
    _upload(client, lambang_png())
    db.session.refresh(world.gov)
    url = f"/lambang/{world.gov.region_code}"
    response = _get(client, url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.cache_control.private and response.cache_control.max_age == 86400
    assert response.headers.get("ETag")
    etag = {"If-None-Match": response.headers["ETag"]}
    assert _get(client, url, headers=etag).status_code == 304
    # another government's user, and anyone without a login: not while the page is private
    auth.logout()
    auth.login(world.other_admin)
    assert _get(client, url).status_code == 404
    anonymous = app.test_client()
    assert _get(anonymous, url).status_code == 404
    # the public page on: the public page shows it, and it is served to anyone
    world.gov.settings = {**world.gov.settings, "public_page": True}
    db.session.commit()
    public = anonymous.get(f"/publik/{world.gov.region_code}").get_data(as_text=True)
    assert f'src="{url}?v=' in public
    response = _get(anonymous, url)
    assert response.status_code == 200 and response.cache_control.public
    # an unknown region is as unknown as a private one
    assert _get(anonymous, "/lambang/99.99").status_code == 404


def test_kop_and_signature_texts_are_settings_keys(client, auth, world):
    auth.login(world.admin)
    form = client.get("/settings/identity").get_data(as_text=True)
    version = form.split('name="version" type="hidden" value="')[1].split('"')[0]
    data = {
        "letterhead_office": "Sekretariat Daerah",  # the default: not stored
        "letterhead_address": "Jl. Merdeka No. 105 Blitar",
        "signature_place": "",
        "signatory_office": "Sekretaris Daerah",
        "signatory_name": "Drs. Budi Santoso, M.Si.",
        "signatory_nip": "19700101 199503 1 001",
        "version": version,
    }
    assert client.post("/settings/identity", data=data).status_code == 302
    db.session.refresh(world.gov)
    assert world.gov.settings == {
        "letterhead_address": "Jl. Merdeka No. 105 Blitar",
        "signatory_name": "Drs. Budi Santoso, M.Si.",
        "signatory_nip": "197001011995031001",
    }
    identity = queries.identity_of(world.gov)
    assert identity.government_line == "PEMERINTAH KOTA BLITAR"
    assert (identity.place, identity.signatory_nip) == ("Blitar", "19700101 199503 1 001")
    # a wrong NIP is refused next to its field, nothing stored
    form = client.get("/settings/identity").get_data(as_text=True)
    data["version"] = form.split('name="version" type="hidden" value="')[1].split('"')[0]
    body = client.post("/settings/identity", data={**data, "signatory_nip": "1970"})
    assert "NIP terdiri atas 18 angka" in body.get_data(as_text=True)
    db.session.refresh(world.gov)
    assert government_settings.get(world.gov, "signatory_nip") == "197001011995031001"


@pytest.mark.parametrize("role", ["opd", "pimpinan"])
def test_only_admins_change_the_identity(client, auth, world, role):
    auth.login(world.users()[role])
    assert client.get("/settings/identity").status_code == 403
    assert _upload(client, lambang_png()).status_code == 403
