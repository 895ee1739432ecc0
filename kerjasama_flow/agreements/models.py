"""Partner, Agreement and its milestones: Visit, Mou (KB/MoU), Pks and Transaction."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    exists,
    or_,
    select,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, object_session, relationship

from kerjasama_flow.accounts.models import Agency, Government, User
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    # A task belongs to an agreement (tasks imports this module); the agreement refers to its
    # tasks by name.
    from kerjasama_flow.tasks.models import Task


class AgreementKind(enum.StrEnum):
    KSDD = "ksdd"
    KSDPK = "ksdpk"

    @property
    def label(self) -> str:
        return {
            "ksdd": "KSDD (dengan daerah lain)",
            "ksdpk": "KSDPK (dengan pihak ketiga)",
        }[self.value]


class PartnerKind(enum.StrEnum):
    PEMDA_PROVINSI = "pemda_provinsi"
    PEMDA_KABUPATEN = "pemda_kabupaten"
    PEMDA_KOTA = "pemda_kota"
    BUMD = "bumd"
    BUMN = "bumn"
    SWASTA = "swasta"
    PERGURUAN_TINGGI = "perguruan_tinggi"
    LAINNYA = "lainnya"

    @property
    def label(self) -> str:
        return PARTNER_KIND_LABELS[self]


PARTNER_KIND_LABELS = {
    PartnerKind.PEMDA_PROVINSI: "Pemerintah Provinsi",
    PartnerKind.PEMDA_KABUPATEN: "Pemerintah Kabupaten",
    PartnerKind.PEMDA_KOTA: "Pemerintah Kota",
    PartnerKind.BUMD: "BUMD",
    PartnerKind.BUMN: "BUMN",
    PartnerKind.SWASTA: "Swasta",
    PartnerKind.PERGURUAN_TINGGI: "Perguruan Tinggi",
    PartnerKind.LAINNYA: "Lainnya",
}

# Sector codes stored on agreements, with their labels. Order is the order shown in forms.
SECTORS = {
    "pangan": "Ketahanan pangan",
    "pertanian": "Pertanian",
    "peternakan": "Peternakan",
    "perikanan": "Perikanan",
    "umkm": "UMKM dan perdagangan",
    "industri": "Industri",
    "pariwisata": "Pariwisata",
    "investasi": "Investasi",
    "egov": "E-government",
    "pad": "Pendapatan asli daerah (PAD)",
    "pendidikan": "Pendidikan",
    "kesehatan": "Kesehatan",
    "infrastruktur": "Infrastruktur",
    "pelayanan_publik": "Pelayanan publik",
    "lainnya": "Lainnya",
}


class VisitDirection(enum.StrEnum):
    OUTGOING = "keluar"
    INCOMING = "masuk"

    @property
    def label(self) -> str:
        return {"keluar": "Kunjungan ke mitra", "masuk": "Menerima kunjungan mitra"}[self.value]


class MouKind(enum.StrEnum):
    KB = "kb"
    MOU = "mou"

    @property
    def label(self) -> str:
        return {"kb": "Kesepakatan Bersama", "mou": "Nota Kesepahaman (MoU)"}[self.value]


class OfferDirection(enum.StrEnum):
    OUTGOING = "keluar"
    INCOMING = "masuk"

    @property
    def label(self) -> str:
        return {"keluar": "Kita menawarkan kepada mitra", "masuk": "Mitra menawarkan kepada kita"}[
            self.value
        ]


class TkksdRecommendation(enum.StrEnum):
    """What the TKKSD recommends after discussing a proposal or a draft."""

    PROCEED = "lanjut"
    REVISE = "perbaiki"
    REJECT = "tolak"

    @property
    def label(self) -> str:
        return {"lanjut": "Lanjut", "perbaiki": "Perbaiki", "tolak": "Tolak"}[self.value]


class DprdBasis(enum.StrEnum):
    """Why a cooperation needs the DPRD's approval (PP 28/2018)."""

    BURDENS_PUBLIC = "membebani_masyarakat"
    NOT_BUDGETED = "belum_dianggarkan"
    BOTH = "keduanya"

    @property
    def label(self) -> str:
        return {
            "membebani_masyarakat": "Membebani masyarakat",
            "belum_dianggarkan": "Belum dianggarkan dalam APBD tahun berjalan",
            "keduanya": "Membebani masyarakat dan belum dianggarkan dalam APBD",
        }[self.value]


class AmendmentKind(enum.StrEnum):
    ADDENDUM = "addendum"
    TERMINATION = "pengakhiran"

    @property
    def label(self) -> str:
        return {"addendum": "Addendum", "pengakhiran": "Pengakhiran"}[self.value]


class TerminationReason(enum.StrEnum):
    """The grounds on which a KB or PKS is ended before its end date."""

    ACHIEVED = "tujuan_tercapai"
    DEFAULT = "wanprestasi"
    FORCE_MAJEURE = "keadaan_kahar"
    MUTUAL = "kesepakatan_para_pihak"

    @property
    def label(self) -> str:
        return {
            "tujuan_tercapai": "Tujuan kerja sama telah tercapai",
            "wanprestasi": "Salah satu pihak wanprestasi",
            "keadaan_kahar": "Keadaan kahar (force majeure)",
            "kesepakatan_para_pihak": "Kesepakatan para pihak",
        }[self.value]


class Partner(Base):
    __tablename__ = "partner"
    __table_args__ = (UniqueConstraint("government_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(str_enum(PartnerKind, "partner_kind"))
    region_code: Mapped[str | None] = mapped_column(String(13))
    province: Mapped[str | None] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Partner {self.name}>"


agreement_partner = Table(
    "agreement_partner",
    Base.metadata,
    Column("agreement_id", ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partner.id"), primary_key=True, index=True),
)

pks_agency = Table(
    "pks_agency",
    Base.metadata,
    Column("pks_id", ForeignKey("pks.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True, index=True),
)


class AgreementSector(Base):
    __tablename__ = "agreement_sector"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)

    def __init__(self, sector: str):
        self.sector = sector


class Agreement(Base):
    __tablename__ = "agreement"
    __table_args__ = (
        UniqueConstraint("government_id", "external_ref"),
        Index("ix_agreement_government_stage", "government_id", "stage"),
        Index("ix_agreement_government_year", "government_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("government.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[AgreementKind] = mapped_column(str_enum(AgreementKind, "agreement_kind"))
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    origin_event: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    commodities: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[Stage] = mapped_column(str_enum(Stage, "stage"), default=Stage.PENJAJAKAN)
    stage_reason: Mapped[str | None] = mapped_column(String(500))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    # The agenda of a planned working visit (a visit is recorded once it took place).
    visit_planned_on: Mapped[date | None] = mapped_column(Date)
    # Persetujuan DPRD: needed when the cooperation burdens the public or is not budgeted in
    # the current APBD; then no PKS may be signed before the DPRD approved (``lifecycle``).
    needs_dprd: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    dprd_basis: Mapped[DprdBasis | None] = mapped_column(str_enum(DprdBasis, "dprd_basis"))
    # The year it is filed under (``services.filing_year``), kept by the milestone services.
    year: Mapped[int] = mapped_column(default=lambda: utcnow().year)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    government: Mapped[Government] = relationship()
    lead_agency: Mapped[Agency | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    partners: Mapped[list[Partner]] = relationship(
        secondary=agreement_partner, order_by=Partner.name
    )
    sector_rows: Mapped[list[AgreementSector]] = relationship(
        cascade="all, delete-orphan", order_by=AgreementSector.sector
    )
    sectors: AssociationProxy[list[str]] = association_proxy("sector_rows", "sector")

    visits: Mapped[list[Visit]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Visit.visited_on"
    )
    mous: Mapped[list[Mou]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Mou.signed_on"
    )
    pks_list: Mapped[list[Pks]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Pks.signed_on"
    )
    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="Transaction.transacted_on",
    )
    activities: Mapped[list[RealisedActivity]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="RealisedActivity.held_on",
    )
    offers: Mapped[list[Offer]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Offer.letter_on"
    )
    tkksd_meetings: Mapped[list[TkksdMeeting]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="TkksdMeeting.held_on"
    )
    legal_reviews: Mapped[list[LegalReview]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="LegalReview.reviewed_on",
    )
    dprd_approvals: Mapped[list[DprdApproval]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="DprdApproval.requested_on",
    )
    reports: Mapped[list[SigningReport]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="SigningReport.sent_on"
    )
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Amendment.signed_on"
    )
    # For conditions such as ``involves_agency``; the pages read an agreement's tasks through
    # ``queries`` (ordered, with their agencies). ``Task.agreement`` is the writable side.
    tasks: Mapped[list[Task]] = relationship("Task", viewonly=True)

    @hybrid_method
    def involves_agency(self, agency_id: int) -> bool:
        """The agency leads this agreement, carries out one of its PKS (OPD pelaksana) or has
        a task in it: what an OPD head may read
        (``permissions.can_read_agreement``). One query on a loaded agreement; on the class,
        the same condition in SQL (``queries.visible_to``)."""
        session = object_session(self)
        if session is None:  # not saved yet: nothing to ask the database
            return self.lead_agency_id == agency_id
        return bool(
            session.scalar(
                select(
                    exists().where(Agreement.id == self.id, Agreement.involves_agency(agency_id))
                )
            )
        )

    @involves_agency.expression
    @classmethod
    def involves_agency(cls, agency_id: int):
        return or_(
            cls.lead_agency_id == agency_id,
            cls.tasks.any(agency_id=agency_id),
            cls.pks_list.any(Pks.agencies.any(Agency.id == agency_id)),
        )

    @property
    def sector_labels(self) -> list[str]:
        return [SECTORS.get(code, code) for code in self.sectors]

    @property
    def partner_names(self) -> str:
        return ", ".join(p.name for p in self.partners)

    def __repr__(self) -> str:
        return f"<Agreement {self.id} {self.title!r}>"


class MilestoneMixin:
    """Columns every milestone has: its agreement, notes, timestamps and an edit version."""

    kind: ClassVar[str]  # the step's key: "visit", "mou", ...
    date_field: ClassVar[str]  # the column of the day it happened: "visited_on", ...

    id: Mapped[int] = mapped_column(primary_key=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @property
    def occurred_on(self) -> date:
        """The day the step happened (a visit's, a signing's, a transaction's...)."""
        return getattr(self, self.date_field)

    @declared_attr
    def agreement_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


class Visit(MilestoneMixin, Base):
    """Kunjungan kerja / penjajakan."""

    __tablename__ = "visit"
    kind = "visit"
    date_field = "visited_on"

    visited_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    direction: Mapped[VisitDirection] = mapped_column(str_enum(VisitDirection, "visit_direction"))
    delegation: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="visits")


class Mou(MilestoneMixin, Base):
    """Kesepakatan Bersama / Nota Kesepahaman, signed by the heads of region."""

    __tablename__ = "mou"
    kind = "mou"
    date_field = "signed_on"

    document_kind: Mapped[MouKind] = mapped_column(str_enum(MouKind, "mou_kind"))
    number_own: Mapped[str | None] = mapped_column(String(120))
    number_partner: Mapped[str | None] = mapped_column(String(120))
    signed_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    signatory_own: Mapped[str | None] = mapped_column(String(200))
    signatory_own_office: Mapped[str | None] = mapped_column(String(200))
    signatory_partner: Mapped[str | None] = mapped_column(String(200))
    signatory_partner_office: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)  # ending soon

    agreement: Mapped[Agreement] = relationship(back_populates="mous")

    @property
    def label(self) -> str:
        number = f" {self.number_own}" if self.number_own else ""
        return f"{self.document_kind.label}{number}"


class Pks(MilestoneMixin, Base):
    """Perjanjian Kerja Sama between the agencies that carry the cooperation out."""

    __tablename__ = "pks"
    __table_args__ = (
        CheckConstraint("mou_id IS NOT NULL OR is_direct", name="needs_mou_or_direct"),
    )
    kind = "pks"
    date_field = "signed_on"

    title: Mapped[str] = mapped_column(String(300))
    mou_id: Mapped[int | None] = mapped_column(ForeignKey("mou.id"), index=True)
    is_direct: Mapped[bool] = mapped_column(Boolean, default=False)
    direct_reason: Mapped[str | None] = mapped_column(String(500))
    partner_agency: Mapped[str | None] = mapped_column(String(200))
    number_own: Mapped[str | None] = mapped_column(String(120))
    number_partner: Mapped[str | None] = mapped_column(String(120))
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)  # ending soon
    scope: Mapped[str | None] = mapped_column(Text)
    signatory_own: Mapped[str | None] = mapped_column(String(200))
    signatory_own_office: Mapped[str | None] = mapped_column(String(200))
    signatory_partner: Mapped[str | None] = mapped_column(String(200))
    signatory_partner_office: Mapped[str | None] = mapped_column(String(200))
    # An OPD head signs a PKS on the head of region's behalf with a surat kuasa.
    signed_by_proxy: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    proxy_letter_number: Mapped[str | None] = mapped_column(String(120))
    proxy_letter_on: Mapped[date | None] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship(back_populates="pks_list")
    mou: Mapped[Mou | None] = relationship()
    agencies: Mapped[list[Agency]] = relationship(secondary=pks_agency, order_by=Agency.name)


class Transaction(MilestoneMixin, Base):
    """A transaction realised under a PKS (first and later ones)."""

    __tablename__ = "agreement_transaction"
    __table_args__ = (CheckConstraint("value_rp >= 0", name="value_not_negative"),)
    kind = "transaction"
    date_field = "transacted_on"

    pks_id: Mapped[int] = mapped_column(ForeignKey("pks.id"), index=True)
    transacted_on: Mapped[date] = mapped_column(Date)
    buyer: Mapped[str] = mapped_column(String(200))
    seller: Mapped[str] = mapped_column(String(200))
    commodity: Mapped[str] = mapped_column(String(200))
    volume: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    unit: Mapped[str | None] = mapped_column(String(30))
    value_rp: Mapped[int] = mapped_column(BigInteger, default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="transactions")
    pks: Mapped[Pks] = relationship()


class RealisedActivity(MilestoneMixin, Base):
    """Realisasi kegiatan: a realised non-trade activity (a training, an exchange, an
    e-government roll-out) under a KB or a PKS; it brings the agreement to Pelaksanaan as a
    transaction does for trade."""

    __tablename__ = "realised_activity"
    kind = "activity"
    date_field = "held_on"

    held_on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(300))
    place: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    mou_id: Mapped[int | None] = mapped_column(ForeignKey("mou.id"), index=True)
    pks_id: Mapped[int | None] = mapped_column(ForeignKey("pks.id"), index=True)

    agreement: Mapped[Agreement] = relationship(back_populates="activities")
    mou: Mapped[Mou | None] = relationship()
    pks: Mapped[Pks | None] = relationship()


# --- the administrative path (Permendagri 22/2020) --------------------------------------------


class Offer(MilestoneMixin, Base):
    """Penawaran / usulan: the offer letter sent or received, the reply, and the proposing
    OPD's rencana kerja sama or kajian. An incoming offer can be recorded before any visit."""

    __tablename__ = "offer"
    kind = "offer"
    date_field = "letter_on"

    direction: Mapped[OfferDirection] = mapped_column(str_enum(OfferDirection, "offer_direction"))
    letter_on: Mapped[date] = mapped_column(Date)
    letter_number: Mapped[str | None] = mapped_column(String(120))
    reply_on: Mapped[date | None] = mapped_column(Date)
    reply_number: Mapped[str | None] = mapped_column(String(120))
    proposing_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    plan_summary: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="offers")
    proposing_agency: Mapped[Agency | None] = relationship()


class TkksdMeeting(MilestoneMixin, Base):
    """Pembahasan TKKSD: the Tim Koordinasi Kerja Sama Daerah, chaired by the Sekda,
    discusses a proposal or a draft and recommends to go on, to revise or to refuse."""

    __tablename__ = "tkksd_meeting"
    kind = "tkksd"
    date_field = "held_on"

    held_on: Mapped[date] = mapped_column(Date)
    chaired_by: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(300))
    recommendation: Mapped[TkksdRecommendation] = mapped_column(
        str_enum(TkksdRecommendation, "tkksd_recommendation")
    )
    minutes: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="tkksd_meetings")


class LegalReview(MilestoneMixin, Base):
    """Telaah hukum: Bagian Hukum reviews a draft; then the paraf koordinasi chain (Kabag,
    Asisten, Sekda), each initial with its date."""

    __tablename__ = "legal_review"
    kind = "legal_review"
    date_field = "reviewed_on"

    reviewed_on: Mapped[date] = mapped_column(Date)
    draft: Mapped[str] = mapped_column(String(300))
    result: Mapped[str | None] = mapped_column(Text)
    paraf_kabag_on: Mapped[date | None] = mapped_column(Date)
    paraf_asisten_on: Mapped[date | None] = mapped_column(Date)
    paraf_sekda_on: Mapped[date | None] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship(back_populates="legal_reviews")

    @property
    def is_initialled(self) -> bool:
        """Every initial of the chain is given."""
        return None not in (self.paraf_kabag_on, self.paraf_asisten_on, self.paraf_sekda_on)


class DprdApproval(MilestoneMixin, Base):
    """Persetujuan DPRD: the request letter, then the DPRD's approval (its decision)."""

    __tablename__ = "dprd_approval"
    kind = "dprd"
    date_field = "requested_on"

    requested_on: Mapped[date] = mapped_column(Date)
    request_number: Mapped[str | None] = mapped_column(String(120))
    approved_on: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(120))

    agreement: Mapped[Agreement] = relationship(back_populates="dprd_approvals")


class DocumentStepMixin:
    """A step about one signed KB or PKS of the agreement (a report, an addendum)."""

    @declared_attr
    def mou_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("mou.id"), index=True)

    @declared_attr
    def pks_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("pks.id"), index=True)

    @declared_attr
    def mou(cls) -> Mapped[Mou | None]:
        return relationship(Mou)

    @declared_attr
    def pks(cls) -> Mapped[Pks | None]:
        return relationship(Pks)

    @property
    def subject(self) -> Mou | Pks | None:
        """The KB or PKS this step is about."""
        return self.pks if self.pks_id is not None else self.mou


class SigningReport(DocumentStepMixin, MilestoneMixin, Base):
    """Pelaporan: the report of a signed KB or PKS to the Gubernur (a kabupaten/kota) or to
    the Menteri Dalam Negeri (a province), with the report letter's number and date."""

    __tablename__ = "signing_report"
    kind = "report"
    date_field = "sent_on"

    sent_on: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(200))
    letter_number: Mapped[str | None] = mapped_column(String(120))

    agreement: Mapped[Agreement] = relationship(back_populates="reports")


class Amendment(DocumentStepMixin, MilestoneMixin, Base):
    """An addendum (a change, an extension) or the pengakhiran of a single KB or PKS before its
    end date. Either sets its document's end date (``new_ends_on``, or the termination's day);
    ``previous_ends_on`` keeps the one it replaced, so that removing it restores it."""

    __tablename__ = "amendment"
    kind = "amendment"
    date_field = "signed_on"

    amendment_kind: Mapped[AmendmentKind] = mapped_column(str_enum(AmendmentKind, "amendment_kind"))
    signed_on: Mapped[date] = mapped_column(Date)
    number: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str | None] = mapped_column(Text)
    new_ends_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[TerminationReason | None] = mapped_column(
        str_enum(TerminationReason, "termination_reason")
    )
    previous_ends_on: Mapped[date | None] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship(back_populates="amendments")

    @property
    def is_termination(self) -> bool:
        return self.amendment_kind == AmendmentKind.TERMINATION


MILESTONE_MODELS: dict[str, type[MilestoneMixin]] = {
    model.kind: model
    for model in (
        Offer,
        Visit,
        TkksdMeeting,
        LegalReview,
        DprdApproval,
        Mou,
        Pks,
        SigningReport,
        Transaction,
        RealisedActivity,
        Amendment,
    )
}
MILESTONE_LABELS = {
    "offer": "Penawaran kerja sama",
    "visit": "Kunjungan kerja",
    "tkksd": "Pembahasan TKKSD",
    "legal_review": "Telaah hukum",
    "dprd": "Persetujuan DPRD",
    "mou": "Kesepakatan Bersama (KB)",
    "pks": "Perjanjian Kerja Sama (PKS)",
    "report": "Pelaporan",
    "transaction": "Transaksi",
    "activity": "Realisasi kegiatan",
    "amendment": "Addendum / pengakhiran",
}
# The steps of the administrative path: recorded as milestones, they never move the stage.
PROCESS_KINDS = ("offer", "tkksd", "legal_review", "dprd", "report", "amendment")
