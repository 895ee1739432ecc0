"""The lifecycle module on its own: stages, manual actions and the milestone rules.

Pure functions, no app and no database: these run in microseconds.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kerjasama_flow.agreements import lifecycle
from kerjasama_flow.agreements.lifecycle import (
    CLOSED,
    MAIN_ROAD,
    Action,
    Facts,
    InvalidTransition,
    RuleViolation,
    Stage,
    StepState,
)
from kerjasama_flow.errors import DomainError

NOTHING = Facts()
MOU = Facts(has_mou=True)
PKS = Facts(has_mou=True, has_pks=True)
TRANSACTION = Facts(has_mou=True, has_pks=True, has_transaction=True)
DIRECT_PKS = Facts(has_pks=True)
VISIT = Facts(has_visit=True)

# A few words that only Indonesian messages contain, to tell them from English ones.
INDONESIAN_WORDS = ("tidak", "harus", "tahap", "sudah", "memerlukan", "sebutkan", "boleh")


def assert_indonesian(message: str) -> None:
    assert message, "an empty message"
    assert any(word in message.lower() for word in INDONESIAN_WORDS), message


# --- stages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (NOTHING, Stage.PENJAJAKAN),
        (MOU, Stage.KESEPAKATAN),
        (PKS, Stage.PKS),
        (DIRECT_PKS, Stage.PKS),
        (TRANSACTION, Stage.PELAKSANAAN),
        (Facts(has_pks=True, has_transaction=True), Stage.PELAKSANAAN),
    ],
)
def test_stage_follows_from_the_milestones(facts, expected):
    assert lifecycle.stage_from_facts(facts) == expected


def test_every_stage_has_an_indonesian_label():
    assert {stage.label for stage in Stage} == set(lifecycle.STAGE_LABELS.values())
    assert len(lifecycle.STAGE_LABELS) == len(Stage)
    assert Stage.KESEPAKATAN.label == "Kesepakatan Bersama (KB)"
    assert [s.value for s in MAIN_ROAD] == [
        "penjajakan",
        "kesepakatan",
        "pks",
        "pelaksanaan",
        "selesai",
    ]


@pytest.mark.parametrize("current", [s for s in Stage if s not in CLOSED and s != Stage.DITUNDA])
@pytest.mark.parametrize("facts", [NOTHING, MOU, PKS, TRANSACTION])
def test_after_milestone_recomputes_an_open_stage(current, facts):
    assert lifecycle.after_milestone(current, facts) == lifecycle.stage_from_facts(facts)


@pytest.mark.parametrize("facts", [NOTHING, MOU, PKS, TRANSACTION])
def test_after_milestone_keeps_a_stalled_agreement_stalled(facts):
    assert lifecycle.after_milestone(Stage.DITUNDA, facts) == Stage.DITUNDA


@pytest.mark.parametrize(
    ("closed", "word"), [(Stage.SELESAI, "selesai"), (Stage.BATAL, "dibatalkan")]
)
def test_after_milestone_refuses_a_closed_agreement(closed, word):
    with pytest.raises(InvalidTransition) as caught:
        lifecycle.after_milestone(closed, TRANSACTION)
    assert word in caught.value.message
    assert_indonesian(caught.value.message)


def test_check_open_accepts_every_open_stage():
    for stage in Stage:
        if stage in CLOSED:
            with pytest.raises(InvalidTransition):
                lifecycle.check_open(stage)
        else:
            assert lifecycle.check_open(stage) is None


def test_errors_are_domain_errors():
    assert issubclass(InvalidTransition, RuleViolation)
    assert issubclass(RuleViolation, DomainError)


# --- what comes next: the primary button and the stepper ---------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (NOTHING, "visit"),
        (VISIT, "mou"),
        (MOU, "pks"),  # a KB signed without a recorded visit
        (Facts(has_visit=True, has_mou=True), "pks"),
        (PKS, "transaction"),
        (DIRECT_PKS, "transaction"),  # a direct PKS needs no KB first
        (TRANSACTION, "transaction"),  # further transactions
    ],
)
def test_next_milestone(facts, expected):
    assert lifecycle.next_milestone(facts) == expected


DONE, CURRENT, UPCOMING = StepState.DONE, StepState.CURRENT, StepState.UPCOMING


def states(stage: Stage, facts: Facts) -> list[StepState]:
    steps = lifecycle.stepper(stage, facts)
    assert [road_stage for road_stage, _ in steps] == list(MAIN_ROAD)
    return [state for _, state in steps]


@pytest.mark.parametrize(
    ("stage", "facts", "expected"),
    [
        (Stage.PENJAJAKAN, NOTHING, [CURRENT, UPCOMING, UPCOMING, UPCOMING, UPCOMING]),
        (Stage.PENJAJAKAN, VISIT, [CURRENT, UPCOMING, UPCOMING, UPCOMING, UPCOMING]),
        (Stage.KESEPAKATAN, MOU, [DONE, CURRENT, UPCOMING, UPCOMING, UPCOMING]),
        (Stage.PKS, PKS, [DONE, DONE, CURRENT, UPCOMING, UPCOMING]),
        (Stage.PKS, DIRECT_PKS, [DONE, DONE, CURRENT, UPCOMING, UPCOMING]),
        (Stage.PELAKSANAAN, TRANSACTION, [DONE, DONE, DONE, CURRENT, UPCOMING]),
        (Stage.SELESAI, TRANSACTION, [DONE, DONE, DONE, DONE, CURRENT]),
    ],
)
def test_stepper_on_the_main_road(stage, facts, expected):
    """The agreement's stage is current, the ones before it done, whatever was recorded."""
    assert states(stage, facts) == expected


@pytest.mark.parametrize("stage", [Stage.DITUNDA, Stage.BATAL, Stage.BERAKHIR])
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (NOTHING, [DONE, UPCOMING, UPCOMING, UPCOMING, UPCOMING]),
        (VISIT, [DONE, UPCOMING, UPCOMING, UPCOMING, UPCOMING]),
        (MOU, [DONE, DONE, UPCOMING, UPCOMING, UPCOMING]),
        (PKS, [DONE, DONE, DONE, UPCOMING, UPCOMING]),
        (DIRECT_PKS, [DONE, DONE, DONE, UPCOMING, UPCOMING]),
        (TRANSACTION, [DONE, DONE, DONE, DONE, UPCOMING]),
    ],
)
def test_stepper_off_the_road_shows_how_far_the_milestones_got(stage, facts, expected):
    """Stalled, cancelled or ended: nothing is current, and never "selesai" done."""
    assert states(stage, facts) == expected
    assert CURRENT not in states(stage, facts)


def test_stepper_covers_every_stage():
    for stage in Stage:
        for facts in (NOTHING, VISIT, MOU, PKS, DIRECT_PKS, TRANSACTION):
            assert len(lifecycle.stepper(stage, facts)) == len(MAIN_ROAD)


def test_step_states_are_the_css_classes():
    assert [str(state) for state in StepState] == ["done", "current", ""]


# --- manual actions: every stage x every action -----------------------------------------------

# (stage, facts, action) -> the resulting stage, or None when the action is refused.
ACTION_TABLE: list[tuple[Stage, Facts, Action, Stage | None]] = [
    (Stage.PENJAJAKAN, NOTHING, Action.STALL, Stage.DITUNDA),
    (Stage.PENJAJAKAN, NOTHING, Action.RESUME, None),
    (Stage.PENJAJAKAN, NOTHING, Action.CANCEL, Stage.BATAL),
    (Stage.PENJAJAKAN, NOTHING, Action.COMPLETE, None),
    (Stage.KESEPAKATAN, MOU, Action.STALL, Stage.DITUNDA),
    (Stage.KESEPAKATAN, MOU, Action.RESUME, None),
    (Stage.KESEPAKATAN, MOU, Action.CANCEL, Stage.BATAL),
    (Stage.KESEPAKATAN, MOU, Action.COMPLETE, None),
    (Stage.PKS, PKS, Action.STALL, Stage.DITUNDA),
    (Stage.PKS, PKS, Action.RESUME, None),
    (Stage.PKS, PKS, Action.CANCEL, Stage.BATAL),
    (Stage.PKS, PKS, Action.COMPLETE, None),
    (Stage.PELAKSANAAN, TRANSACTION, Action.STALL, Stage.DITUNDA),
    (Stage.PELAKSANAAN, TRANSACTION, Action.RESUME, None),
    (Stage.PELAKSANAAN, TRANSACTION, Action.CANCEL, Stage.BATAL),
    (Stage.PELAKSANAAN, TRANSACTION, Action.COMPLETE, Stage.SELESAI),
    # A stalled agreement resumes where its milestones put it.
    (Stage.DITUNDA, NOTHING, Action.RESUME, Stage.PENJAJAKAN),
    (Stage.DITUNDA, MOU, Action.RESUME, Stage.KESEPAKATAN),
    (Stage.DITUNDA, PKS, Action.RESUME, Stage.PKS),
    (Stage.DITUNDA, TRANSACTION, Action.RESUME, Stage.PELAKSANAAN),
    (Stage.DITUNDA, PKS, Action.STALL, None),
    (Stage.DITUNDA, PKS, Action.CANCEL, Stage.BATAL),
    (Stage.DITUNDA, TRANSACTION, Action.COMPLETE, None),
    (Stage.SELESAI, TRANSACTION, Action.STALL, None),
    (Stage.SELESAI, TRANSACTION, Action.RESUME, None),
    (Stage.SELESAI, TRANSACTION, Action.CANCEL, None),
    (Stage.SELESAI, TRANSACTION, Action.COMPLETE, None),
    (Stage.BERAKHIR, PKS, Action.STALL, None),
    (Stage.BERAKHIR, PKS, Action.RESUME, None),
    (Stage.BERAKHIR, PKS, Action.CANCEL, None),
    (Stage.BERAKHIR, PKS, Action.COMPLETE, Stage.SELESAI),
    (Stage.BATAL, PKS, Action.STALL, None),
    (Stage.BATAL, PKS, Action.RESUME, None),
    (Stage.BATAL, PKS, Action.CANCEL, None),
    (Stage.BATAL, PKS, Action.COMPLETE, None),
    # Reopening (admins only, checked by the service) only takes back an ending, and puts the
    # agreement where its milestones are.
    (Stage.PENJAJAKAN, NOTHING, Action.REOPEN, None),
    (Stage.KESEPAKATAN, MOU, Action.REOPEN, None),
    (Stage.PKS, PKS, Action.REOPEN, None),
    (Stage.PELAKSANAAN, TRANSACTION, Action.REOPEN, None),
    (Stage.DITUNDA, PKS, Action.REOPEN, None),
    (Stage.BERAKHIR, PKS, Action.REOPEN, None),
    (Stage.SELESAI, TRANSACTION, Action.REOPEN, Stage.PELAKSANAAN),
    (Stage.BATAL, PKS, Action.REOPEN, Stage.PKS),
    (Stage.BATAL, NOTHING, Action.REOPEN, Stage.PENJAJAKAN),
]


def test_action_table_covers_every_stage_and_action():
    covered = {(stage, action) for stage, _, action, _ in ACTION_TABLE}
    assert covered == {(stage, action) for stage in Stage for action in Action}


@pytest.mark.parametrize(
    ("current", "facts", "action", "expected"),
    ACTION_TABLE,
    ids=[
        f"{s.value}-{f.has_mou:d}{f.has_pks:d}{f.has_transaction:d}-{a.value}"
        for s, f, a, _ in ACTION_TABLE
    ],
)
def test_apply_action(current, facts, action, expected):
    offered = lifecycle.allowed_actions(current)
    if expected is None:
        assert action not in offered
        with pytest.raises(InvalidTransition) as caught:
            lifecycle.apply_action(current, action, facts)
        message = caught.value.message
        assert action.label in message
        assert current.label in message
        assert message.startswith("Tindakan")
        assert_indonesian(message)
    else:
        assert action in offered
        assert lifecycle.apply_action(current, action, facts) == expected


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (Stage.PENJAJAKAN, [Action.STALL, Action.CANCEL]),
        (Stage.KESEPAKATAN, [Action.STALL, Action.CANCEL]),
        (Stage.PKS, [Action.STALL, Action.CANCEL]),
        (Stage.PELAKSANAAN, [Action.COMPLETE, Action.STALL, Action.CANCEL]),
        (Stage.DITUNDA, [Action.RESUME, Action.CANCEL]),
        (Stage.BERAKHIR, [Action.COMPLETE]),
        (Stage.SELESAI, [Action.REOPEN]),
        (Stage.BATAL, [Action.REOPEN]),
    ],
)
def test_allowed_actions(current, expected):
    assert lifecycle.allowed_actions(current) == expected


def test_every_action_has_an_indonesian_label():
    assert [a.label for a in Action] == [
        "Tunda",
        "Lanjutkan",
        "Batalkan",
        "Tandai selesai",
        "Buka kembali",
    ]
    assert Action.REOPEN.value == "buka-kembali"


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("reason", [None, "", "  "])
def test_ending_pausing_and_reopening_need_a_reason(action, reason):
    if action == Action.RESUME:
        lifecycle.check_reason(action, reason)  # resuming needs none
        return
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_reason(action, reason)
    assert caught.value.field == "reason"
    assert caught.value.message.startswith("Sebutkan alasan")
    lifecycle.check_reason(action, "Keputusan rapat TKKSD")


# --- period: end after start, at most five years ----------------------------------------------


def test_period_end_equal_to_start_is_refused():
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_period(date(2025, 5, 9), date(2025, 5, 9))
    assert caught.value.field == "ends_on"
    assert "sesudah tanggal mulai" in caught.value.message


def test_period_end_before_start_is_refused():
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_period(date(2025, 5, 9), date(2025, 5, 8))
    assert caught.value.field == "ends_on"
    assert_indonesian(caught.value.message)


def test_period_of_one_day_is_allowed():
    assert lifecycle.check_period(date(2025, 5, 9), date(2025, 5, 10)) is None


def test_period_of_exactly_five_years_is_allowed():
    assert lifecycle.check_period(date(2025, 8, 14), date(2030, 8, 14)) is None


def test_period_of_five_years_and_a_day_is_refused():
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_period(date(2025, 8, 14), date(2030, 8, 15))
    assert caught.value.field == "ends_on"
    assert "5 tahun" in caught.value.message
    assert "perpanjangan" in caught.value.message


def test_period_from_29_february():
    start = date(2024, 2, 29)
    # 2029 has no 29 February: five years end on 28 February.
    assert lifecycle.check_period(start, date(2029, 2, 28)) is None
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_period(start, date(2029, 3, 1))
    assert caught.value.field == "ends_on"


def test_period_to_29_february_within_five_years():
    assert lifecycle.check_period(date(2023, 3, 1), date(2028, 2, 29)) is None
    with pytest.raises(RuleViolation):
        lifecycle.check_period(date(2023, 2, 28), date(2028, 2, 29))


@pytest.mark.parametrize(
    ("starts_on", "ends_on"), [(None, None), (date(2025, 1, 1), None), (None, date(2020, 1, 1))]
)
def test_period_with_a_missing_date_is_not_checked(starts_on, ends_on):
    assert lifecycle.check_period(starts_on, ends_on) is None


def test_signed_after():
    lifecycle.check_signed_after(date(2025, 9, 1), date(2025, 8, 14), "MoU")
    lifecycle.check_signed_after(date(2025, 8, 14), date(2025, 8, 14), "MoU")
    lifecycle.check_signed_after(None, date(2025, 8, 14), "MoU")
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_signed_after(date(2025, 8, 13), date(2025, 8, 14), "penandatanganan MoU")
    assert caught.value.field == "signed_on"
    assert "penandatanganan MoU" in caught.value.message


# --- PKS, transaction, amounts ----------------------------------------------------------------


def test_pks_without_mou_and_not_direct_is_refused():
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_pks(has_signed_mou=False, is_direct=False, direct_reason=None)
    assert caught.value.field == "mou"
    assert "PKS langsung" in caught.value.message
    assert_indonesian(caught.value.message)


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_direct_pks_without_reason_is_refused(reason):
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_pks(has_signed_mou=False, is_direct=True, direct_reason=reason)
    assert caught.value.field == "direct_reason"
    assert "alasan" in caught.value.message


def test_direct_pks_with_reason_is_allowed():
    assert lifecycle.check_pks(False, True, "Kerja sama teknis antar-OPD yang mendesak") is None


def test_pks_with_mou_is_allowed():
    assert lifecycle.check_pks(True, False, None) is None
    assert lifecycle.check_pks(True, True, "alasan") is None


def test_transaction_needs_a_pks():
    assert lifecycle.check_transaction(True) is None
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_transaction(False)
    assert caught.value.field == "pks"
    assert "memerlukan PKS" in caught.value.message


@pytest.mark.parametrize("value", [0, 1, 1_250_000, 10**15, None])
def test_non_negative_amounts_are_allowed(value):
    assert lifecycle.check_amount(value) is None


@pytest.mark.parametrize("value", [-1, -1_250_000])
def test_negative_amount_is_refused(value):
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_amount(value)
    assert caught.value.field == "value_rp"
    assert "negatif" in caught.value.message


def test_negative_amount_names_the_given_field():
    with pytest.raises(RuleViolation) as caught:
        lifecycle.check_amount(-5, "volume")
    assert caught.value.field == "volume"


def test_five_year_limit_ends_one_day_later_than_four_leap_years():
    # Guard against a "365 * 5 days" implementation: 2024-2029 spans one 29 February.
    start = date(2025, 1, 1)
    assert lifecycle.check_period(start, start + timedelta(days=365 * 5 + 1)) is None
    with pytest.raises(RuleViolation):
        lifecycle.check_period(start, start + timedelta(days=365 * 5 + 2))


@pytest.mark.parametrize(
    "current", [Stage.PENJAJAKAN, Stage.KESEPAKATAN, Stage.PKS, Stage.PELAKSANAAN]
)
def test_an_open_agreement_can_be_marked_ended(current):
    assert lifecycle.mark_ended(current) == Stage.BERAKHIR


@pytest.mark.parametrize("current", [Stage.SELESAI, Stage.BATAL, Stage.DITUNDA])
def test_closed_or_stalled_agreements_are_not_marked_ended(current):
    with pytest.raises(InvalidTransition):
        lifecycle.mark_ended(current)


def test_an_extension_reopens_an_ended_agreement():
    assert lifecycle.after_milestone(Stage.BERAKHIR, PKS) == Stage.PKS
