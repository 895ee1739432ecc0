"""Every message a client can get back from the API's request checks is Indonesian: the
schemas that read requests (queries, JSON bodies, multipart forms) are ``RequestSchema``s, and
none of their fields or validators keeps one of marshmallow's English defaults."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError, fields

from kerjasama_flow.api import document_schemas, forms
from kerjasama_flow.api.messages import RequestSchema
from tests.api_helpers import ENGLISH


def request_schemas(app) -> list[type]:
    """The schemas the API reads requests with: each view's query arguments, every JSON body,
    and the multipart forms."""
    found = [forms.BodySchema, *forms.BODIES]
    found += [document_schemas.DocumentUploadForm, document_schemas.DocumentReplaceForm]
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("api."):
            arguments = getattr(view, "_apidoc", {}).get("arguments", {})
            found += [argument["schema"] for argument in arguments.get("parameters", ())]
    return [schema if isinstance(schema, type) else type(schema) for schema in found]


def english_left(field: fields.Field) -> list[str]:
    left = [message for message in field.error_messages.values() if ENGLISH.search(message)]
    left += [
        str(validator.error)
        for validator in field.validators
        if ENGLISH.search(str(getattr(validator, "error", "") or ""))
    ]
    if isinstance(field, fields.List):
        left += english_left(field.inner)
    return left


def test_every_request_schema_speaks_indonesian(app):
    schemas = request_schemas(app)
    assert len(schemas) > 20  # the query arguments and all the bodies were found
    problems = []
    for schema_class in schemas:
        if not issubclass(schema_class, RequestSchema):
            problems.append(f"{schema_class.__name__} is not a RequestSchema")
            continue
        schema = schema_class()
        for name, message in schema.error_messages.items():
            if ENGLISH.search(str(message)):
                problems.append(f"{schema_class.__name__}: {name}: {message}")
        for name, field in schema.fields.items():
            problems += [f"{schema_class.__name__}.{name}: {m}" for m in english_left(field)]
    assert not problems, "\n".join(problems)


def test_a_schema_that_is_not_translated_is_caught():
    """The check above can fail: a plain marshmallow field keeps its English defaults."""
    assert english_left(fields.Integer())
    assert not english_left(RequestSchema.from_dict({"n": fields.Integer()})().fields["n"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"n": "x"}, "n", "Harus bilangan bulat."),
        ({"d": "2025-13-40"}, "d", "Harus tanggal YYYY-MM-DD."),
        ({"t": 5}, "t", "Harus teks."),
        ({"items": "x"}, "items", "Harus daftar (array JSON)."),
        ({"v": "nan"}, "v", "Angka tidak boleh NaN atau tak hingga."),
        ({"other": 1}, "other", "Isian ini tidak dikenal."),
    ],
)
def test_marshmallow_defaults_come_out_in_indonesian(body, field, message):
    schema = RequestSchema.from_dict(
        {
            "n": fields.Integer(),
            "d": fields.Date(),
            "t": fields.String(),
            "items": fields.List(fields.Integer()),
            "v": fields.Decimal(),
        }
    )()
    with pytest.raises(ValidationError) as refused:
        schema.load(body)
    assert refused.value.messages[field] == [message]
