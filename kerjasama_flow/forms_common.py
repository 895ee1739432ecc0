"""What every form shares: the base form with WTForms' own messages in Indonesian, option
helpers, enum, date and hidden-version fields.

No domain model here: a domain's own choices (the government's agencies, its partners) live
in that domain's ``forms`` module."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput
from wtforms_sqlalchemy import fields as sqla_fields

from kerjasama_flow.db import MAX_ID, MISSING_VERSION

REQUIRED = "Wajib diisi."

# --- WTForms' own messages in Indonesian (WTForms ships no Indonesian catalogue) ---------------

_MESSAGES = {
    "This field is required.": REQUIRED,
    "Not a valid choice": "Pilihan tidak tersedia. Muat ulang halaman lalu pilih lagi.",
    "Not a valid choice.": "Pilihan tidak tersedia. Muat ulang halaman lalu pilih lagi.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Not a valid date value.": "Tanggal tidak sah.",
    "Not a valid integer value.": "Bukan bilangan bulat yang sah.",
    "Not a valid decimal value.": "Bukan angka yang sah.",
    "Invalid input.": "Isian tidak sah.",
    "Invalid email address.": "Alamat email tidak sah.",
    "The CSRF token is missing.": "Token keamanan formulir tidak ada. Muat ulang halaman.",
    "The CSRF token is invalid.": "Token keamanan formulir tidak sah. Muat ulang halaman.",
    "The CSRF token has expired.": "Formulir sudah kedaluwarsa. Muat ulang halaman.",
}
_PLURAL_MESSAGES = {
    "Field cannot be longer than %(max)d character.": "Paling banyak %(max)d karakter.",
    "Field must be at least %(min)d character long.": "Paling sedikit %(min)d karakter.",
}


class _IndonesianTranslations:
    def gettext(self, string: str) -> str:
        return _MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _PLURAL_MESSAGES.get(singular, singular if n == 1 else plural)


INDONESIAN = _IndonesianTranslations()


class BaseForm(FlaskForm):
    """Every POST form of the app (CSRF-protected), speaking Indonesian.

    ``validate`` runs the field validators and then ``rule_checks``, even when a field
    already failed, so that a person sees every error in one round: the empty field and the
    end date before the start date together. ``rule_checks`` calls the domain's own rule
    functions (the ones its service calls); the service still checks again. An error of a
    hidden field (the version) is said at the top of the form, where it can be seen.

    ``edits_record``: the form changes a record that exists, so its version is required. A
    form built for a record (``obj=``) does; a form that only ever acts on one (a status, a
    stage, a deletion) says so with the class attribute."""

    edits_record = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("obj") is not None:
            self.edits_record = True

    class Meta:
        def get_translations(self, form):
            return INDONESIAN

        def bind_field(self, form, unbound_field, options):
            """Every one-line text field (a ``StringField`` but a ``TextAreaField``: text,
            email, password, hidden) refuses line breaks, whoever wrote the form."""
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(field, TextAreaField):
                field.validators = [*field.validators, one_line]
            return field

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in self.rule_checks().items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            elif not field.errors:  # a field already refused says what to fix first
                field.errors.append(message)
            valid = False
        for field in self:
            if isinstance(field.widget, HiddenInput) and field.errors:
                for message in field.errors:
                    if message not in self.form_errors:
                        self.form_errors.append(message)
                field.errors = []
        return valid

    def rule_checks(self) -> Mapping[str, str]:
        """The domain rules the input breaks, field name -> message (none by default). Runs
        after the field validators, on whatever data they could read: a field that failed
        to parse is None, and the rules skip what is missing."""
        return {}


ONE_LINE = "Isian ini hanya boleh satu baris (tanpa ganti baris)."


def one_line(form, field) -> None:
    """A one-line field refuses a line break: a browser never sends one from a one-line
    input, and a name, number or email with one breaks the lists, exports and letters."""
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(ONE_LINE)


class FilterForm(Form):
    """The filter rows above lists (GET, no CSRF), speaking Indonesian."""

    class Meta:
        def get_translations(self, form):
            return INDONESIAN


# --- options ------------------------------------------------------------------------------------


def choice(value, label: str) -> SelectChoice:
    """One option of a ``SelectField`` (WTForms 3.3 deprecates plain tuples)."""
    return SelectChoice(value, label)


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as options."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls) -> list[SelectChoice]:
    """An enum's members as options, labelled with their Indonesian ``label``."""
    return choices((member, member.label) for member in enum_cls)


def _rendered(options):
    for option in options:
        yield option if isinstance(option, Choice) else Choice(*option)


class QuerySelectField(sqla_fields.QuerySelectField):
    """wtforms-sqlalchemy 0.4 yields raw tuples, deprecated since WTForms 3.3 (an error under
    the test suite's ``filterwarnings = error``): yield ``Choice`` instances instead."""

    def iter_choices(self):
        return _rendered(super().iter_choices())


class QuerySelectMultipleField(sqla_fields.QuerySelectMultipleField):
    def iter_choices(self):
        return _rendered(super().iter_choices())


def required(message: str = REQUIRED) -> InputRequired:
    return InputRequired(message=message)


def enum_coerce(enum_cls):
    """A ``SelectField`` coercion from the submitted value to the enum's member."""

    def coerce(value):
        return value if isinstance(value, enum_cls) else enum_cls(value)

    return coerce


def enum_field(label: str, enum_cls, **kwargs) -> SelectField:
    """A required choice of one of an enum's members, labelled with their ``label``; the
    field's data is the member."""
    return SelectField(
        label,
        choices=enum_choices(enum_cls),
        coerce=enum_coerce(enum_cls),
        validators=[required("Pilih salah satu.")],
        invalid_choice_message="Pilihan tidak sah.",
        **kwargs,
    )


def optional_enum_field(label: str, enum_cls, blank: str = "— tidak ada —", **kwargs):
    """An optional choice of one of an enum's members; its data is the member or None."""

    def coerce(value):
        if value in (None, "", "None"):
            return None
        return value if isinstance(value, enum_cls) else enum_cls(value)

    return SelectField(
        label,
        choices=[choice("", blank), *enum_choices(enum_cls)],
        coerce=coerce,
        validators=[Optional()],
        invalid_choice_message="Pilihan tidak sah.",
        **kwargs,
    )


# The dates a person may type, here and in an imported spreadsheet (``imports.parsing``):
# 2025-08-14 (what browsers send), 14-08-2025, 14/08/2025 and 14.08.2025. A list: WTForms'
# DateField takes a list of formats (a tuple would be taken as one format).
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
# The dates the app takes, from a form or a spreadsheet: no cooperation of a regional
# government predates the Republic, and none is planned past this century. A year 1 or 9999
# is a typing slip, and would overflow the date arithmetic (a deadline, a report period).
DATE_RANGE = (date(1945, 1, 1), date(2100, 12, 31))


def date_range_error(value: date | None) -> str | None:
    """Why ``value`` is refused as a date (outside ``DATE_RANGE``), or None."""
    first, last = DATE_RANGE
    if value is None or first <= value <= last:
        return None
    return f"Tanggal harus antara tahun {first.year} dan {last.year}."


def _date_in_range(form, field) -> None:
    message = date_range_error(field.data)
    if message:
        raise ValidationError(message)


def date_field(label: str, is_required: bool = False, message: str = REQUIRED, **kwargs):
    """A date input, in any of ``DATE_FORMATS``, within ``DATE_RANGE``."""
    return DateField(
        label,
        validators=[required(message) if is_required else Optional(), _date_in_range],
        format=DATE_FORMATS,
        invalid_value_message="Tanggal tidak sah.",
        **kwargs,
    )


def positive_int(value: str | None) -> int | None:
    """A filter's id or year from a query string: a whole number from 1 to ``db.MAX_ID``,
    else None (a bigger one names no record, and the database would refuse to compare)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


class VersionField(IntegerField):
    """The version of the record the user loaded (a hidden input), sent back so that the
    service can refuse a save over someone else's change (``db.check_version``).

    Read from the submission only: when the form posts none, the version is None, never the
    record's own current version (which WTForms would take from ``obj`` and so pass any
    check). Not a whole number is as good as none."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0])
            except ValueError as error:
                raise ValueError(MISSING_VERSION) from error


def _version_given(form, field) -> None:
    if field.data is None and getattr(form, "edits_record", True):
        raise StopValidation(MISSING_VERSION)


def version_field() -> VersionField:
    """The hidden version of an edit form: required whenever the form edits a record
    (``BaseForm.edits_record``); missing or not a whole number, the form says at its top
    (``MISSING_VERSION``, the field is invisible) and nothing is saved."""
    return VersionField(validators=[_version_given])


def form_values(form, exclude: tuple[str, ...] = ("csrf_token", "submit", "version")) -> dict:
    return {name: field.data for name, field in form._fields.items() if name not in exclude}


def put_errors_on_form(form, error) -> list[str]:
    """Show each message of a service error next to its field; returns the messages no field
    takes (the caller flashes them)."""
    unplaced = []
    for name, message in error.field_errors():
        field = getattr(form, name, None) if name else None
        if field is None:
            unplaced.append(message)
        elif message not in field.errors:
            field.errors = [*field.errors, message]
    return unplaced
