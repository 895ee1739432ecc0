"""Field parsing of the agreements forms and the activity log in words (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from kerjasama_flow.agreements.activity_text import describe, display
from kerjasama_flow.agreements.forms import RupiahField, VolumeField
from kerjasama_flow.forms_common import INDONESIAN, date_field


class AmountForm(Form):
    class Meta:
        def get_translations(self, form):
            return INDONESIAN

    value = RupiahField()
    volume = VolumeField()
    on = date_field("Tanggal")


def parse(**data):
    form = AmountForm(MultiDict(data))
    form.validate()
    return form


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1250000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("Rp 1.250.000", 1_250_000),
        ("Rp. 1.250.000", 1_250_000),
        ("rp1250000", 1_250_000),
        (" 1 250 000 ", 1_250_000),
        ("1.250.000,00", 1_250_000),
        ("0", 0),
        ("-1.000", -1000),  # parsed: the service refuses it with the rule's message
        ("Rp -1.000", -1000),
        ("", None),
    ],
)
def test_rupiah_field_accepts_what_people_type(typed, value):
    form = parse(value=typed)
    assert form.value.errors == []
    assert form.value.data == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("sejuta", "Nilai rupiah tidak sah. Tulis angka saja, mis. 1.250.000."),
        ("1.25.000", "Nilai rupiah tidak sah. Tulis angka saja, mis. 1.250.000."),
        ("12,5", "Nilai rupiah harus bilangan bulat (tanpa sen)."),
        ("1.250.000,50", "Nilai rupiah harus bilangan bulat (tanpa sen)."),
        ("1,2,3", "Nilai rupiah tidak sah. Tulis angka saja, mis. 1.250.000."),
        ("9" * 16, "Nilai rupiah terlalu besar."),
    ],
)
def test_rupiah_field_explains_garbage_in_indonesian(typed, message):
    form = parse(value=typed)
    assert form.value.errors == [message]
    assert form.value.data is None
    assert form.value._value() == typed  # the input is kept for correction


def test_rupiah_field_shows_a_stored_amount_with_dots():
    form = AmountForm(data={"value": 1_250_000})
    assert form.value._value() == "1.250.000"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,5", Decimal("12.5")),
        ("1.250", Decimal("1250")),
        ("1.250,75", Decimal("1250.75")),
        ("1.250,5", Decimal("1250.5")),
        ("-12,5", Decimal("-12.5")),
        ("", None),
    ],
)
def test_volume_field(typed, value):
    form = parse(volume=typed)
    assert form.volume.errors == []
    assert form.volume.data == value


@pytest.mark.parametrize("typed", ["banyak", "1,234", "1.2.3,4", "1250.5", "1.25", "1,250,000"])
def test_volume_field_refuses_garbage(typed):
    form = parse(volume=typed)
    assert form.volume.errors and form.volume.data is None
    assert "Volume" in form.volume.errors[0]


@pytest.mark.parametrize("typed", ["2025-08-14", "14-08-2025", "14/08/2025"])
def test_date_field_accepts_common_formats(typed):
    form = parse(on=typed)
    assert form.on.errors == []
    assert form.on.data.isoformat() == "2025-08-14"


@pytest.mark.parametrize("typed", ["31-02-2025", "besok", "2025-13-01"])
def test_date_field_error_is_indonesian(typed):
    assert parse(on=typed).on.errors == ["Tanggal tidak sah."]


# --- the activity log in words ----------------------------------------------------------------


def entry(entity, action, before=None, after=None, actor="Siti Rahma"):
    return SimpleNamespace(
        entity=entity,
        action=action,
        before=before,
        after=after,
        actor=SimpleNamespace(name=actor) if actor else None,
        at=datetime(2025, 10, 1, 3, 0, tzinfo=UTC),
    )


def test_update_lists_each_change_with_labels_and_indonesian_values():
    line = describe(
        entry(
            "mou",
            "updated",
            before={"ends_on": "2028-08-13", "document_kind": "kb"},
            after={"ends_on": "2026-01-01", "document_kind": "mou"},
        )
    )
    assert line.summary == "Siti Rahma mengubah KB/MoU"
    assert ("Berakhir", "13 Agu 2028", "1 Jan 2026") in line.changes
    assert ("Jenis dokumen", "Kesepakatan Bersama", "Nota Kesepahaman (MoU)") in line.changes


def test_stage_change_with_reason():
    line = describe(
        entry(
            "agreement",
            "stage_changed",
            before={"stage": "pelaksanaan"},
            after={"stage": "ditunda", "reason": "Menunggu APBD"},
        )
    )
    assert line.summary == "Siti Rahma mengubah tahap kerja sama"
    assert line.changes == [("Tahap", "Pelaksanaan", "Ditunda"), ("Alasan", None, "Menunggu APBD")]


def test_created_and_deleted_name_the_record():
    created = describe(
        entry(
            "transaction",
            "created",
            after={"commodity": "Telur ayam", "value_rp": 1250000, "transacted_on": "2025-10-01"},
        )
    )
    assert created.summary == "Siti Rahma mencatat transaksi Telur ayam"
    assert ("Nilai", None, "Rp 1.250.000") in created.changes
    deleted = describe(entry("pks", "deleted", before={"title": "PKS telur"}, actor=None))
    assert deleted.summary == "Sistem menghapus PKS “PKS telur”"


@pytest.mark.parametrize(
    ("entity", "name", "value", "shown"),
    [
        ("agreement", "sectors", ["pangan", "umkm"], "Ketahanan pangan, UMKM dan perdagangan"),
        ("agreement", "kind", "ksdpk", "KSDPK (dengan pihak ketiga)"),
        ("partner", "kind", "bumd", "BUMD"),
        ("pks", "is_direct", True, "Ya"),
        ("pks", "agencies", ["DKPP", "Bappeda"], "DKPP, Bappeda"),
        ("transaction", "volume", "1250.50", "1.250,5"),
        ("task", "status", "in_progress", "Sedang dikerjakan"),
        ("visit", "direction", "masuk", "Menerima kunjungan mitra"),
        ("agreement", "description", None, "–"),
        ("agreement", "stage", "tidak-dikenal", "tidak-dikenal"),
    ],
)
def test_display_values(entity, name, value, shown):
    assert display(entity, name, value) == shown


def test_an_mou_is_named_by_its_label_not_its_id():
    documents = {3: "Nota Kesepahaman (MoU) 119/2025 (14 Agustus 2025)"}
    assert display("pks", "mou", 3, documents) == documents[3]
    assert display("pks", "mou", 4, documents) == "MoU/KB yang sudah dihapus"
    line = describe(entry("pks", "updated", before={"mou": None}, after={"mou": 3}), documents)
    assert line.changes == [("KB/MoU", "–", documents[3])]
