"""The government's identity (Pengaturan → Identitas Pemda): its lambang, the kop surat and the
signature block of the report, shown in the header, the PDF report and the public page."""
