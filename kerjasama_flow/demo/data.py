"""Demo data: the five seed news reports (``../shared/seeds/``), as they happened.

Three governments of Jawa Timur (two kota, one kabupaten) with their agencies, demo accounts
for every role, the agreements the reports describe (visits, KB/MoU, PKS, transactions, a
realised activity), the steps of the administrative path around them, what became of the
follow-up tasks their playbooks created and the further tasks the reports imply, declared as
plain data (``specs``) one government per module; ``seed`` applies them.

Where a report is silent the data says so in its notes: transaction volumes and values are
illustrative, registration and letter numbers are examples, the PKS date of Kota Blitar - DKI
Jakarta is an estimate, the offer, TKKSD, legal review and report steps and the realised
activity are illustrations of what the regulation requires, and signatories whose names the
reports do not give are named by office only. The one attached document is a placeholder PDF
marked "CONTOH – data demo".
"""

from __future__ import annotations

from kerjasama_flow.demo.kota_blitar import KOTA_BLITAR
from kerjasama_flow.demo.malang import KABUPATEN_MALANG, KOTA_MALANG
from kerjasama_flow.demo.specs import GovernmentSpec

DEMO_TIMEZONE = "Asia/Jakarta"
PROVINCE = "Jawa Timur"

GOVERNMENTS: tuple[GovernmentSpec, ...] = (KOTA_BLITAR, KABUPATEN_MALANG, KOTA_MALANG)
