"""The registry of a government's own settings, pure: defaults, overrides, checks, the time
zones. No app, no database: any object with ``.settings`` (and ``.timezone``) will do."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from kerjasama_flow import government_settings as gs
from kerjasama_flow.errors import DomainError


def government(settings=None, timezone="Asia/Jakarta", government_id=1):
    return SimpleNamespace(id=government_id, settings=settings, timezone=timezone)


# --- the registry -------------------------------------------------------------------------------


def test_every_key_has_one_entry_with_its_default():
    assert dict(gs.DEFAULTS) == {
        "due_soon_working_days": 3,
        "overdue_repeat_working_days": 3,
        "escalation_working_days": 7,
        "ending_notice_days": (180, 90, 60, 30, 7, 0),
        "sweep_time": "07:00",
        "ending_playbook_days": 180,
        "dormant_kb_months": 6,
        "dormant_pks_months": 6,
        "monev_interval_months": 6,
        "weekly_digest": True,
        "weekly_digest_day": 1,
        "weekly_digest_time": "07:00",
        "public_page": False,
        "lambang_file": "",
        "letterhead_office": "Sekretariat Daerah",
        "letterhead_address": "",
        "signature_place": "",
        "signatory_office": "Sekretaris Daerah",
        "signatory_name": "",
        "signatory_nip": "",
    }
    for key, setting in gs.SETTINGS.items():
        assert setting.key == key
        # The default is a valid value, both as stored and as typed in a form.
        assert setting.read(setting.default) == setting.clean(setting, setting.default)
        if setting.limits is not None:
            assert setting.unit, key


def test_the_registry_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        gs.SETTINGS["x"] = None
    with pytest.raises(TypeError):
        gs.DEFAULTS["sweep_time"] = "08:00"


# --- reading ------------------------------------------------------------------------------------


def test_defaults_apply_without_overrides():
    assert gs.all_for(government({})) == {
        "due_soon_working_days": 3,
        "overdue_repeat_working_days": 3,
        "escalation_working_days": 7,
        "ending_notice_days": [180, 90, 60, 30, 7, 0],
        "sweep_time": "07:00",
        "ending_playbook_days": 180,
        "dormant_kb_months": 6,
        "dormant_pks_months": 6,
        "monev_interval_months": 6,
        "weekly_digest": True,
        "weekly_digest_day": 1,
        "weekly_digest_time": "07:00",
        "public_page": False,
        "lambang_file": "",
        "letterhead_office": "Sekretariat Daerah",
        "letterhead_address": "",
        "signature_place": "",
        "signatory_office": "Sekretaris Daerah",
        "signatory_name": "",
        "signatory_nip": "",
    }
    assert gs.get(government(None), "sweep_time") == "07:00"
    assert gs.get(SimpleNamespace(), "sweep_time") == "07:00"  # no settings at all
    assert gs.all_for(government({}), ["sweep_time"]) == {"sweep_time": "07:00"}


def test_overrides_are_read_and_normalised():
    gov = government(
        {"ending_notice_days": [0, 30, 120], "sweep_time": "06:30", "due_soon_working_days": "2"}
    )
    assert gs.get(gov, "ending_notice_days") == [120, 30, 0]
    assert gs.get(gov, "sweep_time") == "06:30"
    assert gs.get(gov, "due_soon_working_days") == 2
    assert gs.get(gov, "escalation_working_days") == 7


def test_a_list_default_comes_back_as_a_new_list():
    first = gs.get(government({}), "ending_notice_days")
    first.append(1)
    assert gs.get(government({}), "ending_notice_days") == [180, 90, 60, 30, 7, 0]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("due_soon_working_days", 0),
        ("due_soon_working_days", "tiga"),
        ("due_soon_working_days", True),
        ("overdue_repeat_working_days", None),
        ("ending_notice_days", []),
        ("ending_notice_days", [30, 30]),
        ("ending_notice_days", [-1]),
        ("ending_notice_days", "180,90"),
        ("sweep_time", "7:00"),
        ("sweep_time", "25:00"),
        ("ending_playbook_days", 0),
        ("public_page", "yes"),
        ("public_page", 1),
    ],
)
def test_an_invalid_override_falls_back_to_the_default(key, value, caplog):
    with caplog.at_level(logging.WARNING, logger="kerjasama_flow.government_settings"):
        assert gs.get(government({key: value}, government_id=7), key) == gs.get(government({}), key)
    assert "government 7: invalid" in caplog.text


def test_an_unknown_setting_is_an_error():
    with pytest.raises(KeyError):
        gs.get(government({}), "due_soon_days")
    with pytest.raises(KeyError):
        gs.clean("due_soon_days", 3)


def test_the_public_page_is_off_unless_turned_on():
    assert gs.is_public(government(None)) is False
    assert gs.is_public(government({"public_page": False})) is False
    assert gs.is_public(government({"public_page": True})) is True
    assert gs.is_public(government({"public_page": "false"})) is False  # not a JSON true


# --- changing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("due_soon_working_days", " 5 ", 5),
        ("escalation_working_days", 60, 60),
        ("ending_playbook_days", "1", 1),
        ("ending_notice_days", "30, 365,0, 30", [365, 30, 0]),
        ("ending_notice_days", [7, 90], [90, 7]),
        ("sweep_time", "6:30", "06:30"),
        ("sweep_time", "23:59", "23:59"),
        ("public_page", True, True),
        ("public_page", "1", True),
        ("public_page", "0", False),
        ("timezone", "Asia/Jayapura", "Asia/Jayapura"),
    ],
)
def test_clean_accepts_what_an_admin_types(key, value, expected):
    assert gs.clean(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("due_soon_working_days", 0, "Isi bilangan bulat 1 sampai 20 hari kerja."),
        ("due_soon_working_days", True, "Isi bilangan bulat 1 sampai 20 hari kerja."),
        ("overdue_repeat_working_days", "dua", "Isi bilangan bulat 1 sampai 20 hari kerja."),
        ("escalation_working_days", 1, "Isi bilangan bulat 2 sampai 60 hari kerja."),
        ("ending_playbook_days", None, "Isi bilangan bulat 1 sampai 730 hari."),
        ("ending_notice_days", "", "Isi paling sedikit satu jumlah hari"),
        ("ending_notice_days", "90, x", "\u201cx\u201d bukan bilangan bulat."),
        ("ending_notice_days", [30, -1], "Setiap jumlah hari harus 0 sampai 730."),
        ("ending_notice_days", list(range(11)), "Paling banyak 10 jumlah hari."),
        ("sweep_time", "7.00", "Isi jam dengan format JJ:MM"),
        ("public_page", "mungkin", "Pilih aktif atau tidak aktif."),
        ("timezone", "Asia/Pontianak", "Pilih zona waktu WIB, WITA atau WIT."),
    ],
)
def test_clean_refuses_with_the_key_as_field(key, value, message):
    with pytest.raises(DomainError) as refused:
        gs.clean(key, value)
    assert refused.value.field == key
    assert message in refused.value.message


def test_overrides_keep_only_what_differs_from_the_default():
    gov = government({"due_soon_working_days": 5, "sweep_time": "06:00", "x": 1})
    cleaned = {
        "due_soon_working_days": 3,  # back to the default: no longer stored
        "ending_notice_days": [0, 7, 30, 60, 90, 180],  # the default, in another order
        "escalation_working_days": 10,
    }
    after = gs.overrides_after(gov, {k: gs.clean(k, v) for k, v in cleaned.items()})
    assert after == {"sweep_time": "06:00", "x": 1, "escalation_working_days": 10}
    assert gov.settings == {"due_soon_working_days": 5, "sweep_time": "06:00", "x": 1}
    assert after is not gov.settings
    assert gs.overrides_after(government(None), {"public_page": True}) == {"public_page": True}


def test_effective_and_fingerprint():
    gov = government({"sweep_time": "06:00"}, timezone="Asia/Makassar")
    assert gs.effective(gov, ["sweep_time", "public_page"]) == {
        "timezone": "Asia/Makassar",
        "sweep_time": "06:00",
        "public_page": False,
    }
    version = gs.fingerprint(gov)
    assert len(version) == 32 and version == gs.fingerprint(gov)
    assert gs.fingerprint(government({"sweep_time": "06:00"}, "Asia/Jakarta")) != version
    assert gs.fingerprint(government({"sweep_time": "06:30"}, "Asia/Makassar")) != version


# --- time zones: the list is data, the abbreviations come from Babel -----------------------------


def test_the_zones_of_indonesia_with_babels_abbreviations():
    assert gs.TIMEZONES == ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    assert gs.timezone_choices() == [
        ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
        ("Asia/Makassar", "WITA (Asia/Makassar)"),
        ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
    ]
