"""Demo data of Kabupaten Malang (with Kota Batam) and Kota Malang (with Kota Jambi).

Sources: Headline.co.id (16 Juni 2025) and IKNews (5 Desember 2025) for Batam;
gajayanatvnews.com (12 Januari 2026) for Jambi.

The reports tell the visits and the signings. The steps of the administrative path between
them (the offer, the TKKSD meeting, the legal review and its initials, the report to the
Gubernur) are what Permendagri 22/2020 requires of such a signing; the reports do not mention
them, so their dates and letter numbers are examples, and their notes say so.
"""

from __future__ import annotations

from datetime import date

from kerjasama_flow.accounts.models import GovernmentKind, Role
from kerjasama_flow.agreements.models import MouKind, OfferDirection, PartnerKind, VisitDirection
from kerjasama_flow.demo.specs import (
    DEMO_STEP,
    DONE,
    IN_PROGRESS,
    AgencySpec,
    AgreementSpec,
    GovernmentSpec,
    PartnerSpec,
    Signatory,
    UserSpec,
    activity,
    followed,
    legal_review,
    mou,
    offer,
    report,
    task,
    tkksd,
    visit,
)

BATAM = PartnerSpec("Pemerintah Kota Batam", PartnerKind.PEMDA_KOTA, "21.71", "Kepulauan Riau")
TECHNICAL_FOLLOW_UP = "OPD teknis menindaklanjuti detail kerja sama"
BATAM_DRAFT = "Rancangan Kesepakatan Bersama Pemkab Malang – Pemkot Batam"
JAMBI_DRAFT = "Rancangan Kesepakatan Bersama Pemkot Malang – Pemkot Jambi"

KABUPATEN_MALANG = GovernmentSpec(
    region_code="35.07",
    name="Kabupaten Malang",
    kind=GovernmentKind.KABUPATEN,
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
                    ),
                    follow_ups=(
                        followed(
                            "visit.report",
                            DONE,
                            "Laporan hasil kunjungan (pariwisata, investasi, industri, "
                            "e-government Batam, peluang pasokan cabai) disampaikan kepada "
                            "Bupati.",
                            date(2025, 6, 20),
                        ),
                    ),
                ),
                tkksd(
                    date(2025, 10, 22),
                    "Budiar (Sekretaris Daerah Kabupaten Malang)",
                    BATAM_DRAFT,
                    "Ruang lingkup: pasokan susu sapi, ikan nila, cabai, kentang dan telur; "
                    "pariwisata, investasi dan industri; berbagi pengalaman e-government. "
                    "Tidak membebani masyarakat dan tidak memerlukan anggaran baru.",
                ),
                legal_review(
                    date(2025, 11, 5),
                    BATAM_DRAFT,
                    "Sesuai PP 28/2018 dan Permendagri 22/2020; redaksi pasal jangka waktu "
                    "diperbaiki.",
                    (date(2025, 11, 7), date(2025, 11, 12), date(2025, 11, 17)),
                ),
                mou(
                    date(2025, 12, 5),
                    "Kantor Wali Kota Batam",
                    Signatory("Bupati Malang", "M. Sanusi"),
                    Signatory("Wali Kota Batam", "Amsakar Achmad"),
                    numbers=("180/35/35.07.012/2025", "25/KB-PEM/XII/2025"),
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
                    follow_ups=(
                        followed(
                            "mou.socialisation",
                            DONE,
                            "Isi kesepakatan dibahas bersama OPD teknis dalam diskusi teknis "
                            "lintas OPD seusai penandatanganan.",
                            date(2025, 12, 5),
                        ),
                        followed(
                            "mou.draft_pks",
                            IN_PROGRESS,
                            "Draf PKS pasokan komoditas disusun bersama Disnakkeswan, Diskan "
                            "dan Distan.",
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
    kind=GovernmentKind.KOTA,
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
                offer(
                    OfferDirection.INCOMING,
                    date(2025, 11, 24),
                    "000.1.3/2417/Pem/2025",
                    reply_on=date(2025, 12, 3),
                    reply_number="000.1.3/1120/35.73.401/2025",
                    proposing_agency="PEM",
                    plan_summary="Pemkot Jambi mengusulkan kesepakatan bersama penyelenggaraan "
                    "urusan pemerintahan dan belajar digitalisasi pendataan pajak dan "
                    "retribusi daerah dari Kota Malang.",
                    notes=DEMO_STEP,
                    follow_ups=(
                        followed(
                            "offer.reply",
                            DONE,
                            "Surat jawaban dikirim: Pemkot Malang bersedia; rancangan "
                            "kesepakatan bersama dibahas dalam rapat TKKSD.",
                            date(2025, 12, 3),
                        ),
                    ),
                ),
                tkksd(
                    date(2025, 12, 10),
                    "Sekretaris Daerah Kota Malang",
                    JAMBI_DRAFT,
                    "Ruang lingkup: pendidikan, kesehatan, infrastruktur, pelayanan publik dan "
                    "peningkatan PAD (digitalisasi pendataan pajak dan retribusi daerah). "
                    "Penandatanganan diusulkan pada kunjungan kerja Pemkot Jambi.",
                ),
                legal_review(
                    date(2025, 12, 17),
                    JAMBI_DRAFT,
                    "Sesuai PP 28/2018 dan Permendagri 22/2020; tanpa catatan.",
                    (date(2025, 12, 19), date(2025, 12, 23), date(2026, 1, 6)),
                ),
                visit(
                    date(2026, 1, 12),
                    "Ruang Sidang Balai Kota Malang",
                    VisitDirection.INCOMING,
                    "Wali Kota Jambi Maulana beserta rombongan Pemkot Jambi; diterima Wali "
                    "Kota Malang Wahyu Hidayat.",
                    "Peningkatan PAD melalui digitalisasi pendataan pajak dan retribusi "
                    "daerah; pendidikan, kesehatan, infrastruktur, pelayanan publik.",
                    follow_ups=(
                        followed(
                            "visit.report",
                            DONE,
                            "Laporan hasil kunjungan kerja Pemkot Jambi dan penandatanganan "
                            "kesepakatan bersama disampaikan kepada Wali Kota.",
                            date(2026, 1, 14),
                        ),
                    ),
                ),
                mou(
                    date(2026, 1, 12),
                    "Ruang Sidang Balai Kota Malang",
                    Signatory("Wali Kota Malang", "Wahyu Hidayat"),
                    Signatory("Wali Kota Jambi", "Maulana"),
                    numbers=("180/3/35.73.401/2026", "119/2026"),
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
                    follow_ups=(
                        followed(
                            "mou.socialisation",
                            DONE,
                            "Isi kesepakatan disampaikan kepada Bapenda, Disdikbud, Dinkes, "
                            "DPUPRPKP dan Bagian Organisasi.",
                            date(2026, 1, 16),
                        ),
                        followed(
                            "mou.draft_pks",
                            IN_PROGRESS,
                            "Rencana aksi dan draf PKS bidang pendidikan, kesehatan, "
                            "infrastruktur dan pelayanan publik sedang disusun.",
                        ),
                    ),
                ),
                report("mou", date(2026, 1, 19), "180/7/35.73.401/2026"),
                activity(
                    date(2026, 1, 29),
                    "Pendampingan daring digitalisasi pendataan pajak dan retribusi daerah "
                    "bagi Bapenda Kota Jambi",
                    "Daring, dari Bapenda Kota Malang",
                    "Bapenda Kota Malang; Bapenda Kota Jambi",
                    "Alur pendataan pajak daerah secara daring dan aplikasinya dipaparkan; "
                    "Bapenda Kota Jambi menyusun daftar kebutuhan untuk studi tiru.",
                    notes="Kegiatan ini ilustrasi tindak lanjut untuk demo: berita hanya "
                    "menyebut keinginan Pemkot Jambi belajar digitalisasi PAD.",
                ),
            ),
        ),
    ),
)
