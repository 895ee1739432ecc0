"""The OpenAPI document, honest and readable (``/api/v1/openapi.json``, ``/api/v1/docs``).

flask-smorest writes the document from the routes and their schemas; ``describe`` adds what
it cannot know, for every operation alike, so that a new endpoint is documented the moment it
is routed:

- the error answers the operation can give, decided from its method, its path's ids and
  whether it takes parameters or a body (not endpoint by endpoint), each with the API's error
  body (``api.ERROR_SCHEMA``), its Indonesian meaning and its headers (``WWW-Authenticate``
  on a 401, ``Retry-After`` on a 429). flask-smorest's catch-all ``default`` answer is
  replaced by the explicit list, so that a status the document does not name is a finding
  of the fuzz test (tests/test_api_fuzz.py), not something ``default`` hides. A 405 answers
  a method the path does not have, so no operation lists it; ``info`` explains it;
- an Indonesian ``summary`` and ``description`` from ``OPERATION_TEXTS`` (the docstrings stay
  in English, for the code's readers) and an ``operationId`` (the endpoint's name);
- the document's ``info``: authentication, errors and data versions, in Indonesian.

``describe(api)`` must run after ``api.init_app`` (which makes a new spec for each app) and
before ``api.register_blueprint`` (which adds the operations): the plugin sees each operation
as it is added.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest import Api
from werkzeug.routing import Rule

from kerjasama_flow.api import auth, errors

# --- the error answers ------------------------------------------------------------------------

BODY_METHODS = frozenset({"post", "put", "patch"})
# A change of an existing record names the ``version`` it was read at (api/writes.py).
VERSIONED_METHODS = frozenset({"put", "patch", "delete"})

# What each error answer means for a caller, beyond errors.ERRORS' own message.
WHEN: dict[int, str] = {
    400: "Misalnya JSON yang rusak, atau karakter NUL di alamat, parameter, atau isian.",
    401: "Kirim header `Authorization: Bearer <token>` dengan token yang masih berlaku.",
    403: "Token sah, tetapi peran pemiliknya tidak boleh melakukan ini pada data ini.",
    404: "Id tidak ada, atau milik pemerintah daerah lain (tidak pernah dibedakan).",
    409: "Versi yang dikirim bukan versi terkini; `current` memuat data terkini.",
    413: "Isi permintaan (misalnya berkas unggahan) melebihi batas ukuran.",
    415: "Jenis isi (`Content-Type`) tidak diterima untuk alamat ini.",
    422: "Parameter atau isian tidak valid; `fields` memuat pesan per isian.",
    428: "Perubahan dan penghapusan wajib menyertakan `version` yang terakhir dibaca.",
    429: "Batas permintaan per token terlampaui; tunggu selama `Retry-After` detik.",
    500: "Kesalahan pada server; tidak ada yang tersimpan. Coba lagi nanti.",
}

HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": 'Selalu `Bearer realm="kerjasama-flow"`.',
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Detik sampai permintaan berikutnya diterima.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
}


def component_name(status: int) -> str:
    """``unauthorized`` -> ``Unauthorized``, ``validation_error`` -> ``ValidationError``:
    distinct from flask-smorest's own (lazy) ``UNAUTHORIZED`` components."""
    code, _ = errors.ERRORS[status]
    return "".join(part.capitalize() for part in code.split("_"))


def error_statuses(
    method: str, operation: dict, rule: Rule, body_fields: frozenset[str] = frozenset()
) -> list[int]:
    """The error answers of ``method`` on ``rule``, from its shape alone; ``body_fields``: the
    names its JSON body may hold (a POST that carries a ``version`` is versioned too)."""
    public = rule.endpoint in auth.PUBLIC_ENDPOINTS
    has_body = "requestBody" in operation or method in BODY_METHODS
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", ()))
    versioned = method in VERSIONED_METHODS or "version" in body_fields
    # Any request may be a 400: a NUL byte anywhere in it is refused before the view (web.py).
    statuses = [400] if public else [400, 401, 403]
    if rule.arguments:
        statuses.append(404)
    if has_body:
        statuses += [413, 415]
    if versioned:
        statuses += [409, 428]
    if has_query or has_body or versioned:
        statuses.append(422)
    if not public:
        statuses.append(429)
    statuses.append(500)
    return sorted(statuses)


def register_error_responses(spec: APISpec, error_schema) -> None:
    for status in WHEN:
        _, message = errors.ERRORS[status]
        response: dict[str, Any] = {
            "description": f"{message} {WHEN[status]}",
            "content": {"application/json": {"schema": error_schema}},
        }
        if status in HEADERS:
            response["headers"] = HEADERS[status]
        spec.components.response(component_name(status), response)


# --- the Indonesian texts ---------------------------------------------------------------------

# endpoint -> (summary, description). Every operation of the document needs its entry
# (tests/test_api_openapi.py fails otherwise). Entries may name endpoints that are still being
# built: an entry without a route is never used.
OPERATION_TEXTS: dict[str, tuple[str, str]] = {
    "api.agencies": (
        "Daftar OPD",
        "OPD (Organisasi Perangkat Daerah) pemerintah daerah pemilik token, urut nama.",
    ),
    "api.partners": (
        "Daftar mitra",
        "Mitra kerja sama pemerintah daerah pemilik token, dengan jumlah kerja sama yang menyebut "
        "tiap mitra (`agreement_count`).",
    ),
    "api.agreements": (
        "Daftar kerja sama",
        "Kerja sama yang boleh dibaca pemilik token, seperti daftar di web: admin dan pimpinan "
        "melihat semuanya, token OPD hanya kerja sama yang diampu OPD-nya atau memuat tugas "
        "OPD-nya. Dapat disaring menurut tahap, mitra, bidang, OPD pengampu, dan kata kunci (`q`).",
    ),
    "api.agreement": (
        "Rincian kerja sama",
        "Satu kerja sama dengan tahapannya (kunjungan kerja, KB/MoU, PKS, transaksi, realisasi "
        "kegiatan; terlama dahulu) dan dokumen yang boleh dilihat pemilik token. Id milik "
        "pemerintah daerah lain dijawab 404; kerja sama yang tidak boleh dibaca, 403.",
    ),
    "api.tasks": (
        "Daftar tugas tindak lanjut",
        "Tugas yang boleh dilihat pemilik token (token OPD: tugas OPD-nya saja), urut seperti "
        "daftar di web. Dapat disaring menurut OPD, status, kerja sama, atau `overdue=true` untuk "
        "tugas terbuka yang lewat tenggat.",
    ),
    "api.task": (
        "Rincian tugas tindak lanjut",
        "Satu tugas: status, tenggat, OPD, catatan, dan cara tugas ditutup. Id milik pemerintah "
        "daerah lain dijawab 404; tugas yang tidak boleh dibaca, 403.",
    ),
    "api.agreement_create": (
        "Buat kerja sama",
        "Mencatat kerja sama baru (tahap penjajakan) dengan isian yang sama dengan formulir di "
        "web: judul, mitra (`partner_ids`, atau `new_partner_name`), OPD pengampu "
        "(`lead_agency_id`), bidang (`sectors`), dan lainnya. Hanya Bagian Pemerintahan. Isian "
        "yang ditolak dijawab 422 dengan pesan per isian; tidak ada yang tersimpan.",
    ),
    "api.agreement_update": (
        "Ubah kerja sama",
        "Mengubah data kerja sama: kirim hanya isian yang berubah, dan `version` yang terakhir "
        "dibaca. Tanpa versi: 428; data sudah diubah orang lain: 409 dengan data terkini. Hanya "
        "Bagian Pemerintahan; kerja sama yang selesai atau batal tidak dapat diubah (422).",
    ),
    "api.agreement_status": (
        "Tunda, lanjutkan, batalkan, selesaikan, atau buka kembali",
        "Tindakan atas tahap kerja sama seperti di halaman kerja sama: `action` salah satu dari "
        "tunda, lanjutkan, batalkan, selesaikan, buka-kembali, dengan `reason` (wajib kecuali "
        "melanjutkan) dan `version`. Tindakan yang tidak diizinkan pada tahap sekarang dijawab 422 "
        "dengan pesan aturannya. Tugas tindak lanjut ikut ditunda, dibatalkan, atau dibuka lagi.",
    ),
    "api.milestone_create": (
        "Catat langkah kerja sama",
        "Mencatat satu langkah, dengan isian formulirnya di web: `kind` (offer, visit, tkksd, "
        "legal_review, dprd, mou, pks, report, amendment, transaction, activity), `date` "
        "(YYYY-MM-DD), dan isian jenisnya (PKS: `agency_ids`; transaksi: `pks_id`, `commodity`, "
        "`volume`, `unit`, `value`, `seller`, `buyer`). Langkah yang ditolak aturan siklus kerja "
        "sama dijawab 422 dengan pesan aturannya. Jawaban 201 memuat langkahnya, tahap baru kerja "
        "sama (`stage`), dan tugas tindak lanjut yang dibuat. Kepala OPD hanya mencatat transaksi "
        "dan realisasi kegiatan di bawah PKS yang dilaksanakan OPD-nya.",
    ),
    "api.milestone_update": (
        "Ubah langkah kerja sama",
        "Mengubah satu langkah (`kind` dan id di alamat): kirim hanya isian yang berubah, dan "
        "`version` langkah yang terakhir dibaca (428/409). Aturan yang sama dengan formulir di "
        "web.",
    ),
    "api.milestone_delete": (
        "Hapus langkah kerja sama",
        "Menghapus langkah yang salah catat, dengan `version` di query string (428/409). Ditolak "
        "(422) selama langkah lain bergantung padanya; tugas yang diselesaikannya dibuka lagi, "
        "tugas terbuka yang dibuatnya dibatalkan.",
    ),
    "api.task_create": (
        "Buat tugas tindak lanjut",
        "Menambah tugas pada kerja sama (`agreement_id`) dengan judul, OPD (`agency_id`), "
        "penanggung jawab, dan tenggat (`due_on`, tidak boleh lampau). Hanya Bagian Pemerintahan.",
    ),
    "api.task_update": (
        "Ubah tugas tindak lanjut",
        "Mengubah tugas: kirim hanya isian yang berubah, dan `version` yang terakhir dibaca "
        "(428/409). Token OPD hanya mengubah `status` dan `note` tugas OPD-nya sendiri; status "
        "done wajib dengan catatan; cancelled hanya oleh Bagian Pemerintahan.",
    ),
    "api.document_upload": (
        "Unggah dokumen kerja sama",
        "Unggah berkas untuk kerja sama atau salah satu tahapannya, dengan aturan yang sama dengan "
        "formulir di web: Bagian Pemerintahan untuk kerja sama dan tahapan mana pun; kepala OPD "
        "hanya bukti realisasi PKS yang dilaksanakan OPD-nya. Isi permintaan multipart/form-data.",
    ),
    "api.document": (
        "Data satu dokumen",
        "Judul, jenis, nama dan jenis berkas, ukuran, tahapan atau tugasnya, dan versinya. Dokumen "
        "pemerintah daerah lain: 404; dokumen yang tidak boleh Anda lihat: 403.",
    ),
    "api.document_file": (
        "Unduh berkas dokumen",
        "Berkasnya sebagai unduhan (Content-Disposition: attachment, dengan nama berkasnya) dan "
        "jenis MIME-nya. Hak akses sama dengan unduhan di web.",
    ),
    "api.document_delete": (
        "Hapus dokumen",
        "Hapus dokumen dan berkasnya, dengan hak yang sama dengan web. Sertakan `version` yang "
        "Anda baca di query string.",
    ),
    "api.register": (
        "Daftar KB dan PKS",
        "Register Kesepakatan Bersama (KB) dan Perjanjian Kerja Sama (PKS) yang sudah "
        "ditandatangani, seperti halaman Daftar Kerja Sama: nomor kedua pihak, para pihak, tanggal "
        "tanda tangan, masa berlaku, dan status hari ini. Terbaru lebih dulu. Token OPD hanya "
        "melihat dokumen kerja sama yang melibatkan OPD-nya.",
    ),
    "api.summary": (
        "Ringkasan dasbor",
        "Angka dasbor dengan filter dasbor (tahun, bidang, mitra, OPD pengampu): jumlah kerja sama "
        "per tahap, KB/PKS aktif, tugas (terbuka, lewat tenggat, selesai), realisasi tahun laporan "
        "dibanding tahun sebelumnya (nilai dalam Rupiah), tabel akuntabilitas OPD, dan daftar "
        "'Perlu perhatian' (kerja sama mandek, OPD dengan tugas lewat tenggat terbanyak, KB/PKS "
        "segera berakhir, KB/PKS belum dilaporkan). Token OPD melihat dasbor OPD-nya: kerja sama "
        "yang melibatkan OPD-nya dan hanya tugas OPD-nya.",
    ),
    "api.document_replace": (
        "Ganti berkas dokumen",
        "Ganti berkas dokumen (misalnya naskah yang sudah ditandatangani) dengan aturan yang sama "
        "dengan web: Bagian Pemerintahan dokumen mana pun, kepala OPD bukti yang diunggah OPD-nya. "
        "Sertakan `version` yang Anda baca; berkas lama tercatat di log aktivitas. Isi permintaan "
        "multipart/form-data.",
    ),
}


def _error_list() -> str:
    return "\n".join(
        f"- `{status}` `{code}`: {message}" for status, (code, message) in errors.ERRORS.items()
    )


INFO_DESCRIPTION = f"""API JSON kerjasama-flow untuk sistem lain milik pemerintah daerah \
(dasbor, aplikasi perencanaan, integrasi data). Semua alamat di bawah `/api/v1`.

## Autentikasi
Setiap permintaan memakai token pribadi: `Authorization: Bearer <token>`. Buat token di \
**Akun saya → Token API**; token hanya ditampilkan sekali, simpan baik-baik, dan cabut bila \
bocor. Token bertindak atas nama pemiliknya dengan hak yang sama seperti di web (admin, OPD, \
pimpinan) dan hanya melihat data pemerintah daerahnya sendiri: id milik pemerintah daerah \
lain dijawab 404. Token yang tidak ada, salah, kedaluwarsa, atau dicabut dijawab 401 dengan \
header `WWW-Authenticate: Bearer`. Permintaan dibatasi per token; yang melewati batas \
dijawab 429 dengan header `Retry-After`.

## Kesalahan
Setiap kesalahan berupa JSON \
`{{"error": {{"code": "...", "message": "...", "fields": {{...}}}}}}`: `code` tetap (untuk \
program), `message` untuk dibaca manusia, `fields` berisi pesan per isian (pada 422). Metode \
HTTP yang tidak didukung sebuah alamat dijawab 405 dengan header `Allow`.

{_error_list()}

## Versi data
Setiap data mempunyai `version`. Perubahan (PATCH, PUT, dan tindakan seperti \
`POST /agreements/{{id}}/status`) dan penghapusan (DELETE) wajib menyertakan `version` yang \
terakhir Anda baca: tanpa `version` dijawab 428; bila data sudah \
diubah orang lain dijawab 409 dengan data terkini di `current`. Gabungkan perubahan Anda, \
lalu kirim lagi dengan versi yang baru. Tidak ada yang tersimpan pada 409, 422, dan 428.

## Versi API
Alamat `/api/v1` tetap: perubahan yang tidak kompatibel terbit sebagai versi baru."""


# --- the plugin -------------------------------------------------------------------------------


class OperationDocs(BasePlugin):
    """Completes each operation as flask-smorest adds it (``spec.path(rule=...)``)."""

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        self.spec = spec

    def _body_fields(self, operation: dict) -> frozenset[str]:
        """The fields of the JSON body schemas the operation refers to (``api.forms``)."""
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        refs = [schema.get("$ref"), *(item.get("$ref") for item in schema.get("oneOf", ()))]
        names: set[str] = set()
        for ref in filter(None, refs):
            component = self.spec.components.schemas.get(ref.rsplit("/", 1)[-1], {})
            names |= set(component.get("properties", {}))
        return frozenset(names)

    def operation_helper(self, path=None, operations=None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        name = rule.endpoint.partition(".")[2] or rule.endpoint
        for method, operation in operations.items():
            document_errors(method, operation, rule, self._body_fields(operation))
            describe_success(operation)
            if len(operations) == 1:
                operation["operationId"] = name
            else:
                operation["operationId"] = f"{name}_{method}"
            summary, description = OPERATION_TEXTS.get(rule.endpoint, (None, None))
            if summary is not None:
                operation["summary"] = summary
                operation["description"] = description


# flask-smorest describes a success by its HTTP phrase ("OK"): said in Indonesian instead.
SUCCESS_TEXTS = {
    "OK": "Berhasil.",
    "Created": "Tersimpan; header Location memuat alamatnya.",
    "No Content": "Berhasil; tanpa isi.",
}


def describe_success(operation: dict) -> None:
    for answer in operation.get("responses", {}).values():
        if isinstance(answer, dict) and answer.get("description") in SUCCESS_TEXTS:
            answer["description"] = SUCCESS_TEXTS[answer["description"]]


def document_errors(
    method: str, operation: dict, rule: Rule, body_fields: frozenset[str] = frozenset()
) -> None:
    """Each error answer of the operation as a reference to its component; an answer an
    endpoint documented itself in full (a dict) is kept."""
    responses = operation.setdefault("responses", {})
    responses.pop("default", None)
    for status in error_statuses(method, operation, rule, body_fields):
        current = responses.get(str(status), responses.get(status))
        if current is None or isinstance(current, str):
            responses.pop(status, None)
            responses[str(status)] = component_name(status)


def describe(api: Api) -> None:
    """Add the error answers, the Indonesian texts and ``info`` to ``api``'s new spec."""
    spec = api.spec
    register_error_responses(spec, api.ERROR_SCHEMA)
    plugin = OperationDocs()
    plugin.init_spec(spec)
    spec.plugins = [*spec.plugins, plugin]
    spec.options.setdefault("info", {})["description"] = INFO_DESCRIPTION
