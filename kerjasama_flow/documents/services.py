"""Uploading, replacing and deleting documents.

Who may: Bagian Pemerintahan (admin) documents an agreement and any of its steps and tasks;
an OPD head proves their own agency's task done with a file, and the transactions and
activities of a PKS their agency carries out, and may replace or delete the files of those
that their agency uploaded. Everyone who may see the agreement may
download its documents (``permissions.can_read_document``).

Every upload passes ``uploads.check`` (the content decides the type, not the name) and is
kept by the one file store under a random name; the row keeps the user's file name, the
SHA-256 and the size. A replaced or deleted file goes when the session commits, and the
activity log keeps who did it and the old and new fingerprints. Services flush; the view
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kerjasama_flow import storage, uploads
from kerjasama_flow.accounts.models import User
from kerjasama_flow.activity.services import log_action, snapshot
from kerjasama_flow.agreements.models import MILESTONE_MODELS, Agreement
from kerjasama_flow.db import ExpectedVersion, check_version
from kerjasama_flow.documents.models import Document, DocumentKind
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.permissions import can_attach_document, can_change_document

if TYPE_CHECKING:
    from kerjasama_flow.tasks.models import Task

FOLDER = "documents"  # the storage folder, under the instance folder
FILE_FIELD = "file"
LOGGED_FIELDS = ("title", "kind", "file_name", "size_bytes", "sha256")


@dataclass(frozen=True)
class Attachment:
    """What a document documents besides its agreement: one of its steps or one task."""

    milestone_kind: str | None = None
    milestone_id: int | None = None
    task: Task | None = None


def _title(data: dict[str, Any], fallback: str) -> str:
    title = (data.get("title") or "").strip()
    return title or fallback


def _kind(value: Any) -> DocumentKind:
    try:
        return DocumentKind(value or DocumentKind.OTHER)
    except ValueError:
        raise DomainError("Pilih jenis dokumen dari daftar.", "kind") from None


def _check_attachment(agreement: Agreement, attachment: Attachment) -> Any:
    """The step or task named must be the agreement's own; returns the step (or None)."""
    milestone = None
    if attachment.milestone_kind is not None:
        model = MILESTONE_MODELS.get(attachment.milestone_kind)
        milestone = db.session.get(model, attachment.milestone_id) if model else None
        if milestone is None or milestone.agreement_id != agreement.id:
            raise DomainError("Tahapan yang dipilih bukan milik kerja sama ini.", "step")
    task = attachment.task
    if task is not None and task.agreement_id != agreement.id:
        raise DomainError("Tugas itu bukan milik kerja sama ini.")
    return milestone


def upload_document(
    actor: User,
    agreement: Agreement,
    upload: uploads.Upload | None,
    data: dict[str, Any],
    attachment: Attachment = Attachment(),
) -> Document:
    """Keep ``upload`` as a document of ``agreement`` (and of the step or task of
    ``attachment``). ``data`` holds ``kind`` and ``title`` (the file name when empty).
    Whoever may not document the agreement itself (an OPD head) uploads proof only: the
    kind is ``bukti`` whatever ``data`` says."""
    milestone = _check_attachment(agreement, attachment)
    if not can_attach_document(actor, agreement, attachment.task, milestone):
        raise DomainError("Anda tidak berhak mengunggah dokumen di sini.")
    kind = _kind(data.get("kind"))
    if not can_attach_document(actor, agreement):
        kind = DocumentKind.PROOF
    checked = uploads.check(upload, FILE_FIELD)
    stored = storage.store(
        checked.content, folder=FOLDER, suffix=checked.type.extension, field=FILE_FIELD
    )
    document = Document(
        government_id=agreement.government_id,
        agreement_id=agreement.id,
        milestone_kind=attachment.milestone_kind,
        milestone_id=attachment.milestone_id,
        task_id=attachment.task.id if attachment.task is not None else None,
        kind=kind,
        title=_title(data, checked.display_name),
        file_name=checked.display_name,
        stored_name=stored.name,
        sha256=stored.sha256,
        size_bytes=stored.size,
        mime_type=checked.type.mime,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    log_action(actor, document, "uploaded", after=snapshot(document, LOGGED_FIELDS))
    return document


def replace_document(
    actor: User,
    document: Document,
    upload: uploads.Upload | None,
    data: dict[str, Any],
    version: ExpectedVersion,
) -> Document:
    """Put a new file (a signed version, a better scan) in place of ``document``'s; the old
    file goes when the session commits, its fingerprint stays in the activity log."""
    if not can_change_document(actor, document):
        raise DomainError("Anda tidak berhak mengganti dokumen ini.")
    check_version(document, version)
    checked = uploads.check(upload, FILE_FIELD)
    before = snapshot(document, LOGGED_FIELDS)
    stored = storage.store(
        checked.content, folder=FOLDER, suffix=checked.type.extension, field=FILE_FIELD
    )
    storage.delete(FOLDER, document.stored_name)
    document.kind = _kind(data.get("kind") or document.kind)
    document.title = _title(data, document.title)
    document.file_name = checked.display_name
    document.stored_name = stored.name
    document.sha256 = stored.sha256
    document.size_bytes = stored.size
    document.mime_type = checked.type.mime
    document.uploaded_by_id = actor.id
    db.session.flush()
    log_action(actor, document, "replaced", before=before, after=snapshot(document, LOGGED_FIELDS))
    return document


def delete_document(actor: User, document: Document, version: ExpectedVersion) -> None:
    """Remove ``document``; its file goes when the session commits."""
    if not can_change_document(actor, document):
        raise DomainError("Anda tidak berhak menghapus dokumen ini.")
    check_version(document, version)
    log_action(actor, document, "deleted", before=snapshot(document, LOGGED_FIELDS))
    storage.delete(FOLDER, document.stored_name)
    db.session.delete(document)
    db.session.flush()


def untie_from_step(kind: str, milestone_id: int) -> int:
    """A deleted step's documents stay with the agreement (nothing is lost): they no longer
    point at the step. Returns how many were untied."""
    documents = db.session.scalars(
        db.select(Document).where(
            Document.milestone_kind == kind, Document.milestone_id == milestone_id
        )
    ).all()
    for document in documents:
        document.milestone_kind = None
        document.milestone_id = None
    return len(documents)


def stored_path(document: Document):
    """The stored file of ``document`` (to send it), or None if it is missing."""
    return storage.path_of(FOLDER, document.stored_name)
