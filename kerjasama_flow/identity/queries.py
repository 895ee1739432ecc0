"""Reading the government's identity: what the kop surat, the signature block and the header
show, and who may see the lambang.

Every value is a key of ``government_settings`` (a government stores only what it changed);
the lambang is a file of the store (``storage``, folder ``identity``) whose random name is the
key ``lambang_file``. Replacing the lambang gives it a new name, so the name is also the
version of its address and a browser may keep a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kerjasama_flow import government_settings, storage
from kerjasama_flow.accounts.models import Government
from kerjasama_flow.extensions import db

FOLDER = "identity"
MIMETYPES = {".png": "image/png", ".jpg": "image/jpeg"}
_KIND_PREFIX = re.compile(r"^(provinsi|kabupaten|kota)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    """What the report's kop surat and signature block say."""

    government_line: str  # "PEMERINTAH KOTA BLITAR"
    office: str  # "Sekretariat Daerah"
    address: str  # "" when not set
    place: str  # "Blitar": where the report is signed
    signatory_office: str
    signatory_name: str  # "" when not set: the block keeps a line to write it by hand
    signatory_nip: str  # "19700101 199503 1 001", "" when not set
    lambang: Path | None


def format_nip(digits: str) -> str:
    """The 18 digits of a NIP as it is printed: birth date, appointment month, sex, number."""
    if len(digits) != 18:
        return digits
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def full_name(government: Government) -> str:
    """ "Kota Blitar": the name with its kind in front, as in "Pemerintah Kota Blitar"."""
    if _KIND_PREFIX.match(government.name):
        return government.name
    return f"{government.kind.label} {government.name}"


def place_of(government: Government) -> str:
    """Where a letter of the government is signed: the setting, else its name without the
    kind ("Kota Blitar" -> "Blitar")."""
    place = government_settings.get(government, "signature_place")
    return place or _KIND_PREFIX.sub("", government.name)


def lambang_name(government: Government) -> str | None:
    """The stored file name of the lambang, None when there is none."""
    return government_settings.get(government, "lambang_file") or None


def lambang_path(government: Government) -> Path | None:
    """The lambang's file, None when there is none (or it is missing from the store)."""
    return storage.path_of(FOLDER, lambang_name(government))


def lambang_mimetype(name: str) -> str:
    return MIMETYPES[Path(name).suffix]


def identity_of(government: Government) -> Identity:
    values = government_settings.all_for(
        government,
        (
            "letterhead_office",
            "letterhead_address",
            "signatory_office",
            "signatory_name",
            "signatory_nip",
        ),
    )
    return Identity(
        government_line=f"Pemerintah {full_name(government)}".upper(),
        office=values["letterhead_office"],
        address=values["letterhead_address"],
        place=place_of(government),
        signatory_office=values["signatory_office"],
        signatory_name=values["signatory_name"],
        signatory_nip=format_nip(values["signatory_nip"]),
        lambang=lambang_path(government),
    )


def government_by_region(region_code: str) -> Government | None:
    return db.session.scalar(select(Government).where(Government.region_code == region_code))


def may_see_lambang(user, government: Government) -> bool:
    """Its own users see their government's lambang; anyone sees it when the government's
    public page is on (the page shows it). Otherwise it is as invisible as the rest."""
    if getattr(user, "is_authenticated", False) and user.government_id == government.id:
        return True
    return government_settings.is_public(government)
