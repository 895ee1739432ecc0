"""Demo data of Kota Blitar: its MoUs of ICE 2025 and its cooperation with DKI Jakarta.

Sources: DDI, Surabaya (9 Mei 2025) for Depok, Samarinda, Bekasi and Palangka Raya;
Realitakini.com (14 Agustus 2025) for DKI Jakarta.

The MoU with DKI Jakarta is one between Kota Blitar and the Pemerintah Provinsi DKI Jakarta
only. The BUMD of DKI (Perumda Pasar Jaya, Perumda Dharma Jaya, PT Food Station Tjipinang
Jaya) are the buyers of Blitar's transactions, not parties of the MoU; the report's
"PT Darmajaya" is Perumda Dharma Jaya misspelt. The four MoUs of ICE 2025 have no PKS yet:
they are the demo's stalled ("mandek") cooperation.
"""

from __future__ import annotations

from datetime import date

from kerjasama_flow.accounts.models import GovernmentKind, Role
from kerjasama_flow.agreements.models import PartnerKind
from kerjasama_flow.demo.specs import (
    DONE,
    ILLUSTRATIVE,
    IN_PROGRESS,
    AgencySpec,
    AgreementSpec,
    DocumentSpec,
    GovernmentSpec,
    PartnerSpec,
    Signatory,
    TaskSpec,
    UserSpec,
    followed,
    mou,
    pks,
    report,
    task,
    transaction,
)
from kerjasama_flow.documents.models import DocumentKind

APEKSI_EVENT = "Indonesia City Expo (ICE) 2025 / Munas VII APEKSI, Grand City Surabaya"
APEKSI_PLACE = "Gerai Pamer Kota Blitar, Indonesia City Expo 2025, Grand City Surabaya"
BLITAR_MAYOR = Signatory("Wali Kota Blitar", "Syauqul Muhibbin")
SOURCE_DDI = "Sumber: DDI, Surabaya (9 Mei 2025)."
SOURCE_REALITA = "Sumber: Realitakini.com (14 Agustus 2025)."
DKI_BUYERS = ("Perumda Pasar Jaya", "Perumda Dharma Jaya", "PT Food Station Tjipinang Jaya")
DKI_FOOD_AGENCY = "Dinas Ketahanan Pangan, Kelautan dan Pertanian Provinsi DKI Jakarta"
DKI_MOU_NUMBERS = ("180/15/410.010/2025", "119/2025")

# Bagian Pemerintahan passes every signed MoU on to the technical OPDs within days.
SOCIALISED = "Salinan MoU dan pokok kerja samanya disampaikan kepada DKPP, Disperindag, "


def _btc_agreement(ref: str, city: str, region_code: str, province: str, task_spec: TaskSpec):
    """Kota Blitar's market-access MoUs of ICE 2025: one per partner city, all alike, none
    registered by the partner, reported or followed by a PKS yet."""
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
                Signatory(f"Wali Kota {city}"),
                years=3,
                notes="Ditandatangani bertahap di gerai pamer Kota Blitar selama ICE 2025. "
                "Nama penanda tangan pihak mitra tidak disebut dalam berita.",
                tasks=(task_spec,),
                follow_ups=(
                    followed(
                        "mou.socialisation",
                        DONE,
                        f"{SOCIALISED}Dinas Koperasi dan UMKM serta pengelola BTC.",
                        date(2025, 5, 23),
                    ),
                ),
            ),
        ),
    )


KOTA_BLITAR = GovernmentSpec(
    region_code="35.72",
    name="Kota Blitar",
    kind=GovernmentKind.KOTA,
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
                    Signatory("Wali Kota Depok", "Supian Suri"),
                    numbers=("180/9/410.010/2025", None),
                    notes="MoU pertama yang ditandatangani di ICE 2025. Nomor registrasi "
                    "Pemkot Depok belum diterima.",
                    tasks=(
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
                            "BAPPEDA",
                            "Evaluasi tahunan pelaksanaan MoU ketahanan pangan dengan Kota Depok",
                            date(2027, 4, 30),
                        ),
                    ),
                    follow_ups=(
                        followed(
                            "mou.socialisation",
                            DONE,
                            "Salinan MoU dikirim ke Bagian Pemerintahan Kota Depok serta ke "
                            "DKPP, Disperindag dan Bappeda.",
                            date(2025, 5, 20),
                        ),
                        followed(
                            "mou.draft_pks",
                            IN_PROGRESS,
                            "Draf PKS pasokan pangan dikirim ke Dinas Ketahanan Pangan Kota "
                            "Depok; menunggu tanggapan.",
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
            ),
            lead="DKPP",
            sectors=("pangan", "pertanian", "peternakan", "perikanan", "umkm"),
            commodities="ayam pedaging, telur ayam, hasil pertanian, hasil perikanan, produk UMKM",
            origin_event="Penandatanganan MoU di Balai Kota DKI Jakarta",
            description=(
                "Kerja sama Pemkot Blitar dengan Pemprov DKI Jakarta: distribusi dan pemenuhan "
                "kebutuhan pangan, pertanian, peternakan, perikanan serta produk unggulan UMKM "
                "Kota Blitar ke DKI Jakarta, dilanjutkan PKS antar-OPD (Dinas Ketahanan "
                "Pangan). BUMD DKI (Perumda Pasar Jaya, Perumda Dharma Jaya, PT Food Station "
                "Tjipinang Jaya) bukan pihak MoU: mereka pembeli dalam transaksi dengan "
                "peternak ayam pedaging, ayam petelur dan produsen pangan Kota Blitar. Berita "
                "menulis “PT Darmajaya”; yang dimaksud Perumda Dharma Jaya. Dihadiri Bappeda, "
                "DKPP, Disperindag, Bagian Pemerintahan dan pengelola Blitar Trade Center. "
                f"{SOURCE_REALITA}"
            ),
            milestones=(
                mou(
                    date(2025, 8, 14),
                    "Balai Kota DKI Jakarta",
                    BLITAR_MAYOR,
                    Signatory("Gubernur DKI Jakarta"),
                    numbers=DKI_MOU_NUMBERS,
                    notes="Penanda tangan pihak Pemprov DKI Jakarta tidak disebut dalam "
                    "berita; jabatan diisi menurut ketentuan (kepala daerah).",
                    follow_ups=(
                        followed(
                            "mou.socialisation",
                            DONE,
                            f"{SOCIALISED}Bappeda dan pengelola BTC.",
                            date(2025, 8, 20),
                        ),
                    ),
                    documents=(
                        DocumentSpec(
                            DocumentKind.KB_TEXT,
                            "Naskah MoU Kota Blitar – Pemprov DKI Jakarta (CONTOH – data demo)",
                            "contoh-data-demo-naskah-mou-blitar-dki.pdf",
                            (
                                "Nota Kesepahaman antara Pemerintah Kota Blitar dan "
                                "Pemerintah Provinsi DKI Jakarta tentang distribusi dan "
                                "pemenuhan kebutuhan pangan, pertanian, peternakan, "
                                "perikanan serta produk unggulan UMKM.",
                                "Ditandatangani di Balai Kota DKI Jakarta, 14 Agustus 2025.",
                                f"Nomor Pihak Kesatu: {DKI_MOU_NUMBERS[0]} (nomor contoh).",
                                f"Nomor Pihak Kedua: {DKI_MOU_NUMBERS[1]} (nomor contoh).",
                                "Berkas ini pengganti untuk demo; naskah yang sebenarnya "
                                "tidak tersedia.",
                            ),
                        ),
                    ),
                ),
                pks(
                    "PKS pemenuhan kebutuhan pangan antara DKPP Kota Blitar dan DKPKP Provinsi "
                    "DKI Jakarta",
                    date(2025, 8, 14),
                    ("DKPP",),
                    DKI_FOOD_AGENCY,
                    "Pasokan hasil pertanian, peternakan (ayam pedaging, telur ayam) dan "
                    "perikanan Kota Blitar untuk kebutuhan pangan DKI Jakarta; pembelinya BUMD "
                    "pangan DKI.",
                    own=Signatory("Kepala Dinas Ketahanan Pangan dan Pertanian Kota Blitar"),
                    partner=Signatory(f"Kepala {DKI_FOOD_AGENCY}"),
                    numbers=("180/16/410.010/2025", "121/2025"),
                    proxy=("180/14/410.010/2025", date(2025, 8, 11)),
                    notes="Tanggal diperkirakan: berita hanya menyebut PKS antar-OPD dilakukan "
                    "bersamaan dengan penandatanganan MoU. Surat kuasa Wali Kota kepada Kepala "
                    "DKPP adalah contoh.",
                    tasks=(
                        task(
                            "DKPP",
                            "Menjadwalkan pasokan rutin ayam pedaging dan telur ke BUMD DKI",
                            date(2025, 9, 30),
                            DONE,
                            done_on=date(2025, 9, 26),
                            note="Jadwal pengiriman mingguan disepakati dengan Perumda Pasar "
                            "Jaya dan PT Food Station Tjipinang Jaya; Perumda Dharma Jaya dua "
                            "kali sebulan.",
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
                    follow_ups=(
                        followed(
                            "pks.report",
                            DONE,
                            "Laporan pelaksanaan PKS disampaikan melalui Bagian Pemerintahan: "
                            "pasokan telur dan ayam pedaging ke tiga BUMD DKI berjalan.",
                            date(2025, 10, 31),
                        ),
                    ),
                ),
                transaction(
                    date(2025, 8, 14),
                    DKI_BUYERS[0],
                    "Peternak ayam petelur Kota Blitar",
                    "Telur ayam ras",
                    12_000,
                    "kg",
                    324_000_000,
                    follow_ups=(
                        followed(
                            "transaction.report",
                            DONE,
                            "Transaksi perdana dengan Perumda Pasar Jaya, Perumda Dharma Jaya "
                            "dan PT Food Station Tjipinang Jaya dilaporkan kepada Wali Kota.",
                            date(2025, 8, 22),
                        ),
                        followed(
                            "transaction.monev",
                            DONE,
                            "Monev dijadwalkan tiap semester bersama DKPP; yang pertama "
                            "semester I 2026.",
                            date(2025, 9, 5),
                        ),
                    ),
                ),
                transaction(
                    date(2025, 8, 14),
                    DKI_BUYERS[1],
                    "Peternak ayam pedaging Kota Blitar",
                    "Ayam pedaging (karkas)",
                    8_000,
                    "kg",
                    296_000_000,
                    notes=f"Berita menyebutnya “PT Darmajaya”. {ILLUSTRATIVE}",
                ),
                transaction(
                    date(2025, 8, 14),
                    DKI_BUYERS[2],
                    "Peternak ayam petelur Kota Blitar",
                    "Telur ayam ras",
                    10_000,
                    "kg",
                    265_000_000,
                ),
                report("mou", date(2025, 8, 25), "180/18/410.010/2025"),
                report(
                    "pks",
                    date(2025, 8, 25),
                    "180/18/410.010/2025",
                    notes="Dilaporkan dalam satu surat bersama MoU-nya.",
                ),
                transaction(
                    date(2025, 10, 2),
                    DKI_BUYERS[0],
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
