"""Login, logout, own account and calendar link; and the admin's settings: agencies (OPD),
users and the public page."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_remembered, login_required, login_user, logout_user
from limits import parse
from sqlalchemy import select

from kerjasama_flow import clock
from kerjasama_flow.accounts import api_tokens, password_reset, services, sessions
from kerjasama_flow.accounts.forms import (
    AccountForm,
    AgencyForm,
    ApiTokenForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    UserForm,
)
from kerjasama_flow.accounts.models import Agency, Role, User
from kerjasama_flow.channels import ChannelError, EmailChannel, OutgoingEmail
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db, limiter
from kerjasama_flow.forms_common import BaseForm, form_values
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import is_safe_next, run_service

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)

HOME_BY_ROLE = {
    Role.ADMIN: "agreements.index",
    Role.OPD: "tasks.index",
    Role.PIMPINAN: "reports.dashboard",
}


@bp.route("/")
def home():
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


# --- throttling: failed logins and reset mails, per account and per client address ------------


def _setting(name: str) -> Callable[[], str]:
    """A limit read from the settings at request time ("5 per 15 minutes")."""
    return lambda: current_app.config[name]


def _submitted_email() -> str:
    """The account a request is about: the email typed, normalised and hashed (a short key,
    and no address in the limiter's storage). Empty: no per-account limit applies."""
    return _account_key(request.form.get("email") or "")


def _account_key(email: str) -> str:
    email = email.strip().lower()
    return hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32] if email else ""


def _forget_failed_logins(email: str) -> None:
    """A new password from the emailed link lifts the account's lock at once: the failed logins
    counted against the account (``_login_limit`` per account, whose bucket is the login
    endpoint) are forgotten. The per-address count stays."""
    identifiers = [_account_key(email), "accounts.login"]
    if prefix := current_app.config.get("RATELIMIT_KEY_PREFIX"):
        identifiers.insert(0, prefix)
    limit = parse(current_app.config["LOGIN_FAILURES_PER_ACCOUNT"])
    limiter.limiter.clear(limit, *identifiers)


def _minutes(setting: str) -> int:
    return max(1, parse(current_app.config[setting]).get_expiry() // 60)


def _too_many_failed_logins(setting: str) -> Callable[[], str]:
    return lambda: (
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan akun, coba lagi setelah "
        f"{_minutes(setting)} menit. Bila Anda lupa kata sandi, pilih “Lupa kata sandi?” di "
        "halaman masuk."
    )


def _failed(flag: str) -> Callable[[object], bool]:
    """Count a request against the limit only when the view raised ``flag`` on ``g``."""
    return lambda response: bool(g.get(flag))


def _login_limit(setting: str, key_func: Callable[[], str]):
    return limiter.limit(
        _setting(setting),
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed("login_failed"),
        error_message=_too_many_failed_logins(setting),
    )


@bp.route("/login", methods=["GET", "POST"])
@_login_limit("LOGIN_FAILURES_PER_ACCOUNT", _submitted_email)
@_login_limit("LOGIN_FAILURES_PER_ADDRESS", get_remote_address)
def login():
    """Failed logins are counted per account and per address (successes are not); past the
    limit the login answers 429, a right password too, until the window has passed."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # A refusal is put on the password field; an upgraded password hash is committed.
        user = run_service(form, services.authenticate, form.email.data, form.password.data)
        if user is None:
            g.login_failed = True
        else:
            _log_in(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("accounts.home"))
    return render_template("auth/login.html", form=form)


# --- a forgotten password ---------------------------------------------------------------------

RESET_LINK_SENT = (
    "Bila email itu milik akun yang aktif, tautan untuk membuat kata sandi baru sudah kami "
    "kirim ke sana. Tautan berlaku {minutes} menit dan hanya dapat dipakai sekali. Tidak ada "
    "surel dalam beberapa menit? Periksa folder spam, atau hubungi admin Bagian Pemerintahan."
)


def _too_many_reset_requests(setting: str) -> Callable[[], str]:
    return lambda: (
        "Tautan kata sandi baru sudah terlalu sering diminta. Periksa surel yang sudah "
        f"dikirim (juga folder spam), atau coba lagi setelah {_minutes(setting)} menit."
    )


def _reset_limit(setting: str, key_func: Callable[[], str]):
    return limiter.limit(
        _setting(setting),
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed("reset_requested"),
        error_message=_too_many_reset_requests(setting),
    )


def _send_after_response(channel: EmailChannel, mail: OutgoingEmail) -> None:
    try:
        channel.send(mail)
    except ChannelError as error:
        log.warning("Surel tautan kata sandi untuk %s tidak terkirim: %s", mail.to, error.message)


@bp.route("/forgot-password", methods=["GET", "POST"])
@_reset_limit("PASSWORD_RESET_REQUESTS_PER_ACCOUNT", _submitted_email)
@_reset_limit("PASSWORD_RESET_REQUESTS_PER_ADDRESS", get_remote_address)
def forgot_password():
    """The same answer whether or not the email has an account. The mail goes out after the
    response has been sent (``call_on_close``), so neither the answer nor its time tells."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        g.reset_requested = True  # counted per email and per address, existing or not
        mail = password_reset.reset_email(form.email.data, clock.wall_now())
        flash(RESET_LINK_SENT.format(minutes=password_reset.minutes_valid()), "info")
        response = redirect(url_for("accounts.login"))
        if mail is not None:
            response.call_on_close(partial(_send_after_response, EmailChannel.from_app(), mail))
        return response
    return render_template(
        "auth/forgot_password.html", form=form, minutes=password_reset.minutes_valid()
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The emailed link: a new password for its user, once, within the hour."""
    now = clock.wall_now()
    try:
        account = password_reset.user_for_token(token, now)
    except DomainError as error:
        return render_template("auth/reset_password.html", problem=error.message)
    form = ResetPasswordForm(account=account)
    if form.validate_on_submit() and run_service(
        form, password_reset.reset_password, token, form.password.data, now
    ):
        _forget_failed_logins(account.email)
        flash("Kata sandi baru sudah disimpan. Silakan masuk dengan kata sandi baru.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("auth/reset_password.html", form=form, account=account)


def _log_in(user: User, *, remember: bool) -> None:
    """A new login session of ``user`` on this device, committed, then in its cookies."""
    run_service(None, sessions.start, user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # This device's session ends, a copy of its cookie (or of its remember-me cookie)
    # included; the user's other devices stay logged in.
    run_service(None, sessions.end_this_session, current_user)
    logout_user()
    flash("Anda sudah keluar.", "info")
    return redirect(url_for("accounts.login"))


def _continue_session() -> None:
    """After the current user's own password change ended all their sessions: this browser
    goes on in a new one (keeping "Ingat saya" if it was on)."""
    _log_in(current_user._get_current_object(), remember=login_remembered())


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit() and run_service(
        form, services.update_own_account, current_user, form_values(form), form.version.data
    ):
        if form.new_password.data:
            _continue_session()
            flash("Kata sandi diganti. Sesi akun Anda di perangkat lain sudah diakhiri.", "success")
        else:
            flash("Pengaturan akun disimpan.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(form)


def _account_page(form: AccountForm, token_form: ApiTokenForm | None = None, **extra):
    return render_template(
        "auth/account.html",
        form=form,
        login_sessions=sessions.active_sessions(current_user),
        token_form=token_form or ApiTokenForm(formdata=None),
        api_tokens=api_tokens.tokens_of(current_user),
        **extra,
    )


@bp.route("/account/api-tokens", methods=["POST"])
def api_token_new():
    """A new personal API token: its secret is shown on this answer only (never stored)."""
    token_form = ApiTokenForm()
    if token_form.validate_on_submit():
        issued = run_service(
            token_form, api_tokens.issue, current_user, token_form.name.data, token_form.days.data
        )
        if issued:
            token, secret = issued
            return _account_page(AccountForm(obj=current_user), new_token=token, new_secret=secret)
    return _account_page(AccountForm(obj=current_user), token_form), 422


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
def api_token_revoke(token_id: int):
    if api_tokens.own_token(current_user, token_id) is None:
        abort(404)  # none, or another user's: as for notifications
    if _checked(ActionForm()) and run_service(None, api_tokens.revoke, current_user, token_id):
        flash("Token dicabut: sistem yang memakainya tidak dapat masuk lagi.", "success")
    return redirect(url_for("accounts.account", _anchor="token-api"))


class ActionForm(BaseForm):
    """A button's form: only the CSRF token (the button says what to do)."""


def _checked(form: BaseForm) -> bool:
    if form.validate_on_submit():
        return True
    flash("Permintaan tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    return False


@bp.route("/account/calendar-token", methods=["POST"])
def calendar_token():
    """Create or replace the user's secret calendar link (the feed is ``reports.calendar``)."""
    if _checked(ActionForm()) and run_service(None, services.issue_calendar_token, current_user):
        flash("Tautan kalender baru dibuat. Tautan lama (bila ada) tidak berlaku lagi.", "success")
    return redirect(url_for("accounts.account", _anchor="kalender"))


@bp.route("/account/sessions/end-others", methods=["POST"])
def end_other_sessions():
    """ "Keluar dari perangkat lain": every session of the user but this device's ends."""
    if _checked(ActionForm()) and run_service(None, sessions.end_other_sessions, current_user):
        flash("Sesi akun Anda di perangkat lain sudah diakhiri.", "success")
    return redirect(url_for("accounts.account", _anchor="perangkat"))


# --- settings: agencies, users, public page (admin only, see permissions.ENDPOINT_ROLES) -----


@bp.route("/settings/agencies")
def agencies():
    rows = db.session.scalars(
        select(Agency)
        .where(Agency.government_id == current_user.government_id)
        .order_by(Agency.name)
    ).all()
    # The active OPD head accounts of each agency: the "Kepala" column names them beside (or,
    # when the agency's head is not filled in, instead of) the head's name.
    head_accounts: dict[int, list[User]] = {}
    for user in db.session.scalars(
        select(User)
        .where(
            User.government_id == current_user.government_id,
            User.role == Role.OPD,
            User.is_active.is_(True),
            User.agency_id.is_not(None),
        )
        .order_by(User.name)
    ):
        head_accounts.setdefault(user.agency_id, []).append(user)
    return render_template("settings/agencies.html", agencies=rows, head_accounts=head_accounts)


@bp.route("/settings/agencies/new", methods=["GET", "POST"])
@bp.route("/settings/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
def agency_edit(agency_id: int | None = None):
    agency = get_owned_or_404(Agency, agency_id) if agency_id else None
    form = AgencyForm(obj=agency)
    if form.validate_on_submit() and run_service(
        form,
        services.save_agency,
        current_user,
        current_user.government,
        agency,
        form_values(form),
        form.version.data,
    ):
        flash("Data OPD disimpan.", "success")
        return redirect(url_for("accounts.agencies"))
    return render_template("settings/agency_form.html", form=form, agency=agency)


@bp.route("/settings/users")
def users():
    rows = db.session.scalars(
        select(User)
        .where(User.government_id == current_user.government_id)
        .order_by(User.role, User.name)
    ).all()
    return render_template("settings/users.html", users=rows)


@bp.route("/settings/users/new", methods=["GET", "POST"])
@bp.route("/settings/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int | None = None):
    user = get_owned_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    if request.method == "GET" and user is not None:
        form.role.data = user.role.value
    if form.validate_on_submit():
        data = form_values(form)
        if user is None and not data.get("password"):
            form.password.errors.append("Kata sandi wajib diisi untuk pengguna baru.")
        elif run_service(
            form,
            services.save_user,
            current_user,
            current_user.government,
            user,
            data,
            form.version.data,
        ):
            if user is not None and user.id == current_user.id and data.get("password"):
                _continue_session()
            flash("Data pengguna disimpan.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("settings/user_form.html", form=form, user=user)


@bp.route("/settings/public-page", methods=["POST"])
def public_page():
    """Turn the public page (``reports.public_agreements``) on or off; shown with the government's
    other settings (``reminders.settings``)."""
    enabled = request.form.get("enabled") == "1"
    if (
        _checked(ActionForm())
        and run_service(None, services.set_public_page, current_user, enabled) is not None
    ):
        flash(
            "Halaman publik diaktifkan." if enabled else "Halaman publik dinonaktifkan.",
            "success",
        )
    return redirect(url_for("reminders.settings", _anchor="halaman-publik"))
