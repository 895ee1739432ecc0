"""Forms of the identity settings page: the texts of the kop surat and the signature block,
the lambang upload and its removal.

The texts are checked by ``government_settings.clean``, the function the service calls, so
every mistake shows at once next to its field."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from kerjasama_flow import government_settings
from kerjasama_flow.db import MISSING_VERSION
from kerjasama_flow.errors import DomainError
from kerjasama_flow.forms_common import BaseForm, required
from kerjasama_flow.identity.queries import format_nip
from kerjasama_flow.identity.services import TEXT_KEYS, effective


def _valid(form, field) -> None:
    try:
        government_settings.clean(field.name, field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


def _text(label: str, key: str, description: str = "", **render_kw) -> StringField:
    limits = government_settings.SETTINGS[key].limits
    if limits is not None:
        render_kw["maxlength"] = limits[1]
    return StringField(label, validators=[_valid], description=description, render_kw=render_kw)


class IdentityForm(BaseForm):
    letterhead_office = _text(
        "Nama perangkat daerah pada kop",
        "letterhead_office",
        "Baris di bawah \u201cPemerintah \u2026\u201d pada kop laporan. "
        "Bawaan: Sekretariat Daerah.",
    )
    letterhead_address = _text(
        "Alamat pada kop",
        "letterhead_address",
        "Mis. Jl. Merdeka No. 105 Blitar 66112, Telp. (0342) 801188. Boleh dikosongkan.",
    )
    signature_place = _text(
        "Tempat penandatanganan",
        "signature_place",
        "Ditulis sebelum tanggal laporan. Kosongkan untuk memakai nama daerah.",
    )
    signatory_office = _text(
        "Jabatan penanda tangan", "signatory_office", "Bawaan: Sekretaris Daerah."
    )
    signatory_name = _text(
        "Nama penanda tangan",
        "signatory_name",
        "Lengkap dengan gelar. Bila kosong, laporan menyisakan tempat untuk ditulis tangan.",
    )
    signatory_nip = _text(
        "NIP penanda tangan",
        "signatory_nip",
        "18 angka, boleh dengan spasi. Boleh dikosongkan.",
        inputmode="numeric",
        maxlength=24,
    )
    version = HiddenField(validators=[required(MISSING_VERSION)])  # the settings' fingerprint

    @classmethod
    def for_government(cls, government) -> IdentityForm:
        values = effective(government)
        values["signatory_nip"] = format_nip(values["signatory_nip"])
        values["version"] = government_settings.fingerprint(government)
        return cls(data=values)

    def values(self) -> dict[str, str]:
        return {key: getattr(self, key).data for key in TEXT_KEYS}


class LambangForm(BaseForm):
    lambang = FileField(
        "Berkas lambang",
        description="Gambar PNG (sebaiknya berlatar transparan) atau JPG, paling besar 2 MB.",
        render_kw={"accept": ".png,.jpg,.jpeg"},
    )


class RemoveLambangForm(BaseForm):
    pass
