"""The API's blueprint and the helpers every endpoint module shares: ``bp`` (the routes under
``/api/v1``), ``api`` (flask-smorest, which writes ``/api/v1/openapi.json`` from the
marshmallow schemas that check the requests), one page of a list, and the government's
today."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask_login import current_user
from flask_smorest import Api, Blueprint

from kerjasama_flow import clock
from kerjasama_flow.api import schemas
from kerjasama_flow.extensions import db


class KerjasamaApi(Api):
    """flask-smorest's ``Api`` with this API's error body in the document."""

    ERROR_SCHEMA = schemas.ErrorSchema


# Swagger UI's files as the flask-swagger-ui package ships them (its blueprint is not used: its
# page starts Swagger UI with an inline script, which the CSP refuses; static/api-docs.js does).
SWAGGER_UI_FILES = Path(flask_swagger_ui.__file__).parent / "dist"

api = KerjasamaApi()
bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Data kerja sama daerah untuk sistem lain (token pribadi).",
    static_folder=SWAGGER_UI_FILES,
    static_url_path="/assets",
)


def page(statement_or_rows, query: dict) -> dict:
    """``{"items", "total", "page", "per_page"}`` of a select statement or a list of rows."""
    page_number, per_page = query["page"], query["per_page"]
    if isinstance(statement_or_rows, list):
        rows = statement_or_rows
        items = rows[(page_number - 1) * per_page : page_number * per_page]
        return {"items": items, "total": len(rows), "page": page_number, "per_page": per_page}
    pagination = db.paginate(
        statement_or_rows, page=page_number, per_page=per_page, error_out=False
    )
    return {
        "items": list(pagination.items),
        "total": pagination.total,
        "page": page_number,
        "per_page": per_page,
    }


def today():
    """Today in the token's government's time zone."""
    return clock.today_in(current_user.government.timezone)
