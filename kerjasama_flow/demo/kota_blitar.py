"""Demo data of Kota Blitar: its MoUs of ICE 2025 and its cooperation with DKI Jakarta.

Sources: DDI, Surabaya (9 Mei 2025) for Depok, Samarinda, Bekasi and Palangka Raya;
Realitakini.com (14 Agustus 2025) for DKI Jakarta.
"""

from __future__ import annotations

from datetime import date

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.models import PartnerKind
from kerjasama_flow.demo.specs import (
    DONE,
    ILLUSTRATIVE,
    IN_PROGRESS,
    AgencySpec,
    AgreementSpec,
    GovernmentSpec,
    PartnerSpec,
    TaskSpec,
    UserSpec,
    mou,
    pks,
    task,
    transaction,
)

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
