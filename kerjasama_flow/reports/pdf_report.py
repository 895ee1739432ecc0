"""The PDF report "Laporan Pelaksanaan Kerja Sama Daerah" for a chosen period.

A summary page (agreements by stage, milestones, tasks done and overdue, transactions), then
per agreement its stage, partners, milestones, tasks done and overdue, and transactions in the
period. A4 portrait with page numbers ("Halaman 2 dari 7"), for the Governor's and the
ministry's reporting. fpdf2, pure Python: no system packages.

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
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date, format_number, format_rupiah
from kerjasama_flow.tasks.models import OPEN_STATUSES, Task, TaskStatus

TITLE = "Laporan Pelaksanaan Kerja Sama Daerah"
MAX_PERIOD_DAYS = 5 * 366

_OPEN = tuple(sorted(OPEN_STATUSES))
_FALLBACKS = str.maketrans(
    {"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "}
)


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
    touched.update(item.agreement_id for group in (transactions, tasks) for item in group)
    for agreement in agreements:
        if agreement.stage not in CLOSED or agreement.id in touched:
            sections[agreement.id] = AgreementSection(agreement)

    for agreement_id, line in milestone_lines:
        sections[agreement_id].milestones.append(line)
    for section in sections.values():
        section.milestones.sort(key=lambda line: line.on)
    for transaction in transactions:
        sections[transaction.agreement_id].transactions.append(transaction)
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
    )


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
        self.set_margins(18, 18, 18)
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
        self.cell(0, 5, f"Dicetak {format_date(self.printed_on)}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Halaman {self.page_no()} dari {{nb}}", align="R")
        self.set_text_color(0)

    # small building blocks

    def heading(self, text: str, size: float = 12) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5, style: str = "") -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 4.8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

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
            prefix = f"{format_date(item.on)}: " if item.on else ""
            self.set_x(self.l_margin + 4)
            self.multi_cell(
                0, 4.8, f"\u2022 {prefix}{item.text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.ln(1.5)


def _summary(pdf: ReportPDF, data: ReportData) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(
        0, 7, f"Pemerintah {data.government.name}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("Helvetica", "", 10.5)
    pdf.multi_cell(
        0,
        6,
        f"Periode {format_date(data.start)} s.d. {format_date(data.end)}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)

    pdf.heading("Ringkasan", 12)
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
    pdf.set_font("Helvetica", "I", 8.5)
    pdf.set_text_color(110)
    pdf.multi_cell(
        0,
        4.4,
        f"Rincian memuat {format_number(len(data.sections))} kerja sama: semua yang belum "
        "selesai atau batal, dan yang selesai atau batal tetapi memiliki kegiatan dalam periode.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0)


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
            col_widths=(26, 40, 46, 30, 32),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
            line_height=5,
        ) as table:
            header = table.row()
            for text in ("Tanggal", "Komoditas", "Pembeli", "Volume", "Nilai"):
                header.cell(text)
            for transaction in section.transactions:
                row = table.row()
                row.cell(format_date(transaction.transacted_on))
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


def render(data: ReportData) -> bytes:
    pdf = ReportPDF(data.government.name, data.today)
    _summary(pdf, data)
    if data.sections:
        pdf.add_page()
        pdf.heading("Rincian per kerja sama", 13)
        for section in data.sections:
            _section(pdf, section)
    return bytes(pdf.output())


def build_report(user: User, start: date, end: date, today: date) -> bytes:
    return render(collect(user, start, end, today))
