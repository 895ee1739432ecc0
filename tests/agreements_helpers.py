"""Small helpers shared by the ``test_agreements_*`` files."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from sqlalchemy import func, select

from kerjasama_flow.extensions import db
from tests import factories

NOW = "2025-10-15T10:00:00+07:00"  # a Wednesday in Kota Blitar: pins "today" for overdue tasks


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(html: str, field_id: str) -> list[str]:
    """The error messages shown right after the input (or fieldset) with ``field_id``."""
    match = re.search(rf'<(\w+)[^>]*\sid="{re.escape(field_id)}"', html)
    assert match, f"no element with id {field_id!r}"
    rest = html[match.end() :]
    if match.group(1) == "fieldset":  # a group of checkboxes: its errors close the fieldset
        block = rest[: rest.index("</fieldset>")]
    else:  # the field's own block ends where the next labelled input begins
        following = re.search(r"<label |<legend ", rest)
        block = rest[: following.start()] if following else rest
    return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block, flags=re.S)


def assert_field_error(html: str, field_id: str, message: str) -> None:
    errors = field_errors(html, field_id)
    assert any(escape(message, quote=False) in e or message in e for e in errors), (
        f"{message!r} not shown next to {field_id!r}; errors there: {errors!r}"
    )


def primary_button(html: str) -> str | None:
    """The label of the page's primary link-button (after its icon, if it has one)."""
    match = re.search(
        r'<a class="btn btn-primary" href="[^"]*">'
        r'(?:<i class="bi [^"]*" aria-hidden="true"></i>\s*)?([^<]+)</a>',
        html,
    )
    return match.group(1) if match else None


def register_papers(world):
    """The register's papers: Blitar's KB with DKI (registered), a PKS of DKPP under it (the
    partner's number missing), an older KB with Depok that ended (Bappeda's agreement), and a
    KB of another government. Returns (kb, pks, old_kb, depok_partner)."""
    kb = factories.make_mou(
        world.agreement, number_own="119/4/410.010/2025", number_partner="12/DKI/2025"
    )
    pks = factories.make_pks(
        world.agreement,
        kb,
        title="Pasokan telur ke Food Station",
        number_own="027/15/410.201/2025",
        agencies=[world.agency],
        partner_agency="Dinas KPKP Provinsi DKI Jakarta",
    )
    depok_partner = factories.make_partner(world.gov, "Pemerintah Kota Depok")
    depok = factories.make_agreement(
        world.gov,
        world.other_agency,
        title="Pertukaran data kependudukan",
        partners=[depok_partner],
    )
    old_kb = factories.make_mou(
        depok,
        signed_on=date(2020, 3, 2),
        ends_on=date(2025, 3, 1),
        number_own="05/KB/2020",
        number_partner="415/2020",
    )
    factories.make_mou(world.other_agreement, number_own="RAHASIA-MALANG-001")
    return kb, pks, old_kb, depok_partner
