"""The agreement lifecycle: stages, transitions and the rules a milestone must satisfy.

Pure Python: no Flask, no database. Services gather the facts, call these functions, and store
what they return; views never decide a stage, nor which milestone comes next.

    penjajakan --mou--> kesepakatan --pks--> pks --transaction--> pelaksanaan --> selesai
    any open stage --> ditunda (and back) | batal
    selesai | batal --(an admin reopens it, with a reason)--> the stage its milestones reached
    an open stage whose documents all ended --> berakhir --(extension: a new MoU/PKS)--> open
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kerjasama_flow.errors import DomainError
from kerjasama_flow.formatting import format_date

MAX_VALIDITY_YEARS = 5


class Stage(enum.StrEnum):
    PENJAJAKAN = "penjajakan"
    KESEPAKATAN = "kesepakatan"
    PKS = "pks"
    PELAKSANAAN = "pelaksanaan"
    SELESAI = "selesai"
    DITUNDA = "ditunda"
    BATAL = "batal"
    BERAKHIR = "berakhir"  # every MoU/PKS has passed its end date without an extension

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.PENJAJAKAN: "Penjajakan",
    Stage.KESEPAKATAN: "Kesepakatan Bersama (KB)",
    Stage.PKS: "Perjanjian Kerja Sama (PKS)",
    Stage.PELAKSANAAN: "Pelaksanaan",
    Stage.SELESAI: "Selesai",
    Stage.DITUNDA: "Ditunda",
    Stage.BATAL: "Diakhiri/Batal",
    Stage.BERAKHIR: "Berakhir",
}

# The stepper on the detail page: the main road, in order.
MAIN_ROAD = (Stage.PENJAJAKAN, Stage.KESEPAKATAN, Stage.PKS, Stage.PELAKSANAAN, Stage.SELESAI)
CLOSED = frozenset({Stage.SELESAI, Stage.BATAL})


class Action(enum.StrEnum):
    """What a user may do to an agreement's stage by hand (milestones move it by themselves)."""

    STALL = "tunda"
    RESUME = "lanjutkan"
    CANCEL = "batalkan"
    COMPLETE = "selesaikan"
    REOPEN = "buka-kembali"  # an admin takes back a completion or a cancellation

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.STALL: "Tunda",
    Action.RESUME: "Lanjutkan",
    Action.CANCEL: "Batalkan",
    Action.COMPLETE: "Tandai selesai",
    Action.REOPEN: "Buka kembali",
}
# Ending, pausing or reopening an agreement is a deliberate act: it says why.
REASON_REQUIRED = frozenset({Action.STALL, Action.CANCEL, Action.COMPLETE, Action.REOPEN})
REASON_MESSAGES = {
    Action.STALL: "Sebutkan alasan penundaan, mis. menunggu APBD perubahan.",
    Action.CANCEL: "Sebutkan alasan pembatalan, mis. mitra mengundurkan diri.",
    Action.COMPLETE: "Sebutkan alasan kerja sama ditandai selesai, mis. seluruh kegiatan PKS "
    "sudah terlaksana.",
    Action.REOPEN: "Sebutkan alasan kerja sama dibuka kembali.",
}


class RuleViolation(DomainError):
    """A lifecycle rule refused the change; ``field`` names the form field it belongs to."""


class InvalidTransition(RuleViolation):
    """The requested stage change is not allowed from the current stage."""


@dataclass(frozen=True)
class Facts:
    """What has been recorded for an agreement, as far as the stage and the next step are
    concerned."""

    has_visit: bool = False
    has_mou: bool = False
    has_pks: bool = False
    has_transaction: bool = False
    has_activity: bool = False  # a realised non-trade activity (realisasi kegiatan)

    @property
    def is_realised(self) -> bool:
        """Trade cooperation is realised by a transaction, the rest by a realised activity."""
        return self.has_transaction or self.has_activity


def stage_from_facts(facts: Facts) -> Stage:
    """The open stage an agreement has reached through its milestones."""
    if facts.is_realised:
        return Stage.PELAKSANAAN
    if facts.has_pks:
        return Stage.PKS
    if facts.has_mou:
        return Stage.KESEPAKATAN
    return Stage.PENJAJAKAN


def next_milestone(facts: Facts) -> str:
    """The milestone a user most likely records next ("visit", "mou", "pks" or
    "transaction"): the detail page's primary button. Once there is a PKS, the next thing is
    a (further) transaction."""
    if facts.has_pks:
        return "transaction"
    if facts.has_mou:
        return "pks"
    if facts.has_visit:
        return "mou"
    return "visit"


class StepState(enum.StrEnum):
    """A stage's place in the stepper; the value is the CSS class of its step."""

    DONE = "done"
    CURRENT = "current"
    UPCOMING = ""


def stepper(stage: Stage, facts: Facts) -> list[tuple[Stage, StepState]]:
    """Each stage of the main road with its state. On the main road, the agreement's stage is
    current and the ones before it done. Off the road (stalled, cancelled, ended), nothing is
    current: the stages its milestones reached are done, so the page shows how far it got."""
    if stage in MAIN_ROAD:
        reached, current = stage, stage
    else:
        reached, current = stage_from_facts(facts), None
    position = MAIN_ROAD.index(reached)
    steps = []
    for index, road_stage in enumerate(MAIN_ROAD):
        if road_stage == current:
            state = StepState.CURRENT
        elif index < position or (current is None and index == position):
            state = StepState.DONE
        else:
            state = StepState.UPCOMING
        steps.append((road_stage, state))
    return steps


def after_milestone(current: Stage, facts: Facts) -> Stage:
    """The stage after a milestone was recorded, changed or removed.

    A stalled agreement stays stalled (resuming recomputes its stage); a closed one accepts no
    milestones at all (see ``check_open``). An ended one is reopened by the milestone (an
    extension); the daily sweep ends it again if no document is still valid.
    """
    check_open(current)
    if current == Stage.DITUNDA:
        return current
    return stage_from_facts(facts)


def check_open(current: Stage) -> None:
    if current == Stage.BATAL:
        raise InvalidTransition("Kerja sama ini sudah dibatalkan; tidak dapat diubah lagi.")
    if current == Stage.SELESAI:
        raise InvalidTransition("Kerja sama ini sudah selesai; tidak dapat diubah lagi.")


def allowed_actions(current: Stage) -> list[Action]:
    """The manual actions offered for an agreement in ``current`` stage. Reopening a closed
    agreement is for admins only (``permissions.can_reopen_agreement``, checked by the
    service)."""
    if current in CLOSED:
        return [Action.REOPEN]
    if current == Stage.DITUNDA:
        return [Action.RESUME, Action.CANCEL]
    if current == Stage.BERAKHIR:
        return [Action.COMPLETE]
    actions = [Action.STALL, Action.CANCEL]
    if current == Stage.PELAKSANAAN:
        actions.insert(0, Action.COMPLETE)
    return actions


def apply_action(current: Stage, action: Action, facts: Facts) -> Stage:
    """The stage after a manual action; raises ``InvalidTransition`` when it is not allowed."""
    if action not in allowed_actions(current):
        raise InvalidTransition(
            f"Tindakan “{action.label}” tidak dapat dilakukan pada tahap {current.label}."
        )
    return {
        Action.STALL: Stage.DITUNDA,
        Action.RESUME: stage_from_facts(facts),
        Action.CANCEL: Stage.BATAL,
        Action.COMPLETE: Stage.SELESAI,
        Action.REOPEN: stage_from_facts(facts),
    }[action]


def check_reason(action: Action, reason: str | None) -> None:
    """Stalling, cancelling, completing and reopening need a reason (``REASON_REQUIRED``)."""
    if action in REASON_REQUIRED and not (reason or "").strip():
        raise RuleViolation(REASON_MESSAGES[action], "reason")


def mark_ended(current: Stage) -> Stage:
    """The stage once every MoU/PKS of the agreement has passed its end date."""
    if current in CLOSED or current == Stage.DITUNDA:
        raise InvalidTransition(f"Kerja sama pada tahap {current.label} tidak ditandai berakhir.")
    return Stage.BERAKHIR


# --- rules a milestone must satisfy -----------------------------------------------------------


def check_period(starts_on: date | None, ends_on: date | None) -> None:
    """End after start, and a validity of at most five years (extension is a new milestone)."""
    if starts_on is None or ends_on is None:
        return
    if ends_on <= starts_on:
        raise RuleViolation("Tanggal berakhir harus sesudah tanggal mulai berlaku.", "ends_on")
    try:
        limit = starts_on.replace(year=starts_on.year + MAX_VALIDITY_YEARS)
    except ValueError:  # 29 February
        limit = starts_on.replace(year=starts_on.year + MAX_VALIDITY_YEARS, day=28)
    if ends_on > limit:
        raise RuleViolation(
            f"Masa berlaku paling lama {MAX_VALIDITY_YEARS} tahun; "
            "perpanjangan dicatat sebagai dokumen baru.",
            "ends_on",
        )


def check_signed_after(signed_on: date | None, earlier: date | None, what: str) -> None:
    if signed_on and earlier and signed_on < earlier:
        raise RuleViolation(f"Tanggal penandatanganan tidak boleh sebelum {what}.", "signed_on")


def check_pks(has_signed_mou: bool, is_direct: bool, direct_reason: str | None) -> None:
    """A PKS needs a signed MoU/KB, unless it is a direct PKS with a reason."""
    if is_direct:
        if not (direct_reason or "").strip():
            raise RuleViolation(
                "Sebutkan alasan PKS langsung tanpa Kesepakatan Bersama.", "direct_reason"
            )
        return
    if not has_signed_mou:
        raise RuleViolation(
            "PKS memerlukan Kesepakatan Bersama/MoU yang sudah ditandatangani. "
            "Catat MoU terlebih dahulu, atau tandai sebagai PKS langsung dan sebutkan alasannya.",
            "mou",
        )


def check_pks_agencies(agencies) -> None:
    """A PKS is carried out by at least one OPD pelaksana of the own side."""
    if not agencies:
        raise RuleViolation("Pilih minimal satu OPD pelaksana PKS.", "agencies")


def check_not_future(day: date | None, today: date, field: str, what: str) -> None:
    """A date on which something happened (a signing, a visit, a transaction) lies no later
    than ``today``, the government's today: what is planned is an agenda, not a record."""
    if day is not None and day > today:
        raise RuleViolation(f"{what} tidak boleh melewati hari ini ({format_date(today)}).", field)


def check_pks_starts_after_mou(starts_on: date | None, mou_signed_on: date | None) -> None:
    """A PKS implements its Kesepakatan Bersama: it cannot be in force before the KB."""
    if starts_on and mou_signed_on and starts_on < mou_signed_on:
        raise RuleViolation(
            "PKS tidak boleh mulai berlaku sebelum Kesepakatan Bersama/MoU ditandatangani "
            f"({format_date(mou_signed_on)}).",
            "starts_on",
        )


def check_pks_ends_within_mou(ends_on: date | None, mou_ends_on: date | None) -> None:
    """A PKS ends no later than its Kesepakatan Bersama, when the KB has an end date."""
    if ends_on and mou_ends_on and ends_on > mou_ends_on:
        raise RuleViolation(
            "PKS tidak boleh berakhir sesudah Kesepakatan Bersama/MoU berakhir "
            f"({format_date(mou_ends_on)}).",
            "ends_on",
        )


def check_transaction(has_pks: bool) -> None:
    if not has_pks:
        raise RuleViolation("Transaksi memerlukan PKS. Catat PKS terlebih dahulu.", "pks")


def check_activity_basis(has_mou: bool, has_pks: bool) -> None:
    """A realised activity carries out a signed KB or PKS."""
    if not (has_mou or has_pks):
        raise RuleViolation(
            "Realisasi kegiatan dicatat di bawah Kesepakatan Bersama atau PKS yang sudah "
            "ditandatangani. Pilih salah satunya.",
            "pks",
        )


def check_activity_after_basis(held_on: date | None, basis_signed_on: date | None) -> None:
    if held_on and basis_signed_on and held_on < basis_signed_on:
        raise RuleViolation(
            "Kegiatan tidak boleh sebelum dasar kerja samanya ditandatangani "
            f"({format_date(basis_signed_on)}).",
            "held_on",
        )


def check_amount(value: int | None, field: str = "value_rp") -> None:
    if value is not None and value < 0:
        raise RuleViolation("Nilai tidak boleh negatif.", field)


def check_transaction_after_pks(transacted_on: date | None, pks_signed_on: date | None) -> None:
    if transacted_on and pks_signed_on and transacted_on < pks_signed_on:
        raise RuleViolation(
            "Tanggal transaksi tidak boleh sebelum penandatanganan PKS.", "transacted_on"
        )


def check_later(day: date | None, earlier: date | None, field: str, message: str) -> None:
    """``day`` is not before ``earlier`` (when both are known); else ``message``."""
    if day and earlier and day < earlier:
        raise RuleViolation(message, field)


def check_reply_after_offer(reply_on: date | None, letter_on: date | None) -> None:
    check_later(
        reply_on, letter_on, "reply_on", "Surat jawaban tidak boleh sebelum surat penawaran."
    )


def check_paraf_chain(
    reviewed_on: date | None,
    kabag_on: date | None,
    asisten_on: date | None,
    sekda_on: date | None,
) -> dict[str, str]:
    """The paraf koordinasi go up the chain: Kabag, then Asisten, then Sekda, none before the
    review; a higher initial needs the lower ones."""
    errors: dict[str, str] = {}
    chain = (
        ("paraf_kabag_on", "Kepala Bagian", kabag_on),
        ("paraf_asisten_on", "Asisten", asisten_on),
        ("paraf_sekda_on", "Sekretaris Daerah", sekda_on),
    )
    previous_name, previous_on = "telaah hukum", reviewed_on
    for field, name, on in chain:
        if on is None:
            previous_name, previous_on = name, None
            continue
        if previous_on is None and previous_name != "telaah hukum":
            errors[field] = f"Paraf {name} memerlukan paraf {previous_name} terlebih dahulu."
        elif previous_on is not None and on < previous_on:
            errors[field] = (
                f"Paraf {name} tidak boleh sebelum {_paraf_of(previous_name)} "
                f"({format_date(previous_on)})."
            )
        previous_name, previous_on = name, on
    return errors


def _paraf_of(name: str) -> str:
    return name if name == "telaah hukum" else f"paraf {name}"


def check_dprd_decision(approved_on: date | None, decision_number: str | None) -> None:
    if approved_on and not (decision_number or "").strip():
        raise RuleViolation(
            "Isi nomor keputusan/surat persetujuan DPRD bila persetujuan sudah diterima.",
            "decision_number",
        )


def check_dprd_before_pks(
    needs_dprd: bool, approved_on: date | None, signed_on: date | None
) -> None:
    """A PKS of an agreement that needs the DPRD's approval is signed only after it."""
    if not needs_dprd:
        return
    if approved_on is None:
        raise RuleViolation(
            "Kerja sama ini memerlukan persetujuan DPRD (membebani masyarakat atau belum "
            "dianggarkan dalam APBD). Catat persetujuan DPRD sebelum PKS.",
            "signed_on",
        )
    if signed_on and signed_on < approved_on:
        raise RuleViolation(
            "PKS tidak boleh ditandatangani sebelum persetujuan DPRD "
            f"({format_date(approved_on)}).",
            "signed_on",
        )


def check_proxy(
    signed_by_proxy: bool, number: str | None, letter_on: date | None, signed_on: date | None
) -> dict[str, str]:
    """A PKS signed by an OPD head on the head of region's behalf records the surat kuasa,
    given no later than the signing."""
    if not signed_by_proxy:
        return {}
    errors = {}
    if not (number or "").strip():
        errors["proxy_letter_number"] = "Isi nomor surat kuasa."
    if letter_on is None:
        errors["proxy_letter_on"] = "Isi tanggal surat kuasa."
    elif signed_on and letter_on > signed_on:
        errors["proxy_letter_on"] = "Surat kuasa harus terbit sebelum penandatanganan PKS."
    return errors


def check_document_subject(mou: Any, pks: Any) -> None:
    """A report or an amendment is about exactly one signed KB or PKS."""
    if (mou is None) == (pks is None):
        raise RuleViolation("Pilih satu dokumen: Kesepakatan Bersama atau PKS.", "mou")


def check_amendment(
    amendment_kind: str | None,
    subject: Any,
    ends_on: date | None,
    signed_on: date | None,
    new_ends_on: date | None,
    reason: str | None,
) -> dict[str, str]:
    """An addendum may extend its document (within the five-year limit from its start); a
    pengakhiran says why, and ends the document before its end date (``ends_on``, the one
    the amendment found)."""
    errors: dict[str, str] = {}
    if subject is None:
        return errors
    start = subject.starts_on or subject.signed_on
    if amendment_kind == "pengakhiran":
        if not reason:
            errors["termination_reason"] = "Pilih alasan pengakhiran."
        if new_ends_on is not None:
            errors["new_ends_on"] = "Pengakhiran tidak mengubah tanggal berakhir; kosongkan."
        if signed_on and ends_on and signed_on >= ends_on:
            errors["signed_on"] = (
                f"Dokumen ini sudah berakhir {format_date(ends_on)}; pengakhiran dicatat "
                "sebelum tanggal berakhirnya."
            )
        return errors
    if reason:
        errors["termination_reason"] = "Alasan pengakhiran hanya untuk pengakhiran."
    try:
        check_period(start, new_ends_on)
    except RuleViolation as violation:
        errors["new_ends_on"] = violation.message
    return errors


def report_recipient(government_kind: str, province: str | None) -> str:
    """To whom a signed KB/PKS is reported: a province to the Menteri Dalam Negeri; a
    kabupaten or kota to the Gubernur of its province, as the representative of the central
    government. The government's kind decides, not the wording of its name."""
    if government_kind == "provinsi":
        return "Menteri Dalam Negeri"
    return f"Gubernur {province}" if province else "Gubernur"


# The day each milestone records as having happened, and what the message calls it.
EVENT_DAYS = {
    "offer": ("letter_on", "Tanggal surat penawaran"),
    "visit": ("visited_on", "Tanggal kunjungan"),
    "tkksd": ("held_on", "Tanggal rapat TKKSD"),
    "legal_review": ("reviewed_on", "Tanggal telaah hukum"),
    "dprd": ("requested_on", "Tanggal surat permohonan"),
    "mou": ("signed_on", "Tanggal penandatanganan"),
    "pks": ("signed_on", "Tanggal penandatanganan"),
    "report": ("sent_on", "Tanggal surat laporan"),
    "transaction": ("transacted_on", "Tanggal transaksi"),
    "activity": ("held_on", "Tanggal kegiatan"),
    "amendment": ("signed_on", "Tanggal penandatanganan"),
}
# Further days of a step that cannot lie in the future either.
OTHER_DAYS = {
    "offer": (("reply_on", "Tanggal surat jawaban"),),
    "legal_review": (
        ("paraf_kabag_on", "Tanggal paraf"),
        ("paraf_asisten_on", "Tanggal paraf"),
        ("paraf_sekda_on", "Tanggal paraf"),
    ),
    "dprd": (("approved_on", "Tanggal persetujuan"),),
    "pks": (("proxy_letter_on", "Tanggal surat kuasa"),),
}


def milestone_checks(kind: str, data: Mapping[str, Any], today: date) -> dict[str, str]:
    """Every rule a milestone of ``kind`` breaks, field -> message (the first per field),
    so that a form shows them all in one round; empty when it may be recorded.

    ``data`` is what the milestone form sends (``services.MILESTONE_FIELDS``) and what the
    services add about the agreement (``needs_dprd``, ``dprd_approved_on``); a step's ``mou``
    and ``pks`` are read for their dates only (``signed_on``, ``starts_on``, ``ends_on``).
    ``today`` is the government's today. The milestone services raise these
    (``errors.FieldErrors``); the forms show them before calling the services."""
    errors: dict[str, str] = {}

    def collect(check: Callable[..., None], *args: Any) -> None:
        try:
            check(*args)
        except RuleViolation as violation:
            errors.setdefault(violation.field, violation.message)

    def merge(found: dict[str, str]) -> None:
        for key, message in found.items():
            errors.setdefault(key, message)

    field, what = EVENT_DAYS[kind]
    collect(check_not_future, data.get(field), today, field, what)
    for other, other_what in OTHER_DAYS.get(kind, ()):
        collect(check_not_future, data.get(other), today, other, other_what)
    if kind == "offer":
        collect(check_reply_after_offer, data.get("reply_on"), data.get("letter_on"))
    if kind == "legal_review":
        merge(
            check_paraf_chain(
                data.get("reviewed_on"),
                data.get("paraf_kabag_on"),
                data.get("paraf_asisten_on"),
                data.get("paraf_sekda_on"),
            )
        )
    if kind == "dprd":
        collect(
            check_later,
            data.get("approved_on"),
            data.get("requested_on"),
            "approved_on",
            "Persetujuan DPRD tidak boleh sebelum surat permohonannya.",
        )
        collect(check_dprd_decision, data.get("approved_on"), data.get("decision_number"))
    if kind in ("mou", "pks"):
        collect(check_period, data.get("starts_on"), data.get("ends_on"))
    if kind == "pks":
        mou = data.get("mou")
        collect(check_pks, mou is not None, bool(data.get("is_direct")), data.get("direct_reason"))
        collect(check_pks_agencies, data.get("agencies"))
        if mou is not None:
            collect(
                check_signed_after, data.get("signed_on"), mou.signed_on, "penandatanganan MoU/KB"
            )
            collect(check_pks_starts_after_mou, data.get("starts_on"), mou.signed_on)
            collect(check_pks_ends_within_mou, data.get("ends_on"), mou.ends_on)
        merge(
            check_proxy(
                bool(data.get("signed_by_proxy")),
                data.get("proxy_letter_number"),
                data.get("proxy_letter_on"),
                data.get("signed_on"),
            )
        )
        collect(
            check_dprd_before_pks,
            bool(data.get("needs_dprd")),
            data.get("dprd_approved_on"),
            data.get("signed_on"),
        )
    if kind == "transaction":
        pks = data.get("pks")
        collect(check_transaction, pks is not None)
        if pks is not None:
            collect(check_transaction_after_pks, data.get("transacted_on"), pks.signed_on)
        collect(check_amount, data.get("value_rp"), "value_rp")
        collect(check_amount, data.get("volume"), "volume")
    if kind == "activity":
        mou, pks = data.get("mou"), data.get("pks")
        collect(check_activity_basis, mou is not None, pks is not None)
        basis = pks if pks is not None else mou
        if basis is not None:
            collect(check_activity_after_basis, data.get("held_on"), basis.signed_on)
    if kind in ("report", "amendment"):
        mou, pks = data.get("mou"), data.get("pks")
        collect(check_document_subject, mou, pks)
        subject = pks if pks is not None else mou
        if subject is not None:
            collect(
                check_later,
                data.get(field),
                subject.signed_on,
                field,
                f"{what} tidak boleh sebelum dokumennya ditandatangani "
                f"({format_date(subject.signed_on)}).",
            )
        if kind == "amendment":
            merge(
                check_amendment(
                    data.get("amendment_kind"),
                    subject,
                    data.get("ends_on_before", subject.ends_on if subject else None),
                    data.get("signed_on"),
                    data.get("new_ends_on"),
                    data.get("termination_reason"),
                )
            )
    return errors


# --- a signed document's standing (the register) ----------------------------------------------


class Standing(enum.StrEnum):
    """Where a signed KB or PKS stands on a day, as the register (Daftar Kerja Sama) shows."""

    UNREGISTERED = "belum_registrasi"  # a party's number is still missing
    NOT_YET = "belum_berlaku"
    IN_FORCE = "berlaku"
    ENDING_SOON = "segera_berakhir"
    ENDED = "berakhir"
    TERMINATED = "diakhiri"  # ended early by a pengakhiran

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.UNREGISTERED: "Belum diregistrasi",
    Standing.NOT_YET: "Belum berlaku",
    Standing.IN_FORCE: "Berlaku",
    Standing.ENDING_SOON: "Segera berakhir",
    Standing.ENDED: "Berakhir",
    Standing.TERMINATED: "Diakhiri",
}


def standing(
    *,
    number_own: str | None,
    number_partner: str | None,
    starts_on: date | None,
    ends_on: date | None,
    today: date,
    ending_soon_days: int,
    terminated_on: date | None = None,
) -> Standing:
    """A document counts once both parties' numbers are registered; then it is in force from
    its start (its signing when no start is given) to its end, "ending soon" in the last
    ``ending_soon_days``. An ended document is ended whatever its numbers; one ended early
    by a pengakhiran (``terminated_on``) is "diakhiri" from that day."""
    if terminated_on is not None and terminated_on <= today:
        return Standing.TERMINATED
    if ends_on is not None and ends_on < today:
        return Standing.ENDED
    if not (number_own or "").strip() or not (number_partner or "").strip():
        return Standing.UNREGISTERED
    if starts_on is not None and starts_on > today:
        return Standing.NOT_YET
    if ends_on is not None and (ends_on - today).days <= ending_soon_days:
        return Standing.ENDING_SOON
    return Standing.IN_FORCE


# --- stalled agreements ("mandek") ------------------------------------------------------------


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 1 always exists


def dormant_cutoff(today: date, months: int) -> date:
    """A document signed on or before this day has waited ``months`` months by ``today``."""
    return months_after(today, -months)


def dormancy(
    *,
    stage: Stage,
    last_kb_signed_on: date | None,
    last_pks_signed_on: date | None,
    kb_months: int,
    pks_months: int,
    today: date,
) -> str | None:
    """Why an open agreement is stalled, or None: a KB with no PKS ``kb_months`` after it was
    signed (the latest KB counts), or a PKS with no realisation ``pks_months`` after it was
    signed. Only the stages waiting for that next step can be stalled."""
    kb_waits = stage == Stage.KESEPAKATAN and last_kb_signed_on is not None
    if kb_waits and last_kb_signed_on <= dormant_cutoff(today, kb_months):
        return (
            f"Kesepakatan Bersama ditandatangani {format_date(last_kb_signed_on)} belum "
            f"diikuti PKS setelah {kb_months} bulan."
        )
    pks_waits = stage == Stage.PKS and last_pks_signed_on is not None
    if pks_waits and last_pks_signed_on <= dormant_cutoff(today, pks_months):
        return (
            f"PKS ditandatangani {format_date(last_pks_signed_on)} belum memiliki transaksi "
            f"atau realisasi kegiatan setelah {pks_months} bulan."
        )
    return None


# --- what an agreement still misses (the agreement page) -------------------------------------


@dataclass(frozen=True)
class SignedDocument:
    """A signed KB or PKS as far as the administrative path is concerned."""

    label: str
    registered: bool  # both parties' numbers are recorded
    reported: bool  # its report to the Gubernur / Menteri Dalam Negeri was sent
    ended: bool = False


@dataclass(frozen=True)
class PathFacts:
    """What the administrative path of an agreement has recorded (``services.path_facts``)."""

    stage: Stage
    facts: Facts
    has_offer: bool = False
    unanswered_offer: bool = False  # an offer of the partner not yet replied to
    tkksd_recommendation: str | None = None  # the latest meeting's
    has_legal_review: bool = False
    initialled: bool = False  # the latest review has every paraf
    needs_dprd: bool = False
    dprd_approved: bool = False
    documents: tuple[SignedDocument, ...] = ()
    report_recipient: str = "Gubernur"


def missing_steps(path: PathFacts) -> list[str]:
    """Why an open agreement stands where it stands: what is still missing before it can go
    on, in the order of the administrative path (Permendagri 22/2020). Empty for a closed,
    stalled or ended agreement (their own notices say why)."""
    if path.stage not in (Stage.PENJAJAKAN, Stage.KESEPAKATAN, Stage.PKS, Stage.PELAKSANAAN):
        return []
    facts, missing = path.facts, []
    if path.stage == Stage.PENJAJAKAN:
        if not (path.has_offer or facts.has_visit):
            missing.append("Belum ada penawaran kerja sama atau kunjungan kerja yang dicatat.")
        if path.unanswered_offer:
            missing.append("Surat penawaran dari mitra belum dijawab.")
        if path.tkksd_recommendation is None:
            missing.append("Usulan kerja sama belum dibahas dalam rapat TKKSD.")
        elif path.tkksd_recommendation == "perbaiki":
            missing.append("TKKSD meminta usulan atau drafnya diperbaiki lalu dibahas lagi.")
        elif path.tkksd_recommendation == "tolak":
            missing.append("TKKSD merekomendasikan usulan ini ditolak.")
        if not path.has_legal_review:
            missing.append("Draf Kesepakatan Bersama belum ditelaah Bagian Hukum.")
        elif not path.initialled:
            missing.append(
                "Paraf koordinasi belum lengkap (Kepala Bagian, Asisten, Sekretaris Daerah)."
            )
        missing.append("Kesepakatan Bersama belum ditandatangani.")
        return missing
    for document in path.documents:
        if document.ended:
            continue
        if not document.registered:
            missing.append(
                f"{document.label}: nomor registrasi kedua pihak belum lengkap, sehingga "
                "belum tercatat berlaku."
            )
        if not document.reported:
            missing.append(f"{document.label} belum dilaporkan kepada {path.report_recipient}.")
    if path.needs_dprd and not path.dprd_approved and not facts.has_pks:
        missing.append("Persetujuan DPRD belum dicatat; PKS baru dapat ditandatangani sesudahnya.")
    if path.stage == Stage.KESEPAKATAN:
        missing.append("Belum ada PKS yang ditandatangani untuk melaksanakan kesepakatan ini.")
    if path.stage == Stage.PKS:
        missing.append("Belum ada transaksi atau realisasi kegiatan yang dicatat.")
    return missing
