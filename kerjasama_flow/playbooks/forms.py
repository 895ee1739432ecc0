"""Forms of the playbooks domain: a follow-up task template, and the restore button."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from kerjasama_flow.accounts.forms import agency_field
from kerjasama_flow.db import max_length
from kerjasama_flow.forms_common import (
    BaseForm,
    choices,
    enum_field,
    required,
    version_field,
)
from kerjasama_flow.playbooks.models import COMPLETION_LABELS, AssigneeKind, TaskTemplate, Trigger
from kerjasama_flow.playbooks.services import MAX_DUE_IN_WORKING_DAYS


class TemplateForm(BaseForm):
    trigger = enum_field("Pemicu", Trigger, description="Kapan tugas ini dibuat otomatis.")
    title = StringField(
        "Judul tugas",
        validators=[
            required("Judul tugas wajib diisi."),
            Length(
                max=max_length(TaskTemplate.title),
                message=f"Judul tugas paling panjang {max_length(TaskTemplate.title)} karakter.",
            ),
        ],
    )
    description = TextAreaField("Uraian", validators=[Optional()], render_kw={"rows": 4})
    assignee_kind = enum_field(
        "Penerima tugas",
        AssigneeKind,
        description=(
            "Bagian Pemerintahan: OPD yang ditandai sebagai Bagian Pemerintahan / Kerja Sama. "
            "OPD pengampu: OPD pengampu kerja sama yang bersangkutan."
        ),
    )
    agency = agency_field(
        "OPD tertentu",
        optional=True,
        description="Wajib bila penerima tugas \u201cOPD tertentu\u201d.",
    )
    due_in_working_days = IntegerField(
        "Tenggat (hari kerja)",
        validators=[
            required("Isi jumlah hari kerja."),
            NumberRange(
                min=0,
                max=MAX_DUE_IN_WORKING_DAYS,
                message=f"Isi 0 sampai {MAX_DUE_IN_WORKING_DAYS} hari kerja.",
            ),
        ],
        description=(
            "Dihitung sejak tanggal peristiwa (kunjungan, penandatanganan, transaksi) atau, "
            "untuk MoU/PKS yang mendekati akhir, sejak tugas dibuat (paling lambat tanggal "
            "berakhirnya). Sabtu, Minggu, libur nasional, cuti bersama dan hari libur daerah "
            "tidak dihitung."
        ),
    )
    completed_by = SelectField(
        "Selesai otomatis bila",
        choices=choices([("", "Tidak: OPD menyelesaikannya sendiri"), *COMPLETION_LABELS.items()]),
        coerce=lambda value: value or "",  # a template without one stores None
        default="",
        validate_choice=False,  # the service refuses an unknown step, on this field
        description=(
            "Tugas ditandai selesai begitu langkah ini dicatat pada kerja sama yang sama "
            "(misalnya \u201cSusun draf PKS\u201d selesai ketika PKS dicatat), dan dibuka "
            "kembali bila catatan itu dihapus."
        ),
    )
    is_active = BooleanField("Aktif (tugas dibuat otomatis)", default=True)
    version = version_field()
    submit = SubmitField("Simpan")


class RestoreForm(BaseForm):
    submit = SubmitField("Pulihkan bawaan")
