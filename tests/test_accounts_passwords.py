"""Passwords: one rule for every new password (forms, services, command line); argon2id with
OWASP's parameters; older hashes upgraded at login; a login costs one verification whether or
not the email exists."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from config import load_config
from kerjasama_flow.accounts import passwords, sessions
from kerjasama_flow.accounts.models import Role, User
from kerjasama_flow.demo.seed import demo_password
from kerjasama_flow.extensions import db
from tests import factories

REFUSED = [
    ("12345678", passwords.TOO_GUESSABLE),
    ("password", passwords.TOO_GUESSABLE),
    ("Password1", passwords.TOO_GUESSABLE),
    ("qwertyuiop", passwords.TOO_GUESSABLE),
    ("aaaaaaaaaaaa", passwords.TOO_GUESSABLE),
    ("bismillah123", passwords.TOO_GUESSABLE),
    ("        ", passwords.ONLY_SPACES),
    ("\t\t\t\t \t\t\t", passwords.ONLY_SPACES),
    ("pendek", passwords.TOO_SHORT),
    ("x" * 7, passwords.TOO_SHORT),
    ("kopi tubruk " * 11, passwords.TOO_LONG),  # 132 characters
]
ACCEPTED = [
    "rahasia-demo-1",
    factories.DEMO_PASSWORD,
    "kopi tubruk pagi hari",  # lower case only: no composition rules
    "gudeg manggar, 2 porsi",
    "pecel lele 🐟 lamongan",
    "kata sandi yang panjang sekali untuk dicoba " + "x" * 20,  # 64 characters
    ("burung kenari di pagi hari " * 5)[:128],  # the longest allowed
]


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_the_rule_refuses(password, message):
    assert passwords.problem(password) == message


@pytest.mark.parametrize("password", ACCEPTED)
def test_the_rule_accepts(password):
    assert passwords.problem(password) is None, password


def test_the_demos_random_passwords_pass_the_rule(tmp_path):
    """seed-demo creates its accounts through the same rule."""
    made = [demo_password(tmp_path / str(n)) for n in range(200)]
    assert len(set(made)) == 200
    assert [p for p in made if passwords.problem(p) is not None] == []


def test_the_rule_refuses_the_users_own_email_or_name():
    email = "freddy.hermawan@blitarkota.go.id"
    for password in (email, "Freddy.Hermawan", "Freddy Hermawan "):
        assert passwords.problem(password, email, "Freddy Hermawan") == (
            passwords.SAME_AS_ACCOUNT
        ), password


def test_every_long_enough_entry_of_the_shipped_list_is_refused():
    """The breached-password list zxcvbn ships (30,000 entries) refuses what it holds: a sample
    of every 97th entry of 8 characters or more, in lower case and capitalised."""
    common = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= passwords.MIN_LENGTH]
    assert len(common) > 10_000
    sample = common[::97]
    accepted = [p for p in sample for v in (p, p.capitalize()) if passwords.problem(v) is None]
    assert not accepted


# --- the rule in the forms and the command line -----------------------------------------------


def _user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize(("password", "message"), REFUSED[:1] + REFUSED[1:2] + REFUSED[6:7])
def test_an_admin_cannot_give_a_new_user_a_weak_password(client, world, auth, password, message):
    auth.login(world.admin)
    before = _user_count()
    response = client.post(
        "/settings/users/new",
        data={
            "name": "Kepala Bappeda",
            "email": "bappeda@blitarkota.go.id",
            "role": "pimpinan",
            "password": password,
            "is_active": "y",
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _user_count() == before


def test_an_admin_cannot_set_a_weak_password_on_an_existing_user(client, world, auth):
    auth.login(world.admin)
    old_hash = world.opd.password_hash
    response = client.post(
        f"/settings/users/{world.opd.id}/edit",
        data={
            "name": world.opd.name,
            "email": world.opd.email,
            "role": "opd",
            "agency": str(world.agency.id),
            "password": "password",
            "is_active": "y",
            "version": world.opd.version,
        },
    )
    assert passwords.TOO_GUESSABLE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.opd.id).password_hash == old_hash


@pytest.mark.parametrize(
    ("password", "message"),
    [("12345678", passwords.TOO_GUESSABLE), ("        ", passwords.ONLY_SPACES)],
)
def test_the_account_page_refuses_a_weak_new_password(client, world, auth, password, message):
    auth.login(world.pimpinan)
    response = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": password,
            "confirm_password": password,
            "version": world.pimpinan.version,
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.pimpinan.id).check_password(factories.PASSWORD)


def test_the_account_page_asks_for_the_current_password(client, world, auth):
    auth.login(world.pimpinan)
    response = client.post(
        "/account",
        data={
            "new_password": "kopi tubruk pagi hari",
            "confirm_password": "kopi tubruk pagi hari",
            "version": world.pimpinan.version,
        },
    )
    assert "Masukkan kata sandi sekarang untuk menggantinya." in response.get_data(as_text=True)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def blitar(app):
    government = factories.make_government("35.72", "Kota Blitar")
    db.session.commit()
    return government


@pytest.mark.parametrize(("password", "message"), [REFUSED[0], REFUSED[1], REFUSED[6]])
def test_create_user_refuses_a_weak_password(runner, blitar, password, message):
    result = runner.invoke(
        args=[
            "create-user",
            "--email=kabag@blitarkota.go.id",
            "--name=Kabag",
            "--role=admin",
            "--government=35.72",
            f"--password={password}",
        ]
    )
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert _user_count() == 0


def test_set_password_gives_a_new_password_and_ends_the_sessions(runner, blitar):
    user = factories.make_user(blitar, Role.ADMIN, email="kabag@blitarkota.go.id")
    db.session.commit()
    session_id = factories.start_session(user)
    assert sessions.load_user(session_id) is not None
    result = runner.invoke(
        args=["set-password", "--email", "KABAG@blitarkota.go.id"],
        input="kopi tubruk pagi hari\nkopi tubruk pagi hari\n",
    )
    assert result.exit_code == 0, result.output
    assert "Kata sandi kabag@blitarkota.go.id sudah diganti" in result.output
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.check_password("kopi tubruk pagi hari")
    assert sessions.load_user(session_id) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "kabag@blitarkota.go.id", "--password", "12345678"], "mudah ditebak"),
        (["--email", "kabag@blitarkota.go.id", "--password", "        "], "hanya berisi spasi"),
        (["--email", "siapa@blitarkota.go.id", "--password", "kopi tubruk"], "tidak ditemukan"),
    ],
)
def test_set_password_refuses(runner, blitar, args, message):
    user = factories.make_user(blitar, Role.ADMIN, email="kabag@blitarkota.go.id")
    db.session.commit()
    result = runner.invoke(args=["set-password", *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == factories.PASSWORD_HASH


# --- hashing ----------------------------------------------------------------------------------


def test_the_shipped_hashing_is_argon2id_with_owasps_parameters(app, tmp_path):
    """OWASP's password storage cheat sheet: argon2id, 19 MiB, 2 iterations, 1 lane."""
    shipped = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert (
        shipped["PASSWORD_HASH_MEMORY_KIB"],
        shipped["PASSWORD_HASH_TIME_COST"],
        shipped["PASSWORD_HASH_PARALLELISM"],
    ) == (19456, 2, 1)
    app.config.update({k: shipped[k] for k in factories.TEST_PASSWORD_HASHING})
    stored = passwords.hash_password("kopi tubruk pagi hari")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, "kopi tubruk pagi hari")
    assert not passwords.verify(stored, "kopi tubruk sore hari")
    assert not passwords.needs_rehash(stored)


OLD_HASHES = {
    "werkzeug scrypt": lambda p: generate_password_hash(p),
    "werkzeug pbkdf2": lambda p: generate_password_hash(p, method="pbkdf2:sha256:1000"),
    "argon2 other parameters": lambda p: PasswordHasher(
        memory_cost=16, time_cost=1, parallelism=1
    ).hash(p),
}


@pytest.mark.parametrize("scheme", OLD_HASHES)
def test_an_older_hash_is_upgraded_at_a_successful_login(client, world, auth, scheme):
    world.admin.password_hash = OLD_HASHES[scheme](factories.PASSWORD)
    db.session.commit()
    version = world.admin.version
    response = auth.login(world.admin)
    assert response.status_code == 302 and response.location == "/"
    db.session.expire_all()
    stored = db.session.get(User, world.admin.id)
    assert stored.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")  # the tests' setting
    assert not passwords.needs_rehash(stored.password_hash)
    assert stored.check_password(factories.PASSWORD)
    assert stored.version == version  # a login is not an edit of the record


def test_a_failed_login_upgrades_nothing(client, world, auth):
    old = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1000")
    world.admin.password_hash = old
    db.session.commit()
    assert auth.login(world.admin, password="bukan kata sandinya").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).password_hash == old


@pytest.fixture
def argon2_verifications(monkeypatch) -> list[str]:
    """The hashes argon2 verified, in order (each call still goes to argon2 itself)."""
    calls: list[str] = []
    verify = PasswordHasher.verify

    def counting(self, stored_hash, password):
        calls.append(stored_hash)
        return verify(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "inactive", "right"])
def test_every_login_costs_one_argon2_verification(client, world, auth, argon2_verifications, case):
    """An unknown email is verified against a dummy hash of the same parameters: the answer and
    the work are those of a wrong password, so neither tells which emails exist."""
    if case == "inactive":
        world.admin.is_active = False
        db.session.commit()
    email = "tidak.ada@blitarkota.go.id" if case == "unknown email" else world.admin.email
    password = "bukan kata sandinya" if case == "wrong password" else factories.PASSWORD
    response = client.post("/login", data={"email": email, "password": password})
    assert len(argon2_verifications) == 1
    assert argon2_verifications[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")
    if case == "right":
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert "Email atau kata sandi salah, atau akun tidak aktif." in response.get_data(
            as_text=True
        )
    if case == "unknown email":
        assert argon2_verifications[0] != factories.PASSWORD_HASH
