"""The calendar feed (public, authenticated only by its secret token) and issuing the token."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.forms_common import BaseForm
from kerjasama_flow.reports import calendar_feed
from kerjasama_flow.web import run_service

bp = Blueprint("feeds", __name__)

_ENDPOINTS = {
    "task": ("tasks.detail", "task_id"),
    "agreement": ("agreements.detail", "agreement_id"),
}


def _absolute_url(kind: str, record_id: int) -> str:
    endpoint, argument = _ENDPOINTS[kind]
    return url_for(endpoint, **{argument: record_id}, _external=True)


@bp.route("/calendar/<token>.ics")
def calendar(token: str):
    user = calendar_feed.user_for_token(token)
    if user is None:
        abort(404)
    body = calendar_feed.build_calendar(user, _absolute_url, clock.now())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="kerjasama.ics"'
    response.headers["Cache-Control"] = "private, max-age=0, no-cache"
    return response


class TokenForm(BaseForm):
    """Only the CSRF token: the button says what to do."""


@bp.route("/account/calendar-token", methods=["POST"])
def token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash("Permintaan tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    elif run_service(None, calendar_feed.issue_token, current_user):
        flash(
            "Tautan kalender baru dibuat. Tautan lama (bila ada) tidak berlaku lagi.", "success"
        )
    return redirect(url_for("auth.account", _anchor="kalender"))
