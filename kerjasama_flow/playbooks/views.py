"""The admin's playbook settings: the government's follow-up task templates by trigger.

Admin only (``permissions.ENDPOINT_ROLES``); templates are loaded through ``tenancy`` (another
government's template is a 404) and changed through ``services``, committed by ``run_service``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow.forms_common import form_values
from kerjasama_flow.playbooks import services
from kerjasama_flow.playbooks.forms import RestoreForm, TemplateForm
from kerjasama_flow.playbooks.models import COMPLETION_LABELS, TaskTemplate, Trigger
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import run_service

bp = Blueprint("playbooks", __name__, url_prefix="/settings/playbooks")


@bp.route("")
def index():
    government = current_user.government
    if not services.has_defaults(government):
        # The first visit installs the shipped defaults, ready to be edited.
        run_service(None, services.install_defaults, government, current_user)
    return render_template(
        "playbooks/index.html",
        grouped=services.all_templates(government),
        coordinator=services.coordinator_agency(government),
        completion_labels=COMPLETION_LABELS,
        restore_form=RestoreForm(),
    )


@bp.route("/restore", methods=["POST"])
def restore():
    form = RestoreForm()
    if not form.validate_on_submit():
        flash("Permintaan tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("playbooks.index"))
    added = run_service(None, services.install_defaults, current_user.government, current_user)
    if added:
        flash(f"{len(added)} templat bawaan ditambahkan kembali.", "success")
    elif added is not None:
        flash("Semua templat bawaan sudah ada; tidak ada yang ditambahkan.", "info")
    return redirect(url_for("playbooks.index"))


def _render_form(form: TemplateForm, template: TaskTemplate | None):
    return render_template("playbooks/form.html", form=form, template=template)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = TemplateForm()
    if request.method == "GET" and request.args.get("trigger") in set(Trigger):
        form.trigger.data = Trigger(request.args["trigger"])
    if form.validate_on_submit():
        template = run_service(
            form,
            services.save_template,
            current_user,
            current_user.government,
            None,
            form_values(form),
        )
        if template:
            flash(f"Templat \u201c{template.title}\u201d ditambahkan.", "success")
            return redirect(url_for("playbooks.index", _anchor=template.trigger.value))
    return _render_form(form, None)


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
def edit(template_id: int):
    template = get_owned_or_404(TaskTemplate, template_id)
    form = TemplateForm(obj=template)
    if form.validate_on_submit() and run_service(
        form,
        services.save_template,
        current_user,
        current_user.government,
        template,
        form_values(form),
        form.version.data,
    ):
        flash(f"Templat \u201c{template.title}\u201d disimpan.", "success")
        return redirect(url_for("playbooks.index", _anchor=template.trigger.value))
    return _render_form(form, template)
