"""The dashboard's charts: server-side SVG drawn by pygal from the figures of ``dashboard``.

Served as SVG documents of their own (``<img src>``), never inline: pygal puts a ``<style>``
element in the SVG, which the page's CSP (``style-src 'self'``) would refuse. pygal's tooltip
script is switched off (``js=[]``) and the small config ``<script>`` and comments it still
writes are removed, so the SVG has no script and names no URL other than XML namespaces.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pygal
from pygal.style import Style

from kerjasama_flow.accounts.models import User
from kerjasama_flow.reports import dashboard
from kerjasama_flow.reports.dashboard import DashboardFilters

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"),
)
CONFIG = {
    "js": [],
    "disable_xml_declaration": True,
    "style": STYLE,
    "width": 640,
    "height": 360,
    "print_values": True,
    "legend_at_bottom": True,
    "truncate_label": 40,
    "print_zeroes": False,
    "no_data_text": "Belum ada data",
}
# On time, done late, overdue: green, orange, red.
TASK_STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#198754", "#fd7e14", "#dc3545"),
)


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
    steps = dashboard.funnel(user, filters)
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False)
    chart.title = "Corong kerja sama"
    labels, values, previous = [], [], None
    for label, n in steps:
        rate = "" if previous is None else f" ({_percent(n, previous)} dari tahap sebelumnya)"
        labels.append(f"{label}: {n}{rate}")
        values.append(n)
        previous = n
    chart.x_labels = list(reversed(labels))
    chart.add("Kerja sama", list(reversed(values)))
    return _svg(chart)


def durations_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    rows = dashboard.stage_durations(user, filters)
    chart = pygal.Bar(**CONFIG, show_legend=False)
    chart.title = "Median hari antartahap"
    chart.x_labels = [f"{label} (n={n})" for label, _, n in rows]
    chart.add("Median hari", [median for _, median, _ in rows])
    return _svg(chart)


def agencies_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    rows = dashboard.agency_accountability(user, filters, today, zone)
    chart = pygal.StackedBar(**{**CONFIG, "style": TASK_STYLE}, x_label_rotation=30)
    chart.title = "Tugas per OPD"
    chart.x_labels = [row.code for row in rows]
    chart.add("Tepat waktu", [row.done_on_time for row in rows])
    chart.add("Terlambat selesai", [row.done_late for row in rows])
    chart.add("Lewat tenggat", [row.overdue for row in rows])
    return _svg(chart)


def sectors_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    rows = dashboard.by_sector(user, filters)
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False)
    chart.title = "Kerja sama per sektor"
    chart.x_labels = [label for _, label, _ in reversed(rows)]
    chart.add("Kerja sama", [n for *_, n in reversed(rows)])
    return _svg(chart)


def provinces_chart(user: User, filters: DashboardFilters, today: date, zone: str) -> str:
    rows = dashboard.by_province(user, filters)
    chart = pygal.HorizontalBar(**CONFIG, show_legend=False)
    chart.title = "Kerja sama per provinsi mitra"
    chart.x_labels = [name for name, _ in reversed(rows)]
    chart.add("Kerja sama", [n for _, n in reversed(rows)])
    return _svg(chart)


CHARTS = {
    "corong": funnel_chart,
    "durasi": durations_chart,
    "opd": agencies_chart,
    "sektor": sectors_chart,
    "provinsi": provinces_chart,
}
CHART_TITLES = {
    "corong": "Corong kunjungan → MoU → PKS → transaksi pertama",
    "durasi": "Median hari antartahap",
    "opd": "Tugas per OPD: tepat waktu, terlambat, lewat tenggat",
    "sektor": "Kerja sama per sektor",
    "provinsi": "Kerja sama per provinsi mitra",
}
