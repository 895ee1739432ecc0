"""The OpenAPI document as its readers get it (``/api/v1/openapi.json``): every operation has
an Indonesian summary and description, an operationId, and the error answers its shape can
give, each with the error body; ``info`` explains tokens, errors and versions. The rules are
also tried on a route made for the test (a PATCH with an id and a body), so that they hold
for the write endpoints before those exist."""

from __future__ import annotations

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields

from kerjasama_flow.api import openapi

ERROR_REF = "#/components/schemas/Error"


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def resolve(document: dict, answer: dict) -> dict:
    if "$ref" in answer:
        name = answer["$ref"].rpartition("/")[2]
        return document["components"]["responses"][name]
    return answer


def test_every_operation_has_its_indonesian_summary_and_description(client):
    document = client.get("/api/v1/openapi.json").json
    routed = {rule.endpoint for rule in client.application.url_map.iter_rules()}
    listed = list(operations(document))
    assert listed
    for path, method, operation in listed:
        operation_id = operation.get("operationId", "?")
        endpoint = "api." + operation_id  # a path with several methods: "<name>_<method>"
        if endpoint not in routed:
            endpoint = "api." + operation_id.removesuffix(f"_{method}")
        assert endpoint in routed, (method, path, operation.get("operationId"))
        assert endpoint in openapi.OPERATION_TEXTS, (
            f"{method.upper()} {path} ({endpoint}): add its Indonesian summary and "
            "description to OPERATION_TEXTS in kerjasama_flow/api/openapi.py"
        )
        summary, description = openapi.OPERATION_TEXTS[endpoint]
        assert (operation["summary"], operation["description"]) == (summary, description)


def test_the_texts_name_only_routed_endpoints(client):
    routed = {rule.endpoint for rule in client.application.url_map.iter_rules()}
    unknown = set(openapi.OPERATION_TEXTS) - routed
    assert not unknown, f"OPERATION_TEXTS names endpoints that do not exist: {sorted(unknown)}"
    for summary, description in openapi.OPERATION_TEXTS.values():
        assert summary and description and len(summary) <= 60


def test_every_operation_documents_its_error_answers_with_the_error_body(client):
    document = client.get("/api/v1/openapi.json").json
    for path, method, operation in operations(document):
        answers = operation["responses"]
        codes = set(answers)
        assert "default" not in codes, (method, path)
        assert {"400", "401", "403", "429", "500"} <= codes, (method, path, codes)
        if "{" in path:
            assert "404" in codes, (method, path)
        if any(p["in"] == "query" for p in operation.get("parameters", ())):
            assert "422" in codes, (method, path)
        for code in codes - {"200", "201", "204"}:
            answer = resolve(document, answers[code])
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, code)
            assert answer["description"], (method, path, code)
        assert resolve(document, answers["401"])["headers"]["WWW-Authenticate"]["required"]
        assert "Retry-After" in resolve(document, answers["429"])["headers"]


def test_info_explains_tokens_errors_and_versions(client):
    info = client.get("/api/v1/openapi.json").json["info"]
    assert info["title"] == "kerjasama-flow API" and info["version"]
    text = info["description"]
    for words in ("Akun saya → Token API", "Bearer", "`version`", "428", "409", "429", "404"):
        assert words in text, words


class Change(Schema):
    title = fields.String()
    version = fields.Integer(required=True)


def test_the_rules_follow_the_method_the_ids_and_the_body():
    """A PATCH with an id and a JSON body, a DELETE and a GET without parameters, on an Api of
    their own: the answers come from their shape, not from a list of endpoints."""
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.1.0")
    api = Api(app)
    openapi.describe(api)
    blueprint = Blueprint("fake", __name__, url_prefix="/fake")

    @blueprint.route("/things/<int:thing_id>")
    class Thing(MethodView):
        @blueprint.arguments(Change)
        @blueprint.response(200)
        def patch(self, change, thing_id):
            """English docstring."""

        @blueprint.response(204)
        def delete(self, thing_id):
            """English docstring."""

    @blueprint.route("/ping")
    @blueprint.response(200)
    def ping():
        """Ping."""

    api.register_blueprint(blueprint)
    document = api.spec.to_dict()
    thing = document["paths"]["/fake/things/{thing_id}"]
    patch, delete = thing["patch"], thing["delete"]
    pinged = document["paths"]["/fake/ping"]["get"]
    assert set(patch["responses"]) == {
        "200", "400", "401", "403", "404", "409", "413", "415", "422", "428", "429", "500"
    }  # fmt: skip
    assert set(delete["responses"]) == {
        "204", "400", "401", "403", "404", "409", "422", "428", "429", "500"
    }  # fmt: skip
    assert set(pinged["responses"]) == {"200", "400", "401", "403", "429", "500"}
    # An endpoint without Indonesian texts keeps its docstring: the first test catches it.
    assert (patch["operationId"], delete["operationId"]) == ("Thing_patch", "Thing_delete")
    assert pinged["operationId"] == "ping" and pinged["summary"] == "Ping."


def test_success_answers_are_described_in_indonesian(client):
    spec = client.get("/api/v1/openapi.json").json
    english = {"OK", "Created", "No Content", "Accepted"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, answer in operation["responses"].items():
                if status.startswith("2"):
                    assert answer["description"] not in english, (method, path, status)
