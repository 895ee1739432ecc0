"""The playbooks that ship with the app, as data.

Each government gets its own copy of these templates (``services.install_defaults``), which its
admins may then edit or switch off; ``key`` is what ties a copy to its default, so that
installing again ("Pulihkan bawaan") only adds the ones that are missing. Keys are stable:
never rename one, add a new key instead (migration 0007 gave the installed copies their
``completed_by`` by key). ``docs/playbooks.md`` documents this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from kerjasama_flow.playbooks.models import AssigneeKind, Trigger

COORDINATOR = AssigneeKind.COORDINATOR
LEAD_AGENCY = AssigneeKind.LEAD_AGENCY


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    trigger: Trigger
    title: str
    description: str
    assignee_kind: AssigneeKind
    due_in_working_days: int
    position: int
    # The milestone kind whose recording completes the task; None: people close it.
    completed_by: str | None = None


# A title may name the recipient of the signing report, ``{penerima_laporan}``: each
# government's copy says it (``services.install_defaults``), e.g. "Gubernur Jawa Timur".
DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    # --- after an offer (penawaran/usulan) ---
    DefaultTemplate(
        key="offer.reply",
        trigger=Trigger.OFFER,
        title="Jawab surat penawaran kerja sama",
        description=(
            "Sampaikan surat jawaban atas penawaran kerja sama: bersedia menjajaki, meminta "
            "rencana kerja sama atau kajian, atau menolak dengan alasannya."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=10,
        position=10,
    ),
    DefaultTemplate(
        key="offer.tkksd",
        trigger=Trigger.OFFER,
        title="Bahas usulan kerja sama dalam rapat TKKSD",
        description=(
            "Agendakan pembahasan usulan dan rencana kerja sama atau kajiannya dalam rapat Tim "
            "Koordinasi Kerja Sama Daerah yang dipimpin Sekretaris Daerah; catat notulen dan "
            "rekomendasinya."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=20,
        position=20,
        completed_by="tkksd",
    ),
    # --- after the TKKSD discussed it ---
    DefaultTemplate(
        key="tkksd.legal_review",
        trigger=Trigger.TKKSD,
        title="Telaah hukum draf dan paraf koordinasi",
        description=(
            "Mintakan telaah Bagian Hukum atas draf naskah kerja sama, lalu paraf koordinasi "
            "Kepala Bagian, Asisten dan Sekretaris Daerah sebelum penandatanganan."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=10,
        position=10,
        completed_by="legal_review",
    ),
    # --- after a working visit (kunjungan kerja) ---
    DefaultTemplate(
        key="visit.report",
        trigger=Trigger.VISIT,
        title="Laporan hasil kunjungan kerja kepada pimpinan",
        description=(
            "Susun laporan singkat hasil kunjungan kerja: peserta, pokok pembicaraan, potensi "
            "kerja sama yang disepakati untuk dijajaki, dan usulan langkah berikutnya."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=5,
        position=10,
    ),
    DefaultTemplate(
        key="visit.draft_kb",
        trigger=Trigger.VISIT,
        title="Susun draf Kesepakatan Bersama",
        description=(
            "Susun draf Kesepakatan Bersama (KB/MoU) bersama OPD pengampu dan mitra: maksud dan "
            "tujuan, ruang lingkup, jangka waktu, dan para pihak; koordinasikan dengan Bagian "
            "Hukum sebelum penandatanganan."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=20,
        position=20,
        completed_by="mou",
    ),
    # --- after the Kesepakatan Bersama / MoU is signed ---
    DefaultTemplate(
        key="mou.report_governor",
        trigger=Trigger.MOU,
        title="Laporkan penandatanganan Kesepakatan Bersama kepada {penerima_laporan}",
        description=(
            "Kerja sama daerah dengan daerah lain (KSDD) wajib dilaporkan: Bupati/Wali Kota "
            "kepada Gubernur sebagai wakil Pemerintah Pusat, Gubernur kepada Menteri Dalam "
            "Negeri. Lampirkan salinan Kesepakatan Bersama yang sudah ditandatangani."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=10,
        position=10,
        completed_by="report",
    ),
    DefaultTemplate(
        key="mou.socialisation",
        trigger=Trigger.MOU,
        title="Sosialisasi kerja sama kepada OPD teknis",
        description=(
            "Sampaikan isi Kesepakatan Bersama kepada OPD teknis yang terkait, agar mereka "
            "menyiapkan bahan PKS dan rencana kegiatannya."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=15,
        position=20,
    ),
    DefaultTemplate(
        key="mou.draft_pks",
        trigger=Trigger.MOU,
        title="Susun draf PKS",
        description=(
            "Susun draf Perjanjian Kerja Sama (PKS) sebagai pelaksanaan Kesepakatan Bersama: "
            "kegiatan, hak dan kewajiban, pembiayaan, dan jangka waktu."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=30,
        position=30,
        completed_by="pks",
    ),
    # --- after a PKS is signed ---
    DefaultTemplate(
        key="pks.first_transaction",
        trigger=Trigger.PKS,
        title="Realisasi transaksi perdana",
        description=(
            "Wujudkan transaksi atau kegiatan pertama berdasarkan PKS dan catat di aplikasi "
            "(tanggal, pembeli, penjual, komoditas, volume, nilai)."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=40,
        position=10,
        completed_by="transaction",
    ),
    DefaultTemplate(
        key="pks.report_governor",
        trigger=Trigger.PKS,
        title="Laporkan penandatanganan PKS kepada {penerima_laporan}",
        description=(
            "Laporkan PKS yang sudah ditandatangani kepada Gubernur sebagai wakil Pemerintah "
            "Pusat (Pemerintah Provinsi: kepada Menteri Dalam Negeri), dengan salinan "
            "naskahnya; catat nomor dan tanggal surat laporannya."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=10,
        position=30,
        completed_by="report",
    ),
    DefaultTemplate(
        key="pks.report",
        trigger=Trigger.PKS,
        title="Laporan pelaksanaan PKS",
        description=(
            "Laporkan pelaksanaan PKS kepada pimpinan melalui Bagian Pemerintahan: kegiatan "
            "yang sudah berjalan, capaian, kendala, dan rencana tindak lanjut."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=60,
        position=20,
    ),
    # --- after the first realisation (a transaction or a realised activity) ---
    DefaultTemplate(
        key="transaction.report",
        trigger=Trigger.TRANSACTION,
        title="Laporan realisasi perdana kepada pimpinan",
        description=(
            "Laporkan realisasi perdana kepada pimpinan: untuk transaksi, komoditas, volume, "
            "nilai dan rencana transaksi berikutnya; untuk kegiatan, pelaksanaan, peserta, "
            "hasil dan rencana kegiatan berikutnya."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=10,
        position=10,
    ),
    DefaultTemplate(
        key="transaction.monev",
        trigger=Trigger.TRANSACTION,
        title="Jadwalkan monitoring dan evaluasi (monev)",
        description=(
            "Tetapkan jadwal monitoring dan evaluasi pelaksanaan kerja sama bersama OPD "
            "pengampu dan mitra."
        ),
        assignee_kind=COORDINATOR,
        due_in_working_days=20,
        position=20,
        completed_by="evaluation",
    ),
    # --- six months before a document ends ---
    DefaultTemplate(
        key="mou_ending.evaluation",
        trigger=Trigger.MOU_ENDING,
        title="Evaluasi dan usulan perpanjangan",
        description=(
            "Kesepakatan Bersama/MoU akan berakhir. Evaluasi hasil kerja sama dan sampaikan "
            "usulan: diperpanjang (dengan Kesepakatan Bersama baru) atau diakhiri."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=40,
        position=10,
        completed_by="mou",
    ),
    DefaultTemplate(
        key="pks_ending.evaluation",
        trigger=Trigger.PKS_ENDING,
        title="Evaluasi dan usulan perpanjangan",
        description=(
            "PKS akan berakhir. Evaluasi pelaksanaannya dan sampaikan usulan: diperpanjang "
            "(dengan PKS baru) atau diakhiri."
        ),
        assignee_kind=LEAD_AGENCY,
        due_in_working_days=40,
        position=10,
        completed_by="pks",
    ),
)
