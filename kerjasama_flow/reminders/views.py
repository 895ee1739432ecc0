"""In-app notifications: the count beside "Notifikasi" in the navbar, the notification page
(what is overdue now for the user, then their reminder notices), mark as read; and the admin's
reminder settings page (``reminders.settings``).

Every role has the "Notifikasi" menu (``permissions.ENDPOINT_ROLES``); a user only ever sees
and changes their own notices: another user's is a 404, never a hint.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from kerjasama_flow import clock, government_settings
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.reminders import queries, services
from kerjasama_flow.reminders.forms import ReminderSettingsForm
from kerjasama_flow.reminders.models import Notification
from kerjasama_flow.web import is_safe_next, paginate, run_service

bp = Blueprint("reminders", __name__)

# Overdue tasks listed one by one on the notification page; past that, a link to the task list.
OVERDUE_SHOWN = 10


def _today():
    return clock.today_in(current_user.government.timezone)


def _attention() -> queries.Attention:
    """What needs the user's attention, counted once per request (``queries.attention``)."""
    if "attention" not in g:
        g.attention = queries.attention(current_user, _today())
    return g.attention


@bp.app_context_processor
def inject_unread_count():
    """``unread_notification_count()`` for the navbar: what needs the user's attention, their
    unread reminder notices plus the open tasks overdue now that they watch
    (``queries.attention``, docs/reminders.md). One query per request, and only when a page
    shows the menu (a logged-in user)."""

    def unread_notification_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return _attention().total

    return {"unread_notification_count": unread_notification_count}


def _own_or_404(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.route("/notifications")
def notifications():
    """What is overdue now for the user (their agency's tasks for an OPD head, the
    government's for admins, a summary per agency for pimpinan), then their reminder notices."""
    today = _today()
    attention = _attention()
    overdue_tasks, overdue_agencies = [], []
    if attention.overdue:
        if current_user.role == Role.PIMPINAN:
            overdue_agencies = queries.overdue_by_agency(current_user, today)
        else:
            overdue_tasks = queries.overdue_tasks(current_user, today, OVERDUE_SHOWN)
    pagination = paginate(queries.for_user(current_user.id))
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        attention=attention,
        overdue_tasks=overdue_tasks,
        overdue_agencies=overdue_agencies,
        today=today,
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    """Mark the notification read and open what it is about."""
    notification = _own_or_404(notification_id)
    target = notification.url
    run_service(None, services.mark_read, notification)
    return redirect(target if is_safe_next(target) else url_for("reminders.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    count = run_service(None, services.mark_all_read, current_user.id)
    if count:
        flash(f"{count} notifikasi ditandai sudah dibaca.", "success")
    return redirect(url_for("reminders.notifications"))


# --- Pengaturan → Pengingat (admin only, ``permissions.ENDPOINT_ROLES``) -------------------------


@bp.route("/settings/reminders", methods=["GET", "POST"])
def settings():
    government = current_user.government
    if request.method == "POST":
        form = ReminderSettingsForm()
        if form.validate_on_submit():
            changed = run_service(
                form,
                services.update_settings,
                current_user,
                government,
                form_values(form),
                form.version.data,
            )
            if changed is not None:
                if changed:
                    flash("Pengaturan pengingat disimpan.", "success")
                else:
                    flash("Tidak ada perubahan pada pengaturan pengingat.", "info")
                return redirect(url_for("reminders.settings"))
    else:
        form = ReminderSettingsForm.for_government(government)
    return render_template(
        "reminders/settings.html",
        form=form,
        current=services.effective(government),
        # The public page's switch posts to accounts.public_page.
        public_page=government_settings.is_public(government),
    )
