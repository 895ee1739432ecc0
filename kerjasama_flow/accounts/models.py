"""Government (Pemda, the tenant), Agency (OPD) and User."""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kerjasama_flow.accounts import passwords
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow


class GovernmentKind(enum.StrEnum):
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"

    @property
    def label(self) -> str:
        return {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota"}[self.value]


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPD = "opd"
    PIMPINAN = "pimpinan"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Bagian Pemerintahan (admin)",
    Role.OPD: "Kepala OPD",
    Role.PIMPINAN: "Pimpinan",
}


class Government(Base):
    __tablename__ = "government"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[GovernmentKind] = mapped_column(
        str_enum(GovernmentKind, "government_kind"), default=GovernmentKind.KOTA
    )
    province: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    # Local practice that varies per government (reminder days, sweep time...): see the
    # defaults in government_settings; only the values a government changed are stored.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # Created by the demo data (``seed-demo``): the demo fills only governments it made.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agencies: Mapped[list[Agency]] = relationship(
        back_populates="government", order_by="Agency.name"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<Government {self.region_code} {self.name}>"


class Agency(Base):
    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("government_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    head_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # The section that administers cooperation (Bagian Pemerintahan / Bagian Kerja Sama):
    # playbook tasks "for Bagian Pemerintahan" go to it.
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    government: Mapped[Government] = relationship(back_populates="agencies")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class User(UserMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role <> 'opd' OR agency_id IS NOT NULL", name="opd_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_whatsapp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The weekly digest for leaders (pimpinan): on unless they opt out on their account page.
    is_weekly_digest_enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    # The secret in the user's iCalendar feed URL; None until created, replaced to revoke.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    government: Mapped[Government] = relationship()
    agency: Mapped[Agency | None] = relationship()

    def set_password(self, password: str) -> None:
        """Store ``password`` hashed; the rule it must meet is checked by the callers
        (``passwords.check_new``), which know the field to put a refusal on."""
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    # The secret of the login session this request runs in (``accounts.sessions``): set by
    # ``sessions.start`` at login and by the user loader; not a column.
    session_token = None

    def get_session_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie at login
        (``login_manager.id_attribute``): the login session's secret, whose hash is a
        ``LoginSession`` row. ``get_id`` stays the plain id, which Flask-Login's equality of
        users compares."""
        if self.session_token is None:
            raise RuntimeError("start a login session first (accounts.sessions.start)")
        return self.session_token

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(Base):
    """One login of a user on one device: logging out ends it, a new password or a closed
    account ends all of the user's (``accounts.sessions``). The browser holds the secret; only
    its SHA-256 is stored, so a copy of this table opens nothing."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} of user {self.user_id}>"


class ApiToken(Base):
    """A personal token for the JSON API (``/api/v1``): it acts as its user. The user sees the
    secret once; only its SHA-256 is stored, with a short visible prefix to tell tokens apart
    (``accounts.api_tokens``)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.is_active
        )

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} of user {self.user_id}>"
