"""Downloads: the lists as XLSX/CSV and the PDF report.

Every role may download; what is in a file is what the user may see (an OPD head gets their
own scope, by the same queries as the lists). The lists' query-string filters pass through
unchanged, so a link built from ``request.args`` exports exactly what the page shows.

The report is open to every role too, per the role table ("dashboard, reports, exports: own
agency's view"): an OPD head's report covers the agreements their agency leads or has tasks
in. The nav links it for everyone.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.forms_common import BaseForm, date_field
from kerjasama_flow.reports import exports, pdf_report

bp = Blueprint("exports", __name__)


def _today() -> date:
    return clock.today_in(current_user.government.timezone)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(table: exports.Table, fmt: str) -> Response:
    return _download(
        exports.render(table, fmt), exports.MIMETYPES[fmt], table.filename(_today(), fmt)
    )


def _check_format(fmt: str) -> None:
    if fmt not in exports.FORMATS:
        abort(404)


@bp.route("/agreements/export.<fmt>")
def agreements(fmt: str):
    _check_format(fmt)
    filters = exports.agreement_filters(request.args, current_user)
    return _send(exports.agreement_table(current_user, filters, _today()), fmt)


@bp.route("/tasks/export.<fmt>")
def tasks(fmt: str):
    _check_format(fmt)
    filters = exports.task_filters(request.args, current_user)
    return _send(exports.task_table(current_user, filters, _today()), fmt)


@bp.route("/transactions/export.<fmt>")
def transactions(fmt: str):
    """The transactions of the agreements the agreement list shows with the same filters."""
    _check_format(fmt)
    filters = exports.agreement_filters(request.args, current_user)
    return _send(exports.transaction_table(current_user, filters), fmt)


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
