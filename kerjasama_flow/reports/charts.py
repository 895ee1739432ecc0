"""The dashboard's charts: server-side SVG drawn by pygal from the figures of ``dashboard``.

Served as SVG documents of their own, shown in ``<object>`` (never inline: pygal puts a
``<style>`` element in the SVG, which the page's CSP, ``style-src 'self'``, would refuse). In
``<object>`` the bars' links work (``xlink`` on each value, ``target="_top"``: the click opens
the filtered list of the records behind the bar in the page, not in the chart's frame).
pygal's tooltip script is switched off (``js=[]``) and the small config ``<script>`` and
comments it still writes are removed, so the SVG has no script and names no URL other than
XML namespaces and the app's own paths.

Read on a phone: the SVG is drawn 420 units wide and scaled to its card, so the fonts are 15
units (at least 12 px on a 390 px screen, whose cards are about 350 px wide). Count charts get
whole-number ticks, and every value is printed, zero included.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date

import pygal
from flask import url_for
from pygal.style import Style

from kerjasama_flow.accounts.models import User
from kerjasama_flow.reports import dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters

FONT_SIZE = 15
WIDTH, HEIGHT = 420, 320


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
        background="white",
        plot_background="white",
        font_family="system-ui, sans-serif",
        colors=colors,
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        value_font_size=FONT_SIZE,
        value_label_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
        title_font_size=FONT_SIZE + 1,
        no_data_font_size=FONT_SIZE + 3,
        tooltip_font_size=FONT_SIZE,
    )


STYLE = _style(("#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"))
# On time, done late, overdue, open and not yet due: green, orange, red, grey.
TASK_STYLE = _style(("#198754", "#fd7e14", "#dc3545", "#6c757d"))
CONFIG = {
    "js": [],
    "disable_xml_declaration": True,
    "style": STYLE,
    "width": WIDTH,
    "height": HEIGHT,
    "print_values": True,
    "print_zeroes": True,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "truncate_label": 28,
    "print_values_position": "top",
    "truncate_legend": 30,
    "no_data_text": "Belum ada data",
    "margin": 8,
}


def count_ticks(values) -> dict:
    """Whole-number ticks from 0 to one tick past the largest value (never 0.1 ... 0.9; the
    room past it keeps a printed value inside the chart), about five of them: the ``range``
    and ``y_labels`` of a count chart."""
    top = max([int(math.ceil(v)) for v in values if v is not None] + [1])
    step = max(1, math.ceil(top / 5))
    last = step * (top // step + 1)
    return {"range": (0, last), "y_labels": list(range(0, last + 1, step))}


def _linked(value, href: str | None) -> dict:
    """A value that opens ``href`` (the list behind the bar) in the page, not the chart."""
    if href is None:
        return {"value": value}
    return {"value": value, "xlink": {"href": href, "target": "_top"}}


def _svg(chart) -> str:
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if child.tag is ET.Comment or str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return ET.tostring(tree, encoding="unicode")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def funnel_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    """Agreements (not visits or documents) that reached each step: its record or a later
    one. Each bar opens the agreement list with the page's filters."""
    steps = dashboard.funnel(user, filters)
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False, **count_ticks([n for _, n in steps]))
    chart.title = "Kerja sama yang sampai tiap tahap"
    href = url_for("agreements.index", **filters.agreement_args())
    labels, values, previous = [], [], None
    for label, n in steps:
        rate = "" if previous is None else f" ({_percent(n, previous)})"
        labels.append(label)
        values.append({**_linked(n, href), "formatter": lambda x, rate=rate: f"{x:g}{rate}"})
        previous = n
    chart.x_labels = list(reversed(labels))
    chart.add("Kerja sama", list(reversed(values)))
    return _svg(chart)


def durations_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    """The median days between steps. A median of 0 days (both steps on one day) is a
    labelled "0 hari" on the axis; a step without any measured agreement has no bar."""
    rows = dashboard.stage_durations(user, filters)
    medians = [median for _, median, _ in rows]
    chart = pygal.Bar(**CONFIG, show_legend=False, y_title="hari", **count_ticks(medians))
    chart.title = "Median hari antartahap"
    chart.x_labels = [DURATION_SHORT_LABELS.get(label, label) for label, _, _ in rows]
    chart.add(
        "Median hari",
        [
            None
            if median is None
            else {"value": median, "formatter": lambda x, n=n: f"{x:g} hari (n={n})"}
            for _, median, n in rows
        ],
    )
    return _svg(chart)


# The steps' names as short as a phone's axis needs them.
DURATION_SHORT_LABELS = {
    "Kunjungan → MoU": "Kunjungan→KB",
    "MoU → PKS": "KB→PKS",
    "PKS → transaksi pertama": "PKS→transaksi",
}


def agencies_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    """Per agency: done on time, done late, overdue, and open but not yet due. Each bar
    opens the agency's tasks (the overdue bar: its overdue tasks)."""
    rows = dashboard.agency_accountability(user, filters, today, zone)
    totals = [r.done_on_time + r.done_late + r.open for r in rows]
    # A zero segment of a stacked bar has no area: its "0" would only cover its neighbours.
    chart = pygal.StackedBar(
        **{**CONFIG, "style": TASK_STYLE, "print_zeroes": False},
        x_label_rotation=30,
        **count_ticks(totals),
    )
    chart.title = "Tugas per OPD"
    chart.x_labels = [row.code for row in rows]

    def tasks_of(row, status=None) -> str:
        return url_for("tasks.index", agency=row.agency_id, status=status)

    chart.add("Tepat waktu", [_linked(r.done_on_time, tasks_of(r, "done")) for r in rows])
    chart.add("Terlambat selesai", [_linked(r.done_late, tasks_of(r, "done")) for r in rows])
    chart.add("Lewat tenggat", [_linked(r.overdue, tasks_of(r, "terlambat")) for r in rows])
    chart.add("Belum jatuh tempo", [_linked(r.open - r.overdue, tasks_of(r)) for r in rows])
    return _svg(chart)


def sectors_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    """Each bar opens the agreement list of that sector (with the page's other filters)."""
    rows = list(reversed(dashboard.by_sector(user, filters)))
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False, **count_ticks([n for *_, n in rows]))
    chart.title = "Kerja sama per sektor"
    chart.x_labels = [label for _, label, _ in rows]
    args = filters.agreement_args()
    chart.add(
        "Kerja sama",
        [
            _linked(n, url_for("agreements.index", **{**args, "sector": code}))
            for code, _, n in rows
        ],
    )
    return _svg(chart)


def provinces_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    """The list has no province filter: each bar opens the partner list (by province)."""
    rows = list(reversed(dashboard.by_province(user, filters)))
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False, **count_ticks([n for _, n in rows]))
    chart.title = "Kerja sama per provinsi mitra"
    chart.x_labels = [name for name, _ in rows]
    href = url_for("agreements.partners")
    chart.add("Kerja sama", [_linked(n, href) for _, n in rows])
    return _svg(chart)


CHARTS = {
    "corong": funnel_chart,
    "durasi": durations_chart,
    "opd": agencies_chart,
    "sektor": sectors_chart,
    "provinsi": provinces_chart,
}
CHART_TITLES = {
    "corong": "Kerja sama yang sampai tahap kunjungan, KB/MoU, PKS, transaksi pertama",
    "durasi": "Median hari antartahap",
    "opd": "Tugas per OPD: tepat waktu, terlambat selesai, lewat tenggat, belum jatuh tempo",
    "sektor": "Kerja sama per sektor",
    "provinsi": "Kerja sama per provinsi mitra",
}
# What the caption adds under a chart, where the title alone could be misread.
CHART_NOTES = {
    "corong": (
        "Menghitung kerja sama, bukan jumlah kunjungan atau dokumen: kerja sama yang sudah "
        "mencatat tahap itu atau tahap sesudahnya (persen dari tahap sebelumnya). Jumlah "
        "kunjungan kerja yang tercatat ada di bagian Realisasi"
    ),
    "opd": "Ketuk batang untuk membuka daftar tugas OPD itu",
    "sektor": "Ketuk batang untuk membuka daftar kerja sama sektor itu",
}
