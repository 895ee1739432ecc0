"""Field helpers shared by the domain forms (Indonesian messages, tenant-scoped choices)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput
from wtforms_sqlalchemy import fields as sqla_fields

from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.extensions import db

try:  # WTForms >= 3.3 deprecates plain tuples as select options
    from wtforms.fields.choices import Choice, SelectChoice
except ImportError:  # pragma: no cover - older WTForms take tuples
    Choice = SelectChoice = None

REQUIRED = "Wajib diisi."


def choice(value: str, label: str):
    """One option of a ``SelectField`` in the shape the installed WTForms expects."""
    return SelectChoice(value, label) if SelectChoice else (value, label)


def _rendered(options):
    for option in options:
        yield Choice(*option) if Choice and not isinstance(option, Choice) else option


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


def own_agencies() -> list[Agency]:
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
    return QuerySelectMultipleField(
        label, query_factory=own_agencies, get_label="label", **kwargs
    )


def version_field() -> IntegerField:
    """The version the user loaded, sent back to detect a concurrent edit."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def form_values(form, exclude: tuple[str, ...] = ("csrf_token", "submit", "version")) -> dict:
    return {name: field.data for name, field in form._fields.items() if name not in exclude}


def put_error_on_form(form, error) -> bool:
    """Show a service error next to its field; returns False when no field takes it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [
        error.message
    ]
    return True
