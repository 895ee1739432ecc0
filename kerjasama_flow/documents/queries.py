"""Reading documents for the agreement page, a task page and the upload form; loading one
document for the user who asks (the web pages and the API alike); sending its file."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, send_file
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kerjasama_flow.accounts.models import User
from kerjasama_flow.agreements.models import MILESTONE_LABELS, Agreement
from kerjasama_flow.agreements.queries import timeline
from kerjasama_flow.documents import services
from kerjasama_flow.documents.models import Document
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date
from kerjasama_flow.permissions import (
    can_attach_document,
    can_change_document,
    can_read_document,
)
from kerjasama_flow.tenancy import get_owned_or_404


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    about: str  # "Kesepakatan Bersama / MoU, 12 Mei 2025", "Tugas: ...", "Kerja sama"
    can_change: bool


def step_choices(agreement: Agreement, user: User | None = None) -> list[tuple[str, str]]:
    """The agreement's recorded steps as ("mou-5", "Kesepakatan Bersama / MoU, 12 Mei
    2025") choices, in the order they happened; with ``user``, only the steps they may
    document (an OPD head: the realisations of their agency's PKS)."""
    return [
        (step_value(item.kind, item.milestone.id), _step_label(item.kind, item.on))
        for item in timeline(agreement)
        if user is None or can_attach_document(user, agreement, milestone=item.milestone)
    ]


@dataclass(frozen=True)
class UploadChoices:
    """Where ``user`` may upload on an agreement: the agreement itself (``general``), and the
    steps of ``steps`` (an OPD head: only the realisations of their agency's PKS)."""

    general: bool
    steps: list[tuple[str, str]]

    @property
    def allowed(self) -> bool:
        """Anywhere at all; when not, the upload is a 403 (the web's form, the API)."""
        return self.general or bool(self.steps)


def upload_choices(user: User, agreement: Agreement) -> UploadChoices:
    return UploadChoices(can_attach_document(user, agreement), step_choices(agreement, user))


def step_value(kind: str, milestone_id: int) -> str:
    return f"{kind}-{milestone_id}"


def parse_step(value: str | None) -> tuple[str | None, int | None]:
    """("mou", 5) from "mou-5"; (None, None) for the agreement itself or anything else."""
    kind, _, number = (value or "").partition("-")
    if kind in MILESTONE_LABELS and number.isdigit():
        return kind, int(number)
    return None, None


def _step_label(kind: str, on) -> str:
    return f"{MILESTONE_LABELS[kind]}, {format_date(on)}"


def _rows(user: User, documents: list[Document], steps: dict[str, str]) -> list[DocumentRow]:
    rows = []
    for document in documents:
        if not can_read_document(user, document):
            continue
        if document.task is not None:
            about = f"Tugas: {document.task.title}"
        elif document.milestone_kind is not None:
            key = step_value(document.milestone_kind, document.milestone_id)
            about = steps.get(key, MILESTONE_LABELS.get(document.milestone_kind, "Tahapan"))
        else:
            about = "Kerja sama"
        rows.append(DocumentRow(document, about, can_change_document(user, document)))
    return rows


def _query():
    return (
        select(Document)
        .options(joinedload(Document.uploaded_by), joinedload(Document.task))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )


def agreement_documents(user: User, agreement: Agreement) -> list[DocumentRow]:
    """Every document of ``agreement`` ``user`` may see, the newest first."""
    documents = db.session.scalars(_query().where(Document.agreement_id == agreement.id)).all()
    return _rows(user, list(documents), dict(step_choices(agreement)))


def task_documents(user: User, task) -> list[DocumentRow]:
    documents = db.session.scalars(_query().where(Document.task_id == task.id)).all()
    return _rows(user, list(documents), {})


def document_for(user: User, document_id: int, *, change: bool = False) -> Document:
    """The document ``document_id`` as ``user`` (the current user) may reach it: another
    government's is a 404 (``tenancy``); one they may not see, or with ``change`` may not
    replace or delete, a 403."""
    document = get_owned_or_404(Document, document_id)
    if not can_read_document(user, document):
        abort(403)
    if change and not can_change_document(user, document):
        abort(403)
    return document


def file_response(document: Document) -> Response:
    """The stored file as a download under its file name and type: always an attachment,
    never shown inline (an uploaded file is data). A file missing from the store is a 404."""
    path = services.stored_path(document)
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype=document.mime_type,
        as_attachment=True,
        download_name=document.file_name,
        max_age=0,
    )
