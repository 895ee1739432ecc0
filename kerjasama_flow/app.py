"""The application factory: ``create_app`` and its ``register_*`` steps (cookiecutter-flask).

Everything the app is built from is imported here, at module level: the factory sits on top of
the dependency graph (``wsgi.py``, the tests and the benchmarks import it; nothing in the
package does). ``kerjasama_flow`` re-exports ``create_app`` and ``resource_dir``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from config import instance_path, load_config
from kerjasama_flow import (
    api,
    cli,
    clock,
    models,  # noqa: F401  (every table in the metadata)
    uploads,
    web,
)
from kerjasama_flow.accounts import sessions
from kerjasama_flow.accounts.views import bp as accounts_bp
from kerjasama_flow.agreements.views import bp as agreements_bp
from kerjasama_flow.api import errors as api_errors
from kerjasama_flow.documents import receivers as document_receivers
from kerjasama_flow.documents.views import bp as documents_bp
from kerjasama_flow.errors import ERROR_PAGES
from kerjasama_flow.evaluations.views import bp as evaluations_bp
from kerjasama_flow.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from kerjasama_flow.formatting import FILTERS
from kerjasama_flow.identity.views import bp as identity_bp
from kerjasama_flow.imports.views import bp as imports_bp
from kerjasama_flow.links import external_url
from kerjasama_flow.permissions import ENDPOINT_ROLES, PUBLIC, enforce_endpoint_access
from kerjasama_flow.playbooks import receivers as playbook_receivers
from kerjasama_flow.playbooks.views import bp as playbooks_bp
from kerjasama_flow.readiness import check_database_url
from kerjasama_flow.reminders import receivers as reminder_receivers
from kerjasama_flow.reminders.views import bp as reminders_bp
from kerjasama_flow.reports.views import bp as reports_bp
from kerjasama_flow.tasks import receivers as task_receivers
from kerjasama_flow.tasks.views import bp as tasks_bp
from kerjasama_flow.workdays.views import bp as workdays_bp

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: at the repository root in a checkout, inside the
    package in an installed wheel."""
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"{name}/ not found next to or inside {PACKAGE_DIR}")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        # The package's name, not this module's: the static files, the instance folder and
        # the logger are the package's.
        __package__,
        instance_relative_config=True,
        instance_path=instance_path(),
        template_folder=str(resource_dir("templates")),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    check_database_url(app.config["SQLALCHEMY_DATABASE_URI"])  # readiness.NotReady: one line

    register_request_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_receivers(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_security(app)
    return app


def register_request_checks(app: Flask) -> None:
    """What every request is checked for before anything reads it (so first, before the CSRF
    check and the permission table): a NUL byte is a 400; an ``<int:...>`` id beyond the
    database's integers matches no route (set before any route is added)."""
    app.url_map.converters["int"] = web.RecordIdConverter
    app.before_request(web.refuse_nul_bytes)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(resource_dir("migrations")),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "warning"
    # Sessions name the user's session version and login time, not only the user: see
    # ``accounts.sessions``.
    login_manager.id_attribute = "get_session_id"
    login_manager.user_loader(sessions.load_user)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(accounts_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(playbooks_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(workdays_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(identity_bp)
    # Before the permission table: an API request's user is its token's (``api.auth``).
    api.init_app(app)
    app.before_request(enforce_endpoint_access)


def register_receivers(app: Flask) -> None:
    """What the domains do when another one tells them something (blinker signals)."""
    playbook_receivers.init_app(app)
    task_receivers.init_app(app)
    reminder_receivers.init_app(app)
    document_receivers.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """The error pages (``errors.ERROR_PAGES``); a 500 rolls the session back."""

    def render(code: int, message: str | None = None):
        title, default = ERROR_PAGES.get(code, ERROR_PAGES[500])
        return render_template(
            "errors/error.html", code=code, title=title, message=message or default
        ), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if api_errors.is_api_request():
            return api_errors.for_http_exception(error)
        return render(error.code or 500)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = uploads.megabytes(uploads.max_bytes())
        if api_errors.is_api_request():
            return api_errors.response(413, f"Permintaan lebih besar dari batas {limit}.")
        return render(
            413,
            f"Berkas yang diunggah lebih besar dari batas {limit}. Tidak ada yang disimpan. "
            "Perkecil berkasnya (misalnya pindai ulang dengan resolusi lebih rendah atau "
            "simpan sebagai PDF) lalu unggah lagi.",
        )

    @app.errorhandler(web.NulByteError)
    def nul_byte(error: web.NulByteError):
        if api_errors.is_api_request():
            return api_errors.response(400, error.description)
        return render(400, error.description)

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        # The limit's own message (``accounts.views``) says what was refused and how long to
        # wait; the wait is at most the limit's window.
        retry = {"Retry-After": str(error.limit.limit.get_expiry())}
        if api_errors.is_api_request():
            return api_errors.response(429, headers=retry)
        body, code = render(429, error.description)
        return body, code, retry

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render(
            400,
            "Sesi formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if api_errors.is_api_request():
            return api_errors.response(500)
        return render(500)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["external_url"] = external_url

    @app.context_processor
    def inject_context():
        zone = app.config["KERJASAMA_TIMEZONE"]
        if current_user.is_authenticated:
            zone = current_user.government.timezone
        return {"today": clock.today_in(zone), "zone": zone}


def register_commands(app: Flask) -> None:
    cli.register(app)


def register_security(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # No inline scripts or styles anywhere: everything is served from the app itself.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["KERJASAMA_HTTPS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        # What a signed-in user sees stays out of every cache (a shared computer's browser,
        # a proxy); static files and the public pages keep their caching.
        if ENDPOINT_ROLES.get(request.endpoint) is not PUBLIC and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    proxies = app.config["KERJASAMA_TRUSTED_PROXIES"]
    if proxies:
        # Only the headers the documented proxy sets (docs/deployment.md): the client's
        # address and the scheme. The Host header is passed on by the proxy itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
