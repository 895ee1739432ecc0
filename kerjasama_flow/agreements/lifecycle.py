"""The agreement lifecycle: stages, transitions and the rules a milestone must satisfy.

Pure Python: no Flask, no database. Services gather the facts, call these functions, and store
what they return; views never decide a stage, nor which milestone comes next.

    penjajakan --mou--> kesepakatan --pks--> pks --transaction--> pelaksanaan --> selesai
    any open stage --> ditunda (and back) | batal
    an open stage whose documents all ended --> berakhir --(extension: a new MoU/PKS)--> open
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from kerjasama_flow.errors import DomainError

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
    Stage.KESEPAKATAN: "Kesepakatan (MoU/KB)",
    Stage.PKS: "PKS",
    Stage.PELAKSANAAN: "Pelaksanaan",
    Stage.SELESAI: "Selesai",
    Stage.DITUNDA: "Ditunda",
    Stage.BATAL: "Batal",
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

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.STALL: "Tunda",
    Action.RESUME: "Lanjutkan",
    Action.CANCEL: "Batalkan",
    Action.COMPLETE: "Tandai selesai",
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


def stage_from_facts(facts: Facts) -> Stage:
    """The open stage an agreement has reached through its milestones."""
    if facts.has_transaction:
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
    """The manual actions offered for an agreement in ``current`` stage."""
    if current in CLOSED:
        return []
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
    }[action]


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


def check_transaction(has_pks: bool) -> None:
    if not has_pks:
        raise RuleViolation("Transaksi memerlukan PKS. Catat PKS terlebih dahulu.", "pks")


def check_amount(value: int | None, field: str = "value_rp") -> None:
    if value is not None and value < 0:
        raise RuleViolation("Nilai tidak boleh negatif.", field)


# --- a signed document's standing (the register) ----------------------------------------------


class Standing(enum.StrEnum):
    """Where a signed KB or PKS stands on a day, as the register (Daftar Kerja Sama) shows."""

    UNREGISTERED = "belum_registrasi"  # a party's number is still missing
    NOT_YET = "belum_berlaku"
    IN_FORCE = "berlaku"
    ENDING_SOON = "segera_berakhir"
    ENDED = "berakhir"

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.UNREGISTERED: "Belum diregistrasi",
    Standing.NOT_YET: "Belum berlaku",
    Standing.IN_FORCE: "Berlaku",
    Standing.ENDING_SOON: "Segera berakhir",
    Standing.ENDED: "Berakhir",
}


def standing(
    *,
    number_own: str | None,
    number_partner: str | None,
    starts_on: date | None,
    ends_on: date | None,
    today: date,
    ending_soon_days: int,
) -> Standing:
    """A document counts once both parties' numbers are registered; then it is in force from
    its start (its signing when no start is given) to its end, "ending soon" in the last
    ``ending_soon_days``. An ended document is ended whatever its numbers."""
    if ends_on is not None and ends_on < today:
        return Standing.ENDED
    if not (number_own or "").strip() or not (number_partner or "").strip():
        return Standing.UNREGISTERED
    if starts_on is not None and starts_on > today:
        return Standing.NOT_YET
    if ends_on is not None and (ends_on - today).days <= ending_soon_days:
        return Standing.ENDING_SOON
    return Standing.IN_FORCE
