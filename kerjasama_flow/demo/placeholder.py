"""Placeholder PDFs for the demo's documents, marked on every page as demo data.

The demo has no real signed texts to attach; a step's document is shown with a small PDF that
says plainly that it is an example ("CONTOH – data demo"), so that nobody mistakes it for an
official paper. fpdf2 with the PDF core fonts (cp1252), as ``reports.pdf_report``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF, XPos, YPos

DEMO_MARK = "CONTOH – data demo"
DISCLAIMER = (
    "Berkas ini dibuat otomatis untuk data demo aplikasi kerjasama-flow. Bukan dokumen resmi "
    "dan bukan naskah yang sebenarnya; nomor dan isinya contoh."
)


class PlaceholderPDF(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = "cp1252"
        self.set_margins(20, 20, 20)
        self.set_title(DEMO_MARK)
        self.set_creator("kerjasama-flow (data demo)")

    def header(self):
        self.set_font("Helvetica", "B", 18)
        self.set_text_color(190, 0, 0)
        self.cell(0, 10, DEMO_MARK, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "I", 9)
        self.multi_cell(0, 5, DISCLAIMER, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(6)

    def footer(self):
        self.set_y(-14)
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(190, 0, 0)
        self.cell(0, 5, f"{DEMO_MARK} – halaman {self.page_no()}", align="C")


def placeholder_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A one-page PDF: the demo mark, ``title`` and ``lines`` as paragraphs."""
    pdf = PlaceholderPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    return bytes(pdf.output())
