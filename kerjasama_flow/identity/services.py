"""Changing the government's identity: the lambang (upload, replace, remove) and the texts
of the kop surat and the signature block. Services flush; the view commits
(``web.run_service``), and the file store publishes or drops the file with that commit.

The lambang is a PNG or JPG: what a browser shows in the header and the public page and what
fpdf2 embeds in the PDF. SVG is refused: a vector file can carry scripts and links, and the
content check (``uploads``) would not vouch for it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from PIL import Image, UnidentifiedImageError

from kerjasama_flow import government_settings, storage, uploads
from kerjasama_flow.accounts.models import Government, User
from kerjasama_flow.activity.services import log_action, log_changes
from kerjasama_flow.db import MISSING_VERSION
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.identity.queries import FOLDER, lambang_name

FIELD = "lambang"
LAMBANG_TYPES = frozenset({"image/png", "image/jpeg"})
MAX_LAMBANG_BYTES = 2 * 1024 * 1024
SIDE_PIXELS = (32, 4000)  # the smallest and largest side of a usable lambang
TEXT_KEYS = (
    "letterhead_office",
    "letterhead_address",
    "signature_place",
    "signatory_office",
    "signatory_name",
    "signatory_nip",
)


def _locked(actor: User) -> Government:
    """The actor's government, read afresh and locked: two saves cannot interleave."""
    government = db.session.get(Government, actor.government_id)
    db.session.refresh(government, with_for_update=True)
    return government


def check_lambang(upload: uploads.Upload | None) -> uploads.CheckedFile:
    """The upload as a lambang: a PNG or JPG by its content, at most 2 MB, an image that can be
    read, each side 32 to 4000 pixels. A ``DomainError`` on the field otherwise."""
    checked = uploads.check(upload, FIELD)
    if checked.type.mime not in LAMBANG_TYPES:
        raise DomainError("Lambang harus berupa gambar PNG atau JPG.", FIELD)
    if checked.size > MAX_LAMBANG_BYTES:
        raise DomainError(
            f"Berkas lambang terlalu besar: paling besar {uploads.megabytes(MAX_LAMBANG_BYTES)}.",
            FIELD,
        )
    low, high = SIDE_PIXELS
    try:
        with Image.open(io.BytesIO(checked.content)) as image:
            width, height = image.size
            image.verify()  # a truncated or corrupt file fails here, not in the PDF
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        raise DomainError("Gambar lambang rusak atau tidak dapat dibaca.", FIELD) from None
    if not (low <= width <= high and low <= height <= high):
        raise DomainError(
            f"Ukuran lambang {width} x {height} piksel; setiap sisi harus {low} sampai {high} "
            "piksel.",
            FIELD,
        )
    return checked


def _set_lambang(actor: User, government: Government, name: str) -> None:
    before = lambang_name(government) or ""
    storage.delete(FOLDER, before)
    government.settings = government_settings.overrides_after(government, {"lambang_file": name})
    db.session.flush()
    log_action(
        actor, government, "updated", before={"lambang_file": before}, after={"lambang_file": name}
    )


def replace_lambang(actor: User, upload: uploads.Upload | None) -> str:
    """Keep the uploaded lambang (the previous one, if any, goes with the commit); returns the
    stored name."""
    checked = check_lambang(upload)
    government = _locked(actor)
    stored = storage.store(
        checked.content, folder=FOLDER, suffix=checked.type.extension, field=FIELD
    )
    _set_lambang(actor, government, stored.name)
    return stored.name


def remove_lambang(actor: User) -> bool:
    """Remove the lambang; whether there was one."""
    government = _locked(actor)
    if lambang_name(government) is None:
        return False
    _set_lambang(actor, government, "")
    return True


def effective(government: Government) -> dict[str, Any]:
    return government_settings.all_for(government, TEXT_KEYS)


def save_texts(actor: User, data: Mapping[str, Any], expected_version: str | None) -> bool:
    """Store the kop surat and signature texts of ``data`` (keys of ``TEXT_KEYS``; a key left
    out keeps its value). ``expected_version`` is the ``government_settings.fingerprint`` the
    form was loaded with (``ConflictError`` when the settings changed meanwhile). Whether
    anything changed."""
    government = _locked(actor)
    if expected_version is None:
        raise ConflictError(MISSING_VERSION)
    if expected_version != government_settings.fingerprint(government):
        raise ConflictError()
    cleaned = {key: government_settings.clean(key, data[key]) for key in TEXT_KEYS if key in data}
    before = effective(government)
    government.settings = government_settings.overrides_after(government, cleaned)
    db.session.flush()
    return log_changes(actor, government, "updated", before, effective(government)) is not None
