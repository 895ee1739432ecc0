"""The Indonesian messages of the API's request checks, instead of marshmallow's English ones.

``RequestSchema`` is the base of every schema that reads a request (a query, a JSON body, a
form): when it is bound, each field's and each validator's message that is still marshmallow's
own default is replaced by its Indonesian text, whatever the field's type. A message a field
states itself is kept."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

MESSAGES = {
    "required": "Wajib diisi.",
    "null": "Tidak boleh kosong.",
    "invalid": "Nilai tidak sah.",
    "too_large": "Angka terlalu besar.",
    "unknown": "Isian ini tidak dikenal.",
}

VERSION_INVALID = "Harus bilangan bulat (versi data yang Anda baca)."

# A body's own errors: not a JSON object, or a field the endpoint does not know.
SCHEMA_MESSAGES = {
    "type": "Isi permintaan harus objek JSON.",
    "unknown": "Isian ini tidak dikenal.",
}

# marshmallow's default message keys, for any field type.
FIELD_DEFAULTS = {
    **MESSAGES,
    "validator_failed": "Nilai tidak sah.",
    "invalid_utf8": "Harus teks UTF-8.",
    "special": "Angka tidak boleh NaN atau tak hingga.",
    "type": "Harus objek JSON.",
    "unknown": "Harus salah satu dari: {choices}.",
    "format": "Nilai tidak dapat ditulis.",
    "invalid_awareness": "Nilai tidak sah.",
}
# ... and the ``invalid`` message of each type (the first class of the field's MRO found here).
INVALID_BY_TYPE: tuple[tuple[type, str], ...] = (
    (fields.Boolean, "Harus true atau false."),
    (fields.Integer, "Harus bilangan bulat."),
    (fields.Number, "Harus angka."),
    (fields.DateTime, "Harus tanggal dan waktu ISO 8601."),
    (fields.Date, "Harus tanggal YYYY-MM-DD."),
    (fields.List, "Harus daftar (array JSON)."),
    (fields.Dict, "Harus objek JSON."),
    (fields.String, "Harus teks."),
)


def _marshmallow_default(field: fields.Field, key: str) -> Any:
    for cls in type(field).__mro__:
        defaults = getattr(cls, "default_error_messages", {})
        if key in defaults:
            return defaults[key]
    return None


def _indonesian_invalid(field: fields.Field) -> str:
    for field_type, message in INVALID_BY_TYPE:
        if isinstance(field, field_type):
            return message
    return MESSAGES["invalid"]


def translate(field: fields.Field) -> None:
    """Replace the English defaults left on ``field`` (and on a list's items)."""
    for key, message in list(field.error_messages.items()):
        if message != _marshmallow_default(field, key):
            continue  # the field's own message
        if key == "invalid":
            field.error_messages[key] = _indonesian_invalid(field)
        elif key in FIELD_DEFAULTS:
            field.error_messages[key] = FIELD_DEFAULTS[key]
    for validator in field.validators:
        english = getattr(type(validator), "default_message", None)
        error = getattr(validator, "error", None)
        message = _validator_message(validator)
        if message is not None and (error is None or error == english):
            validator.error = message
    if isinstance(field, fields.List):
        translate(field.inner)


def _bounds(validator: Any, both: str, low: str, high: str) -> str:
    if validator.min is not None and validator.max is not None:
        return both
    return low if validator.min is not None else high


def _validator_message(validator: Any) -> str | None:
    """The Indonesian message of one of marshmallow's validators, as it is configured."""
    if isinstance(validator, validate.OneOf):
        return "Harus salah satu dari: {choices}."
    if isinstance(validator, validate.Equal):
        return "Harus {other}."
    if isinstance(validator, validate.Range):
        return _bounds(
            validator, "Harus antara {min} dan {max}.", "Paling kecil {min}.", "Paling besar {max}."
        )
    if isinstance(validator, validate.Length):
        return _bounds(
            validator,
            "Panjangnya {min} sampai {max}.",
            "Paling sedikit {min}.",
            "Paling banyak {max} karakter.",
        )
    return None


class RequestSchema(Schema):
    """A schema that reads a request: its messages, and its fields', in Indonesian."""

    error_messages = SCHEMA_MESSAGES

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        translate(field_obj)
