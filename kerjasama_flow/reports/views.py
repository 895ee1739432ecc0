"""The dashboard: figures, charts, agency accountability and documents ending soon."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements import queries as agreement_queries
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import SECTORS
from kerjasama_flow.forms_common import positive_int
from kerjasama_flow.reports import charts, dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters

bp = Blueprint("reports", __name__)

# A chart is an SVG document of its own: its inline <style> is allowed there, scripts are not.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _filters() -> DashboardFilters:
    """The GET filters; an unknown value is ignored rather than refused."""
    sector = request.args.get("sector") or None
    return DashboardFilters(
        year=positive_int(request.args.get("year")),
        sector=sector if sector in SECTORS else None,
        partner_id=positive_int(request.args.get("partner")),
        agency_id=positive_int(request.args.get("agency")),
    )


def _zone() -> str:
    return current_user.government.timezone


@bp.route("/dashboard", endpoint="dashboard")
def dashboard_page():
    filters = _filters()
    zone = _zone()
    today = clock.today_in(zone)
    agencies = dashboard.agency_accountability(current_user, filters, today, zone)
    return render_template(
        "reports/dashboard.html",
        filters=filters,
        filter_args=filters.agreement_args(),
        figures=dashboard.figures(current_user, filters, today, agencies),
        agencies=agencies,
        ending=dashboard.ending_soon(current_user, filters, today),
        ending_days=dashboard.ENDING_WITHIN_DAYS,
        chart_titles=charts.CHART_TITLES,
        stages=list(Stage),
        year_choices=dashboard.year_choices(current_user),
        partner_choices=agreement_queries.partner_choices(current_user),
        agency_choices=agreement_queries.agency_choices(current_user),
        sector_choices=agreement_queries.sector_choices(),
        is_opd=current_user.role == Role.OPD,
        today=today,
    )


@bp.route("/dashboard/chart/<name>.svg")
def chart(name: str):
    draw = charts.CHARTS.get(name)
    if draw is None:
        abort(404)
    zone = _zone()
    svg = draw(current_user, _filters(), clock.today_in(zone), zone)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response
