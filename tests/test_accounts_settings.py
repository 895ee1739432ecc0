"""Admins manage their own government's agencies (OPD) and users; the account page."""

from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.extensions import db
from tests import factories


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_adds_an_agency(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        "/settings/agencies/new",
        data={"code": "DISPERINDAG", "name": "Dinas Perindustrian dan Perdagangan"},
    )
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.code == "DISPERINDAG"))
    assert agency.government_id == world.gov.id
    page = client.get("/settings/agencies").get_data(as_text=True)
    assert "Dinas Perindustrian dan Perdagangan" in page
    assert db.session.scalar(
        select(ActivityLog).where(
            ActivityLog.entity == "agency", ActivityLog.entity_id == agency.id
        )
    )


def test_duplicate_agency_code_is_refused_next_to_the_field(client, world, auth):
    auth.login(world.admin)
    before = count(Agency)
    response = client.post("/settings/agencies/new", data={"code": "dkpp", "name": "Lain"})
    assert response.status_code == 200
    assert "Kode OPD dkpp sudah dipakai." in response.get_data(as_text=True)
    assert count(Agency) == before


def test_same_agency_code_is_fine_in_another_government(client, world, auth):
    auth.login(world.other_admin)
    response = client.post("/settings/agencies/new", data={"code": "BAPPEDA", "name": "Bappeda"})
    assert response.status_code == 302


def test_invalid_agency_code_is_refused(client, world, auth):
    auth.login(world.admin)
    response = client.post("/settings/agencies/new", data={"code": "kode spasi", "name": "X"})
    assert "Kode OPD hanya huruf" in response.get_data(as_text=True)


def test_admin_creates_an_opd_user_who_can_log_in(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        "/settings/users/new",
        data={
            "name": "Kepala Bappeda",
            "email": "Bappeda@BlitarKota.go.id",
            "role": "opd",
            "agency": str(world.other_agency.id),
            "password": "kata-sandi-baru",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "bappeda@blitarkota.go.id"))
    assert user.role == Role.OPD and user.agency_id == world.other_agency.id
    auth.logout()
    assert auth.login(user, password="kata-sandi-baru").status_code == 302


def test_opd_user_needs_an_agency(client, world, auth):
    auth.login(world.admin)
    before = count(User)
    response = client.post(
        "/settings/users/new",
        data={
            "name": "X",
            "email": "x@blitarkota.go.id",
            "role": "opd",
            "password": "kata-sandi-baru",
        },
    )
    assert "Pengguna Kepala OPD harus terhubung ke satu OPD." in response.get_data(as_text=True)
    assert count(User) == before


def test_new_user_needs_a_password_and_a_unique_email(client, world, auth):
    auth.login(world.admin)
    no_password = client.post(
        "/settings/users/new", data={"name": "X", "email": "x@blitarkota.go.id", "role": "pimpinan"}
    )
    assert "Kata sandi wajib diisi untuk pengguna baru." in no_password.get_data(as_text=True)
    taken = client.post(
        "/settings/users/new",
        data={
            "name": "X",
            "email": world.other_admin.email,
            "role": "admin",
            "password": "kata-sandi-baru",
        },
    )
    assert "Email ini sudah dipakai pengguna lain." in taken.get_data(as_text=True)


def test_agency_of_another_government_cannot_be_chosen(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        "/settings/users/new",
        data={
            "name": "X",
            "email": "x@blitarkota.go.id",
            "role": "opd",
            "agency": str(world.other_agency_b.id),
            "password": "kata-sandi-baru",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "x@blitarkota.go.id")) is None


def test_admin_cannot_demote_themselves(client, world, auth):
    auth.login(world.admin)
    response = client.post(
        f"/settings/users/{world.admin.id}/edit",
        data={
            "name": world.admin.name,
            "email": world.admin.email,
            "role": "pimpinan",
            "version": world.admin.version,
        },
    )
    assert "Anda tidak dapat mencabut hak admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).role == Role.ADMIN


def test_deactivated_user_is_logged_out(client, world, auth):
    auth.login(world.opd)
    assert client.get("/tasks").status_code == 200
    world.opd.is_active = False
    db.session.commit()
    assert client.get("/tasks").status_code == 302


def test_account_page_changes_password_only_with_the_current_one(client, world, auth):
    auth.login(world.pimpinan)
    wrong = client.post(
        "/account",
        data={
            "current_password": "salah",
            "new_password": "baru-sekali-1",
            "confirm_password": "baru-sekali-1",
            "version": world.pimpinan.version,
        },
    )
    assert "Kata sandi sekarang salah." in wrong.get_data(as_text=True)
    ok = client.post(
        "/account",
        data={
            "current_password": "rahasia-demo-1",
            "new_password": "baru-sekali-1",
            "confirm_password": "baru-sekali-1",
            "is_email_enabled": "y",
            "version": world.pimpinan.version,
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.pimpinan.id).check_password("baru-sekali-1")


def test_the_kepala_column_names_the_head_and_the_head_accounts(client, world, auth):
    """An agency whose head is not filled in shows its OPD head account's name; with both,
    both; with neither, says so. Inactive accounts and other governments' do not count."""
    world.agency.head_name = None  # DKPP: only the account (world.opd)
    world.other_agency.head_name = "Ir. Budi Santoso"  # BAPPEDA: the name and an account
    factories.make_user(world.gov, Role.OPD, agency=world.other_agency, name="Siti Rahayu")
    factories.make_user(
        world.gov, Role.OPD, agency=world.other_agency, name="Kepala Lama", is_active=False
    )
    factories.make_agency(world.gov, "DINKES", name="Dinas Kesehatan")
    other_agency = factories.make_agency(world.other_gov, "DINKES")
    factories.make_user(world.other_gov, Role.OPD, agency=other_agency, name="Kepala Malang")
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/settings/agencies").get_data(as_text=True)

    def row_of(code: str) -> str:
        start = page.index(f">{code}</span>")
        return page[start : page.index("</tr>", start)]

    dkpp = row_of("DKPP")
    assert world.opd.name in dkpp and "dari akun Kepala OPD" in dkpp
    bappeda = row_of("BAPPEDA")
    assert "Ir. Budi Santoso" in bappeda and "Akun: Siti Rahayu" in bappeda
    assert "Kepala Lama" not in page and "Kepala Malang" not in page
    dinkes = row_of("DINKES")
    assert "Belum diisi" in dinkes and "Belum ada akun Kepala OPD" in dinkes
    assert "–</td>" not in page
