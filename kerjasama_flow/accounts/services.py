"""Governments, agencies and users: creation and edits, a government's public-page switch and
a user's calendar token (flush, never commit)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update

from kerjasama_flow import government_settings
from kerjasama_flow.accounts import passwords
from kerjasama_flow.accounts.models import Agency, Government, GovernmentKind, Role, User
from kerjasama_flow.accounts.sessions import end_sessions
from kerjasama_flow.activity.services import log_action, log_changes, snapshot
from kerjasama_flow.db import check_version
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
AGENCY_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
AGENCY_FIELDS = ("code", "name", "head_name", "email", "phone", "is_coordinator")
USER_FIELDS = ("name", "email", "role", "agency", "phone", "is_active")
ACCOUNT_FIELDS = ("phone", "is_email_enabled", "is_whatsapp_enabled", "is_weekly_digest_enabled")
CALENDAR_TOKEN_BYTES = 32
PUBLIC_PAGE = "public_page"  # the key in ``government_settings``


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def government_by_code(region_code: str) -> Government | None:
    return db.session.scalar(select(Government).where(Government.region_code == region_code))


def agency_by_code(government: Government, code: str) -> Agency | None:
    return db.session.scalar(
        select(Agency).where(
            Agency.government_id == government.id, func.lower(Agency.code) == code.lower()
        )
    )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_government(
    region_code: str,
    name: str,
    timezone: str = "Asia/Jakarta",
    kind: GovernmentKind | None = None,
    province: str | None = None,
) -> Government:
    region_code = region_code.strip()
    if not REGION_CODE.match(region_code):
        raise DomainError(
            f"Kode wilayah “{region_code}” tidak sah; gunakan kode Kemendagri, mis. 35.72.",
            "region_code",
        )
    if government_by_code(region_code):
        raise DomainError(f"Pemda dengan kode {region_code} sudah terdaftar.", "region_code")
    name = (name or "").strip()
    if not name:
        raise DomainError("Nama Pemda wajib diisi.", "name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(f"Zona waktu “{timezone}” tidak dikenal.", "timezone") from exc
    if kind is None:
        lowered = name.lower()
        kind = (
            GovernmentKind.KABUPATEN
            if lowered.startswith("kabupaten")
            else GovernmentKind.PROVINSI
            if lowered.startswith("provinsi")
            else GovernmentKind.KOTA
        )
    government = Government(
        region_code=region_code, name=name, timezone=timezone, kind=kind, province=province
    )
    db.session.add(government)
    db.session.flush()
    return government


def save_agency(
    actor: User | None,
    government: Government,
    agency: Agency | None,
    data: dict,
    expected_version: int | None = None,
) -> Agency:
    """Create (``agency`` None) or update an agency of ``government``."""
    if agency is not None:
        check_version(agency, expected_version)
    code = (data.get("code") or "").strip()
    if not AGENCY_CODE.match(code):
        raise DomainError(
            "Kode OPD hanya huruf, angka, titik, garis bawah atau tanda hubung (maks. 30).",
            "code",
        )
    clash = agency_by_code(government, code)
    if clash is not None and clash is not agency:
        raise DomainError(f"Kode OPD {code} sudah dipakai.", "code")
    if not _clean(data.get("name")):
        raise DomainError("Nama OPD wajib diisi.", "name")
    creating = agency is None
    if creating:
        agency = Agency(government=government)
        db.session.add(agency)
    before = {} if creating else snapshot(agency, AGENCY_FIELDS)
    agency.code = code
    agency.name = data["name"].strip()
    agency.head_name = _clean(data.get("head_name"))
    agency.email = _clean(data.get("email"))
    agency.phone = _clean(data.get("phone"))
    if "is_coordinator" in data:  # callers that do not mention it leave it as it is
        agency.is_coordinator = bool(data["is_coordinator"])
    elif creating:
        agency.is_coordinator = False
    db.session.flush()
    log_changes(
        actor,
        agency,
        "created" if creating else "updated",
        before,
        snapshot(agency, AGENCY_FIELDS),
    )
    if agency.is_coordinator:
        _clear_other_coordinators(actor, government, agency)
    return agency


def _clear_other_coordinators(actor: User | None, government: Government, keep: Agency) -> None:
    """At most one Bagian Pemerintahan per government: marking one unmarks the others."""
    others = db.session.scalars(
        select(Agency).where(
            Agency.government_id == government.id,
            Agency.is_coordinator.is_(True),
            Agency.id != keep.id,
        )
    ).all()
    for other in others:
        other.is_coordinator = False
        db.session.flush()
        log_changes(actor, other, "updated", {"is_coordinator": True}, {"is_coordinator": False})


def save_user(
    actor: User | None,
    government: Government,
    user: User | None,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> User:
    """Create (``user`` None) or update a user of ``government``; a new user needs a password."""
    if user is not None:
        check_version(user, expected_version)
    email = (data.get("email") or "").strip().lower()
    if "@" not in email:
        raise DomainError("Alamat email tidak sah.", "email")
    clash = user_by_email(email)
    if clash is not None and clash is not user:
        raise DomainError("Email ini sudah dipakai pengguna lain.", "email")
    role = Role(data["role"])
    agency = data.get("agency")
    if role == Role.OPD and agency is None:
        raise DomainError("Pengguna Kepala OPD harus terhubung ke satu OPD.", "agency")
    if agency is not None and agency.government_id != government.id:
        raise DomainError("OPD tidak dikenal.", "agency")
    if not _clean(data.get("name")):
        raise DomainError("Nama wajib diisi.", "name")
    password = data.get("password") or ""
    creating = user is None
    if creating or password:
        passwords.check_new(password, "password", email, data.get("name"))
    demoting_self = role != Role.ADMIN or not data.get("is_active", True)
    if actor is not None and user is not None and user.id == actor.id and demoting_self:
        raise DomainError(
            "Anda tidak dapat mencabut hak admin atau menonaktifkan akun sendiri.", "role"
        )
    if creating:
        user = User(government=government)
        db.session.add(user)
    before = {} if creating else snapshot(user, USER_FIELDS)
    deactivating = not creating and user.is_active and not data.get("is_active", True)
    user.email = email
    user.name = data["name"].strip()
    user.role = role
    user.agency = agency
    user.phone = _clean(data.get("phone"))
    user.is_active = bool(data.get("is_active", True))
    if password:
        user.set_password(password)
    db.session.flush()
    if not creating and (password or deactivating):
        end_sessions(user)  # a new password or a closed account: every device logs in again
    log_changes(
        actor,
        user,
        "created" if creating else "updated",
        before,
        snapshot(user, USER_FIELDS),
        extra={"password": "(diubah)"} if password and not creating else None,
    )
    return user


def set_password(actor: User | None, user: User, password: str) -> User:
    """Give ``user`` a new password (the command line's ``set-password``): the rule applies,
    and every session of the user ends."""
    passwords.check_new(password, "password", user.email, user.name)
    user.set_password(password)
    db.session.flush()
    end_sessions(user)
    log_action(actor, user, "updated", after={"password": "(diubah)"})
    return user


def update_own_account(user: User, data: dict[str, Any], expected_version: int | None) -> User:
    """What a user changes on their own account page: contact, reminder channels, password."""
    check_version(user, expected_version)
    new_password = data.get("new_password") or ""
    if new_password:
        if not user.check_password(data.get("current_password") or ""):
            raise DomainError("Kata sandi sekarang salah.", "current_password")
        passwords.check_new(new_password, "new_password", user.email, user.name)
    before = snapshot(user, ACCOUNT_FIELDS)
    user.phone = _clean(data.get("phone"))
    user.is_email_enabled = bool(data.get("is_email_enabled"))
    user.is_whatsapp_enabled = bool(data.get("is_whatsapp_enabled"))
    if user.role == Role.PIMPINAN:  # only leaders get the weekly digest, and see its switch
        user.is_weekly_digest_enabled = bool(data.get("is_weekly_digest_enabled"))
    if new_password:
        user.set_password(new_password)
    db.session.flush()
    if new_password:
        # Every session of the user ends, this one too: the view starts this one again.
        end_sessions(user)
    log_changes(
        user,
        user,
        "updated",
        before,
        snapshot(user, ACCOUNT_FIELDS),
        extra={"password": "(diubah)"} if new_password else None,
    )
    return user


def issue_calendar_token(actor: User) -> str:
    """Give ``actor`` a new secret token for their calendar feed (``reports.calendar_feed``
    finds the user by it); the previous one, if any, stops working."""
    replaced = actor.calendar_token is not None
    actor.calendar_token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    db.session.flush()
    log_action(actor, actor, "calendar_token_replaced" if replaced else "calendar_token_created")
    return actor.calendar_token


def set_public_page(actor: User, enabled: bool) -> bool:
    """Turn the actor's government's public page on or off; returns the new state. Other
    settings are left alone."""
    government = db.session.get(Government, actor.government_id)
    db.session.refresh(government, with_for_update=True)
    before = government_settings.is_public(government)
    settings = dict(government.settings or {})
    settings[PUBLIC_PAGE] = bool(enabled)
    government.settings = settings  # a new dict: the JSON column sees the change
    db.session.flush()
    if before != enabled:
        log_action(
            actor,
            government,
            "updated",
            before={PUBLIC_PAGE: before},
            after={PUBLIC_PAGE: bool(enabled)},
        )
    return bool(enabled)


LOGIN_REFUSED = "Email atau kata sandi salah, atau akun tidak aktif."


def authenticate(email: str, password: str) -> User:
    """The active user with this email and password, else ``DomainError`` on the password
    field. The refusal is the same, and costs the same work (one argon2 verification), for an
    unknown email, a wrong password and an inactive account. A password stored in the older
    scheme, or with other hashing parameters than the current settings, is stored again."""
    password = password or ""
    user = user_by_email(email or "")
    matches = user.check_password(password) if user else passwords.verify_nobody(password)
    if user is None or not matches or not user.is_active:
        raise DomainError(LOGIN_REFUSED, "password")
    if passwords.needs_rehash(user.password_hash):
        # One column: a login is not an edit of the user's record.
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(password_hash=passwords.hash_password(password))
            .execution_options(synchronize_session="fetch")
        )
    return user
