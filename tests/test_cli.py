"""The command-line interface: create-government, create-user, seed-demo."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from kerjasama_flow.accounts.models import Government, Role, User
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.demo.seed import demo_password
from kerjasama_flow.extensions import db
from tests import factories


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def blitar(runner):
    result = runner.invoke(args=["create-government", "--code", "35.72", "--name", "Kota Blitar"])
    assert result.exit_code == 0, result.output
    government = db.session.scalar(select(Government).where(Government.region_code == "35.72"))
    from kerjasama_flow.accounts.services import save_agency

    save_agency(None, government, None, {"code": "DKPP", "name": "Dinas Ketahanan Pangan"})
    db.session.commit()
    return government


def _user_args(**overrides) -> list[str]:
    options = {
        "--email": "kabag@blitarkota.go.id",
        "--name": "Freddy Hermawan",
        "--role": "admin",
        "--government": "35.72",
        "--password": "rahasia-123",
    }
    options.update(overrides)
    args = ["create-user"]
    for key, value in options.items():
        if value is not None:
            args += [key, value]
    return args


def test_create_government(runner):
    result = runner.invoke(args=["create-government", "--code", "35.72", "--name", "Kota Blitar"])
    assert result.exit_code == 0, result.output
    assert "Kota Blitar (35.72) terdaftar" in result.output
    government = db.session.scalar(select(Government))
    assert (government.region_code, government.name) == ("35.72", "Kota Blitar")
    assert government.timezone == "Asia/Jakarta"


def test_create_government_twice_is_refused(runner):
    args = ["create-government", "--code", "35.72", "--name", "Kota Blitar"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "sudah terdaftar" in result.output
    assert db.session.scalar(select(func.count(Government.id))) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--code", "abc", "--name", "Kota Entah"], "Kode wilayah"),
        (["--code", "35.72", "--name", "Kota Blitar", "--timezone", "Mars/Olympus"], "Zona waktu"),
    ],
)
def test_create_government_refuses_bad_input(runner, options, message):
    result = runner.invoke(args=["create-government", *options])
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count(Government.id))) == 0


def test_create_user(runner, blitar):
    result = runner.invoke(args=_user_args())
    assert result.exit_code == 0, result.output
    assert "kabag@blitarkota.go.id" in result.output
    user = db.session.scalar(select(User))
    assert user.role == Role.ADMIN and user.government_id == blitar.id
    assert user.check_password("rahasia-123")


def test_create_opd_user_with_agency(runner, blitar):
    args = _user_args(**{"--email": "dkpp@blitarkota.go.id", "--role": "opd", "--agency": "dkpp"})
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).agency.code == "DKPP"


def test_create_user_prompts_for_the_password(runner, blitar):
    result = runner.invoke(
        args=_user_args(**{"--password": None}), input="sandi-rahasia-kita\nsandi-rahasia-kita\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password("sandi-rahasia-kita")


def test_create_user_prompt_refuses_a_mismatch(runner, blitar):
    result = runner.invoke(args=_user_args(**{"--password": None}), input="sandi-rahasia-kita\ny\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"--government": "99.99"}, "tidak ditemukan"),
        ({"--role": "opd", "--agency": "NOPE"}, "tidak ditemukan"),
        ({"--role": "opd"}, "harus terhubung ke satu OPD"),
        ({"--password": "pendek"}, "minimal 8 karakter"),
        ({"--email": "bukan-email"}, "email tidak sah"),
    ],
)
def test_create_user_errors(runner, blitar, overrides, message):
    result = runner.invoke(args=_user_args(**overrides))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_with_a_taken_email_is_refused(runner, blitar):
    assert runner.invoke(args=_user_args()).exit_code == 0
    result = runner.invoke(args=_user_args(**{"--name": "Orang Lain"}))
    assert result.exit_code == 1
    assert "sudah dipakai" in result.output


def test_create_user_with_an_unknown_role_is_refused(runner, blitar):
    result = runner.invoke(args=_user_args(**{"--role": "raja"}))
    assert result.exit_code == 2


def test_seed_demo_twice_creates_nothing_the_second_time(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Data demo: 3 Pemda" in first.output
    password = demo_password(current_app.instance_path)
    assert f"kata sandi: {password}" in first.output
    log_rows = db.session.scalar(select(func.count(ActivityLog.id)))

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "baru dibuat: 0" in second.output
    assert db.session.scalar(select(func.count(ActivityLog.id))) == log_rows
    assert db.session.scalar(select(func.count(Government.id))) == 3


def test_each_installation_has_its_own_demo_password(tmp_path):
    """Made at random once, kept in the instance folder for its owner only, never a constant."""
    first, second = demo_password(tmp_path / "a"), demo_password(tmp_path / "b")
    assert len(first) >= 12 and first != second
    assert demo_password(tmp_path / "a") == first  # kept
    assert (tmp_path / "a" / "demo_password").stat().st_mode & 0o777 == 0o600


def test_the_demo_refuses_a_database_with_a_real_government(runner):
    """After ``create-government --code 35.72`` (the README's example) the demo would plant
    admin@blitarkota.demo with a known password in that Pemda: it refuses, exit 1, nothing
    loaded; only the explicit flag loads it all the same."""
    made = runner.invoke(args=["create-government", "--code", "35.72", "--name", "Kota Blitar"])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code == 1
    assert "bukan data demo (Pemda Kota Blitar (35.72))" in refused.output
    assert "--force-demo-into-existing" in refused.output
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(Government.id))) == 1

    forced = runner.invoke(args=["seed-demo", "--force-demo-into-existing"])
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(func.count(Government.id))) == 3
    real = db.session.scalar(select(Government).where(Government.region_code == "35.72"))
    assert not real.is_demo  # still the real one


def test_the_demo_refuses_a_user_added_to_a_demo_government(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    government = db.session.scalar(select(Government).where(Government.region_code == "35.72"))
    factories.make_user(government, email="kabag@blitarkota.go.id")
    db.session.commit()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1
    assert "pengguna kabag@blitarkota.go.id" in again.output
