"""Forms of the working-day calendar: a government's own day off, and its deletion."""

from __future__ import annotations

from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from kerjasama_flow.db import max_length
from kerjasama_flow.forms_common import BaseForm, FilterForm, date_field, required
from kerjasama_flow.workdays.models import DayOff
from kerjasama_flow.workdays.services import FIRST_YEAR, LAST_YEAR


class DayOffForm(BaseForm):
    on = date_field("Tanggal", is_required=True, message="Isi tanggal hari libur.")
    name = StringField(
        "Nama hari libur",
        validators=[required("Isi nama hari libur."), Length(max=max_length(DayOff.name))],
        description="Mis. Hari Jadi Kota Blitar, atau cuti bersama yang ditetapkan daerah.",
    )
    submit = SubmitField("Tambah hari libur")


class DeleteDayOffForm(BaseForm):
    """Only the CSRF token."""


class YearForm(FilterForm):
    """The year selector above the calendar (GET)."""

    year = IntegerField(
        "Tahun",
        validators=[Optional(), NumberRange(min=FIRST_YEAR, max=LAST_YEAR)],
    )
