from pathlib import Path

from config import instance_path, load_config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 32
    assert first == second
    assert (Path(tmp_path) / "secret_key").read_text().strip() == first
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "from-env"
    assert not (Path(tmp_path) / "secret_key").exists()


def test_database_defaults_to_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    url = load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"]
    assert url == f"sqlite:///{tmp_path / 'kerjasama.db'}"


def test_postgres_urls_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/kf")
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/kf"


def test_timezone_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("KERJASAMA_TIMEZONE", "Asia/Makassar")
    assert load_config(str(tmp_path))["KERJASAMA_TIMEZONE"] == "Asia/Makassar"


def test_instance_folder_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("KERJASAMA_INSTANCE_PATH", raising=False)
    assert instance_path() is None  # Flask's default
    monkeypatch.setenv("KERJASAMA_INSTANCE_PATH", str(tmp_path / "var" / ".." / "data"))
    assert instance_path() == str(tmp_path / "data")


def test_transport_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("KERJASAMA_HTTPS", raising=False)
    monkeypatch.delenv("KERJASAMA_TRUSTED_PROXIES", raising=False)
    plain = load_config(str(tmp_path))
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["REMEMBER_COOKIE_SECURE"]
    assert plain["KERJASAMA_TRUSTED_PROXIES"] == 0
    monkeypatch.setenv("KERJASAMA_HTTPS", "1")
    monkeypatch.setenv("KERJASAMA_TRUSTED_PROXIES", "2")
    served = load_config(str(tmp_path))
    assert served["SESSION_COOKIE_SECURE"] and served["REMEMBER_COOKIE_SECURE"]
    assert served["KERJASAMA_HTTPS"] and served["PREFERRED_URL_SCHEME"] == "https"
    assert served["KERJASAMA_TRUSTED_PROXIES"] == 2
