"""The identity blueprint: the settings page (Pengaturan → Identitas Pemda, admins only, see
``permissions.ENDPOINT_ROLES``) and the lambang image.

The lambang is served by ``identity.lambang``; its links carry the start of the stored file's
name (``?v=``), so a new lambang has a new address and browsers may keep a copy for a day.
It is shown to the government's own users, and to anyone while the government's public page
is on; otherwise a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from kerjasama_flow import government_settings
from kerjasama_flow.identity import queries, services
from kerjasama_flow.identity.forms import IdentityForm, LambangForm, RemoveLambangForm
from kerjasama_flow.web import run_service

bp = Blueprint("identity", __name__)

LAMBANG_MAX_AGE = 24 * 60 * 60


@bp.app_context_processor
def inject_lambang_url():
    """``lambang_url(government)`` for the header and the public page: its address, or None
    when the government has no lambang."""

    def lambang_url(government) -> str | None:
        name = queries.lambang_name(government)
        if name is None:
            return None
        return url_for("identity.lambang", region_code=government.region_code, v=name[:8])

    return {"lambang_url": lambang_url}


def _page(form: IdentityForm, lambang_form: LambangForm | None = None):
    government = current_user.government
    return render_template(
        "settings/identity.html",
        form=form,
        lambang_form=lambang_form or LambangForm(formdata=None),
        remove_form=RemoveLambangForm(formdata=None),
        identity=queries.identity_of(government),
        public_page=government_settings.is_public(government),
    )


@bp.route("/settings/identity", methods=["GET", "POST"])
def settings():
    if request.method == "GET":
        return _page(IdentityForm.for_government(current_user.government))
    form = IdentityForm()
    if form.validate_on_submit():
        changed = run_service(
            form, services.save_texts, current_user, form.values(), form.version.data
        )
        if changed is not None:
            flash(
                "Identitas pemerintah daerah disimpan." if changed else "Tidak ada perubahan.",
                "success" if changed else "info",
            )
            return redirect(url_for("identity.settings"))
    return _page(form)


@bp.route("/settings/identity/lambang", methods=["POST"])
def upload_lambang():
    form = LambangForm()
    if form.validate_on_submit() and run_service(
        form, services.replace_lambang, current_user, request.files.get("lambang")
    ):
        flash("Lambang disimpan.", "success")
        return redirect(url_for("identity.settings"))
    return _page(IdentityForm.for_government(current_user.government), form)


@bp.route("/settings/identity/lambang/remove", methods=["POST"])
def remove_lambang():
    form = RemoveLambangForm()
    if form.validate_on_submit():
        removed = run_service(None, services.remove_lambang, current_user)
        if removed is True:
            flash("Lambang dihapus.", "success")
    return redirect(url_for("identity.settings"))


@bp.route("/lambang/<region_code>")
def lambang(region_code: str):
    government = queries.government_by_region(region_code)
    if government is None or not queries.may_see_lambang(current_user, government):
        abort(404)
    name = queries.lambang_name(government)
    path = queries.lambang_path(government)
    if name is None or path is None:
        abort(404)
    response = send_file(
        path, mimetype=queries.lambang_mimetype(name), conditional=True, max_age=LAMBANG_MAX_AGE
    )
    if government_settings.is_public(government):
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    return response
