"""The public page (no login); the admin turns it on in the settings (``settings.public_page``)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from kerjasama_flow.reports import public_page

bp = Blueprint("public", __name__)


@bp.route("/publik/<region_code>")
def agreements(region_code: str):
    government = public_page.published_government(region_code)
    if government is None:
        abort(404)
    rows = public_page.public_rows(government)
    return render_template(
        "public/agreements.html",
        government=government,
        rows=rows,
        total_value=sum(row.transaction_total for row in rows),
    )
