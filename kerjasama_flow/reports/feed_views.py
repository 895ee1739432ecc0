"""The calendar feed: public, authenticated only by its secret token (issued on the account
page, ``auth.calendar_token``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for

from kerjasama_flow import clock
from kerjasama_flow.reports import calendar_feed

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
