"""Demo data: the five seed news reports (``../shared/seeds/``), as they happened.

Three governments of Jawa Timur with their agencies, demo accounts for every role, the
agreements the reports describe (visits, MoU/KB, PKS, transactions) and the follow-up tasks they
imply. Everything is declared as data in ``GOVERNMENTS`` and applied by one loop in
``seed_demo`` through the domain services, so that the lifecycle rules and the activity log
apply exactly as when an officer types it in.

Running it again changes nothing: governments are found by region code, agencies by code,
users by email and agreements by ``external_ref``; an agreement that exists is skipped whole
(its milestones and tasks included). ``seed_demo`` flushes; the caller commits.

Where a report is silent the data says so in its notes: transaction volumes and values are
illustrative, the PKS date of Kota Blitar - DKI Jakarta is an estimate, and signatories whose
names the reports do not give are named by office only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kerjasama_flow.accounts.models import ROLE_LABELS, Agency, Government, Role, User
from kerjasama_flow.accounts.services import (
    agency_by_code,
    create_government,
    government_by_code,
    save_agency,
    save_user,
    user_by_email,
)
from kerjasama_flow.agreements.models import (
    Agreement,
    AgreementKind,
    MouKind,
    PartnerKind,
    VisitDirection,
)
from kerjasama_flow.agreements.services import (
    create_agreement,
    find_or_create_partner,
    record_milestone,
)
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.tasks.services import create_task, set_task_status

DEMO_PASSWORD = "kerjasama2025"
DEMO_TIMEZONE = "Asia/Jakarta"
PROVINCE = "Jawa Timur"
ILLUSTRATIVE = "Angka ilustratif untuk demo: berita tidak menyebut volume dan nilai transaksi."

OPEN = TaskStatus.OPEN
IN_PROGRESS = TaskStatus.IN_PROGRESS
DONE = TaskStatus.DONE


# --- the shape of the declarations ------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    head_name: str | None = None
    # Bagian Pemerintahan / Kerja Sama: receives the playbooks' coordination tasks.
    is_coordinator: bool = False


@dataclass(frozen=True)
class UserSpec:
    email: str
    name: str
    role: Role
    agency: str | None = None  # agency code
    office: str | None = None  # a leader's office, shown in the list of demo accounts


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    kind: PartnerKind
    region_code: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    agency: str  # agency code
    title: str
    due_on: date
    status: TaskStatus = OPEN
    note: str | None = None  # the completion note (done) or progress note (in progress)
    done_on: date | None = None  # when a done task was finished, as the story goes
    description: str | None = None


@dataclass(frozen=True)
class MilestoneSpec:
    kind: str  # visit | mou | pks | transaction
    data: dict[str, Any]
    agencies: tuple[str, ...] = ()  # PKS: the agencies of the own side, by code
    tasks: tuple[TaskSpec, ...] = ()  # follow-up tasks this milestone gave rise to


@dataclass(frozen=True)
class AgreementSpec:
    ref: str  # external_ref: the natural key that makes seeding idempotent
    title: str
    partners: tuple[PartnerSpec, ...]
    lead: str  # agency code
    sectors: tuple[str, ...]
    origin_event: str
    description: str
    milestones: tuple[MilestoneSpec, ...]
    commodities: str | None = None
    kind: AgreementKind = AgreementKind.KSDD


@dataclass(frozen=True)
class GovernmentSpec:
    region_code: str
    name: str
    agencies: tuple[AgencySpec, ...]
    users: tuple[UserSpec, ...]
    agreements: tuple[AgreementSpec, ...]


def _years_after(start: date, years: int) -> date:
    """The last day of a validity of ``years`` years starting on ``start``."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


def visit(
    on: date,
    place: str,
    direction: VisitDirection,
    delegation: str,
    topics: str,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "visited_on": on,
        "place": place,
        "direction": direction,
        "delegation": delegation,
        "topics": topics,
        "notes": notes,
    }
    return MilestoneSpec("visit", data, tasks=tasks)


def mou(
    signed_on: date,
    place: str,
    signatory_own: str,
    signatory_partner: str | None,
    *,
    years: int = 5,
    document_kind: MouKind = MouKind.MOU,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    data = {
        "document_kind": document_kind,
        "signed_on": signed_on,
        "place": place,
        "signatory_own": signatory_own,
        "signatory_partner": signatory_partner,
        "starts_on": signed_on,
        "ends_on": _years_after(signed_on, years),
        "notes": notes,
    }
    return MilestoneSpec("mou", data, tasks=tasks)


def pks(
    title: str,
    signed_on: date,
    agencies: tuple[str, ...],
    partner_agency: str,
    scope: str,
    *,
    years: int = 2,
    notes: str | None = None,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    """A PKS under the agreement's latest MoU/KB."""
    data = {
        "title": title,
        "is_direct": False,
        "partner_agency": partner_agency,
        "signed_on": signed_on,
        "starts_on": signed_on,
        "ends_on": _years_after(signed_on, years),
        "scope": scope,
        "notes": notes,
    }
    return MilestoneSpec("pks", data, agencies=agencies, tasks=tasks)


def transaction(
    on: date,
    buyer: str,
    seller: str,
    commodity: str,
    volume: int,
    unit: str,
    value_rp: int,
    notes: str = ILLUSTRATIVE,
    tasks: tuple[TaskSpec, ...] = (),
) -> MilestoneSpec:
    """A transaction under the agreement's latest PKS."""
    data = {
        "transacted_on": on,
        "buyer": buyer,
        "seller": seller,
        "commodity": commodity,
        "volume": Decimal(volume),
        "unit": unit,
        "value_rp": value_rp,
        "notes": notes,
    }
    return MilestoneSpec("transaction", data, tasks=tasks)


def task(agency: str, title: str, due_on: date, status: TaskStatus = OPEN, **kw) -> TaskSpec:
    return TaskSpec(agency, title, due_on, status, **kw)


# --- the declarations: three governments of Jawa Timur ---------------------------------------

APEKSI_EVENT = "Indonesia City Expo (ICE) 2025 / Munas VII APEKSI, Grand City Surabaya"
APEKSI_PLACE = "Gerai Pamer Kota Blitar, Indonesia City Expo 2025, Grand City Surabaya"
BLITAR_MAYOR = "Syauqul Muhibbin (Wali Kota Blitar)"
SOURCE_DDI = "Sumber: DDI, Surabaya (9 Mei 2025)."
SOURCE_REALITA = "Sumber: Realitakini.com (14 Agustus 2025)."


def _btc_agreement(ref: str, city: str, region_code: str, province: str, task_spec: TaskSpec):
    """Kota Blitar's market-access MoUs of ICE 2025: one per partner city, all alike."""
    return AgreementSpec(
        ref=ref,
        title=f"Akses pasar produk unggulan Blitar melalui Blitar Trade Center – Kota {city}",
        partners=(
            PartnerSpec(f"Pemerintah Kota {city}", PartnerKind.PEMDA_KOTA, region_code, province),
        ),
        lead="DISPERINDAG",
        sectors=("umkm", "pangan"),
        commodities="produk unggulan Blitar, produk UMKM, beras, telur",
        origin_event=APEKSI_EVENT,
        description=(
            f"Perluasan akses pasar produk unggulan Kota Blitar ke Kota {city} dengan Blitar "
            "Trade Center (BTC) sebagai hub perdagangan antarpulau: distribusi produk UMKM dan "
            f"komoditas pangan. {SOURCE_DDI}"
        ),
        milestones=(
            mou(
                date(2025, 5, 9),
                APEKSI_PLACE,
                BLITAR_MAYOR,
                f"Wali Kota {city}",
                years=3,
                notes="Ditandatangani bertahap di gerai pamer Kota Blitar selama ICE 2025. "
                "Nama penanda tangan pihak mitra tidak disebut dalam berita.",
                tasks=(task_spec,),
            ),
        ),
    )


KOTA_BLITAR = GovernmentSpec(
    region_code="35.72",
    name="Kota Blitar",
    agencies=(
        AgencySpec("PEM", "Bagian Pemerintahan", "Freddy Hermawan", is_coordinator=True),
        AgencySpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
        AgencySpec("DKPP", "Dinas Ketahanan Pangan dan Pertanian"),
        AgencySpec("DISPERINDAG", "Dinas Perindustrian dan Perdagangan"),
        AgencySpec("DINKOP", "Dinas Koperasi dan UMKM"),
    ),
    users=(
        UserSpec("admin@blitarkota.demo", "Freddy Hermawan", Role.ADMIN, "PEM"),
        UserSpec("walikota@blitarkota.demo", "Syauqul Muhibbin", Role.PIMPINAN, office="Wali Kota"),
        UserSpec("dkpp@blitarkota.demo", "Kepala DKPP Kota Blitar", Role.OPD, "DKPP"),
        UserSpec(
            "disperindag@blitarkota.demo",
            "Kepala Disperindag Kota Blitar",
            Role.OPD,
            "DISPERINDAG",
        ),
    ),
    agreements=(
        AgreementSpec(
            ref="DEMO-BLITAR-DEPOK-2025",
            title="Ketahanan pangan Kota Blitar – Kota Depok",
            partners=(
                PartnerSpec("Pemerintah Kota Depok", PartnerKind.PEMDA_KOTA, "32.76", "Jawa Barat"),
            ),
            lead="DKPP",
            sectors=("pangan", "pertanian", "peternakan"),
            commodities="beras, telur, buah-buahan",
            origin_event=APEKSI_EVENT,
            description=(
                "Penguatan ketahanan pangan yang menghubungkan Blitar sebagai daerah penghasil "
                "dan Depok sebagai daerah konsumen secara langsung: pasokan beras, telur, "
                f"buah-buahan dan komoditas pertanian lainnya. {SOURCE_DDI}"
            ),
            milestones=(
                mou(
                    date(2025, 5, 9),
                    APEKSI_PLACE,
                    BLITAR_MAYOR,
                    "Supian Suri (Wali Kota Depok)",
                    notes="MoU pertama yang ditandatangani di ICE 2025.",
                    tasks=(
                        task(
                            "PEM",
                            "Menyampaikan salinan MoU kepada Pemkot Depok dan OPD terkait",
                            date(2025, 5, 23),
                            DONE,
                            done_on=date(2025, 5, 20),
                            note="Salinan MoU dikirim ke Bagian Pemerintahan Kota Depok serta "
                            "ke DKPP, Disperindag dan Bappeda.",
                        ),
                        task(
                            "DKPP",
                            "Memetakan kapasitas pasokan beras, telur dan buah-buahan untuk "
                            "Kota Depok",
                            date(2025, 7, 31),
                            DONE,
                            done_on=date(2025, 7, 28),
                            note="Data produksi dan surplus dihimpun dari kelompok tani dan "
                            "peternak; surplus telur ayam cukup untuk pengiriman rutin.",
                        ),
                        task(
                            "DKPP",
                            "Menyusun draf PKS pasokan pangan dengan Dinas Ketahanan Pangan "
                            "Kota Depok",
                            date(2025, 10, 31),
                            IN_PROGRESS,
                            note="Draf dikirim ke Depok; menunggu tanggapan.",
                        ),
                        task(
                            "BAPPEDA",
                            "Evaluasi tahunan pelaksanaan MoU ketahanan pangan dengan Kota Depok",
                            date(2027, 4, 30),
                        ),
                    ),
                ),
            ),
        ),
        _btc_agreement(
            "DEMO-BLITAR-SAMARINDA-2025",
            "Samarinda",
            "64.72",
            "Kalimantan Timur",
            task(
                "DINKOP",
                "Mengkurasi UMKM Blitar yang siap memasok pasar Samarinda",
                date(2025, 9, 30),
                IN_PROGRESS,
                note="Kurasi tahap pertama: makanan olahan dan kerajinan.",
            ),
        ),
        _btc_agreement(
            "DEMO-BLITAR-BEKASI-2025",
            "Bekasi",
            "32.75",
            "Jawa Barat",
            task(
                "DISPERINDAG",
                "Menjajaki temu bisnis UMKM Blitar dengan pelaku usaha Kota Bekasi di Blitar "
                "Trade Center",
                date(2026, 1, 30),
            ),
        ),
        _btc_agreement(
            "DEMO-BLITAR-PALANGKARAYA-2025",
            "Palangka Raya",
            "62.71",
            "Kalimantan Tengah",
            task(
                "DISPERINDAG",
                "Menyusun skema distribusi produk unggulan Blitar ke Palangka Raya melalui "
                "Blitar Trade Center",
                date(2027, 1, 29),
            ),
        ),
        AgreementSpec(
            ref="DEMO-BLITAR-DKI-2025",
            title="Distribusi pangan dan produk UMKM Kota Blitar ke DKI Jakarta",
            partners=(
                PartnerSpec(
                    "Pemerintah Provinsi DKI Jakarta",
                    PartnerKind.PEMDA_PROVINSI,
                    "31",
                    "DKI Jakarta",
                ),
                PartnerSpec("PT Darmajaya", PartnerKind.SWASTA, province="DKI Jakarta"),
                PartnerSpec("Perumda Pasar Jaya", PartnerKind.BUMD, province="DKI Jakarta"),
                PartnerSpec("Food Station", PartnerKind.BUMD, province="DKI Jakarta"),
            ),
            lead="DKPP",
            sectors=("pangan", "pertanian", "peternakan", "perikanan", "umkm"),
            commodities="ayam pedaging, telur ayam, hasil pertanian, hasil perikanan, produk UMKM",
            origin_event="Penandatanganan MoU di Balai Kota DKI Jakarta",
            description=(
                "Distribusi dan pemenuhan kebutuhan pangan, pertanian, peternakan, perikanan "
                "serta produk unggulan UMKM Kota Blitar ke DKI Jakarta, dengan PT Darmajaya "
                "sebagai mitra distribusi dan BUMD pangan DKI sebagai pembeli. Dihadiri "
                "Bappeda, DKPP, Disperindag, Bagian Pemerintahan dan pengelola Blitar Trade "
                f"Center. {SOURCE_REALITA}"
            ),
            milestones=(
                mou(
                    date(2025, 8, 14),
                    "Balai Kota DKI Jakarta",
                    BLITAR_MAYOR,
                    "Gubernur DKI Jakarta",
                    notes="Nama penanda tangan pihak Pemprov DKI Jakarta tidak disebut dalam "
                    "berita.",
                    tasks=(
                        task(
                            "PEM",
                            "Menyusun laporan penandatanganan MoU kepada Wali Kota dan DPRD",
                            date(2025, 8, 29),
                            DONE,
                            done_on=date(2025, 8, 25),
                            note="Laporan dan salinan MoU disampaikan kepada Wali Kota dan "
                            "pimpinan DPRD Kota Blitar.",
                        ),
                    ),
                ),
                pks(
                    "PKS pemenuhan kebutuhan pangan antara DKPP Kota Blitar dan DKPKP Provinsi "
                    "DKI Jakarta",
                    date(2025, 8, 14),
                    ("DKPP",),
                    "Dinas Ketahanan Pangan, Kelautan dan Pertanian Provinsi DKI Jakarta",
                    "Pasokan hasil pertanian, peternakan (ayam pedaging, telur ayam) dan "
                    "perikanan Kota Blitar untuk kebutuhan pangan DKI Jakarta melalui BUMD "
                    "pangan DKI.",
                    notes="Tanggal diperkirakan: berita hanya menyebut PKS antar-OPD dilakukan "
                    "bersamaan dengan penandatanganan MoU.",
                    tasks=(
                        task(
                            "DKPP",
                            "Menjadwalkan pasokan rutin ayam pedaging dan telur ke BUMD DKI",
                            date(2025, 9, 30),
                            DONE,
                            done_on=date(2025, 9, 26),
                            note="Jadwal pengiriman mingguan disepakati dengan Perumda Pasar "
                            "Jaya dan Food Station; Dharma Jaya dua kali sebulan.",
                        ),
                        task(
                            "DISPERINDAG",
                            "Mengkurasi produk UMKM Blitar untuk dipasarkan melalui Perumda "
                            "Pasar Jaya",
                            date(2025, 11, 28),
                            IN_PROGRESS,
                            note="Dua puluh produk sudah dinilai; uji kemasan berjalan.",
                        ),
                    ),
                ),
                transaction(
                    date(2025, 8, 14),
                    "Perumda Pasar Jaya",
                    "Peternak ayam petelur Kota Blitar",
                    "Telur ayam ras",
                    12_000,
                    "kg",
                    324_000_000,
                ),
                transaction(
                    date(2025, 8, 14),
                    "Dharma Jaya",
                    "Peternak ayam pedaging Kota Blitar",
                    "Ayam pedaging (karkas)",
                    8_000,
                    "kg",
                    296_000_000,
                ),
                transaction(
                    date(2025, 8, 14),
                    "Food Station",
                    "Peternak ayam petelur Kota Blitar",
                    "Telur ayam ras",
                    10_000,
                    "kg",
                    265_000_000,
                ),
                transaction(
                    date(2025, 10, 2),
                    "Perumda Pasar Jaya",
                    "Peternak ayam petelur Kota Blitar",
                    "Telur ayam ras",
                    15_000,
                    "kg",
                    399_000_000,
                    notes=f"Pengiriman rutin. {ILLUSTRATIVE}",
                    tasks=(
                        task(
                            "DKPP",
                            "Melaporkan realisasi transaksi triwulan IV 2025",
                            date(2026, 1, 15),
                            DONE,
                            done_on=date(2026, 1, 14),
                            note="Rekap volume dan nilai transaksi dengan ketiga BUMD DKI "
                            "disampaikan ke Bagian Pemerintahan.",
                        ),
                        task(
                            "PEM",
                            "Menyusun laporan monev semester I 2026 kerja sama dengan Pemprov "
                            "DKI Jakarta",
                            date(2026, 7, 31),
                        ),
                        task(
                            "BAPPEDA",
                            "Evaluasi tahunan dan rencana perluasan ke komoditas perikanan",
                            date(2027, 1, 29),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

BATAM = PartnerSpec("Pemerintah Kota Batam", PartnerKind.PEMDA_KOTA, "21.71", "Kepulauan Riau")
TECHNICAL_FOLLOW_UP = "OPD teknis menindaklanjuti detail kerja sama"

KABUPATEN_MALANG = GovernmentSpec(
    region_code="35.07",
    name="Kabupaten Malang",
    agencies=(
        AgencySpec("PEM", "Bagian Pemerintahan", is_coordinator=True),
        AgencySpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
        AgencySpec("DKP", "Dinas Ketahanan Pangan"),
        AgencySpec("DISNAKKESWAN", "Dinas Peternakan dan Kesehatan Hewan"),
        AgencySpec("DISKAN", "Dinas Perikanan"),
        AgencySpec("DISTAN", "Dinas Pertanian"),
        AgencySpec("DISPERINDAG", "Dinas Perindustrian dan Perdagangan"),
        AgencySpec("DISBUDPAR", "Dinas Kebudayaan dan Pariwisata"),
        AgencySpec("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
        AgencySpec("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ),
    users=(
        UserSpec(
            "admin@malangkab.demo", "Admin Bagian Pemerintahan Kab. Malang", Role.ADMIN, "PEM"
        ),
        UserSpec("bupati@malangkab.demo", "M. Sanusi", Role.PIMPINAN, office="Bupati"),
        UserSpec("sekda@malangkab.demo", "Budiar", Role.PIMPINAN, office="Sekda"),
        UserSpec("bappeda@malangkab.demo", "Kepala Bappeda Kab. Malang", Role.OPD, "BAPPEDA"),
        UserSpec(
            "disnakkeswan@malangkab.demo",
            "Kepala Disnakkeswan Kab. Malang",
            Role.OPD,
            "DISNAKKESWAN",
        ),
    ),
    agreements=(
        AgreementSpec(
            ref="DEMO-KABMALANG-BATAM-2025",
            title="Pembangunan daerah dan pasokan komoditas Kabupaten Malang – Kota Batam",
            partners=(BATAM,),
            lead="DKP",
            sectors=(
                "pangan",
                "pertanian",
                "peternakan",
                "perikanan",
                "pariwisata",
                "investasi",
                "industri",
                "egov",
            ),
            commodities="susu sapi, ikan nila, cabai, kentang, telur",
            origin_event="Kunjungan kerja Bupati Malang ke Kota Batam",
            description=(
                "Berawal dari kunjungan kerja ke Batam (pariwisata, investasi, industri, "
                "e-government), berlanjut ke kesepakatan pembangunan daerah yang mencakup "
                "pasokan kebutuhan pokok dari Malang yang agraris ke Batam yang bergantung "
                "pada logistik antarpulau. Sumber: Headline.co.id (16 Juni 2025) dan IKNews "
                "(5 Desember 2025)."
            ),
            milestones=(
                visit(
                    date(2025, 6, 16),
                    "Kantor Wali Kota Batam",
                    VisitDirection.OUTGOING,
                    "Bupati Malang M. Sanusi beserta jajaran Pemkab Malang dan DPRD Kabupaten "
                    "Malang; diterima Wali Kota Batam Amsakar Achmad.",
                    "Pariwisata, investasi dan industri; sistem e-government Kota Batam; "
                    "peluang pasokan cabai dari Malang; kunjungan ke KEK Nongsa Digital Park.",
                    tasks=(
                        task(
                            "BAPPEDA",
                            "Mendalami implementasi sistem e-government Kota Batam",
                            date(2025, 8, 29),
                            DONE,
                            done_on=date(2025, 8, 26),
                            note="Kajian penerapan e-government Batam dipaparkan kepada Bupati; "
                            "rekomendasi: integrasi layanan perizinan dan perencanaan.",
                        ),
                        task(
                            "BAPPEDA",
                            "Menyusun rencana aksi adopsi e-government bersama Diskominfo",
                            date(2025, 12, 31),
                            IN_PROGRESS,
                            note="Draf rencana aksi dibahas dengan Diskominfo.",
                        ),
                        task(
                            "DPMPTSP",
                            "Menyusun catatan hasil kunjungan ke KEK Nongsa Digital Park",
                            date(2025, 7, 31),
                            DONE,
                            done_on=date(2025, 7, 18),
                            note="Catatan tentang pengelolaan kawasan ekonomi digital dan "
                            "insentif investasi disampaikan ke Bappeda.",
                        ),
                        task(
                            "DISTAN",
                            "Menghitung potensi pasokan cabai untuk Kota Batam",
                            date(2025, 8, 29),
                            DONE,
                            done_on=date(2025, 8, 20),
                            note="Perkiraan surplus cabai bulanan per musim tanam disusun "
                            "bersama kelompok tani.",
                        ),
                        task(
                            "PEM",
                            "Menyiapkan draf kesepakatan bersama dengan Pemkot Batam",
                            date(2025, 10, 31),
                            DONE,
                            done_on=date(2025, 10, 30),
                            note="Draf disepakati kedua pihak; penandatanganan dijadwalkan "
                            "5 Desember 2025 di Batam.",
                        ),
                    ),
                ),
                mou(
                    date(2025, 12, 5),
                    "Kantor Wali Kota Batam",
                    "M. Sanusi (Bupati Malang)",
                    "Amsakar Achmad (Wali Kota Batam)",
                    document_kind=MouKind.KB,
                    notes="Didampingi Sekda Kabupaten Malang Budiar dan Sekda Kota Batam "
                    "Firmansyah. Batam juga berbagi pengalaman tata kelola pemerintahan. "
                    "Pertemuan ditutup dengan diskusi teknis lintas OPD.",
                    tasks=(
                        task(
                            "DISNAKKESWAN",
                            f"{TECHNICAL_FOLLOW_UP}: pasokan susu sapi dan telur ke Batam",
                            date(2026, 1, 30),
                            IN_PROGRESS,
                            note="Pendataan koperasi susu dan peternak ayam petelur calon pemasok.",
                        ),
                        task(
                            "DISKAN",
                            f"{TECHNICAL_FOLLOW_UP}: pasokan ikan nila ke Batam",
                            date(2026, 1, 30),
                        ),
                        task(
                            "DISTAN",
                            f"{TECHNICAL_FOLLOW_UP}: pasokan cabai dan kentang ke Batam",
                            date(2026, 1, 30),
                            DONE,
                            done_on=date(2026, 1, 27),
                            note="Daftar kelompok tani cabai dan kentang calon pemasok beserta "
                            "perkiraan volume bulanan dikirim ke Pemkot Batam.",
                        ),
                        task(
                            "DISPERINDAG",
                            "Merumuskan rantai distribusi komoditas Malang–Batam (logistik "
                            "antarpulau)",
                            date(2026, 2, 27),
                            IN_PROGRESS,
                            note="Menjajaki jalur Surabaya–Batam dengan dua perusahaan pelayaran.",
                        ),
                        task(
                            "PEM",
                            "Menyusun draf PKS pasokan komoditas dengan Pemkot Batam",
                            date(2026, 3, 31),
                        ),
                        task(
                            "BAPPEDA",
                            "Merumuskan program penguatan ekonomi daerah bersama Kota Batam",
                            date(2027, 3, 31),
                        ),
                        task(
                            "DISBUDPAR",
                            "Menjajaki promosi pariwisata Kabupaten Malang di Batam",
                            date(2027, 6, 30),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

KOTA_MALANG = GovernmentSpec(
    region_code="35.73",
    name="Kota Malang",
    agencies=(
        AgencySpec("PEM", "Bagian Pemerintahan", is_coordinator=True),
        AgencySpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
        AgencySpec("BAPENDA", "Badan Pendapatan Daerah"),
        AgencySpec("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan"),
        AgencySpec("DINKES", "Dinas Kesehatan"),
        AgencySpec(
            "DPUPRPKP",
            "Dinas Pekerjaan Umum, Penataan Ruang, Perumahan dan Kawasan Permukiman",
        ),
        AgencySpec("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
        AgencySpec("ORGANISASI", "Bagian Organisasi"),
    ),
    users=(
        UserSpec(
            "admin@malangkota.demo", "Admin Bagian Pemerintahan Kota Malang", Role.ADMIN, "PEM"
        ),
        UserSpec("walikota@malangkota.demo", "Wahyu Hidayat", Role.PIMPINAN, office="Wali Kota"),
        UserSpec("bapenda@malangkota.demo", "Kepala Bapenda Kota Malang", Role.OPD, "BAPENDA"),
    ),
    agreements=(
        AgreementSpec(
            ref="DEMO-KOTAMALANG-JAMBI-2026",
            title="Penyelenggaraan urusan pemerintahan Kota Malang – Kota Jambi",
            partners=(
                PartnerSpec("Pemerintah Kota Jambi", PartnerKind.PEMDA_KOTA, "15.71", "Jambi"),
            ),
            lead="PEM",
            sectors=("pad", "egov", "pendidikan", "kesehatan", "infrastruktur", "pelayanan_publik"),
            origin_event="Kunjungan kerja Pemkot Jambi ke Balai Kota Malang",
            description=(
                "Kesepakatan bersama penyelenggaraan urusan pemerintahan: pendidikan, "
                "kesehatan, infrastruktur dan pelayanan publik. Pemkot Jambi ingin belajar "
                "peningkatan PAD melalui digitalisasi pendataan pajak dan retribusi daerah. "
                "Sumber: gajayanatvnews.com (12 Januari 2026)."
            ),
            milestones=(
                visit(
                    date(2026, 1, 12),
                    "Ruang Sidang Balai Kota Malang",
                    VisitDirection.INCOMING,
                    "Wali Kota Jambi Maulana beserta rombongan Pemkot Jambi; diterima Wali "
                    "Kota Malang Wahyu Hidayat.",
                    "Peningkatan PAD melalui digitalisasi pendataan pajak dan retribusi "
                    "daerah; pendidikan, kesehatan, infrastruktur, pelayanan publik.",
                ),
                mou(
                    date(2026, 1, 12),
                    "Ruang Sidang Balai Kota Malang",
                    "Wahyu Hidayat (Wali Kota Malang)",
                    "Maulana (Wali Kota Jambi)",
                    document_kind=MouKind.KB,
                    notes="Ditandatangani pada hari kunjungan kerja Pemkot Jambi.",
                    tasks=(
                        task(
                            "BAPENDA",
                            "Menyiapkan paparan digitalisasi pendataan pajak dan retribusi "
                            "daerah untuk Pemkot Jambi",
                            date(2026, 1, 30),
                            DONE,
                            done_on=date(2026, 1, 28),
                            note="Paparan dan contoh alur pendataan pajak daerah secara "
                            "daring dikirim ke Bapenda Kota Jambi.",
                        ),
                        task(
                            "BAPENDA",
                            "Pendampingan teknis Bapenda Kota Jambi: aplikasi pendataan pajak "
                            "dan retribusi",
                            date(2026, 4, 30),
                            IN_PROGRESS,
                            note="Sesi daring pertama selesai; jadwal studi tiru menunggu "
                            "konfirmasi Jambi.",
                        ),
                        task(
                            "PEM",
                            "Menyusun rencana aksi dan draf PKS bidang pendidikan, kesehatan, "
                            "infrastruktur dan pelayanan publik",
                            date(2026, 3, 31),
                        ),
                        task(
                            "DISDIKBUD",
                            "Mengidentifikasi program pertukaran praktik baik bidang pendidikan",
                            date(2027, 2, 26),
                        ),
                        task(
                            "DINKES",
                            "Mengidentifikasi program kerja sama bidang kesehatan",
                            date(2027, 2, 26),
                        ),
                        task(
                            "ORGANISASI",
                            "Berbagi standar dan inovasi pelayanan publik dengan Pemkot Jambi",
                            date(2027, 2, 26),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

GOVERNMENTS: tuple[GovernmentSpec, ...] = (KOTA_BLITAR, KABUPATEN_MALANG, KOTA_MALANG)


# --- applying the declarations ---------------------------------------------------------------


@dataclass
class SeedSummary:
    """What the demo data holds after seeding, and what this run created."""

    governments: int = 0
    agencies: int = 0
    users: int = 0
    agreements: int = 0
    tasks: int = 0
    new: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        """How many governments, agencies, users, agreements and tasks this run created."""
        return sum(self.new.values())

    def count_new(self, what: str, number: int = 1) -> None:
        self.new[what] = self.new.get(what, 0) + number

    def describe(self) -> str:
        totals = _counts(
            {
                "governments": self.governments,
                "agencies": self.agencies,
                "users": self.users,
                "agreements": self.agreements,
                "tasks": self.tasks,
            }
        )
        if not self.created:
            return f"Data demo: {totals} (baru dibuat: 0; data demo sudah lengkap, tidak diubah)"
        return f"Data demo: {totals} (baru dibuat: {_counts(self.new)})"


_NOUNS = {
    "governments": "Pemda",
    "agencies": "OPD",
    "users": "akun",
    "agreements": "kerja sama",
    "tasks": "tugas",
}


def _counts(numbers: dict[str, int]) -> str:
    return ", ".join(f"{numbers[key]} {noun}" for key, noun in _NOUNS.items() if key in numbers)


def seed_demo() -> SeedSummary:
    """Build the demo data that is missing; flush, never commit (the caller commits)."""
    summary = SeedSummary()
    account_rows: list[tuple[str, str, str]] = []
    for spec in GOVERNMENTS:
        government = _ensure_government(spec, summary)
        agencies = {a.code: _ensure_agency(government, a, summary) for a in spec.agencies}
        users = [_ensure_user(government, agencies, u, summary) for u in spec.users]
        admin = _actor(government, spec)
        heads = {
            u.agency.code: u
            for u in users
            if u.role == Role.OPD and u.agency is not None and u.government_id == government.id
        }
        for agreement_spec in spec.agreements:
            agreement = _find_agreement(government, agreement_spec.ref)
            if agreement is None:
                agreement = _build_agreement(admin, agencies, heads, agreement_spec)
                summary.count_new("agreements")
                summary.count_new("tasks", _task_count(agreement))
            summary.agreements += 1
            summary.tasks += _task_count(agreement)
        for user_spec in spec.users:
            role = ROLE_LABELS[user_spec.role]
            if user_spec.role == Role.OPD:
                role = f"{role} {user_spec.agency}"
            elif user_spec.office:
                role = f"{role} ({user_spec.office})"
            account_rows.append((user_spec.email, role, government.name))
    width = max(len(email) for email, _, _ in account_rows)
    summary.accounts = [
        f"{email:<{width}}  · {role} · {name}" for email, role, name in account_rows
    ]
    return summary


def _ensure_government(spec: GovernmentSpec, summary: SeedSummary) -> Government:
    government = government_by_code(spec.region_code)
    if government is None:
        government = create_government(
            spec.region_code, spec.name, DEMO_TIMEZONE, province=PROVINCE
        )
        summary.count_new("governments")
    summary.governments += 1
    return government


def _ensure_agency(government: Government, spec: AgencySpec, summary: SeedSummary) -> Agency:
    agency = agency_by_code(government, spec.code)
    if agency is None:
        data = {
            "code": spec.code,
            "name": spec.name,
            "head_name": spec.head_name,
            "is_coordinator": spec.is_coordinator,
        }
        agency = save_agency(None, government, None, data)
        summary.count_new("agencies")
    elif spec.is_coordinator and not _has_coordinator(government):
        # Demo data seeded before agencies could be marked: mark it, unless an admin chose.
        data = {
            "code": agency.code,
            "name": agency.name,
            "head_name": agency.head_name,
            "email": agency.email,
            "phone": agency.phone,
            "is_coordinator": True,
        }
        save_agency(None, government, agency, data)
    summary.agencies += 1
    return agency


def _has_coordinator(government: Government) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Agency.id)).where(
                Agency.government_id == government.id, Agency.is_coordinator.is_(True)
            )
        )
    )


def _ensure_user(
    government: Government, agencies: dict[str, Agency], spec: UserSpec, summary: SeedSummary
) -> User:
    user = user_by_email(spec.email)
    if user is None:
        data = {
            "email": spec.email,
            "name": spec.name,
            "role": spec.role,
            "agency": agencies[spec.agency] if spec.agency else None,
            "password": DEMO_PASSWORD,
            "is_active": True,
        }
        user = save_user(None, government, None, data)
        summary.count_new("users")
    summary.users += 1
    return user


def _actor(government: Government, spec: GovernmentSpec) -> User:
    """The government's demo admin, in whose name the agreements and tasks are recorded."""
    email = next(u.email for u in spec.users if u.role == Role.ADMIN)
    admin = user_by_email(email)
    if admin is None or admin.government_id != government.id or admin.role != Role.ADMIN:
        raise DomainError(
            f"Akun demo {email} sudah dipakai untuk keperluan lain; data demo "
            f"{government.name} tidak dapat dibuat."
        )
    return admin


def _task_count(agreement: Agreement) -> int:
    return db.session.scalar(select(func.count(Task.id)).where(Task.agreement_id == agreement.id))


def _find_agreement(government: Government, ref: str) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).where(
            Agreement.government_id == government.id, Agreement.external_ref == ref
        )
    )


def _build_agreement(
    admin: User,
    agencies: dict[str, Agency],
    heads: dict[str, User],
    spec: AgreementSpec,
) -> Agreement:
    partners = [
        find_or_create_partner(admin, p.name, p.kind, p.region_code, p.province)
        for p in spec.partners
    ]
    agreement = create_agreement(
        admin,
        {
            "title": spec.title,
            "kind": spec.kind,
            "partners": partners,
            "lead_agency": agencies[spec.lead],
            "sectors": list(spec.sectors),
            "commodities": spec.commodities,
            "origin_event": spec.origin_event,
            "description": spec.description,
            "external_ref": spec.ref,
        },
    )
    latest: dict[str, Any] = {}
    for milestone_spec in spec.milestones:
        data = dict(milestone_spec.data)
        if milestone_spec.kind == "pks":
            data["mou"] = latest["mou"]
            data["agencies"] = [agencies[code] for code in milestone_spec.agencies]
        elif milestone_spec.kind == "transaction":
            data["pks"] = latest["pks"]
        milestone = record_milestone(admin, agreement, milestone_spec.kind, data)
        latest[milestone_spec.kind] = milestone
        for task_spec in milestone_spec.tasks:
            _build_task(admin, agreement, milestone, agencies, heads, task_spec)
    return agreement


def _build_task(
    admin: User,
    agreement: Agreement,
    milestone: Any,
    agencies: dict[str, Agency],
    heads: dict[str, User],
    spec: TaskSpec,
) -> Task:
    head = heads.get(spec.agency)
    new_task = create_task(
        admin,
        agreement,
        {
            "title": spec.title,
            "description": spec.description,
            "agency": agencies[spec.agency],
            "assignee": head,
            "due_on": spec.due_on,
            "milestone_kind": milestone.kind,
            "milestone_id": milestone.id,
        },
    )
    if spec.status != OPEN:
        # The agency's head reports progress on their own task where the demo has one.
        set_task_status(head or admin, new_task, spec.status, spec.note, None)
    if spec.status == DONE and spec.done_on:
        # Finished when the story says, not when the demo was loaded.
        finished = datetime.combine(spec.done_on, time(15, 0), ZoneInfo(DEMO_TIMEZONE))
        new_task.done_at = finished
        db.session.flush()
    return new_task
