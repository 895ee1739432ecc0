"""The monev form. It validates the input; the rules are in ``services``, and
``rule_checks`` shows them (``services.evaluation_checks``) with the field errors in one
round."""

from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from kerjasama_flow.db import max_length
from kerjasama_flow.evaluations.models import Evaluation, Recommendation, Timeliness
from kerjasama_flow.evaluations.services import evaluation_checks
from kerjasama_flow.forms_common import BaseForm, date_field, enum_choices, form_values, required


class EvaluationForm(BaseForm):
    evaluated_on = date_field("Tanggal monev", is_required=True)
    period_label = StringField(
        "Periode",
        validators=[required(), Length(max=max_length(Evaluation.period_label))],
        render_kw={"placeholder": "Semester I 2026"},
    )
    realisation = TextAreaField("Realisasi terhadap ruang lingkup PKS", validators=[required()])
    progress_pct = IntegerField("Progres (%)", validators=[required()])
    timeliness = SelectField("Ketepatan waktu", choices=enum_choices(Timeliness))
    partner_contribution = TextAreaField("Kontribusi mitra", validators=[Optional()])
    obstacles = TextAreaField("Kendala", validators=[Optional()])
    solutions = TextAreaField("Solusi", validators=[Optional()])
    recommendation = SelectField("Rekomendasi", choices=enum_choices(Recommendation))
    evidence = FileField(
        "Berkas bukti (opsional)",
        description="PDF, JPG, PNG, DOCX atau XLSX, paling besar 20 MB.",
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def rule_checks(self):
        return evaluation_checks(form_values(self), self.today)
