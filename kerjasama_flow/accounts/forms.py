"""Forms of the accounts domain: login, own account, agencies and users; and the choice of
one or several of the current user's agencies, which other domains' forms use."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, Length, NumberRange, Optional

from kerjasama_flow.accounts import api_tokens, passwords
from kerjasama_flow.accounts.models import ROLE_LABELS, Agency, Role, User
from kerjasama_flow.db import max_length
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import (
    BaseForm,
    QuerySelectField,
    QuerySelectMultipleField,
    choice,
    required,
    version_field,
)

# --- the government's agencies as choices -----------------------------------------------------


def own_agencies() -> list[Agency]:
    """The agencies of the current user's government, by name."""
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.government_id == current_user.government_id)
            .order_by(Agency.name)
        )
    )


def agency_field(label: str, optional: bool = False, **kwargs) -> QuerySelectField:
    return QuerySelectField(
        label,
        query_factory=own_agencies,
        get_label="label",
        allow_blank=optional,
        blank_text="— pilih —",
        validators=[Optional()] if optional else [required("Pilih perangkat daerah (OPD).")],
        **kwargs,
    )


def agencies_field(label: str, **kwargs) -> QuerySelectMultipleField:
    return QuerySelectMultipleField(label, query_factory=own_agencies, get_label="label", **kwargs)


# --- the forms --------------------------------------------------------------------------------


PASSWORD_HINT = (
    f"Minimal {passwords.MIN_LENGTH} karakter; boleh spasi dan tanda baca. Kalimat sandi dari "
    "beberapa kata lebih aman dan lebih mudah diingat daripada kata yang diberi angka."
)


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[required("Masukkan email Anda.")])
    password = PasswordField("Kata sandi", validators=[required("Masukkan kata sandi.")])
    remember = BooleanField("Ingat saya di perangkat ini")
    submit = SubmitField("Masuk")


class ForgotPasswordForm(BaseForm):
    email = EmailField("Email akun Anda", validators=[required("Masukkan email akun Anda.")])
    submit = SubmitField("Kirim tautan")


class ResetPasswordForm(BaseForm):
    """The new password of the user an emailed link names (``account``)."""

    password = PasswordField(
        "Kata sandi baru",
        validators=[required("Masukkan kata sandi baru.")],
        description=PASSWORD_HINT,
    )
    confirm_password = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("password", message="Kata sandi baru tidak sama.")],
    )
    submit = SubmitField("Simpan kata sandi baru")

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def rule_checks(self) -> dict[str, str]:
        if not self.password.data:
            return {}
        account = self.account
        message = passwords.problem(
            self.password.data, account and account.email, account and account.name
        )
        return {"password": message} if message else {}


class AccountForm(BaseForm):
    phone = StringField(
        "Nomor WhatsApp", validators=[Optional(), Length(max=max_length(User.phone))]
    )
    is_email_enabled = BooleanField("Kirim pengingat lewat email")
    is_whatsapp_enabled = BooleanField("Kirim pengingat lewat WhatsApp")
    is_weekly_digest_enabled = BooleanField(
        "Terima ringkasan mingguan untuk pimpinan",
        description="Daftar \u201cPerlu perhatian\u201d dan perubahan sepekan terakhir, sekali "
        "seminggu lewat email (dan WhatsApp bila diaktifkan di atas).",
    )
    current_password = PasswordField("Kata sandi sekarang", validators=[Optional()])
    new_password = PasswordField("Kata sandi baru", description=PASSWORD_HINT)
    version = version_field()
    confirm_password = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("new_password", message="Kata sandi baru tidak sama.")],
    )
    submit = SubmitField("Simpan")

    def rule_checks(self) -> dict[str, str]:
        errors = {}
        if self.new_password.data:
            if not self.current_password.data:
                errors["current_password"] = "Masukkan kata sandi sekarang untuk menggantinya."
            message = passwords.problem(
                self.new_password.data, current_user.email, current_user.name
            )
            if message:
                errors["new_password"] = message
        return errors


class AgencyForm(BaseForm):
    code = StringField(
        "Kode OPD",
        validators=[required(), Length(max=max_length(Agency.code))],
        description="Singkatan unik, mis. DKPP, BAPPEDA, PEM.",
    )
    name = StringField("Nama OPD", validators=[required(), Length(max=max_length(Agency.name))])
    head_name = StringField(
        "Nama kepala OPD", validators=[Optional(), Length(max=max_length(Agency.head_name))]
    )
    email = EmailField(
        "Email OPD", validators=[Optional(), Email(message="Alamat email tidak sah.")]
    )
    phone = StringField(
        "Telepon / WhatsApp", validators=[Optional(), Length(max=max_length(Agency.phone))]
    )
    is_coordinator = BooleanField(
        "OPD ini adalah Bagian Pemerintahan / Kerja Sama (penerima tugas koordinasi)",
        description="Hanya satu OPD per Pemda; menandai OPD ini melepas tanda pada OPD lain.",
    )
    version = version_field()
    submit = SubmitField("Simpan")


class UserForm(BaseForm):
    name = StringField("Nama lengkap", validators=[required(), Length(max=max_length(User.name))])
    email = EmailField("Email", validators=[required(), Email(message="Alamat email tidak sah.")])
    role = SelectField(
        "Peran",
        choices=[choice(role.value, ROLE_LABELS[role]) for role in Role],
        validators=[required()],
    )
    agency = agency_field("OPD", optional=True, description="Wajib untuk peran Kepala OPD.")
    phone = StringField(
        "Nomor WhatsApp", validators=[Optional(), Length(max=max_length(User.phone))]
    )
    password = PasswordField(
        "Kata sandi",
        description=f"{PASSWORD_HINT} Kosongkan bila tidak ingin mengubah kata sandi.",
    )
    is_active = BooleanField("Aktif", default=True)
    version = version_field()
    submit = SubmitField("Simpan")

    def rule_checks(self) -> dict[str, str]:
        if not self.password.data:
            return {}
        message = passwords.problem(self.password.data, self.email.data, self.name.data)
        return {"password": message} if message else {}


class ApiTokenForm(BaseForm):
    """A new personal token for the JSON API (``/api/v1``), on the account page."""

    name = StringField(
        "Nama token",
        validators=[Optional(), Length(max=api_tokens.NAME_LENGTH)],
        description="Untuk apa token ini, mis. \u201cPortal Pemda\u201d atau "
        "\u201cMonitoring provinsi\u201d.",
    )
    days = IntegerField(
        "Berlaku (hari)",
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=api_tokens.MAX_DAYS,
                message=f"Isi 1 sampai {api_tokens.MAX_DAYS} hari, atau kosongkan.",
            ),
        ],
        description="Kosongkan bila token berlaku sampai dicabut.",
    )
    submit = SubmitField("Buat token")
