"""The Indonesian messages every API schema gives for marshmallow's own errors (a required
field, an unknown one, a value of the wrong type), instead of marshmallow's English ones."""

from __future__ import annotations

MESSAGES = {
    "required": "Wajib diisi.",
    "null": "Tidak boleh kosong.",
    "invalid": "Nilai tidak sah.",
    "too_large": "Angka terlalu besar.",
    "unknown": "Isian ini tidak dikenal.",
}

# A body's own errors: not a JSON object, or a field the endpoint does not know.
SCHEMA_MESSAGES = {
    "type": "Isi permintaan harus objek JSON.",
    "unknown": "Isian ini tidak dikenal.",
}
