"""The dashboard: figures, charts, agency accountability and documents ending soon."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.forms import DashboardFilterForm
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.reports import charts, dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters

bp = Blueprint("reports", __name__)

# A chart is an SVG document of its own: its inline <style> is allowed there, scripts are not.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _filter_form(*, submitted_only: bool = False) -> DashboardFilterForm:
    """The GET filters, shared with the agreements list; an unknown value is ignored rather
    than refused."""
    form = DashboardFilterForm(request.args)
    form.fill_choices(current_user, submitted_only=submitted_only)
    return form


def _zone() -> str:
    return current_user.government.timezone


@bp.route("/dashboard", endpoint="dashboard")
def dashboard_page():
    form = _filter_form()
    filters = DashboardFilters(**form.scope())
    zone = _zone()
    today = clock.today_in(zone)
    agencies = dashboard.agency_accountability(current_user, filters, today, zone)
    return render_template(
        "reports/dashboard.html",
        form=form,
        filter_args=filters.agreement_args(),
        figures=dashboard.figures(current_user, filters, today, agencies),
        agencies=agencies,
        ending=dashboard.ending_soon(current_user, filters, today),
        ending_days=dashboard.ENDING_WITHIN_DAYS,
        chart_titles=charts.CHART_TITLES,
        stages=list(Stage),
        is_opd=current_user.role == Role.OPD,
        today=today,
    )


@bp.route("/dashboard/chart/<name>.svg")
def chart(name: str):
    draw = charts.CHARTS.get(name)
    if draw is None:
        abort(404)
    filters = DashboardFilters(**_filter_form(submitted_only=True).scope())
    zone = _zone()
    svg = draw(current_user, filters, clock.today_in(zone), zone)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response
