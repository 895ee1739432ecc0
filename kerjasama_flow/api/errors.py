"""Every error under ``/api/v1`` as JSON, never an HTML page:
``{"error": {"code": "...", "message": "<Indonesian>", "fields": {...}}}``. ``create_app``'s
error handlers call ``response`` when ``is_api_request``."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import abort as werkzeug_abort

PREFIX = "/api/"

# status -> (code, message): codes in English, messages in Indonesian.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Permintaan tidak dapat dibaca (misalnya JSON yang tidak sah)."),
    401: ("unauthorized", "Token API tidak ada, tidak sah, kedaluwarsa, atau sudah dicabut."),
    403: ("forbidden", "Anda tidak berwenang melakukan ini."),
    404: ("not_found", "Data atau alamat tidak ditemukan."),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung untuk alamat ini."),
    409: ("conflict", "Data sudah diubah orang lain; muat ulang lalu coba lagi."),
    413: ("payload_too_large", "Permintaan terlalu besar."),
    415: ("unsupported_media_type", "Jenis isi permintaan tidak didukung; kirim JSON."),
    422: ("validation_error", "Isian tidak valid; lihat keterangan per isian."),
    428: ("version_required", "Sertakan versi data (version) yang Anda ubah."),
    429: ("rate_limited", "Terlalu banyak permintaan; tunggu sebentar lalu coba lagi."),
    500: ("server_error", "Terjadi kesalahan pada server. Coba lagi nanti."),
}


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def flatten_fields(messages: Any) -> dict[str, list[str]]:
    """webargs' ``{"query": {"page": [...]}, "json": {...}}`` as ``{"page": [...]}``; nested
    fields are joined with dots (``partner_ids.0``)."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            fields.setdefault(prefix or "_schema", []).extend(str(item) for item in value)
        else:
            fields.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(messages, dict):
        for inner in messages.values():  # the location ("query", "json") is not a field
            walk("", inner)
    return fields


def response(
    status: int,
    message: str | None = None,
    fields: dict | None = None,
    headers=None,
    current: dict | None = None,
):
    """The JSON answer for ``status``; ``message`` replaces the default one. A 409 carries the
    record as it now is (``current``), so that the client can merge without a second read."""
    code, default = ERRORS.get(status, (f"http_{status}", ERRORS[500][1]))
    body: dict[str, Any] = {
        "error": {"code": code, "message": message or default, "fields": fields or {}}
    }
    if current is not None:
        body["current"] = current
    answer = jsonify(body)
    answer.status_code = status
    for name, value in (headers or {}).items():
        answer.headers[name] = value
    if status == 401:
        answer.headers["WWW-Authenticate"] = 'Bearer realm="kerjasama-flow"'
    return answer


def abort(status: int, message: str | None = None, fields: dict | None = None, **kwargs) -> None:
    """Stop the request with ``response(status, ...)`` (raised as an ``HTTPException``)."""
    werkzeug_abort(response(status, message, fields, **kwargs))


def for_http_exception(error) -> Any:
    """An ``HTTPException`` raised anywhere under ``/api/v1`` (routing, ``abort``, webargs);
    one raised by ``abort`` above already carries its answer."""
    if error.response is not None:
        return error.response
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = flatten_fields(data.get("messages")) if status == 422 else None
    headers = {}
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response(status, fields=fields, headers=headers)
