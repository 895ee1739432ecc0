"""A government's own settings: one registry of keys, each with its default and its rules.

A government stores only the values it changed, in ``Government.settings`` (a JSON dict); every
other key falls back to its default here. Values are read when needed (never into module
globals), so a change takes effect at the next request or sweep. The meaning of the reminder
keys is documented in ``docs/reminders.md``.

Infrastructure, like ``db`` or ``formatting``: it imports no domain package and works on any
object with ``.settings`` (and ``.timezone`` for the time zone), so every domain reads its
settings here without importing another domain for them. A domain decides what a value means;
this module only knows its default, how a stored value is read and how an admin's input is
checked.

To add a setting (a deadline, a reporting interval: local practice, not a constant), add one
``Setting`` to ``SETTINGS``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kerjasama_flow.errors import DomainError
from kerjasama_flow.formatting import zone_abbreviation

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_NIP = re.compile(r"^\d{18}$")
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")
_SPACES = re.compile(r"\s+")


# --- reading a stored value: a typo in the JSON is ignored, never fatal ----------------------
# Each reader returns the value in force or raises ``ValueError``/``TypeError``. Readers check
# the type, not the limits of the form: a value stored before a limit was tightened still
# applies until an admin saves the page again.


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _days_list(value: Any) -> list[int]:
    """Distinct non-negative whole numbers, from the largest to the smallest."""
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(value)
    days = sorted({int(v) for v in value if not isinstance(v, bool)}, reverse=True)
    if len(days) != len(value) or days[-1] < 0:
        raise ValueError(value)
    return days


def _time(value: Any) -> str:
    if not isinstance(value, str) or not _TIME.match(value):
        raise ValueError(value)
    return value


def _weekday(value: Any) -> int:
    """An ISO day of the week: 1 (Monday) to 7 (Sunday)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 7:
        raise ValueError(value)
    return value


def _flag(value: Any) -> bool:
    """Only a JSON true or false: a switch that makes data public is off unless clearly on."""
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _nip(value: Any) -> str:
    """Empty, or the 18 digits of a civil servant's NIP."""
    if not isinstance(value, str) or (value and not _NIP.match(value)):
        raise ValueError(value)
    return value


def _stored_name(value: Any) -> str:
    """Empty, or the name the file store gave a file (random hex and a known suffix)."""
    if not isinstance(value, str) or (value and not _STORED_NAME.match(value)):
        raise ValueError(value)
    return value


# --- checking an admin's input: a ``DomainError`` with an Indonesian message and the key --------


def _clean_whole_number(setting: Setting, value: Any) -> int:
    low, high = setting.limits
    message = f"Isi bilangan bulat {low} sampai {high} {setting.unit}."
    if isinstance(value, bool):
        raise DomainError(message, setting.key)
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise DomainError(message, setting.key)
    return number


def _clean_days_list(setting: Setting, value: Any) -> list[int]:
    """ "180, 90, 30, 0" (as typed) or a list of whole numbers -> the distinct days, largest
    first."""
    key = setting.key
    low, high = setting.limits
    parts = (
        [part.strip() for part in value.split(",")] if isinstance(value, str) else list(value or [])
    )
    parts = [part for part in parts if part != ""]
    if not parts:
        raise DomainError("Isi paling sedikit satu jumlah hari, mis. 180, 90, 30, 0.", key)
    days: set[int] = set()
    for part in parts:
        try:
            if isinstance(part, bool):
                raise ValueError(part)
            number = int(str(part).strip())
        except ValueError:
            raise DomainError(
                f"“{part}” bukan bilangan bulat. Pisahkan jumlah hari dengan koma, "
                "mis. 180, 90, 30, 0.",
                key,
            ) from None
        if not low <= number <= high:
            raise DomainError(f"Setiap jumlah hari harus {low} sampai {high}.", key)
        days.add(number)
    if len(days) > setting.max_items:
        raise DomainError(f"Paling banyak {setting.max_items} jumlah hari.", key)
    return sorted(days, reverse=True)


def _clean_time(setting: Setting, value: Any) -> str:
    text = str(value or "").strip()
    if len(text) == 4 and text[1] == ":":
        text = f"0{text}"  # 7:00 -> 07:00
    if not _TIME.match(text):
        raise DomainError("Isi jam dengan format JJ:MM, 00:00 sampai 23:59.", setting.key)
    return text


def _clean_weekday(setting: Setting, value: Any) -> int:
    try:
        day = int(str(value).strip()) if not isinstance(value, bool) else 0
    except ValueError:
        day = 0
    if not 1 <= day <= 7:
        raise DomainError("Pilih salah satu hari, Senin sampai Minggu.", setting.key)
    return day


_TRUE = frozenset({"1", "true", "on", "ya"})
_FALSE = frozenset({"0", "false", "off", "tidak"})


def _clean_flag(setting: Setting, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError("Pilih aktif atau tidak aktif.", setting.key)


def _clean_text(setting: Setting, value: Any) -> str:
    """One line of text, spaces collapsed, at most ``limits[1]`` characters."""
    text = _SPACES.sub(" ", str(value or "")).strip()
    high = setting.limits[1]
    if len(text) > high:
        raise DomainError(f"Paling banyak {high} karakter.", setting.key)
    return text


def _clean_nip(setting: Setting, value: Any) -> str:
    """A NIP as typed, with or without its spaces ("19700101 199503 1 001"): 18 digits."""
    digits = re.sub(r"[\s.]", "", str(value or ""))
    if digits and not _NIP.match(digits):
        raise DomainError("NIP terdiri atas 18 angka, mis. 19700101 199503 1 001.", setting.key)
    return digits


def _clean_stored_name(setting: Setting, value: Any) -> str:
    try:
        return _stored_name(value or "")
    except ValueError:
        raise DomainError("Nama berkas tidak sah.", setting.key) from None


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One key of ``Government.settings``.

    ``read`` turns a stored value into the value in force (``ValueError``/``TypeError`` when it
    is not valid); ``clean`` turns what an admin typed into the value to store (``DomainError``
    with the key as its field). ``limits`` are the smallest and largest whole number (of each
    item, for a list), ``unit`` what they count, ``max_items`` the length of a list.
    """

    key: str
    default: Any
    read: Callable[[Any], Any]
    clean: Callable[[Setting, Any], Any]
    limits: tuple[int, int] | None = None
    unit: str = ""
    max_items: int | None = None


def _line(key: str, default: str, length: int) -> Setting:
    """One line of text of at most ``length`` characters (empty allowed)."""
    return Setting(
        key=key, default=default, read=_text, clean=_clean_text, limits=(0, length), unit="karakter"
    )


def _count(key: str, default: int, limits: tuple[int, int], unit: str) -> Setting:
    """A whole number of (working) days within ``limits``."""
    return Setting(
        key=key,
        default=default,
        read=_positive_int,
        clean=_clean_whole_number,
        limits=limits,
        unit=unit,
    )


SETTINGS: Mapping[str, Setting] = MappingProxyType(
    {
        setting.key: setting
        for setting in (
            # --- reminders (Pengaturan → Pengingat) ---
            # "Segera jatuh tempo": this many working days before a task's due date.
            _count(key="due_soon_working_days", default=3, limits=(1, 20), unit="hari kerja"),
            # "Terlambat": the first working day after the due date, then every this many
            # working days.
            _count(key="overdue_repeat_working_days", default=3, limits=(1, 20), unit="hari kerja"),
            # "Eskalasi" to leadership and the admins: this many working days after the due
            # date. On H+1 it would land on the same day as the first "Terlambat", so H+2 at
            # the earliest.
            _count(key="escalation_working_days", default=7, limits=(2, 60), unit="hari kerja"),
            # End-date notices for an MoU/KB or PKS: this many calendar days before its end
            # date (0: on the day itself).
            Setting(
                key="ending_notice_days",
                default=(180, 90, 60, 30, 7, 0),
                read=_days_list,
                clean=_clean_days_list,
                limits=(0, 730),
                unit="hari",
                max_items=10,
            ),
            # Local time of the daily sweep, in the government's time zone.
            Setting(key="sweep_time", default="07:00", read=_time, clean=_clean_time),
            # The "nearing its end" playbook runs this many calendar days before an end date
            # (at least one: a stored 0 is ignored, as it always was).
            _count(key="ending_playbook_days", default=180, limits=(1, 730), unit="hari"),
            # A signed KB with no PKS, or a PKS with no realisation, for this many months is
            # flagged as stalled ("mandek") on its agreement and in the list.
            _count(key="dormant_kb_months", default=6, limits=(1, 36), unit="bulan"),
            _count(key="dormant_pks_months", default=6, limits=(1, 36), unit="bulan"),
            # Periodic monitoring and evaluation (monev): a KB or PKS in force gets a monev
            # task this many months after its signing, then this many months after the
            # agreement's last monev.
            _count(key="monev_interval_months", default=6, limits=(1, 24), unit="bulan"),
            # --- the weekly digest for leaders (Pengaturan → Pengingat) ---
            # Whether the leaders (pimpinan) get it, on which day of the week (ISO: 1 is
            # Monday) and from what local time; each leader may still opt out.
            Setting(key="weekly_digest", default=True, read=_flag, clean=_clean_flag),
            Setting(key="weekly_digest_day", default=1, read=_weekday, clean=_clean_weekday),
            Setting(key="weekly_digest_time", default="07:00", read=_time, clean=_clean_time),
            # --- the public page ---
            # The government's public page of agreements: off until an admin turns it on.
            Setting(key="public_page", default=False, read=_flag, clean=_clean_flag),
            # --- the government's identity (Pengaturan → Identitas Pemda) ---
            # The lambang: the stored file's name in the file store (``identity``), "" if none.
            Setting(key="lambang_file", default="", read=_stored_name, clean=_clean_stored_name),
            # The kop surat of the report: the office under "PEMERINTAH ..." and its address.
            _line(key="letterhead_office", default="Sekretariat Daerah", length=120),
            _line(key="letterhead_address", default="", length=200),
            # The report's signature block: the place it is signed at ("" : the government's
            # name without "Kota"/"Kabupaten"), the office, the name and NIP of the signatory.
            _line(key="signature_place", default="", length=60),
            _line(key="signatory_office", default="Sekretaris Daerah", length=120),
            _line(key="signatory_name", default="", length=120),
            Setting(key="signatory_nip", default="", read=_nip, clean=_clean_nip),
        )
    }
)

# Every key's default, for a description ("Bawaan: ...") or a comparison.
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {key: setting.default for key, setting in SETTINGS.items()}
)

# The time zones a government can choose: the three of Indonesia. Their abbreviations (WIB,
# WITA, WIT) come from Babel's Indonesian locale (``formatting.zone_abbreviation``).
TIMEZONES: tuple[str, ...] = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def timezone_choices() -> list[tuple[str, str]]:
    """(zone, "WIB (Asia/Jakarta)") for each selectable zone, for a select field."""
    return [(zone, f"{zone_abbreviation(zone)} ({zone})") for zone in TIMEZONES]


# --- reading ------------------------------------------------------------------------------------


def get(government, key: str) -> Any:
    """The government's value for ``key``, else the default.

    An override that is not a valid value (a typo in the JSON) is ignored with a warning: the
    sweep must still run on the default rather than stop for every government. A list comes
    back sorted from the largest to the smallest.
    """
    setting = SETTINGS.get(key)
    if setting is None:
        raise KeyError(f"unknown government setting {key!r}")
    overrides = getattr(government, "settings", None) or {}
    if key in overrides:
        try:
            return setting.read(overrides[key])
        except (TypeError, ValueError):
            log.warning(
                "government %s: invalid %s=%r in settings, using the default %r",
                getattr(government, "id", "?"),
                key,
                overrides[key],
                setting.default,
            )
    return setting.read(setting.default)


def all_for(government, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """The government's values (overrides applied) for ``keys``, by default every key."""
    return {key: get(government, key) for key in (SETTINGS if keys is None else keys)}


def is_public(government) -> bool:
    """Whether the government's public page of agreements is on."""
    return get(government, "public_page")


# --- changing -----------------------------------------------------------------------------------


def clean(key: str, value: Any) -> Any:
    """``value`` (as typed in a form, or sent by a caller) as the stored value of ``key``, or
    of the time zone (``"timezone"``, a column of the government, not an override); a
    ``DomainError`` with an Indonesian message and the field ``key`` when it is not valid."""
    if key == "timezone":
        if value not in TIMEZONES:
            names = [zone_abbreviation(zone) for zone in TIMEZONES]
            raise DomainError(f"Pilih zona waktu {', '.join(names[:-1])} atau {names[-1]}.", key)
        return value
    setting = SETTINGS.get(key)
    if setting is None:
        raise KeyError(f"unknown government setting {key!r}")
    return setting.clean(setting, value)


def overrides_after(government, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The government's overrides once the ``cleaned`` values (of ``clean``) apply: a value
    equal to its default is not stored, so a later change of a default reaches every
    government that kept it; keys not in ``cleaned`` (unknown ones too) are left alone.
    A new dict: assigned to ``Government.settings``, the JSON column sees the change."""
    overrides = dict(getattr(government, "settings", None) or {})
    for key, value in cleaned.items():
        setting = SETTINGS[key]
        if value == setting.clean(setting, setting.default):
            overrides.pop(key, None)
        else:
            overrides[key] = value
    return overrides


def effective(government, keys: Iterable[str]) -> dict[str, Any]:
    """The time zone and the settings ``keys`` in force: what a settings page shows, and the
    before/after of its activity-log entry."""
    return {"timezone": government.timezone, **all_for(government, keys)}


def fingerprint(government) -> str:
    """A digest of the time zone and the stored overrides, sent with a settings form and
    compared on save: ``Government`` has no version column, and a concurrent change must not
    be overwritten silently."""
    payload = json.dumps(
        {"timezone": government.timezone, "settings": government.settings or {}},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
