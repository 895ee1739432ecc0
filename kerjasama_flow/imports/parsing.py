"""Checking each row of an uploaded file the way the agreement and MoU forms check their
fields (required, lengths, choices, dates, ``lifecycle.check_period``): ``parse_rows`` turns
the raw cells into ``RowInput``\\ s with their values and their errors by column. What only the
services know (a PKS without a KB, an unknown sector...) is found when the rows are applied
(``imports.applying``), in the preview as on confirmation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from kerjasama_flow import cells
from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements.models import (
    PARTNER_KIND_LABELS,
    SECTORS,
    AgreementKind,
    PartnerKind,
)
from kerjasama_flow.errors import DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.forms_common import DATE_FORMATS, date_range_error
from kerjasama_flow.imports.columns import (
    COLUMN_BY_KEY,
    DATE_KEYS,
    FIELD_COLUMNS,
    MOU_KEYS,
    norm,
)
from kerjasama_flow.imports.reading import Table


@dataclass
class RowInput:
    number: int
    values: dict[str, Any]  # parsed values of the columns present in the file
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)
    action: str | None = None  # "create" or "update" once validated

    @property
    def external_ref(self) -> str | None:
        return self.values.get("external_ref")

    @property
    def title(self) -> str | None:
        return self.values.get("title")

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add_error(self, key: str | None, message: str) -> None:
        self.errors.append((FIELD_COLUMNS.get(key) if key else None, message))

    def messages(self) -> list[str]:
        return [
            f"Baris {self.number}, kolom {column}: {message}"
            if column
            else f"Baris {self.number}: {message}"
            for column, message in self.errors
        ]


def _text(value: Any) -> str | None:
    """A cell's text with its spaces collapsed; a text the export neutralised as a formula
    (``cells.neutralise``) comes back as it was."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d-%m-%Y")
    if "\x00" in str(value):  # an XLSX cell can hold one (_x0000_); no database text can
        raise ValueError("Isian memuat karakter yang tidak sah (karakter NUL).")
    text = " ".join(cells.restore(str(value)).split())
    return text or None


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _in_range(value.date())
    if isinstance(value, date):
        return _in_range(value)
    text = _text(value)
    if text is None:
        return None
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return _in_range(parsed)
    raise ValueError("Tanggal tidak sah. Tulis mis. 31-12-2024.")


def _in_range(value: date) -> date:
    """``value``, if within ``forms_common.DATE_RANGE`` (as the forms check)."""
    message = date_range_error(value)
    if message:
        raise ValueError(message)
    return value


def _choice(enum_cls, labels: dict, text: str):
    wanted = norm(text).replace("_", " ")
    for member in enum_cls:
        names = {member.name, member.value, labels.get(member, "")}
        if wanted in {norm(n).replace("_", " ") for n in names if n}:
            return member
    raise ValueError


def _split(text: str | None, separators: str = ";") -> list[str]:
    if not text:
        return []
    items = (" ".join(item.split()) for item in re.split(f"[{separators}]", text))
    return list(dict.fromkeys(item for item in items if item))


_SECTOR_BY_NAME = {
    **{norm(label): code for code, label in SECTORS.items()},
    **{norm(code): code for code in SECTORS},
}


def _parse_cell(row: RowInput, key: str, raw: Any, agencies: dict[str, Agency]) -> None:
    column = COLUMN_BY_KEY[key]
    try:
        if key in DATE_KEYS:
            row.values[key] = _date(raw)
            return
        text = _text(raw)
        if column.required and not text:
            raise ValueError("Wajib diisi.")
        if key == "partners":
            names = _split(text)
            too_long = [n for n in names if len(n) > column.max_length]
            if too_long:
                raise ValueError(f"Nama mitra paling banyak {column.max_length} karakter.")
            row.values[key] = names
            return
        if text and column.max_length and len(text) > column.max_length:
            raise ValueError(f"Paling banyak {column.max_length} karakter.")
        if key == "kind":
            row.values[key] = _choice(AgreementKind, {}, text)
        elif key == "new_partner_kind":
            row.values[key] = (
                _choice(PartnerKind, PARTNER_KIND_LABELS, text) if text else PartnerKind.LAINNYA
            )
        elif key == "sectors":
            # Unknown sectors pass through: the service names them in its own message.
            row.values[key] = [_SECTOR_BY_NAME.get(norm(s), s) for s in _split(text, ";,")]
        elif key == "commodities":
            row.values[key] = ", ".join(_split(text, ",;\n")) or None
        elif key == "lead_agency":
            if text and norm(text) not in agencies:
                raise ValueError(f"Perangkat daerah dengan kode \u201c{text}\u201d tidak dikenal.")
            row.values[key] = agencies[norm(text)] if text else None
        else:
            row.values[key] = text
    except ValueError as error:
        message = str(error) or _CHOICE_MESSAGES.get(key, "Isian tidak sah.")
        row.add_error(key, message)


_CHOICE_MESSAGES = {
    "kind": "Pilihan tidak sah. Isi KSDD atau KSDPK.",
    "new_partner_kind": "Pilihan tidak sah. Lihat daftar jenis mitra di lembar Petunjuk.",
}


def parse_rows(government_id: int, table: Table) -> list[RowInput]:
    """Each row's values, with the errors the forms would show (shape and dates)."""
    agencies = {
        norm(agency.code): agency
        for agency in db.session.scalars(
            select(Agency).where(Agency.government_id == government_id)
        )
    }
    first_seen: dict[str, int] = {}
    parsed = []
    for number, raw_cells in table.rows:
        row = RowInput(number=number, values={})
        for key, index in table.columns.items():
            raw = raw_cells[index] if index < len(raw_cells) else None
            _parse_cell(row, key, raw, agencies)
        ref = row.external_ref
        if ref:
            key = ref.casefold()
            if key in first_seen:
                row.add_error(
                    "external_ref", f"Referensi ini sudah dipakai di baris {first_seen[key]}."
                )
            else:
                first_seen[key] = number
        if (
            has_mou(row)
            and row.values.get("signed_on") is None
            and not _has_error(row, "signed_on")
        ):
            row.add_error("signed_on", "Wajib diisi bila kolom MoU lain diisi.")
        if not _has_error(row, "starts_on") and not _has_error(row, "ends_on"):
            try:
                lifecycle.check_period(row.values.get("starts_on"), row.values.get("ends_on"))
            except DomainError as error:
                row.add_error(error.field, error.message)
        parsed.append(row)
    return parsed


def _has_error(row: RowInput, key: str) -> bool:
    return any(column == FIELD_COLUMNS[key] for column, _ in row.errors)


def has_mou(row: RowInput) -> bool:
    return any(row.values.get(key) for key in MOU_KEYS)
