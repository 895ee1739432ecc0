"""The PDF report "Laporan Pelaksanaan Kerja Sama Daerah" for a chosen period: a letter the
Sekda signs and sends to the Gubernur (or the Mendagri).

The kop surat (the lambang, "PEMERINTAH KOTA ...", the office and its address, a double
rule: ``identity``), the summary (agreements by stage, milestones, tasks done and overdue,
transactions), the dashboard's charts, the ranking of the OPD by their follow-up tasks, the
monev recorded in the period, then per agreement its stage, partners, milestones, tasks,
monev and transactions in the period; a signature block (place and date, office, name, NIP
from the identity settings). A4 portrait with page numbers ("Halaman 2 dari 7").

The charts are the dashboard's own (``charts.CHARTS``, pygal SVG), drawn as PNG by CairoSVG
(pygal's own way to a bitmap): fpdf2 embeds SVG but ignores the stylesheet pygal puts in it.
A chart that cannot be drawn is left out with a note rather than failing the report.

Text: the PDF core fonts (Helvetica) carry WinAnsi (cp1252), so the report writes cp1252,
which covers Indonesian and the typographic quotes, dashes, ellipsis and bullets users paste;
anything else (another script, an emoji) is replaced by a close ASCII form or "?" rather than
failing the report (``printable``).

What the figures mean: "in the period" is a milestone or transaction dated from ``start`` to
``end`` inclusive, a task marked done on those days in the government's zone; "overdue" is a
task still open today whose due date is on or before ``end`` and already past.

The data is read in a fixed number of queries (aggregates in SQL; the detail rows filtered to
the period), grouped per agreement in Python.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fpdf import FPDF, XPos, YPos
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.agreements.lifecycle import CLOSED, Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Pks, Transaction, Visit
from kerjasama_flow.agreements.queries import visible_to
from kerjasama_flow.evaluations.models import Evaluation
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date, format_number, format_rupiah
from kerjasama_flow.identity.queries import Identity, identity_of
from kerjasama_flow.reports import charts, dashboard
from kerjasama_flow.reports.dashboard import AgencyRow, DashboardFilters
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task, TaskStatus

try:  # CairoSVG draws the charts as PNG; it needs the system's libcairo2 (docs/deployment.md)
    import cairosvg
except OSError:  # no libcairo2 on this server: the report goes out without its charts
    cairosvg = None

log = logging.getLogger(__name__)

TITLE = "Laporan Pelaksanaan Kerja Sama Daerah"
MAX_PERIOD_DAYS = 5 * 366
# The dashboard's charts the report shows, by their name in ``charts.CHARTS``.
REPORT_CHARTS = ("corong", "opd", "sektor")
CHART_PIXELS = 1280  # the width a chart is drawn at: sharp when printed 16 cm wide

_OPEN = tuple(sorted(OPEN_STATUSES))
_FALLBACKS = str.maketrans(
    {"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u202f": "\u00a0", "\u2009": " "}
)
NBSP = "\u00a0"  # cp1252 has it; fpdf2 never breaks a line there


def day(value: date | datetime | None) -> str:
    """A date as the report prints it, "14 Agustus 2025", never broken over two lines."""
    return format_date(value).replace(" ", NBSP)


# --- the period -------------------------------------------------------------------------------


def period_error(start: date | None, end: date | None) -> str | None:
    """Why ``start``..``end`` cannot be reported on, in Indonesian, or None."""
    if start is None or end is None:
        return "Isi tanggal awal dan tanggal akhir periode laporan."
    if end < start:
        return "Tanggal akhir tidak boleh sebelum tanggal awal."
    if (end - start).days > MAX_PERIOD_DAYS:
        return "Periode laporan paling panjang 5 tahun."
    return None


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Line:
    on: date | None
    text: str


@dataclass
class AgreementSection:
    agreement: Agreement
    milestones: list[Line] = field(default_factory=list)
    done_tasks: list[Line] = field(default_factory=list)
    overdue_tasks: list[Line] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def transaction_value(self) -> int:
        return sum(int(t.value_rp or 0) for t in self.transactions)


@dataclass
class ReportData:
    government: Government
    start: date
    end: date
    today: date
    stage_counts: dict[Stage, int]
    milestone_counts: dict[str, int]
    tasks_done: int
    tasks_overdue: int
    transaction_count: int
    transaction_value: int
    sections: list[AgreementSection]
    evaluations: list[Evaluation] = field(default_factory=list)
    agencies: list[AgencyRow] = field(default_factory=list)
    identity: Identity | None = None
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes | None  # None: it could not be drawn


def _utc_bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """The period's first and last instant in the government's zone, as UTC."""
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return first, after


def _visit_line(visit: Visit) -> str:
    return f"Kunjungan kerja ({visit.direction.label}) di {visit.place}"


def _mou_line(mou: Mou) -> str:
    number = f" nomor {mou.number_own}" if mou.number_own else ""
    return f"{mou.document_kind.label} ditandatangani{number}"


def _pks_line(pks: Pks) -> str:
    return f"PKS ditandatangani: {pks.title}"


# The milestones the report lists, each by the column that dates it and how its line reads; on
# one day a visit comes before an MoU, an MoU before a PKS.
MILESTONES = (
    (Visit.visited_on, _visit_line),
    (Mou.signed_on, _mou_line),
    (Pks.signed_on, _pks_line),
)


def _in_period(
    dated_by: InstrumentedAttribute[date], visible_ids: Select, start: date, end: date
) -> list:
    """The milestones of one kind (``dated_by`` names the kind and its date) of the visible
    agreements, dated from ``start`` to ``end``, in date order."""
    model = dated_by.class_
    return list(
        db.session.scalars(
            select(model)
            .where(model.agreement_id.in_(visible_ids), dated_by.between(start, end))
            .order_by(dated_by, model.id)
        )
    )


def collect(user: User, start: date, end: date, today: date) -> ReportData:
    """Everything the report shows, for the agreements ``user`` may read."""
    government = user.government
    visible_ids = select(Agreement.id).where(visible_to(user))
    first, after = _utc_bounds(start, end, government.timezone)

    stage_counts = {
        Stage(stage): int(n)
        for stage, n in db.session.execute(
            select(Agreement.stage, func.count(Agreement.id))
            .where(visible_to(user))
            .group_by(Agreement.stage)
        )
    }
    milestone_counts: dict[str, int] = {}
    milestone_lines: list[tuple[int, Line]] = []  # (agreement id, line)
    for dated_by, describe in MILESTONES:
        found = _in_period(dated_by, visible_ids, start, end)
        milestone_counts[dated_by.class_.kind] = len(found)
        milestone_lines += [(m.agreement_id, Line(m.occurred_on, describe(m))) for m in found]
    transactions = _in_period(Transaction.transacted_on, visible_ids, start, end)
    evaluations = _in_period(Evaluation.evaluated_on, visible_ids, start, end)
    done = and_(Task.status == TaskStatus.DONE, Task.done_at >= first, Task.done_at < after)
    overdue = and_(Task.status.in_(_OPEN), Task.due_on <= end, Task.due_on < today)
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.agreement_id.in_(visible_ids), or_(done, overdue))
            .options(selectinload(Task.agency))
            .order_by(Task.due_on, Task.id)
        )
    )

    sections: dict[int, AgreementSection] = {}
    agreements = db.session.scalars(
        select(Agreement)
        .where(visible_to(user))
        .options(selectinload(Agreement.partners), joinedload(Agreement.lead_agency))
        .order_by(Agreement.title, Agreement.id)
    )
    touched = {agreement_id for agreement_id, _ in milestone_lines}
    touched.update(
        item.agreement_id for group in (transactions, tasks, evaluations) for item in group
    )
    for agreement in agreements:
        if agreement.stage not in CLOSED or agreement.id in touched:
            sections[agreement.id] = AgreementSection(agreement)

    for agreement_id, line in milestone_lines:
        sections[agreement_id].milestones.append(line)
    for section in sections.values():
        section.milestones.sort(key=lambda line: line.on)
    for transaction in transactions:
        sections[transaction.agreement_id].transactions.append(transaction)
    for evaluation in evaluations:
        sections[evaluation.agreement_id].evaluations.append(evaluation)
    zone = ZoneInfo(government.timezone)
    tasks_done = tasks_overdue = 0
    for task in tasks:
        section = sections[task.agreement_id]
        if task.status == TaskStatus.DONE:
            tasks_done += 1
            on = task.done_at.astimezone(zone).date() if task.done_at else None
            section.done_tasks.append(Line(on, f"{task.title} ({task.agency.code})"))
        else:
            tasks_overdue += 1
            late = (today - task.due_on).days
            section.overdue_tasks.append(
                Line(task.due_on, f"{task.title} ({task.agency.code}), terlambat {late} hari")
            )

    return ReportData(
        government=government,
        start=start,
        end=end,
        today=today,
        stage_counts=stage_counts,
        milestone_counts=milestone_counts,
        tasks_done=tasks_done,
        tasks_overdue=tasks_overdue,
        transaction_count=len(transactions),
        transaction_value=sum(int(t.value_rp or 0) for t in transactions),
        sections=list(sections.values()),
        evaluations=evaluations,
        agencies=dashboard.agency_accountability(
            user, DashboardFilters(), today, government.timezone
        ),
        identity=identity_of(government),
    )


def draw_charts(user: User, today: date) -> list[Chart]:
    """The dashboard's charts (``REPORT_CHARTS``) for ``user``, unfiltered, as PNG images."""
    zone = user.government.timezone
    drawn = []
    for name in REPORT_CHARTS:
        svg = charts.CHARTS[name](user, DashboardFilters(), today, zone)
        if cairosvg is None:
            drawn.append(Chart(charts.CHART_TITLES[name], None))
            continue
        try:
            png = cairosvg.svg2png(bytestring=svg.encode(), output_width=CHART_PIXELS)
        except Exception:  # a chart is an illustration: the report goes out without it
            log.exception("Chart %s could not be drawn for the report", name)
            png = None
        drawn.append(Chart(charts.CHART_TITLES[name], png))
    return drawn


# --- the document -----------------------------------------------------------------------------


def printable(text: str) -> str:
    """``text`` in cp1252 (what the core fonts show): a few look-alikes for characters outside
    it, "?" for the rest."""
    text = text.translate(_FALLBACKS)
    return text.encode("cp1252", errors="replace").decode("cp1252")


class ReportPDF(FPDF):
    def __init__(self, government_name: str, printed_on: date):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = "cp1252"
        self.government_name = government_name
        self.printed_on = printed_on
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(TITLE)
        self.set_author(f"Pemerintah {government_name}")
        self.set_creator("kerjasama-flow")

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(printable(text))

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"{TITLE} - Pemerintah {self.government_name}", align="L")
        self.ln(8)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"Dicetak {day(self.printed_on)}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Halaman {self.page_no()} dari {{nb}}", align="R")
        self.set_text_color(0)

    # small building blocks

    def heading(self, text: str, size: float = 12) -> None:
        if self.will_page_break(size * 0.5 + 20):  # never a heading alone at a page's foot
            self.add_page()
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5, style: str = "") -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 4.8, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str) -> None:
        self.set_font("Helvetica", "I", 8.5)
        self.set_text_color(110)
        self.multi_cell(0, 4.4, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def figures(self, rows: list[tuple[str, str]], widths=(110, 64)) -> None:
        self.set_font("Helvetica", "", 9.5)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align=("LEFT", "RIGHT"),
            first_row_as_headings=False,
            line_height=6,
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value)
        self.ln(3)

    def lines(self, title: str, items: list[Line], empty: str = "Tidak ada.") -> None:
        self.set_font("Helvetica", "B", 9.5)
        self.cell(0, 5.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 9.5)
        if not items:
            self.set_text_color(110)
            self.cell(0, 5, empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
        for item in items:
            prefix = f"{day(item.on)}: " if item.on else ""
            self.set_x(self.l_margin + 4)
            self.multi_cell(
                0,
                4.8,
                f"\u2022 {prefix}{item.text}",
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.ln(1.5)


# --- the parts of the report ------------------------------------------------------------------

LAMBANG_MM = 24


def _letterhead(pdf: ReportPDF, identity: Identity) -> None:
    """The kop surat: the lambang on the left, the government, the office and its address
    centred, a thick and a thin rule under them."""
    top = pdf.get_y()
    if identity.lambang is not None:
        try:
            pdf.image(
                str(identity.lambang),
                x=pdf.l_margin,
                y=top,
                h=LAMBANG_MM,
                keep_aspect_ratio=True,
                w=LAMBANG_MM,
            )
        except Exception:  # a damaged file in the store: the letter goes out without it
            log.exception("Lambang %s could not be embedded", identity.lambang)
    pdf.set_y(top + 1)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 7, identity.government_line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, identity.office.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if identity.address:
        pdf.set_font("Helvetica", "", 9)
        pdf.set_x(pdf.l_margin + LAMBANG_MM + 2)
        pdf.multi_cell(
            pdf.epw - 2 * (LAMBANG_MM + 2),
            4.5,
            identity.address,
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    rule = max(pdf.get_y() + 2, top + LAMBANG_MM + 2)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, rule, pdf.w - pdf.r_margin, rule)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, rule + 1.2, pdf.w - pdf.r_margin, rule + 1.2)
    pdf.set_y(rule + 6)


def _title(pdf: ReportPDF, data: ReportData) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, TITLE.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10.5)
    pdf.multi_cell(
        0,
        6,
        f"Periode {day(data.start)} s.d. {day(data.end)}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(5)


def _summary(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("I. Ringkasan", 12)
    pdf.paragraph("Kerja sama menurut tahap (keadaan pada tanggal cetak)", style="B")
    total = sum(data.stage_counts.values())
    pdf.figures(
        [(stage.label, format_number(data.stage_counts.get(stage, 0))) for stage in Stage]
        + [("Jumlah kerja sama", format_number(total))]
    )
    pdf.paragraph("Tahapan dalam periode", style="B")
    pdf.figures(
        [
            ("Kunjungan kerja", format_number(data.milestone_counts["visit"])),
            (
                "Kesepakatan Bersama / MoU ditandatangani",
                format_number(data.milestone_counts["mou"]),
            ),
            ("PKS ditandatangani", format_number(data.milestone_counts["pks"])),
            ("Monitoring dan evaluasi (monev)", format_number(len(data.evaluations))),
        ]
    )
    pdf.paragraph("Tugas tindak lanjut", style="B")
    pdf.figures(
        [
            ("Selesai dalam periode", format_number(data.tasks_done)),
            ("Terlambat (masih terbuka, tenggat sudah lewat)", format_number(data.tasks_overdue)),
        ]
    )
    pdf.paragraph("Transaksi dalam periode", style="B")
    pdf.figures(
        [
            ("Jumlah transaksi", format_number(data.transaction_count)),
            ("Nilai transaksi", format_rupiah(data.transaction_value)),
        ]
    )


def _charts(pdf: ReportPDF, data: ReportData) -> None:
    if not data.charts:
        return
    width = 160
    height = width * 360 / 640  # the charts' proportions (charts.CONFIG)
    if pdf.will_page_break(height + 20):  # the heading with its first chart
        pdf.add_page()
    pdf.heading("II. Grafik", 12)
    pdf.note("Keadaan pada tanggal cetak, seluruh kerja sama, seperti pada dasbor.")
    pdf.ln(2)
    for chart in data.charts:
        if chart.png is None:
            pdf.note(f"Grafik \u201c{chart.title}\u201d tidak dapat digambar.")
            continue
        if pdf.will_page_break(height + 4):
            pdf.add_page()
        pdf.image(io.BytesIO(chart.png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
        pdf.ln(4)


def _ranking(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("III. Peringkat OPD menurut tugas tindak lanjut", 12)
    pdf.note(
        "Keadaan pada tanggal cetak. Urutan: tugas lewat tenggat terbanyak, lalu keterlambatan "
        "terlama, lalu tugas terbuka terbanyak. Tepat waktu: bagian tugas selesai yang "
        "diselesaikan sebelum atau pada tenggatnya."
    )
    pdf.ln(2)
    if not data.agencies:
        pdf.paragraph("Belum ada tugas tindak lanjut.")
        pdf.ln(3)
        return
    pdf.set_font("Helvetica", "", 8.5)
    with pdf.table(
        col_widths=(8, 50, 16, 18, 16, 18, 48),
        text_align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        line_height=4.6,
    ) as table:
        header = table.row()
        for text in (
            "No",
            "OPD",
            "Terbuka",
            "Lewat tenggat",
            "Selesai",
            "Tepat waktu",
            "Tugas terlambat terlama",
        ):
            header.cell(text)
        for number, agency in enumerate(data.agencies, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(agency.name)
            row.cell(format_number(agency.open))
            row.cell(format_number(agency.overdue))
            row.cell(format_number(agency.done))
            percent = agency.on_time_percent
            row.cell("-" if percent is None else f"{percent}%")
            oldest = (
                f"{agency.oldest_title} ({agency.oldest_days} hari)" if agency.oldest_title else "-"
            )
            row.cell(oldest)
    pdf.ln(5)


def _monev(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("IV. Monitoring dan evaluasi dalam periode", 12)
    if not data.evaluations:
        pdf.paragraph("Tidak ada monev yang dicatat dalam periode.")
        pdf.ln(3)
        return
    titles = {section.agreement.id: section.agreement.title for section in data.sections}
    pdf.set_font("Helvetica", "", 8.5)
    with pdf.table(
        col_widths=(27, 55, 28, 16, 22, 26),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
        line_height=4.6,
    ) as table:
        header = table.row()
        for text in ("Tanggal", "Kerja sama", "Periode", "Capaian", "Ketepatan", "Rekomendasi"):
            header.cell(text)
        for evaluation in data.evaluations:
            row = table.row()
            row.cell(day(evaluation.evaluated_on))
            row.cell(titles.get(evaluation.agreement_id, "-"))
            row.cell(evaluation.period_label)
            row.cell(f"{evaluation.progress_pct}%")
            row.cell(evaluation.timeliness.label)
            row.cell(evaluation.recommendation.label)
    pdf.ln(5)


def _evaluation_lines(section: AgreementSection) -> list[Line]:
    lines = []
    for evaluation in section.evaluations:
        text = (
            f"Monev {evaluation.period_label}: capaian {evaluation.progress_pct}%, "
            f"{evaluation.timeliness.label.lower()}, rekomendasi "
            f"{evaluation.recommendation.label.lower()}. Realisasi: {evaluation.realisation}"
        )
        if evaluation.obstacles:
            text += f" Kendala: {evaluation.obstacles}"
        lines.append(Line(evaluation.evaluated_on, text))
    return lines


def _section(pdf: ReportPDF, section: AgreementSection) -> None:
    agreement = section.agreement
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.heading(agreement.title, 11)
    lead = agreement.lead_agency.name if agreement.lead_agency else "-"
    pdf.paragraph(
        f"Tahap: {agreement.stage.label}  |  Mitra: {agreement.partner_names or '-'}  |  "
        f"OPD pengampu: {lead}",
        size=9,
    )
    pdf.ln(1.5)
    pdf.lines("Tahapan dalam periode", section.milestones)
    pdf.lines("Tugas selesai dalam periode", section.done_tasks)
    pdf.lines("Tugas terlambat", section.overdue_tasks)
    if section.evaluations:
        pdf.lines("Monev dalam periode", _evaluation_lines(section))
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.cell(0, 5.5, "Transaksi dalam periode", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not section.transactions:
        pdf.set_font("Helvetica", "", 9.5)
        pdf.set_text_color(110)
        pdf.cell(0, 5, "Tidak ada.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0)
    else:
        pdf.set_font("Helvetica", "", 8.5)
        with pdf.table(
            col_widths=(28, 38, 46, 30, 32),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
            line_height=5,
        ) as table:
            header = table.row()
            for text in ("Tanggal", "Komoditas", "Pembeli", "Volume", "Nilai"):
                header.cell(text)
            for transaction in section.transactions:
                row = table.row()
                row.cell(day(transaction.transacted_on))
                row.cell(transaction.commodity)
                row.cell(transaction.buyer)
                volume = (
                    format_number(transaction.volume) if transaction.volume is not None else "-"
                )
                row.cell(f"{volume} {transaction.unit or ''}".strip())
                row.cell(format_rupiah(transaction.value_rp))
            total = table.row()
            total.cell("Jumlah", colspan=4)
            total.cell(format_rupiah(section.transaction_value))
    pdf.ln(5)


def _details(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("V. Rincian per kerja sama", 12)
    pdf.note(
        f"Rincian memuat {format_number(len(data.sections))} kerja sama: semua yang belum "
        "selesai atau batal, dan yang selesai atau batal tetapi memiliki kegiatan dalam periode."
    )
    pdf.ln(3)
    for section in data.sections:
        _section(pdf, section)


SIGNATURE_WIDTH = 78
SIGNATURE_SPACE_MM = 22  # for the signature and the stamp


def _signature(pdf: ReportPDF, identity: Identity, on: date) -> None:
    """Place and date, the office, room to sign, the name (a dotted line to write it by hand
    when none is set) and the NIP, on the right, kept on one page."""
    if pdf.will_page_break(SIGNATURE_SPACE_MM + 32):
        pdf.add_page()
    pdf.ln(6)
    x = pdf.w - pdf.r_margin - SIGNATURE_WIDTH

    def line(text: str, style: str = "", height: float = 5.2) -> None:
        pdf.set_x(x)
        pdf.set_font("Helvetica", style, 10)
        pdf.multi_cell(
            SIGNATURE_WIDTH, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    line(f"{identity.place}, {day(on)}")
    line(identity.signatory_office.upper(), "B")
    pdf.ln(SIGNATURE_SPACE_MM)
    line(identity.signatory_name or "(" + "." * 50 + ")", "BU" if identity.signatory_name else "")
    if identity.signatory_nip:
        line(f"NIP {identity.signatory_nip.replace(' ', NBSP)}")


def render(data: ReportData) -> bytes:
    pdf = ReportPDF(data.government.name, data.today)
    identity = data.identity or identity_of(data.government)
    pdf.add_page()
    _letterhead(pdf, identity)
    _title(pdf, data)
    _summary(pdf, data)
    _charts(pdf, data)
    _ranking(pdf, data)
    _monev(pdf, data)
    if data.sections:
        _details(pdf, data)
    _signature(pdf, identity, data.today)
    return bytes(pdf.output())


def build_report(user: User, start: date, end: date, today: date) -> bytes:
    data = collect(user, start, end, today)
    data.charts = draw_charts(user, today)
    return render(data)
