"""Demo data of Kabupaten Malang (with Kota Batam) and Kota Malang (with Kota Jambi).

Sources: Headline.co.id (16 Juni 2025) and IKNews (5 Desember 2025) for Batam;
gajayanatvnews.com (12 Januari 2026) for Jambi.
"""

from __future__ import annotations

from datetime import date

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.models import MouKind, PartnerKind, VisitDirection
from kerjasama_flow.demo.specs import (
    DONE,
    IN_PROGRESS,
    AgencySpec,
    AgreementSpec,
    GovernmentSpec,
    PartnerSpec,
    UserSpec,
    mou,
    task,
    visit,
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
