"""The web's forms as the API's request bodies: one definition of what an agreement, a step or
a task may hold, two doors.

``form_schemas`` describes a form class's fields as marshmallow schemas: flask-smorest shows
them in the OpenAPI document, and they check a JSON body's types. ``submit`` then runs the
form itself on the body: the same validators, the same rule checks (``BaseForm.rule_checks``)
and the same Indonesian messages as the page, before the same service is called.

Names: a field that chooses a record takes its id (``lead_agency`` is ``lead_agency_id``,
``agencies`` is ``agency_ids``); a step's day is ``date`` (``Visit.date_field`` says which
column); a transaction's ``value_rp`` is ``value``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length

from kerjasama_flow.agreements.forms import RupiahField, VolumeField
from kerjasama_flow.api import errors
from kerjasama_flow.api.messages import MESSAGES, RequestSchema
from kerjasama_flow.db import MAX_ID
from kerjasama_flow.formatting import format_number
from kerjasama_flow.forms_common import (
    DATE_RANGE,
    QuerySelectField,
    QuerySelectMultipleField,
)

NO_CSRF = {"csrf": False}  # a form's meta for a token's request: a token is not a cookie
# Fields a form has for the page only: never part of a body.
PAGE_ONLY = frozenset({"csrf_token", "submit", "version", "confirm", "next"})
RENAMED = {"value_rp": "value"}
DATE = "date"

_FIRST, _LAST = DATE_RANGE
_DATE_ERROR = f"Harus tanggal YYYY-MM-DD antara tahun {_FIRST.year} dan {_LAST.year}."
_ID_ERROR = f"Harus id (bilangan bulat 1 sampai {MAX_ID})."


class BodySchema(RequestSchema):
    """A request body: a JSON object with only the fields the endpoint knows."""


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name.removesuffix("s")


def unbound_fields(form_class) -> list[tuple[str, UnboundField]]:
    """A form class's fields in the order they are declared (as the page shows them)."""
    found = [
        (name, value)
        for name in dir(form_class)
        if name not in PAGE_ONLY and isinstance(value := getattr(form_class, name), UnboundField)
    ]
    return sorted(found, key=lambda item: item[1].creation_counter)


def api_name(name: str, field_class: type, date_field: str | None = None) -> str:
    """The body's name of a form field."""
    if name == date_field:
        return DATE
    if issubclass(field_class, QuerySelectMultipleField):
        return _singular(name) + "_ids"
    if issubclass(field_class, QuerySelectField):
        return name + "_id"
    return RENAMED.get(name, name)


def api_names(form_class, date_field: str | None = None) -> dict[str, str]:
    """form field -> body name, for the form's errors and the services' refusals."""
    names = {
        name: api_name(name, unbound.field_class, date_field)
        for name, unbound in unbound_fields(form_class)
    }
    if date_field:
        names.setdefault(date_field, DATE)
    return names


def _choice_values(unbound: UnboundField) -> list[str] | None:
    options = unbound.kwargs.get("choices")
    if not options or callable(options):
        return None
    values = [
        str(getattr(option, "value", option[0] if isinstance(option, tuple) else option))
        for option in options
    ]
    return [value for value in values if value]


def _marshmallow_field(unbound: UnboundField, is_required: bool, label: str) -> fields.Field:
    field_class = unbound.field_class
    validators = unbound.kwargs.get("validators") or []
    description = " ".join(part for part in (label, unbound.kwargs.get("description")) if part)
    common: dict[str, Any] = {
        "required": is_required,
        "allow_none": not is_required,
        "error_messages": MESSAGES,
        "metadata": {"description": description},
    }
    if issubclass(field_class, QuerySelectMultipleField):
        item = fields.Integer(
            strict=True,
            validate=validate.Range(1, MAX_ID, error=_ID_ERROR),
            error_messages={**MESSAGES, "invalid": _ID_ERROR},
        )
        return fields.List(item, **common)
    if issubclass(field_class, QuerySelectField):
        return fields.Integer(
            strict=True,
            validate=validate.Range(1, MAX_ID, error=_ID_ERROR),
            **{**common, "error_messages": {**MESSAGES, "invalid": _ID_ERROR}},
        )
    if issubclass(field_class, BooleanField):
        return fields.Boolean(
            **{**common, "error_messages": {**MESSAGES, "invalid": "Harus true atau false."}}
        )
    if issubclass(field_class, DateField):
        return fields.Date(
            validate=validate.Range(*DATE_RANGE, error=_DATE_ERROR),
            **{**common, "error_messages": {**MESSAGES, "invalid": _DATE_ERROR}},
        )
    if issubclass(field_class, RupiahField | IntegerField):
        return fields.Integer(
            strict=True,
            **{**common, "error_messages": {**MESSAGES, "invalid": "Harus bilangan bulat."}},
        )
    if issubclass(field_class, VolumeField):
        return fields.Decimal(
            **{**common, "error_messages": {**MESSAGES, "invalid": "Harus angka."}},
        )
    values = _choice_values(unbound)
    one_of = [validate.OneOf(values, error="Harus salah satu dari: {choices}.")] if values else []
    if unbound.kwargs.get("validate_choice") is False:  # the service names what it refuses
        one_of = []
    if issubclass(field_class, SelectMultipleField):
        item = fields.String(validate=one_of, error_messages=MESSAGES)
        return fields.List(item, **common)
    if issubclass(field_class, SelectField):
        return fields.String(validate=one_of, **common)
    lengths = [
        validate.Length(max=v.max, error="Paling banyak {max} karakter.")
        for v in validators
        if isinstance(v, Length) and v.max and v.max > 0
    ]
    return fields.String(validate=lengths, **common)


def _is_required(unbound: UnboundField) -> bool:
    """Required by the page, and without a default the page would fill in."""
    validators = unbound.kwargs.get("validators") or []
    has_required = any(isinstance(v, InputRequired | DataRequired) for v in validators)
    return has_required and unbound.kwargs.get("default") is None


def body_fields(
    form_class, date_field: str | None = None, is_change: bool = False
) -> dict[str, fields.Field]:
    """``form_class``'s fields under the body's names; for a new record what the page
    requires is required, for a change (``is_change``) nothing is."""
    found: dict[str, fields.Field] = {}
    for field_name, unbound in unbound_fields(form_class):
        label = unbound.args[0] if unbound.args else unbound.kwargs.get("label", "")
        key = api_name(field_name, unbound.field_class, date_field)
        found[key] = _marshmallow_field(unbound, not is_change and _is_required(unbound), label)
    return found


def version_field() -> fields.Integer:
    """The ``version`` a change was made from. Not required here: its absence is a 428
    (``writes.version_of``), not a field error."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(1, MAX_ID, error="Harus bilangan bulat positif."),
        error_messages={**MESSAGES, "invalid": "Harus bilangan bulat."},
        metadata={
            "description": "Wajib: versi data yang Anda baca (GET). Tanpa versi: 428; "
            "versi lama: 409 dengan data terbaru."
        },
    )


def form_schemas(
    form_class,
    name: str,
    date_field: str | None = None,
    create_extra: Mapping[str, fields.Field] | None = None,
) -> tuple[type[Schema], type[Schema]]:
    """Two body schemas of ``form_class``: ``<name>Create`` (a new record, with
    ``create_extra``) and ``<name>Change`` (a PATCH: any subset, and ``version``)."""
    created = {**(create_extra or {}), **body_fields(form_class, date_field)}
    changed = {**body_fields(form_class, date_field, is_change=True), "version": version_field()}
    return body_schema(created, f"{name}Create"), body_schema(changed, f"{name}Change")


# Every body schema, for the OpenAPI document's components (``document``).
BODIES: list[type[Schema]] = []


def body_schema(declared: Mapping[str, fields.Field], name: str) -> type[Schema]:
    """A body schema of ``declared`` fields, named ``name`` in the OpenAPI document."""
    schema = BodySchema.from_dict(dict(declared), name=name)
    BODIES.append(schema)
    return schema


def document(spec) -> None:
    """Put every body schema in the document's components, where ``request_body`` points."""
    for schema in BODIES:
        spec.components.schema(schema.__name__, schema=schema)


def request_body(*schema_classes, discriminator: Mapping[str, Mapping] | None = None) -> dict:
    """An operation's ``requestBody`` (for ``bp.doc``): one body schema, or one of several
    chosen by a field (``discriminator``: field name -> {value: schema})."""
    refs = [{"$ref": f"#/components/schemas/{cls.__name__}"} for cls in schema_classes]
    schema: dict[str, Any] = refs[0] if len(refs) == 1 else {"oneOf": refs}
    for name, mapping in (discriminator or {}).items():
        schema["discriminator"] = {
            "propertyName": name,
            "mapping": {
                value: f"#/components/schemas/{cls.__name__}" for value, cls in mapping.items()
            },
        }
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# --- running the form on a body ---------------------------------------------------------------


def _field_values(field) -> list[str]:
    """What a browser would send for ``field`` as it now holds its data."""
    data = field.data
    if isinstance(field, QuerySelectMultipleField):
        return [str(field.get_pk(item)) for item in data or []]
    if isinstance(field, QuerySelectField):
        return [field.blank_value] if data is None else [str(field.get_pk(data))]
    if isinstance(field, BooleanField):
        return ["y"] if data else []
    if isinstance(field, SelectMultipleField):
        return [str(item) for item in data or []]
    if isinstance(field, SelectField):
        return [] if data is None else [str(data)]
    if isinstance(field, DateField):
        return [data.isoformat()] if isinstance(data, date) else []
    if data is None:
        return []
    if isinstance(field, RupiahField | VolumeField):
        return [format_number(data, empty="")]
    return [str(data)]


def _body_values(field, value: Any) -> list[str]:
    """A body's (already type-checked) value as what a browser would send."""
    if value is None:  # null empties the field, as a browser sends an emptied input
        if isinstance(field, QuerySelectField):
            return [field.blank_value]
        if isinstance(field, BooleanField | SelectMultipleField | QuerySelectMultipleField):
            return []
        return [""]
    if isinstance(value, bool):
        return ["y"] if value else []
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, date):
        return [value.isoformat()]
    if isinstance(value, int | Decimal) and isinstance(field, RupiahField | VolumeField):
        return [format_number(value, empty="")]
    return [str(value)]


def formdata(form, body: Mapping[str, Any], names: Mapping[str, str]) -> MultiDict:
    """The form's current values (its record's, or its defaults) with the body's on top."""
    by_api_name = {api: field for field, api in names.items()}
    values: MultiDict = MultiDict()
    for field in form:
        if field.name in PAGE_ONLY:
            continue
        values.setlist(field.name, _field_values(field))
    for key, value in body.items():
        field_name = by_api_name.get(key)
        if field_name is not None and field_name in form:
            values.setlist(field_name, _body_values(form[field_name], value))
    return values


def form_errors(form, names: Mapping[str, str]) -> dict[str, list[str]]:
    """The form's messages by the body's names; a message of the form as a whole is ``_schema``."""
    found: dict[str, list[str]] = {}
    for field_name, messages in form.errors.items():
        if field_name is None:
            continue
        found.setdefault(names.get(field_name, field_name), []).extend(messages)
    if form.form_errors:
        found.setdefault("_schema", []).extend(form.form_errors)
    return found


def refuse(form, names: Mapping[str, str]) -> None:
    """A form that did not validate: a 422 with its messages by the body's field names, the
    first of them as the message (a rule's own words, as a refused service says)."""
    found = form_errors(form, names)
    messages = [message for field_messages in found.values() for message in field_messages]
    errors.abort(422, messages[0] if messages else None, found)


def submit(
    form_factory, body: Mapping[str, Any], names: Mapping[str, str], version: int | None = None
):
    """Build the form twice: once as it stands (``form_factory(formdata=None)``: its record's
    values or its defaults), then with those values and the body on top (and the ``version``
    the change was made from), and validate it as the page does. A refusal is a 422 naming
    each field as the body does."""
    current = form_factory(formdata=None)
    values = formdata(current, body, names)
    if version is not None:
        values.setlist("version", [str(version)])
    form = form_factory(formdata=values)
    if not form.validate():
        refuse(form, names)
    return form


def record_values(form_class, record, date_field: str | None = None) -> dict[str, Any]:
    """A record's values under the body's names, as JSON (ids for records, ISO dates, enum
    keys, whole Rupiah): what a client reads is what it may send back."""
    values: dict[str, Any] = {}
    for name, unbound in unbound_fields(form_class):
        if name == date_field or not hasattr(record, name):
            continue
        values[api_name(name, unbound.field_class)] = _json_value(getattr(record, name))
    return values


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):  # its stable key
        return value.value
    if hasattr(value, "id"):  # a record: its id
        return value.id
    return value
