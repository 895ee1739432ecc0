"""Document forms. They check the shape of the input; the file itself is judged by its
content in ``uploads.check``, called by the services."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from kerjasama_flow import uploads
from kerjasama_flow.db import max_length
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.forms_common import BaseForm, enum_choices, version_field


def _file_field(label: str = "Berkas") -> FileField:
    return FileField(
        label,
        description=f"{uploads.ACCEPTED_LABELS}, paling besar "
        f"{uploads.megabytes(uploads.DEFAULT_MAX_BYTES)}.",
        render_kw={"accept": uploads.ACCEPT_ATTRIBUTE},
    )


def _title_field() -> StringField:
    limit = max_length(Document.title)
    return StringField(
        "Judul (opsional)",
        validators=[Optional(), Length(max=limit, message=f"Paling banyak {limit} karakter.")],
        description="Misalnya “Naskah KB bertanda tangan”. Bila kosong, nama berkas dipakai.",
    )


class DocumentForm(BaseForm):
    """A document of an agreement or one of its steps (Bagian Pemerintahan)."""

    file = _file_field()
    kind = SelectField("Jenis dokumen", choices=enum_choices(DocumentKind))
    step = SelectField("Dokumen untuk", choices=[], validate_choice=False)
    title = _title_field()

    def offer_steps(self, steps: list[tuple[str, str]], *, with_agreement: bool = True) -> None:
        """The steps to choose from, and the agreement itself unless ``with_agreement`` is
        False; then only proof is offered (an OPD head proving their realisations)."""
        general = [("", "Kerja sama secara umum")] if with_agreement else []
        self.step.choices = [*general, *steps]
        if not with_agreement:
            self.kind.choices = [(DocumentKind.PROOF.value, DocumentKind.PROOF.label)]


class TaskDocumentForm(BaseForm):
    """A task's proof (the OPD, or Bagian Pemerintahan)."""

    file = _file_field("Bukti penyelesaian")
    title = _title_field()


class ReplaceForm(BaseForm):
    edits_record = True  # only ever acts on an existing record: its version is required
    file = _file_field("Berkas pengganti")
    version = version_field()


class DeleteForm(BaseForm):
    edits_record = True  # only ever acts on an existing record: its version is required
    version = version_field()
