"""The public page (no login) and the admin's switch for it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow.forms_common import BaseForm
from kerjasama_flow.reports import public_page
from kerjasama_flow.web import run_service

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


class PublicPageForm(BaseForm):
    """Only the CSRF token; ``enabled`` comes from the button pressed."""


@bp.route("/settings/public-page", methods=["POST"])
def toggle():
    form = PublicPageForm()
    enabled = request.form.get("enabled") == "1"
    if not form.validate_on_submit():
        flash("Permintaan tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    elif run_service(None, public_page.set_public_page, current_user, enabled):
        flash(
            "Halaman publik diaktifkan." if enabled else "Halaman publik dinonaktifkan.",
            "success",
        )
    return redirect(url_for("settings.agencies"))
