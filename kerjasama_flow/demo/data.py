"""Demo data: the five seed news reports (``../shared/seeds/``), as they happened.

Three governments of Jawa Timur with their agencies, demo accounts for every role, the
agreements the reports describe (visits, MoU/KB, PKS, transactions) and the follow-up tasks they
imply, declared as plain data (``specs``) one government per module; ``seed`` applies them.

Where a report is silent the data says so in its notes: transaction volumes and values are
illustrative, the PKS date of Kota Blitar - DKI Jakarta is an estimate, and signatories whose
names the reports do not give are named by office only.
"""

from __future__ import annotations

from kerjasama_flow.demo.kota_blitar import KOTA_BLITAR
from kerjasama_flow.demo.malang import KABUPATEN_MALANG, KOTA_MALANG
from kerjasama_flow.demo.specs import GovernmentSpec

DEMO_PASSWORD = "kerjasama2025"
DEMO_TIMEZONE = "Asia/Jakarta"
PROVINCE = "Jawa Timur"

GOVERNMENTS: tuple[GovernmentSpec, ...] = (KOTA_BLITAR, KABUPATEN_MALANG, KOTA_MALANG)
