"""Forms of the agreements domain: the agreement, its milestones, partners, manual stage
actions and the list filters.

Forms parse and check the shape of the input (required, lengths, dates, amounts); the rules
live in ``lifecycle`` and ``services``. ``rule_checks`` calls those same rule functions, so a
form shows every error in one round; the services check again, and the views put their
refusals next to the field named here. Field names are the keys the services read
(``AGREEMENT_FIELDS``, ``MILESTONE_FIELDS``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput

from kerjasama_flow.accounts.forms import agencies_field, agency_field
from kerjasama_flow.agreements import queries, services
from kerjasama_flow.agreements.lifecycle import Action, Stage, Standing
from kerjasama_flow.agreements.models import (
    SECTORS,
    Agreement,
    AgreementKind,
    Amendment,
    AmendmentKind,
    DprdApproval,
    DprdBasis,
    LegalReview,
    Mou,
    MouKind,
    Offer,
    OfferDirection,
    Partner,
    PartnerKind,
    Pks,
    RealisedActivity,
    SigningReport,
    TerminationReason,
    TkksdMeeting,
    TkksdRecommendation,
    Transaction,
    Visit,
    VisitDirection,
)
from kerjasama_flow.agreements.register import KINDS, RegisterFilters
from kerjasama_flow.db import max_length
from kerjasama_flow.extensions import db
from kerjasama_flow.formatting import format_date, format_number, parse_number
from kerjasama_flow.forms_common import (
    BaseForm,
    FilterForm,
    QuerySelectField,
    QuerySelectMultipleField,
    choice,
    choices,
    date_field,
    enum_choices,
    enum_coerce,
    enum_field,
    form_values,
    optional_enum_field,
    positive_int,
    required,
    version_field,
)
from kerjasama_flow.permissions import REALISATION_KINDS, can_record_realisation_under

# --- fields -----------------------------------------------------------------------------------


def text_field(label: str, column, is_required: bool = False, **kwargs) -> StringField:
    """A one-line text input as long as the model's ``column`` allows (the limit is written
    once, in the model)."""
    validators = [required()] if is_required else [Optional()]
    limit = max_length(column)
    too_long = Length(max=limit, message=f"Paling banyak {limit} karakter.")
    return StringField(label, validators=[*validators, too_long], **kwargs)


def notes_field(label: str = "Catatan", **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=[Optional()], render_kw={"rows": 3}, **kwargs)


class _IndonesianNumberField(Field):
    """A text input for a number written the Indonesian way; shows what the user typed back
    on error, else the value formatted with Indonesian separators."""

    widget = TextInput()
    INPUT_MODE = "numeric"

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": self.INPUT_MODE, "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data, empty="") if self.data is not None else ""


class RupiahField(_IndonesianNumberField):
    """An integer amount of Rupiah typed as people write it: "1.250.000", "Rp 1.250.000",
    "1250000" or "1.250.000,00". A negative amount is parsed (the service refuses it with the
    rule's own message); anything else that is not a whole number gets a clear error."""

    INVALID = "Nilai rupiah tidak sah. Tulis angka saja, mis. 1.250.000."
    NOT_WHOLE = "Nilai rupiah harus bilangan bulat (tanpa sen)."
    TOO_LARGE = "Nilai rupiah terlalu besar."
    LIMIT = 10**15

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = re.sub(r"[\s\u00a0]", "", valuelist[0] or "")
        sign = 1
        if text.startswith("-"):
            sign, text = -1, text[1:]
        text = re.sub(r"^rp\.?", "", text, flags=re.IGNORECASE)
        if text.startswith("-"):
            sign, text = -1, text[1:]
        if not text:
            return
        if text.startswith("-"):
            raise ValueError(self.INVALID)
        try:
            number = parse_number(text)
        except ValueError as error:
            raise ValueError(self.INVALID) from error
        if number != number.to_integral_value():
            raise ValueError(self.NOT_WHOLE)
        if number >= self.LIMIT:
            raise ValueError(self.TOO_LARGE)
        self.data = sign * int(number)


class VolumeField(_IndonesianNumberField):
    """A quantity written the Indonesian way: "1.250", "1.250,5" or "12,5" (the comma marks
    decimals; "1250.5" is refused rather than guessed)."""

    INPUT_MODE = "decimal"
    INVALID = "Volume tidak sah. Tulis angka, mis. 1.250 atau 12,5."
    PLACES = "Volume paling banyak dua angka di belakang koma."

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = re.sub(r"[\s\u00a0]", "", valuelist[0] or "")
        if not text:
            return
        try:
            value = parse_number(text)
        except ValueError as error:
            raise ValueError(self.INVALID) from error
        if -value.as_tuple().exponent > 2:
            raise ValueError(self.PLACES)
        if abs(value) >= Decimal(10**12):
            raise ValueError(self.INVALID)
        self.data = value


def own_partners() -> list[Partner]:
    return list(
        db.session.scalars(
            select(Partner)
            .where(Partner.government_id == current_user.government_id)
            .order_by(Partner.name)
        )
    )


# --- the agreement ----------------------------------------------------------------------------


def _normalise_commodities(value: str | None) -> str | None:
    if not value:
        return value
    items = [" ".join(item.split()) for item in re.split(r"[,;\n]", value)]
    return ", ".join(item for item in items if item)


class AgreementForm(BaseForm):
    title = text_field(
        "Judul kerja sama",
        Agreement.title,
        is_required=True,
        description="Mis. Kerja sama ketahanan pangan dengan Pemprov DKI Jakarta.",
    )
    kind = enum_field("Jenis kerja sama", AgreementKind, default=AgreementKind.KSDD)
    partners = QuerySelectMultipleField("Mitra", query_factory=own_partners, get_label="name")
    new_partner_name = text_field(
        "Nama mitra baru",
        Partner.name,
        description="Isi bila mitra belum ada di daftar, mis. Perumda Pasar Jaya.",
    )
    new_partner_kind = SelectField(
        "Jenis mitra baru",
        choices=enum_choices(PartnerKind),
        coerce=enum_coerce(PartnerKind),
        default=PartnerKind.PEMDA_KOTA,
        invalid_choice_message="Pilihan tidak sah.",
    )
    sectors = SelectMultipleField(
        "Sektor",
        choices=choices(SECTORS.items()),
        validate_choice=False,  # the service names unknown sectors in Indonesian
    )
    commodities = text_field(
        "Komoditas",
        Agreement.commodities,
        filters=[_normalise_commodities],
        description="Pisahkan dengan koma, mis. beras, telur ayam, cabai.",
    )
    lead_agency = agency_field("OPD pengampu", optional=True)
    origin_event = text_field(
        "Asal kerja sama (acara)",
        Agreement.origin_event,
        description="Mis. Indonesia City Expo 2025 / Munas VII APEKSI.",
    )
    description = TextAreaField("Uraian", validators=[Optional()], render_kw={"rows": 4})
    external_ref = text_field(
        "Nomor referensi eksternal",
        Agreement.external_ref,
        description="Opsional: nomor dari sistem lain atau berkas impor.",
    )
    visit_planned_on = date_field(
        "Rencana kunjungan (agenda)",
        description="Opsional: tanggal kunjungan kerja yang direncanakan. Terhapus sendiri "
        "begitu kunjungannya dicatat.",
    )
    needs_dprd = BooleanField(
        "Memerlukan persetujuan DPRD",
        description="Centang bila kerja sama membebani masyarakat atau belum dianggarkan dalam "
        "APBD tahun berjalan. PKS baru dapat ditandatangani sesudah DPRD menyetujui.",
    )
    dprd_basis = optional_enum_field("Alasan persetujuan DPRD", DprdBasis, blank="— pilih —")
    version = version_field()

    def rule_checks(self):
        return services.agreement_checks(form_values(self))


# --- milestones -------------------------------------------------------------------------------


FOREIGN_PKS = "PKS ini bukan PKS yang dilaksanakan OPD Anda."
NO_OWN_PKS = "Pilih PKS yang dilaksanakan OPD Anda."


class MilestoneForm(BaseForm):
    """A milestone of ``agreement`` recorded by ``user``; subclasses limit their choices to
    the agreement. A realisation (``REALISATION_KINDS``) is offered, and accepted, only under
    a PKS the user may record under: an OPD head their agency's, Bagian Pemerintahan every
    PKS of the agreement. Checked again on submit, whatever the form offered: a forged
    choice, or an OPD head's activity under a KB alone, is refused next to its field."""

    kind: str = ""  # the key of ``MILESTONE_FORMS``
    layout: tuple[tuple[str, ...], ...] = ()  # rows of field names, as the form shows them

    version = version_field()

    def __init__(self, *args, agreement, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.user = user
        self.milestone = kwargs.get("obj")  # None on a new milestone
        self.limit_choices(agreement)
        if self.kind in REALISATION_KINDS:
            self.pks.query = [
                pks for pks in self.pks.query if can_record_realisation_under(user, agreement, pks)
            ]

    def limit_choices(self, agreement) -> None:
        """Offer only records of ``agreement`` (its MoUs, its PKS)."""

    def rule_checks(self):
        """The lifecycle's rules for this milestone, as the services apply them, and the PKS
        a realisation may be recorded under."""
        found = dict(
            services.milestone_rule_errors(
                self.agreement, self.kind, form_values(self), self.milestone
            )
        )
        if self.kind in REALISATION_KINDS:
            pks = self.pks.data
            if not can_record_realisation_under(self.user, self.agreement, pks):
                found["pks"] = NO_OWN_PKS if pks is None else FOREIGN_PKS
        return found


class VisitForm(MilestoneForm):
    kind = "visit"
    layout = (("visited_on", "direction"), ("place",), ("delegation",), ("topics",), ("notes",))

    visited_on = date_field("Tanggal kunjungan", is_required=True)
    place = text_field(
        "Tempat", Visit.place, is_required=True, description="Mis. Balai Kota Depok."
    )
    direction = enum_field("Arah kunjungan", VisitDirection)
    delegation = TextAreaField(
        "Delegasi",
        validators=[Optional()],
        render_kw={"rows": 2},
        description="Siapa saja yang hadir dari kedua pihak.",
    )
    topics = TextAreaField("Pokok pembahasan", validators=[Optional()], render_kw={"rows": 3})
    notes = notes_field()


class MouForm(MilestoneForm):
    kind = "mou"
    layout = (
        ("document_kind",),
        ("number_own", "number_partner"),
        ("signed_on", "place"),
        ("signatory_own", "signatory_own_office"),
        ("signatory_partner", "signatory_partner_office"),
        ("starts_on", "ends_on"),
        ("notes",),
    )

    document_kind = enum_field("Jenis dokumen", MouKind)
    number_own = text_field("Nomor pihak kita", Mou.number_own)
    number_partner = text_field("Nomor pihak mitra", Mou.number_partner)
    signed_on = date_field("Tanggal penandatanganan", is_required=True)
    place = text_field("Tempat penandatanganan", Mou.place)
    signatory_own = text_field(
        "Pihak Kesatu: nama penanda tangan", Mou.signatory_own, description="Mis. Syauqul Muhibbin."
    )
    signatory_own_office = text_field(
        "Jabatan", Mou.signatory_own_office, description="Mis. Wali Kota Blitar."
    )
    signatory_partner = text_field("Pihak Kedua: nama penanda tangan", Mou.signatory_partner)
    signatory_partner_office = text_field(
        "Jabatan", Mou.signatory_partner_office, description="Mis. Gubernur DKI Jakarta."
    )
    starts_on = date_field("Mulai berlaku")
    ends_on = date_field("Berakhir", description="Paling lama 5 tahun sejak mulai berlaku.")
    notes = notes_field()


def _mou_label(mou) -> str:
    return f"{mou.label} ({format_date(mou.signed_on)})"


def _pks_label(pks) -> str:
    number = f" {pks.number_own}" if pks.number_own else ""
    return f"{pks.title}{number} ({format_date(pks.signed_on)})"


def _mou_select(label: str, blank_text: str, **kwargs) -> QuerySelectField:
    """An optional choice of one of the agreement's KB/MoU (``limit_choices`` fills it)."""
    return QuerySelectField(
        label,
        get_label=_mou_label,
        allow_blank=True,
        blank_text=blank_text,
        validators=[Optional()],
        **kwargs,
    )


def _pks_select(label: str, blank_text: str, **kwargs) -> QuerySelectField:
    """An optional choice of one of the agreement's PKS (``limit_choices`` fills it)."""
    return QuerySelectField(
        label,
        get_label=_pks_label,
        allow_blank=True,
        blank_text=blank_text,
        validators=[Optional()],
        **kwargs,
    )


class PksForm(MilestoneForm):
    kind = "pks"
    layout = (
        ("title",),
        ("mou",),
        ("is_direct",),
        ("direct_reason",),
        ("agencies",),
        ("partner_agency",),
        ("number_own", "number_partner"),
        ("signed_on", "starts_on", "ends_on"),
        ("signatory_own", "signatory_own_office"),
        ("signatory_partner", "signatory_partner_office"),
        ("signed_by_proxy",),
        ("proxy_letter_number", "proxy_letter_on"),
        ("scope",),
        ("notes",),
    )

    title = text_field(
        "Judul PKS",
        Pks.title,
        is_required=True,
        description="Mis. PKS penyediaan telur ayam antara DKPP dan Perumda Pasar Jaya.",
    )
    mou = _mou_select("Kesepakatan Bersama (KB)", "— tanpa KB/MoU (PKS langsung) —")
    is_direct = BooleanField("PKS langsung, tanpa Kesepakatan Bersama")
    direct_reason = text_field(
        "Alasan PKS langsung", Pks.direct_reason, description="Wajib bila PKS langsung."
    )
    agencies = agencies_field("OPD pelaksana")
    partner_agency = text_field(
        "Pelaksana pihak mitra",
        Pks.partner_agency,
        description="Mis. Perumda Pasar Jaya, Dinas KPKP DKI.",
    )
    number_own = text_field("Nomor pihak kita", Pks.number_own)
    number_partner = text_field("Nomor pihak mitra", Pks.number_partner)
    signed_on = date_field("Tanggal penandatanganan", is_required=True)
    starts_on = date_field("Mulai berlaku")
    ends_on = date_field("Berakhir", description="Paling lama 5 tahun sejak mulai berlaku.")
    scope = TextAreaField("Ruang lingkup", validators=[Optional()], render_kw={"rows": 3})
    signatory_own = text_field("Pihak Kesatu: nama penanda tangan", Pks.signatory_own)
    signatory_own_office = text_field(
        "Jabatan", Pks.signatory_own_office, description="Mis. Kepala DKPP Kota Blitar."
    )
    signatory_partner = text_field("Pihak Kedua: nama penanda tangan", Pks.signatory_partner)
    signatory_partner_office = text_field("Jabatan", Pks.signatory_partner_office)
    signed_by_proxy = BooleanField(
        "Ditandatangani Kepala OPD atas kuasa kepala daerah (dengan surat kuasa)"
    )
    proxy_letter_number = text_field(
        "Nomor surat kuasa", Pks.proxy_letter_number, description="Wajib bila dengan surat kuasa."
    )
    proxy_letter_on = date_field("Tanggal surat kuasa")
    notes = notes_field()

    def limit_choices(self, agreement) -> None:
        self.mou.query = list(agreement.mous)


class TransactionForm(MilestoneForm):
    kind = "transaction"
    layout = (
        ("pks",),
        ("transacted_on", "commodity"),
        ("seller", "buyer"),
        ("volume", "unit", "value_rp"),
        ("notes",),
    )

    pks = _pks_select("PKS", "— pilih PKS —")
    transacted_on = date_field("Tanggal transaksi", is_required=True)
    buyer = text_field(
        "Pembeli", Transaction.buyer, is_required=True, description="Mis. Perumda Pasar Jaya."
    )
    seller = text_field(
        "Penjual", Transaction.seller, is_required=True, description="Mis. Gapoktan Kota Blitar."
    )
    commodity = text_field("Komoditas", Transaction.commodity, is_required=True)
    volume = VolumeField("Volume", validators=[Optional()])
    unit = text_field("Satuan", Transaction.unit, description="Mis. kg, ton, butir.")
    value_rp = RupiahField("Nilai (Rp)", validators=[Optional()], description="Mis. 1.250.000.")
    notes = notes_field()

    def limit_choices(self, agreement) -> None:
        self.pks.query = list(agreement.pks_list)


class ActivityForm(MilestoneForm):
    """Realisasi kegiatan: how non-trade cooperation (education, health, e-government, PAD
    digitalisation, capacity building) reaches Pelaksanaan."""

    kind = "activity"
    layout = (
        ("mou", "pks"),
        ("held_on", "place"),
        ("name",),
        ("participants",),
        ("output",),
        ("notes",),
    )

    mou = _mou_select("Berdasarkan Kesepakatan Bersama", "— pilih KB —")
    pks = _pks_select(
        "atau PKS",
        "— tanpa PKS —",
        description="Isi salah satu: KB atau PKS yang dilaksanakan kegiatan ini.",
    )
    held_on = date_field("Tanggal kegiatan", is_required=True)
    place = text_field("Tempat", RealisedActivity.place, description="Mis. Balai Kota Jambi.")
    name = text_field(
        "Kegiatan",
        RealisedActivity.name,
        is_required=True,
        description="Mis. Pelatihan aplikasi pajak daerah digital bagi petugas Bapenda.",
    )
    participants = TextAreaField(
        "Peserta", validators=[Optional()], render_kw={"rows": 2}, description="Siapa saja."
    )
    output = TextAreaField("Hasil (keluaran)", validators=[Optional()], render_kw={"rows": 3})
    notes = notes_field()

    def limit_choices(self, agreement) -> None:
        self.mou.query = list(agreement.mous)
        self.pks.query = list(agreement.pks_list)


# --- the administrative path ------------------------------------------------------------------


class OfferForm(MilestoneForm):
    """Penawaran / usulan: an offer sent or received, its reply, the proposing OPD's plan."""

    kind = "offer"
    layout = (
        ("direction",),
        ("letter_number", "letter_on"),
        ("reply_number", "reply_on"),
        ("proposing_agency",),
        ("plan_summary",),
        ("notes",),
    )

    direction = enum_field("Arah penawaran", OfferDirection)
    letter_number = text_field("Nomor surat penawaran", Offer.letter_number)
    letter_on = date_field("Tanggal surat penawaran", is_required=True)
    reply_number = text_field("Nomor surat jawaban", Offer.reply_number)
    reply_on = date_field("Tanggal surat jawaban", description="Kosongkan bila belum dijawab.")
    proposing_agency = agency_field("OPD pengusul", optional=True)
    plan_summary = TextAreaField(
        "Rencana kerja sama / kajian",
        validators=[Optional()],
        render_kw={"rows": 3},
        description="Ringkasan maksud, tujuan, objek dan manfaat kerja sama yang diusulkan.",
    )
    notes = notes_field()


class TkksdForm(MilestoneForm):
    kind = "tkksd"
    layout = (
        ("held_on", "chaired_by"),
        ("subject",),
        ("recommendation",),
        ("minutes",),
        ("notes",),
    )

    held_on = date_field("Tanggal rapat", is_required=True)
    chaired_by = text_field(
        "Dipimpin oleh",
        TkksdMeeting.chaired_by,
        description="Sekretaris Daerah selaku Ketua TKKSD.",
    )
    subject = text_field(
        "Yang dibahas",
        TkksdMeeting.subject,
        description="Mis. usulan kerja sama, draf Kesepakatan Bersama, draf PKS.",
    )
    recommendation = enum_field("Rekomendasi", TkksdRecommendation)
    minutes = TextAreaField("Ringkasan notulen", validators=[Optional()], render_kw={"rows": 3})
    notes = notes_field()


class LegalReviewForm(MilestoneForm):
    kind = "legal_review"
    layout = (
        ("draft", "reviewed_on"),
        ("result",),
        ("paraf_kabag_on", "paraf_asisten_on", "paraf_sekda_on"),
        ("notes",),
    )

    draft = text_field(
        "Draf yang ditelaah",
        LegalReview.draft,
        is_required=True,
        description="Mis. draf Kesepakatan Bersama dengan Pemprov DKI Jakarta.",
    )
    reviewed_on = date_field("Tanggal telaah Bagian Hukum", is_required=True)
    result = TextAreaField("Hasil telaah", validators=[Optional()], render_kw={"rows": 3})
    paraf_kabag_on = date_field("Paraf Kepala Bagian", description="Tanggal paraf koordinasi.")
    paraf_asisten_on = date_field("Paraf Asisten", description="Sesudah paraf Kepala Bagian.")
    paraf_sekda_on = date_field("Paraf Sekretaris Daerah", description="Sesudah paraf Asisten.")
    notes = notes_field()


class DprdForm(MilestoneForm):
    kind = "dprd"
    layout = (
        ("request_number", "requested_on"),
        ("decision_number", "approved_on"),
        ("notes",),
    )

    request_number = text_field("Nomor surat permohonan", DprdApproval.request_number)
    requested_on = date_field("Tanggal surat permohonan", is_required=True)
    decision_number = text_field(
        "Nomor keputusan/surat persetujuan DPRD", DprdApproval.decision_number
    )
    approved_on = date_field(
        "Tanggal persetujuan DPRD", description="Kosongkan selama DPRD belum menyetujui."
    )
    notes = notes_field()


class DocumentStepForm(MilestoneForm):
    """A step about one KB or PKS of the agreement (a report, an amendment)."""

    mou = _mou_select("Kesepakatan Bersama", "— pilih KB —")
    pks = _pks_select(
        "atau PKS", "— bukan PKS —", description="Pilih salah satu: KB atau PKS yang dimaksud."
    )

    def limit_choices(self, agreement) -> None:
        self.mou.query = list(agreement.mous)
        self.pks.query = list(agreement.pks_list)


class ReportForm(DocumentStepForm):
    """Pelaporan of a signed KB or PKS to the Gubernur or the Menteri Dalam Negeri."""

    kind = "report"
    layout = (("mou", "pks"), ("recipient",), ("letter_number", "sent_on"), ("notes",))

    recipient = text_field(
        "Kepada", SigningReport.recipient, description="Terisi menurut jenis pemerintah daerah."
    )
    letter_number = text_field("Nomor surat laporan", SigningReport.letter_number)
    sent_on = date_field("Tanggal surat laporan", is_required=True)
    notes = notes_field()


class AmendmentForm(DocumentStepForm):
    kind = "amendment"
    layout = (
        ("mou", "pks"),
        ("amendment_kind",),
        ("number", "signed_on"),
        ("new_ends_on",),
        ("termination_reason",),
        ("summary",),
        ("notes",),
    )

    amendment_kind = enum_field("Jenis", AmendmentKind)
    number = text_field("Nomor addendum / surat pemberitahuan pengakhiran", Amendment.number)
    signed_on = date_field(
        "Tanggal", is_required=True, description="Tanggal addendum atau tanggal berakhirnya."
    )
    new_ends_on = date_field(
        "Tanggal berakhir yang baru", description="Hanya untuk addendum yang mengubah masa berlaku."
    )
    termination_reason = optional_enum_field(
        "Alasan pengakhiran", TerminationReason, blank="— bukan pengakhiran —"
    )
    summary = TextAreaField("Pokok perubahan", validators=[Optional()], render_kw={"rows": 3})
    notes = notes_field()


MILESTONE_FORMS: dict[str, type[MilestoneForm]] = {
    "offer": OfferForm,
    "visit": VisitForm,
    "tkksd": TkksdForm,
    "legal_review": LegalReviewForm,
    "dprd": DprdForm,
    "mou": MouForm,
    "pks": PksForm,
    "report": ReportForm,
    "amendment": AmendmentForm,
    "transaction": TransactionForm,
    "activity": ActivityForm,
}


# --- partners, stage, delete, filters ---------------------------------------------------------


class PartnerForm(BaseForm):
    name = text_field("Nama mitra", Partner.name, is_required=True)
    kind = enum_field("Jenis mitra", PartnerKind)
    region_code = text_field(
        "Kode wilayah",
        Partner.region_code,
        description="Untuk Pemda: kode wilayah Kemendagri, mis. 31 atau 32.76.",
    )
    province = text_field("Provinsi", Partner.province)
    contact = text_field(
        "Kontak", Partner.contact, description="Nama, jabatan, telepon atau email narahubung."
    )
    version = version_field()


NO_ACTION = ""  # the empty first option: nothing is chosen for the user


def _action_coerce(value):
    """The chosen ``Action``, or None for the empty first option (refused as required)."""
    if value in (None, NO_ACTION):
        return None
    return value if isinstance(value, Action) else Action(value)


class StageForm(BaseForm):
    """Stall, resume, cancel, complete or reopen an agreement. Nothing is chosen beforehand;
    the first submit shows what will happen (``confirm`` empty), the second, from the
    confirmation page, applies it (``confirm`` = "1")."""

    edits_record = True  # only ever acts on an existing record: its version is required

    action = SelectField(
        "Tindakan",
        choices=[choice(NO_ACTION, "— pilih tindakan —"), *enum_choices(Action)],
        coerce=_action_coerce,
        validators=[DataRequired("Pilih tindakan.")],
        invalid_choice_message="Pilihan tidak sah.",
    )
    reason = text_field(
        "Alasan",
        Agreement.stage_reason,
        description="Wajib untuk menunda, membatalkan, menandai selesai, atau membuka kembali.",
    )
    version = version_field()
    confirm = HiddenField()

    def offer(self, actions: list[Action]) -> None:
        self.action.choices = [
            choice(NO_ACTION, "— pilih tindakan —"),
            *choices((action, action.label) for action in actions),
        ]

    @property
    def is_confirmed(self) -> bool:
        return self.confirm.data == "1"


class DeleteForm(BaseForm):
    edits_record = True  # only ever acts on an existing record: its version is required
    version = version_field()


class ScopeFilterForm(FilterForm):
    """The filters the agreements list and the dashboard share (GET, no CSRF): partner,
    sector, lead agency and year. Choices come from ``fill_choices``; a value that is not
    among them is ignored rather than reported."""

    partner = SelectField("Mitra", choices=[], validate_choice=False)
    sector = SelectField("Sektor", choices=[], validate_choice=False)
    agency = SelectField("OPD pengampu", choices=[], validate_choice=False)
    year = SelectField("Tahun", choices=[], validate_choice=False)

    def chosen(self, name: str) -> str | None:
        """The submitted value of filter ``name`` if it is one of its choices, else None."""
        field = self[name]
        value = field.data
        if not value or value not in {str(choice.value) for choice in field.choices}:
            return None
        return value

    def fill_choices(self, user, *, submitted_only: bool = False) -> None:
        """The shared filters' options for ``user``, each with an "all" option first. With
        ``submitted_only`` (a request that reads the filters but shows no filter row), only
        the filters given a value are filled: enough to check that value, without reading
        the options of the others."""

        def wanted(field) -> bool:
            return not submitted_only or bool(field.data)

        if wanted(self.partner):
            self.partner.choices = choices([("", "Semua mitra"), *queries.partner_choices(user)])
        if wanted(self.sector):
            self.sector.choices = choices([("", "Semua sektor"), *queries.sector_choices()])
        if wanted(self.agency):
            self.agency.choices = choices([("", "Semua OPD"), *queries.agency_choices(user)])
        if wanted(self.year):
            years = [(year, str(year)) for year in queries.year_choices(user)]
            self.year.choices = choices([("", "Semua tahun"), *years])

    def scope(self) -> dict[str, int | str | None]:
        """The shared filters, as the keyword arguments ``queries.AgreementFilters`` and the
        dashboard's ``DashboardFilters`` both take (call ``fill_choices`` first)."""
        return {
            "partner_id": positive_int(self.chosen("partner")),
            "sector": self.chosen("sector"),
            "agency_id": positive_int(self.chosen("agency")),
            "year": positive_int(self.chosen("year")),
        }


STALLED = "mandek"  # the stage filter's option for stalled agreements (lifecycle.dormancy)


class AgreementFilterForm(ScopeFilterForm):
    """The filter row above the list: the shared filters plus a search, the stage and the
    latest monev recommendation."""

    q = StringField("Cari", render_kw={"placeholder": "Judul, mitra, komoditas…"})
    stage = SelectField("Tahap", choices=[], validate_choice=False)
    recommendation = SelectField("Rekomendasi monev terakhir", choices=[], validate_choice=False)

    def fill_choices(self, user, *, submitted_only: bool = False) -> None:
        """Every filter's options for ``user``, each with an "all" option first."""
        super().fill_choices(user, submitted_only=submitted_only)
        self.stage.choices = choices(
            [("", "Semua tahap"), *queries.stage_choices(), (STALLED, "Mandek")]
        )
        self.recommendation.choices = choices([("", "Semua"), *queries.recommendation_choices()])

    def filters(self) -> queries.AgreementFilters:
        """The list's filters, as the list and its exports read them (call ``fill_choices``
        first: a value that is not among the choices is ignored)."""
        stage = self.chosen("stage")
        return queries.AgreementFilters(
            q=(self.q.data or "").strip() or None,
            stage=Stage(stage) if stage and stage != STALLED else None,
            stalled=True if stage == STALLED else None,
            recommendation=self.chosen("recommendation"),
            **self.scope(),
        )


class DashboardFilterForm(ScopeFilterForm):
    """The dashboard's filter row: exactly the shared filters, so a dashboard link such as
    ``/dashboard?agency=3`` narrows the same way the list does. ``reports`` turns ``scope()``
    into its ``DashboardFilters`` (the agreements domain does not import ``reports``)."""


class RegisterFilterForm(FilterForm):
    """The filters of the register (Daftar Kerja Sama); a value that is not a choice is
    ignored."""

    q = StringField("Cari", render_kw={"placeholder": "Judul, nomor, atau pihak"})
    kind = SelectField("Jenis", choices=[], validate_choice=False)
    standing = SelectField("Status", choices=[], validate_choice=False)
    year = SelectField("Tahun ditandatangani", choices=[], validate_choice=False)
    partner = SelectField("Mitra", choices=[], validate_choice=False)

    def fill_choices(self, user, years: list[int]) -> None:
        self.kind.choices = choices([("", "KB dan PKS"), *KINDS.items()])
        self.standing.choices = choices(
            [("", "Semua status"), *((s.value, s.label) for s in Standing)]
        )
        self.year.choices = choices([("", "Semua tahun"), *((y, str(y)) for y in years)])
        self.partner.choices = choices([("", "Semua mitra"), *queries.partner_choices(user)])

    def filters(self) -> RegisterFilters:
        def chosen(field) -> str | None:
            value = field.data
            return value if value and value in {str(c.value) for c in field.choices} else None

        standing = chosen(self.standing)
        return RegisterFilters(
            kind=chosen(self.kind),
            standing=Standing(standing) if standing else None,
            year=positive_int(chosen(self.year)),
            partner_id=positive_int(chosen(self.partner)),
            q=(self.q.data or "").strip()[:100] or None,
        )
