"""The admin's calendar of days off: the government's own days off for a year, next to that
year's national holidays and cuti bersama from the ``holidays`` library (read-only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kerjasama_flow import clock
from kerjasama_flow.formatting import format_date
from kerjasama_flow.forms_common import form_values
from kerjasama_flow.tenancy import get_owned_or_404
from kerjasama_flow.web import run_service
from kerjasama_flow.workdays import calendar, services
from kerjasama_flow.workdays.forms import DayOffForm, DeleteDayOffForm, YearForm
from kerjasama_flow.workdays.models import DayOff

bp = Blueprint("workdays", __name__, url_prefix="/settings/days-off")


def _year() -> int:
    """The year asked for (``?year=2026``), else this year in the government's zone."""
    form = YearForm(request.args)
    if form.validate() and form.year.data is not None:
        return form.year.data
    return clock.today_in(current_user.government.timezone).year


def _render(form: DayOffForm, year: int):
    national = calendar.national_days_off(year)
    year_form = YearForm(data={"year": year})
    return render_template(
        "workdays/index.html",
        form=form,
        year_form=year_form,
        year=year,
        own=services.days_off_in_year(current_user.government, year),
        national=[(day, name, calendar.is_cuti_bersama(name)) for day, name in national.items()],
        has_cuti_bersama=any(calendar.is_cuti_bersama(n) for n in national.values()),
        weekday_names=services.WEEKDAY_NAMES,
    )


@bp.route("", methods=["GET"])
def index():
    return _render(DayOffForm(), _year())


@bp.route("", methods=["POST"])
def create():
    form = DayOffForm()
    if form.validate_on_submit():
        data = form_values(form)
        day_off = run_service(
            form,
            services.add_day_off,
            current_user,
            current_user.government,
            data["on"],
            data["name"],
        )
        if day_off:
            flash(f"Hari libur {day_off.name} ({format_date(day_off.on)}) ditambahkan.", "success")
            return redirect(url_for("workdays.index", year=day_off.on.year))
    # Nothing saved: the same page again, the errors next to their fields.
    return _render(form, form.on.data.year if form.on.data else _year())


@bp.route("/<int:day_off_id>/delete", methods=["POST"])
def delete(day_off_id: int):
    day_off = get_owned_or_404(DayOff, day_off_id)
    year, label = day_off.on.year, day_off.name
    form = DeleteDayOffForm()
    if not form.validate_on_submit():
        flash("Permintaan hapus tidak sah. Muat ulang halaman lalu coba lagi.", "danger")
    elif run_service(None, services.remove_day_off, current_user, day_off):
        flash(f"Hari libur {label} dihapus.", "success")
    return redirect(url_for("workdays.index", year=year))
