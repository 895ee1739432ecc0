"""The reports blueprint: the dashboard and its charts; the downloads (the lists as XLSX/CSV,
the PDF report); the calendar feed; the public page.

Downloads: every role may download; what is in a file is what the user may see (an OPD head
gets their own scope, by the same queries as the lists). The lists' query-string filters pass
through unchanged, so a link built from ``request.args`` exports exactly what the page shows.
The report is open to every role too, per the role table ("dashboard, reports, exports: own
agency's view"): an OPD head's report covers the agreements their agency leads or has tasks
in. The nav links it for everyone.

The calendar feed is public, authenticated only by its secret token (issued on the account
page, ``accounts.calendar_token``). The public page needs no login either; the admin turns it
on in the settings (``accounts.public_page``).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.forms import DashboardFilterForm
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.forms_common import BaseForm, date_field
from kerjasama_flow.links import external_url
from kerjasama_flow.reports import (
    attention,
    calendar_feed,
    charts,
    dashboard,
    exports,
    pdf_report,
    public_page,
)
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
    realised = dashboard.realisation(current_user, filters, today)
    return render_template(
        "reports/dashboard.html",
        form=form,
        filters=filters,
        filter_args=filters.agreement_args(),
        figures=dashboard.figures(current_user, filters, today, agencies, realised),
        realised=realised,
        agencies=agencies,
        attention=attention.attention(current_user, filters, today, zone, agencies),
        headings=attention.HEADINGS,
        whatsapp_nudge_url=attention.whatsapp_nudge_url,
        email_nudge_url=attention.email_nudge_url,
        ending_days=dashboard.ENDING_WITHIN_DAYS,
        chart_titles=charts.CHART_TITLES,
        chart_notes=charts.CHART_NOTES,
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


# --- downloads: the lists as XLSX/CSV ---------------------------------------------------------


def _today() -> date:
    return clock.today_in(current_user.government.timezone)


def _download(body: bytes, content_type: str, filename: str) -> Response:
    # The header exactly as given: as a ``mimetype`` werkzeug would append a second charset
    # to "text/csv; charset=utf-8".
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(table: exports.Table, fmt: str) -> Response:
    exports.stamp(table, current_user, clock.now())
    return _download(
        exports.render(table, fmt), exports.MIMETYPES[fmt], table.filename(_today(), fmt)
    )


def _check_format(fmt: str) -> None:
    if fmt not in exports.FORMATS:
        abort(404)


@bp.route("/agreements/export.<fmt>")
def export_agreements(fmt: str):
    _check_format(fmt)
    form = exports.agreement_filter_form(request.args, current_user)
    table = exports.agreement_table(current_user, form.filters(), _today())
    table.filters = exports.describe(form)
    return _send(table, fmt)


@bp.route("/tasks/export.<fmt>")
def export_tasks(fmt: str):
    _check_format(fmt)
    filters, described = exports.task_filters_described(request.args, current_user)
    table = exports.task_table(current_user, filters, _today())
    table.filters = described
    return _send(table, fmt)


@bp.route("/transactions/export.<fmt>")
def export_transactions(fmt: str):
    """The transactions of the agreements the agreement list shows with the same filters."""
    _check_format(fmt)
    form = exports.agreement_filter_form(request.args, current_user)
    table = exports.transaction_table(current_user, form.filters())
    table.filters = exports.describe(form)
    return _send(table, fmt)


@bp.route("/register/export.<fmt>")
def export_register(fmt: str):
    """The register (Daftar Kerja Sama) with the page's filters."""
    _check_format(fmt)
    return _send(exports.register_table(current_user, request.args, _today()), fmt)


# --- the PDF report ---------------------------------------------------------------------------


class ReportPeriodForm(BaseForm):
    """The report's period (a GET form: it changes nothing, so no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    dari = date_field("Dari tanggal", is_required=True)
    sampai = date_field("Sampai tanggal", is_required=True)


def _render_form(form: ReportPeriodForm, error: str | None = None):
    return render_template("exports/report_form.html", form=form, error=error)


@bp.route("/reports")
def report_form():
    today = _today()
    form = ReportPeriodForm(formdata=None, dari=today.replace(month=1, day=1), sampai=today)
    return _render_form(form)


@bp.route("/reports/pdf")
def report():
    form = ReportPeriodForm(request.args)
    if not form.validate():
        return _render_form(form, "Periksa kembali tanggal periode laporan.")
    start, end = form.dari.data, form.sampai.data
    error = pdf_report.period_error(start, end)
    if error:
        return _render_form(form, error)
    body = pdf_report.build_report(current_user, start, end, _today())
    filename = f"laporan-kerja-sama-{start.isoformat()}-{end.isoformat()}.pdf"
    return _download(body, "application/pdf", filename)


# --- the calendar feed (public: the secret token is the key) ----------------------------------

_ENDPOINTS = {
    "task": ("tasks.detail", "task_id"),
    "agreement": ("agreements.detail", "agreement_id"),
}


def _absolute_url(kind: str, record_id: int) -> str:
    endpoint, argument = _ENDPOINTS[kind]
    return external_url(endpoint, **{argument: record_id})


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


# --- the public page (no login) ---------------------------------------------------------------


@bp.route("/publik/<region_code>")
def public_agreements(region_code: str):
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
