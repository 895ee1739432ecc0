"""Forms of the reminders domain: the government's reminder settings (Pengaturan → Pengingat).

The form checks the input (filled in, a whole number); the ranges and the list of days are
checked by ``government_settings.clean``, the same function the service calls, so that every
mistake shows at once next to its field."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from kerjasama_flow import government_settings
from kerjasama_flow.db import MISSING_VERSION
from kerjasama_flow.errors import DomainError
from kerjasama_flow.forms_common import BaseForm, choices, required
from kerjasama_flow.reminders.services import effective

_DEFAULT = government_settings.DEFAULTS
_NOTICE_DAYS = government_settings.SETTINGS["ending_notice_days"]
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def _valid(form, field) -> None:
    if field.data is None:
        return  # not a whole number: that error is already shown
    try:
        government_settings.clean(field.name, field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


def _number(label: str, key: str, description: str) -> IntegerField:
    setting = government_settings.SETTINGS[key]
    low, high = setting.limits
    return IntegerField(
        label,
        validators=[required(f"Isi jumlah {setting.unit}."), _valid],
        description=f"{description} Bawaan: {setting.default} {setting.unit}.",
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class ReminderSettingsForm(BaseForm):
    timezone = SelectField(
        "Zona waktu",
        choices=choices(government_settings.timezone_choices()),
        validators=[required("Pilih zona waktu.")],
        description=(
            "Menentukan \u201chari ini\u201d dan jam pengiriman pengingat harian pemerintah "
            "daerah ini. Bawaan: WIB (Asia/Jakarta)."
        ),
    )
    due_soon_working_days = _number(
        "Segera jatuh tempo (H-\u2026)",
        "due_soon_working_days",
        "Pengingat \u201csegera jatuh tempo\u201d sekian hari kerja sebelum tenggat tugas.",
    )
    overdue_repeat_working_days = _number(
        "Ulangi pengingat terlambat setiap",
        "overdue_repeat_working_days",
        "Sesudah H+1, pengingat \u201cterlambat\u201d diulang setiap sekian hari kerja selama "
        "tugas belum selesai.",
    )
    escalation_working_days = _number(
        "Eskalasi ke pimpinan (H+\u2026)",
        "escalation_working_days",
        "Tugas yang terlambat sekian hari kerja dilaporkan ke pimpinan dan Bagian "
        "Pemerintahan. Paling cepat H+2.",
    )
    ending_notice_days = StringField(
        "Pemberitahuan akhir MoU/PKS (hari sebelum berakhir)",
        validators=[required("Isi paling sedikit satu jumlah hari."), _valid],
        description=(
            "Jumlah hari kalender sebelum tanggal berakhir, dipisahkan koma; 0 berarti pada "
            f"hari berakhirnya. Paling banyak {_NOTICE_DAYS.max_items} angka, masing-masing "
            f"{_NOTICE_DAYS.limits[0]} sampai {_NOTICE_DAYS.limits[1]}. Bawaan: "
            + ", ".join(str(day) for day in _DEFAULT["ending_notice_days"])
            + "."
        ),
    )
    ending_playbook_days = _number(
        "Tugas \u201cmendekati berakhir\u201d dibuat (hari sebelum berakhir)",
        "ending_playbook_days",
        "Tugas tindak lanjut pola \u201cmendekati berakhir\u201d dibuat sekian hari kalender "
        "sebelum MoU/PKS berakhir.",
    )
    dormant_kb_months = _number(
        "KB tanpa PKS ditandai mandek sesudah (bulan)",
        "dormant_kb_months",
        "Kesepakatan Bersama yang belum diikuti PKS selama sekian bulan sejak ditandatangani "
        "ditandai mandek di halaman kerja sama dan daftar.",
    )
    dormant_pks_months = _number(
        "PKS tanpa realisasi ditandai mandek sesudah (bulan)",
        "dormant_pks_months",
        "PKS yang belum memiliki transaksi atau realisasi kegiatan selama sekian bulan sejak "
        "ditandatangani ditandai mandek.",
    )
    monev_interval_months = _number(
        "Monev berkala setiap (bulan)",
        "monev_interval_months",
        "Setiap KB dan PKS yang berlaku mendapat tugas monitoring dan evaluasi (monev) untuk "
        "Bagian Pemerintahan sekian bulan sesudah ditandatangani, lalu sekian bulan sesudah "
        "monev terakhir kerja samanya. Tugas selesai otomatis saat hasil monev dicatat.",
    )
    sweep_time = StringField(
        "Jam pengiriman pengingat harian",
        validators=[required("Isi jam pengiriman, mis. 07:00."), _valid],
        description=(
            "Jam setempat (zona waktu di atas) saat pengingat hari itu disusun dan dikirim. "
            f"Bawaan: {_DEFAULT['sweep_time']}."
        ),
        render_kw={"placeholder": "07:00", "inputmode": "numeric"},
    )
    # --- Ringkasan mingguan untuk pimpinan (``reminders.weekly``) ---
    # Optional: a form posted without them (an older page) keeps their values
    # (``services.KEEP_WHEN_BLANK``).
    weekly_digest = SelectField(
        "Kirim ringkasan mingguan",
        choices=choices([("1", "Dikirim"), ("0", "Tidak dikirim")]),
        validate_choice=False,
        validators=[Optional(), _valid],
        description=(
            "Daftar “Perlu perhatian” dan perubahan sepekan terakhir, lewat email dan "
            "WhatsApp kepada pimpinan; setiap pimpinan dapat berhenti berlangganan di halaman "
            "akunnya. Bawaan: dikirim."
        ),
    )
    weekly_digest_day = SelectField(
        "Hari pengiriman",
        choices=choices([(str(number), name) for number, name in enumerate(WEEKDAYS, start=1)]),
        validate_choice=False,
        validators=[Optional(), _valid],
        description="Bawaan: Senin.",
    )
    weekly_digest_time = StringField(
        "Jam pengiriman",
        validators=[Optional(), _valid],
        description=(
            "Jam setempat. Ringkasan disusun pada hari itu bersama pengingat harian dan dikirim "
            f"mulai jam ini. Bawaan: {_DEFAULT['weekly_digest_time']}."
        ),
        render_kw={"placeholder": "07:00", "inputmode": "numeric"},
    )
    version = HiddenField(validators=[required(MISSING_VERSION)])  # the settings' fingerprint
    submit = SubmitField("Simpan")

    @classmethod
    def for_government(cls, government) -> ReminderSettingsForm:
        """The form filled with the values in force, for a GET. A POST reads only what was
        submitted: a missing fingerprint must not be filled in with the current one."""
        values = effective(government)
        values["ending_notice_days"] = ", ".join(str(d) for d in values["ending_notice_days"])
        values["weekly_digest"] = "1" if values["weekly_digest"] else "0"
        values["weekly_digest_day"] = str(values["weekly_digest_day"])
        values["version"] = government_settings.fingerprint(government)
        return cls(formdata=None, data=values)
