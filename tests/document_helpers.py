"""Real files of every accepted type (and of refused ones), made in memory for the document
tests: a PDF by fpdf2, JPEG and PNG by Pillow, an XLSX by openpyxl and a DOCX as the minimal
Open XML package Word itself opens."""

from __future__ import annotations

import io
import zipfile

from fpdf import FPDF
from openpyxl import Workbook
from PIL import Image

from kerjasama_flow.documents import services
from kerjasama_flow.documents.models import DocumentKind


class FakeUpload:
    """What a browser's upload looks like to a service (werkzeug's FileStorage fits too)."""

    def __init__(self, filename: str, content: bytes):
        self.filename = filename
        self.stream = io.BytesIO(content)


def pdf_bytes(text: str = "Naskah Kesepakatan Bersama (contoh)") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def image_bytes(fmt: str, side: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Realisasi"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/word/document.xml" ContentType="app'
            'lication/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openx'
            'mlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sc'
            'hemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target'
            '="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxml'
            'formats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Draf PKS</w:t></w:'
            "r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def zip_bytes() -> bytes:
    """A plain ZIP archive: a container, but not a Word document or a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catatan.txt", "bukan dokumen")
    return buffer.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50
HTML = b"<!DOCTYPE html><html><head><script>alert(1)</script></head><body></body></html>"


def make_document(uploader, agreement, task=None, name="naskah.pdf", content=None, **data):
    """A document uploaded through the service (stored in the app's instance folder)."""
    return services.upload_document(
        uploader,
        agreement,
        FakeUpload(name, content if content is not None else pdf_bytes()),
        {"kind": data.pop("kind", DocumentKind.KB_TEXT), **data},
        services.Attachment(task=task),
    )
