"""The agreement and task services on a real database (SQLite, and PostgreSQL when configured).

Services flush and never commit; a refusal raises ``DomainError`` with the form field it
belongs to, and after the caller's rollback nothing of the attempt remains.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.lifecycle import Action, InvalidTransition, Stage
from kerjasama_flow.agreements.models import Agreement, Mou, Partner, Pks, Transaction, Visit
from kerjasama_flow.db import SYSTEM_CHANGE
from kerjasama_flow.errors import ConflictError, DomainError
from kerjasama_flow.extensions import db
from kerjasama_flow.tasks import services as task_services
from kerjasama_flow.tasks.models import Task, TaskStatus
from tests import factories
from tests.sql_helpers import recorded_statements

COUNTED = (Agreement, Partner, Visit, Mou, Pks, Transaction, Task, ActivityLog)
NOW = "2025-10-15T10:00:00+07:00"  # the world's milestones and tasks lie around this day


@pytest.fixture(autouse=True)
def pinned_clock(app):
    """Signing, visit and transaction dates may not lie after today: pin today."""
    app.config["KERJASAMA_NOW"] = NOW


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


def logs(agreement_id: int | None = None, **filters) -> list[ActivityLog]:
    query = select(ActivityLog).order_by(ActivityLog.id)
    if agreement_id is not None:
        query = query.where(ActivityLog.agreement_id == agreement_id)
    for name, value in filters.items():
        query = query.where(getattr(ActivityLog, name) == value)
    return list(db.session.scalars(query))


def mou_data(**kw):
    data = {
        "document_kind": "mou",
        "number_own": "119/123/410.010/2025",
        "signed_on": date(2025, 8, 14),
        "starts_on": date(2025, 8, 14),
        "ends_on": date(2028, 8, 14),
        "place": "Balai Kota Jakarta",
    }
    data.update(kw)
    return data


def pks_data(mou=None, **kw):
    data = {
        "title": "PKS pasokan telur ayam",
        "mou": mou,
        "is_direct": False,
        "direct_reason": None,
        "agencies": [],
        "signed_on": date(2025, 9, 1),
        "starts_on": date(2025, 9, 1),
        "ends_on": date(2026, 9, 1),
    }
    data.update(kw)
    return data


def transaction_data(pks=None, **kw):
    data = {
        "pks": pks,
        "transacted_on": date(2025, 10, 1),
        "buyer": "Perumda Pasar Jaya",
        "seller": "Peternak ayam petelur Kota Blitar",
        "commodity": "Telur ayam",
        "volume": Decimal("2000"),
        "unit": "kg",
        "value_rp": 56_000_000,
    }
    data.update(kw)
    return data


@pytest.fixture
def fresh(world):
    """An agreement of gov A with no milestones yet, led by the OPD user's agency."""
    agreement = factories.make_agreement(world.gov, world.agency, title="Akses pasar BTC")
    db.session.commit()
    return agreement


# --- the stage follows the milestones ---------------------------------------------------------


def test_record_milestone_advances_the_stage(world, fresh):
    admin = world.admin
    assert fresh.stage == Stage.PENJAJAKAN

    services.record_milestone(
        admin,
        fresh,
        "visit",
        {"visited_on": date(2025, 5, 9), "place": "Jakarta", "direction": "keluar"},
    )
    db.session.commit()
    assert fresh.stage == Stage.PENJAJAKAN

    mou = services.record_milestone(admin, fresh, "mou", mou_data()).value
    db.session.commit()
    assert fresh.stage == Stage.KESEPAKATAN

    pks = services.record_milestone(
        admin, fresh, "pks", pks_data(mou, agencies=[world.agency])
    ).value
    db.session.commit()
    assert fresh.stage == Stage.PKS
    assert pks.mou_id == mou.id and pks.agencies == [world.agency]

    transaction = services.record_milestone(
        admin, fresh, "transaction", transaction_data(pks)
    ).value
    db.session.commit()
    assert fresh.stage == Stage.PELAKSANAAN
    assert transaction.value_rp == 56_000_000

    db.session.expire_all()
    stored = db.session.get(Agreement, fresh.id)
    assert stored.stage == Stage.PELAKSANAAN
    # The playbooks' follow-up tasks are logged in between (tests/test_playbooks.py).
    history = [(e.entity, e.action) for e in logs(fresh.id) if e.entity != "task"]
    assert history == [
        ("visit", "created"),
        ("mou", "created"),
        ("agreement", "stage_changed"),
        ("pks", "created"),
        ("agreement", "stage_changed"),
        ("transaction", "created"),
        ("agreement", "stage_changed"),
    ]
    stage_changes = [(e.before, e.after) for e in logs(fresh.id, action="stage_changed")]
    assert stage_changes == [
        ({"stage": "penjajakan"}, {"stage": "kesepakatan"}),
        ({"stage": "kesepakatan"}, {"stage": "pks"}),
        ({"stage": "pks"}, {"stage": "pelaksanaan"}),
    ]
    assert all(e.actor_id == admin.id and e.government_id == world.gov.id for e in logs(fresh.id))


def test_direct_pks_with_reason_skips_the_mou(world, fresh):
    pks = services.record_milestone(
        world.admin,
        fresh,
        "pks",
        pks_data(
            None,
            is_direct=True,
            direct_reason="Kerja sama teknis antar-OPD",
            agencies=[world.agency],
        ),
    ).value
    db.session.commit()
    assert fresh.stage == Stage.PKS
    assert pks.is_direct and pks.direct_reason == "Kerja sama teknis antar-OPD"


def test_pks_with_mou_drops_a_stray_direct_reason(world):
    pks = services.record_milestone(
        world.admin,
        world.agreement,
        "pks",
        pks_data(world.mou, is_direct=False, direct_reason="sisa isian", agencies=[world.agency]),
    ).value
    db.session.commit()
    assert pks.direct_reason is None


def test_transaction_without_value_is_stored_as_zero(world):
    transaction = services.record_milestone(
        world.admin, world.agreement, "transaction", transaction_data(world.pks, value_rp=None)
    ).value
    db.session.commit()
    assert transaction.value_rp == 0


def test_zero_amount_is_accepted(world):
    transaction = services.record_milestone(
        world.admin, world.agreement, "transaction", transaction_data(world.pks, value_rp=0)
    ).value
    db.session.commit()
    assert transaction.id is not None and transaction.value_rp == 0


# --- every rule refuses with its field, and nothing is saved ----------------------------------


def _foreign_mou(world):
    other = factories.make_agreement(world.gov, world.other_agency, title="Kerja sama lain")
    return factories.make_mou(other)


REFUSALS = {
    "mou-ends-before-start": ("mou", lambda w: mou_data(ends_on=date(2025, 8, 13)), "ends_on"),
    "mou-ends-on-start": ("mou", lambda w: mou_data(ends_on=date(2025, 8, 14)), "ends_on"),
    "mou-over-five-years": ("mou", lambda w: mou_data(ends_on=date(2030, 8, 15)), "ends_on"),
    "pks-without-mou": ("pks", lambda w: pks_data(None), "mou"),
    "pks-direct-without-reason": (
        "pks",
        lambda w: pks_data(None, is_direct=True, direct_reason="  "),
        "direct_reason",
    ),
    "pks-mou-of-another-agreement": ("pks", lambda w: pks_data(_foreign_mou(w)), "mou"),
    "pks-mou-of-another-government": ("pks", lambda w: pks_data(w.other_mou), "mou"),
    "pks-signed-before-mou": (
        "pks",
        lambda w: pks_data(w.mou, signed_on=date(2025, 8, 1), agencies=[w.agency]),
        "signed_on",
    ),
    "pks-over-five-years": ("pks", lambda w: pks_data(w.mou, ends_on=date(2030, 9, 2)), "ends_on"),
    "pks-ends-before-start": (
        "pks",
        lambda w: pks_data(w.mou, ends_on=date(2025, 8, 31)),
        "ends_on",
    ),
    "pks-agency-of-another-government": (
        "pks",
        lambda w: pks_data(w.mou, agencies=[w.other_agency_b]),
        "agencies",
    ),
    "transaction-without-pks": ("transaction", lambda w: transaction_data(None), "pks"),
    "transaction-pks-of-another-agreement": (
        "transaction",
        lambda w: transaction_data(
            factories.make_pks(
                factories.make_agreement(w.gov, w.agency),
                None,
            )
        ),
        "pks",
    ),
    "transaction-negative-value": (
        "transaction",
        lambda w: transaction_data(w.pks, value_rp=-1),
        "value_rp",
    ),
    "transaction-negative-volume": (
        "transaction",
        lambda w: transaction_data(w.pks, volume=Decimal("-0.5")),
        "volume",
    ),
    "transaction-before-pks": (
        "transaction",
        lambda w: transaction_data(w.pks, transacted_on=date(2025, 8, 31)),
        "transacted_on",
    ),
}


@pytest.mark.parametrize(("kind", "make_data", "field"), REFUSALS.values(), ids=REFUSALS.keys())
def test_rule_refusal_names_the_field_and_saves_nothing(world, kind, make_data, field):
    data = make_data(world)
    db.session.commit()  # records the case needs (another agreement, its MoU/PKS)
    agreement_id, stage = world.agreement.id, world.agreement.stage
    before = row_counts()

    with pytest.raises(DomainError) as caught:
        services.record_milestone(world.admin, world.agreement, kind, data)
    assert caught.value.field == field
    assert caught.value.message.strip()
    db.session.rollback()

    assert row_counts() == before
    assert db.session.get(Agreement, agreement_id).stage == stage


def test_refusal_during_update_changes_nothing(world):
    mou_id = world.mou.id
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        services.update_milestone(
            world.admin, world.mou, mou_data(ends_on=date(2024, 1, 1)), world.mou.version
        )
    assert caught.value.field == "ends_on"
    db.session.rollback()
    assert row_counts() == before
    assert db.session.get(Mou, mou_id).ends_on == date(2025, 8, 14) + timedelta(days=365 * 3)


# --- deleting milestones ----------------------------------------------------------------------


def test_delete_mou_refused_while_a_pks_depends_on_it(world):
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        services.delete_milestone(world.admin, world.mou, world.mou.version)
    assert "PKS" in caught.value.message
    db.session.rollback()
    assert row_counts() == before


def test_delete_pks_refused_while_it_has_transactions(world):
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        services.delete_milestone(world.admin, world.pks, world.pks.version)
    assert "transaksi" in caught.value.message
    db.session.rollback()
    assert row_counts() == before


def test_delete_milestones_moves_the_stage_back(world):
    agreement = world.agreement
    services.delete_milestone(world.admin, world.transaction, world.transaction.version)
    db.session.commit()
    assert agreement.stage == Stage.PKS
    services.delete_milestone(world.admin, world.pks, world.pks.version)
    db.session.commit()
    assert agreement.stage == Stage.KESEPAKATAN
    services.delete_milestone(world.admin, world.mou, world.mou.version)
    db.session.commit()
    assert agreement.stage == Stage.PENJAJAKAN
    assert (
        db.session.scalar(
            select(func.count()).select_from(Mou).where(Mou.agreement_id == agreement.id)
        )
        == 0
    )
    deleted = logs(agreement.id, action="deleted")
    assert [e.entity for e in deleted] == ["transaction", "pks", "mou"]
    assert deleted[0].before["buyer"] == "Perumda Pasar Jaya"
    assert deleted[0].after is None


# --- manual stage changes ---------------------------------------------------------------------


@pytest.mark.parametrize("action", [Action.STALL, Action.CANCEL, Action.COMPLETE])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_stall_cancel_and_complete_need_a_reason(world, action, reason):
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        services.change_stage(world.admin, world.agreement, action, reason, SYSTEM_CHANGE)
    assert caught.value.field == "reason"
    db.session.rollback()
    assert row_counts() == before
    assert world.agreement.stage == Stage.PELAKSANAAN


def test_stall_then_resume_restores_the_stage_from_the_milestones(world, fresh):
    admin = world.admin
    services.record_milestone(admin, fresh, "mou", mou_data())
    db.session.commit()
    services.change_stage(admin, fresh, Action.STALL, "Menunggu anggaran perubahan", fresh.version)
    db.session.commit()
    assert fresh.stage == Stage.DITUNDA
    assert fresh.stage_reason == "Menunggu anggaran perubahan"

    # A milestone recorded while stalled keeps the agreement stalled...
    services.record_milestone(admin, fresh, "pks", pks_data(fresh.mous[0], agencies=[world.agency]))
    db.session.commit()
    assert fresh.stage == Stage.DITUNDA

    # ...and resuming puts it where the milestones are now.
    services.change_stage(admin, fresh, Action.RESUME, None, fresh.version)
    db.session.commit()
    assert fresh.stage == Stage.PKS

    changes = [(e.before, e.after) for e in logs(fresh.id, action="stage_changed")]
    assert changes[-2:] == [
        ({"stage": "kesepakatan"}, {"stage": "ditunda", "reason": "Menunggu anggaran perubahan"}),
        ({"stage": "ditunda"}, {"stage": "pks"}),
    ]


def test_resume_is_refused_when_not_stalled(world):
    with pytest.raises(InvalidTransition):
        services.change_stage(world.admin, world.agreement, Action.RESUME, None, SYSTEM_CHANGE)


def test_complete_only_from_pelaksanaan(world, fresh):
    with pytest.raises(InvalidTransition):
        services.change_stage(
            world.admin, fresh, Action.COMPLETE, "Sudah terlaksana", SYSTEM_CHANGE
        )
    db.session.rollback()
    services.change_stage(
        world.admin, world.agreement, Action.COMPLETE, "Sudah terlaksana", SYSTEM_CHANGE
    )
    db.session.commit()
    assert world.agreement.stage == Stage.SELESAI


@pytest.mark.parametrize("action", [Action.CANCEL, Action.COMPLETE])
def test_closed_agreement_refuses_milestones_and_edits(world, action):
    agreement = world.agreement
    services.change_stage(world.admin, agreement, action, "Tidak dilanjutkan", SYSTEM_CHANGE)
    db.session.commit()
    closed = agreement.stage
    assert closed in (Stage.BATAL, Stage.SELESAI)
    title, version = agreement.title, agreement.version
    before = row_counts()

    with pytest.raises(InvalidTransition):
        services.record_milestone(
            world.admin, agreement, "transaction", transaction_data(world.pks)
        )
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.update_agreement(
            world.admin,
            agreement,
            {"title": "Judul baru", "partners": [world.partner]},
            version,
        )
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.change_stage(world.admin, agreement, Action.STALL, "alasan", version)
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.delete_milestone(world.admin, world.transaction, world.transaction.version)
    db.session.rollback()

    assert row_counts() == before
    db.session.expire_all()
    assert (agreement.stage, agreement.title, agreement.version) == (closed, title, version)


# --- agreements: create, update, activity log, versions ---------------------------------------


def agreement_data(world, **kw):
    data = {
        "title": "Pasokan pangan ke DKI",
        "kind": "ksdd",
        "lead_agency": world.agency,
        "partners": [world.partner],
        "sectors": ["pangan"],
        "commodities": None,
        "origin_event": None,
        "description": None,
        "external_ref": None,
    }
    data.update(kw)
    return data


def test_create_agreement_logs_its_values(world):
    agreement = services.create_agreement(
        world.admin,
        agreement_data(
            world,
            title="  Akses pasar BTC  ",
            sectors=["umkm", "pangan", "umkm"],
            new_partner_name="Kota  Depok",
            new_partner_kind="pemda_kota",
        ),
    )
    db.session.commit()
    assert agreement.title == "Akses pasar BTC"
    assert agreement.stage == Stage.PENJAJAKAN
    assert sorted(agreement.sectors) == ["pangan", "umkm"]
    assert {p.name for p in agreement.partners} == {"Pemerintah Provinsi DKI Jakarta", "Kota Depok"}
    [entry] = logs(agreement.id)
    assert (entry.entity, entry.action, entry.entity_id) == ("agreement", "created", agreement.id)
    assert entry.before is None
    assert entry.after["title"] == "Akses pasar BTC"
    assert entry.after["stage"] == "penjajakan"
    assert sorted(entry.after["sectors"]) == ["pangan", "umkm"]
    assert entry.after["lead_agency"] == world.agency.name
    partner_logs = logs(None, entity="partner", action="created")
    assert [e.after["name"] for e in partner_logs] == ["Kota Depok"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"partners": []}, "partners"),
        ({"sectors": ["pangan", "bukan-sektor"]}, "sectors"),
        ({"lead_agency": "other_agency_b"}, "lead_agency"),
        ({"partners": "other_partner"}, "partners"),
    ],
)
def test_agreement_refusals_name_their_field(world, changes, field):
    changes = dict(changes)  # the parameter is shared by every backend's run
    if changes.get("lead_agency") == "other_agency_b":
        changes["lead_agency"] = world.other_agency_b
    if changes.get("partners") == "other_partner":
        changes["partners"] = [factories.make_partner(world.other_gov, "Pemkot Batam")]
        db.session.commit()
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        services.create_agreement(world.admin, agreement_data(world, **changes))
    assert caught.value.field == field
    db.session.rollback()
    assert row_counts() == before


def test_external_ref_must_be_unique_within_the_government(world):
    services.update_agreement(
        world.admin,
        world.agreement,
        agreement_data(world, external_ref="IMP-1"),
        world.agreement.version,
    )
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.create_agreement(world.admin, agreement_data(world, external_ref="IMP-1"))
    assert caught.value.field == "external_ref"
    db.session.rollback()
    # Saving the same agreement again with its own reference is fine.
    services.update_agreement(
        world.admin,
        world.agreement,
        agreement_data(world, external_ref="IMP-1", title="Baru"),
        world.agreement.version,
    )
    db.session.commit()
    assert world.agreement.title == "Baru"


def test_update_logs_only_the_changed_keys(world):
    agreement = world.agreement
    services.update_agreement(
        world.admin,
        agreement,
        agreement_data(world, title="Pasokan pangan Blitar - DKI", sectors=["pangan", "umkm"]),
        agreement.version,
    )
    db.session.commit()
    [entry] = logs(agreement.id, action="updated")
    assert entry.entity == "agreement" and entry.entity_id == agreement.id
    assert entry.actor_id == world.admin.id
    assert entry.government_id == world.gov.id
    assert entry.before == {"title": "Pasokan pangan ke DKI", "sectors": ["pangan"]}
    assert entry.after == {
        "title": "Pasokan pangan Blitar - DKI",
        "sectors": ["pangan", "umkm"],
    }
    assert entry.at is not None and entry.at.tzinfo is not None


def test_update_without_changes_logs_nothing(world):
    before = row_counts()
    services.update_agreement(
        world.admin, world.agreement, agreement_data(world), world.agreement.version
    )
    db.session.commit()
    assert row_counts() == before


def test_milestone_update_logs_only_the_changed_keys(world):
    mou = world.mou
    data = mou_data(
        signed_on=mou.signed_on,
        starts_on=mou.starts_on,
        ends_on=mou.ends_on,
        number_own=None,
        place=None,
        document_kind="mou",
        number_partner="PKS/DKI/2025",
    )
    services.update_milestone(world.admin, mou, data, mou.version)
    db.session.commit()
    [entry] = logs(world.agreement.id, action="updated")
    assert (entry.entity, entry.entity_id) == ("mou", mou.id)
    assert entry.before == {"number_partner": None}
    assert entry.after == {"number_partner": "PKS/DKI/2025"}


def test_stale_expected_version_raises_conflict_and_changes_nothing(world):
    agreement = world.agreement
    loaded_version = agreement.version
    services.update_agreement(
        world.admin, agreement, agreement_data(world, title="Perubahan pertama"), loaded_version
    )
    db.session.commit()
    assert agreement.version == loaded_version + 1
    before = row_counts()

    with pytest.raises(ConflictError) as caught:
        services.update_agreement(
            world.admin,
            agreement,
            agreement_data(world, title="Perubahan kedua"),
            loaded_version,
        )
    assert "pengguna lain" in caught.value.message
    db.session.rollback()
    db.session.expire_all()
    assert agreement.title == "Perubahan pertama"
    assert row_counts() == before

    for call in (
        lambda: services.change_stage(
            world.admin, agreement, Action.STALL, "alasan", loaded_version
        ),
        lambda: services.update_milestone(
            world.admin, world.mou, mou_data(), world.mou.version - 1
        ),
        lambda: services.delete_milestone(
            world.admin, world.transaction, world.transaction.version + 1
        ),
        lambda: task_services.set_task_status(
            world.admin, world.task, TaskStatus.DONE, "Selesai", world.task.version + 1
        ),
    ):
        with pytest.raises(ConflictError):
            call()
        db.session.rollback()
    assert row_counts() == before


def _concurrent_edit(model, record_id, change_first, change_second):
    """Two sessions load the same row; the first commits, the second must fail on flush."""
    with Session(db.engine) as first, Session(db.engine) as second:
        one = first.get(model, record_id)
        two = second.get(model, record_id)
        assert one.version == two.version
        change_first(one)
        change_second(two)
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    db.session.expire_all()
    return db.session.get(model, record_id)


def test_concurrent_agreement_edit_fails_the_second_writer(world):
    version = world.agreement.version
    stored = _concurrent_edit(
        Agreement,
        world.agreement.id,
        lambda a: setattr(a, "title", "Versi pengguna pertama"),
        lambda a: setattr(a, "title", "Versi pengguna kedua"),
    )
    assert stored.title == "Versi pengguna pertama"
    assert stored.version == version + 1


def test_concurrent_task_edit_fails_the_second_writer(world):
    version = world.task.version
    stored = _concurrent_edit(
        Task,
        world.task.id,
        lambda t: setattr(t, "status", TaskStatus.IN_PROGRESS),
        lambda t: setattr(t, "note", "Catatan yang akan kalah"),
    )
    assert stored.status == TaskStatus.IN_PROGRESS
    assert stored.note is None
    assert stored.version == version + 1


# --- tasks: the rules of the issue ("a task without an agency or due date") -------------------


def task_data(world, **kw):
    data = {
        "title": "OPD teknis menindaklanjuti detail kerja sama",
        "agency": world.agency,
        "due_on": date(2025, 10, 31),
        "description": None,
        "assignee": None,
    }
    data.update(kw)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"agency": None}, "agency"),
        ({"due_on": None}, "due_on"),
        ({"agency": "other_agency_b"}, "agency"),
        ({"assignee": "other_admin"}, "assignee"),
    ],
)
def test_task_refusals_name_their_field(world, changes, field):
    changes = dict(changes)  # the parameter is shared by every backend's run
    if changes.get("agency") == "other_agency_b":
        changes["agency"] = world.other_agency_b
    if changes.get("assignee") == "other_admin":
        changes["assignee"] = world.other_admin
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        task_services.create_task(world.admin, world.agreement, task_data(world, **changes))
    assert caught.value.field == field
    db.session.rollback()
    assert row_counts() == before


def test_task_done_needs_a_note_and_logs_the_change(world):
    task = world.task
    with pytest.raises(DomainError) as caught:
        task_services.set_task_status(world.opd, task, TaskStatus.DONE, "  ", task.version)
    assert caught.value.field == "note"
    db.session.rollback()
    assert logs(world.agreement.id, entity="task") == []

    task_services.set_task_status(
        world.opd, task, TaskStatus.DONE, "Draf PKS sudah dikirim", task.version
    )
    db.session.commit()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    [entry] = logs(world.agreement.id, entity="task")
    assert entry.action == "status_changed" and entry.actor_id == world.opd.id
    assert entry.before == {"status": "open", "note": None}
    assert entry.after == {"status": "done", "note": "Draf PKS sudah dikirim"}


def test_opd_cannot_cancel_a_task(world):
    with pytest.raises(DomainError) as caught:
        task_services.set_task_status(
            world.opd, world.task, TaskStatus.CANCELLED, None, SYSTEM_CHANGE
        )
    assert caught.value.field == "status"


def test_no_task_on_a_closed_agreement(world):
    services.change_stage(
        world.admin, world.agreement, Action.CANCEL, "Dibatalkan DPRD", SYSTEM_CHANGE
    )
    db.session.commit()
    with pytest.raises(InvalidTransition):
        task_services.create_task(world.admin, world.agreement, task_data(world))


# --- the year an agreement is filed under ---------------------------------------------------------


def test_the_filing_year_follows_the_visits_and_mous(world, fresh):
    """Recorded now: this year; a visit: its year; an MoU: its year, also when the MoU is
    re-dated; the MoU deleted: the visit's year again. The stored year always equals the
    definition computed from the milestones."""
    admin = world.admin

    def stored_and_defined() -> tuple[int, int]:
        db.session.commit()
        defined = db.session.scalar(select(services.filing_year()).where(Agreement.id == fresh.id))
        return fresh.year, int(defined)

    this_year = fresh.created_at.year
    assert stored_and_defined() == (this_year, this_year)
    visit = {"visited_on": date(2021, 5, 9), "place": "Jakarta", "direction": "keluar"}
    services.record_milestone(admin, fresh, "visit", visit)
    assert stored_and_defined() == (2021, 2021)
    mou = services.record_milestone(
        admin,
        fresh,
        "mou",
        mou_data(signed_on=date(2023, 2, 1), starts_on=date(2023, 2, 1), ends_on=date(2026, 2, 1)),
    ).value
    assert stored_and_defined() == (2023, 2023)
    services.update_milestone(
        admin,
        mou,
        mou_data(signed_on=date(2024, 3, 1), starts_on=date(2024, 3, 1), ends_on=date(2027, 3, 1)),
        mou.version,
    )
    assert stored_and_defined() == (2024, 2024)
    services.delete_milestone(admin, mou, mou.version)
    assert stored_and_defined() == (2021, 2021)


def test_a_pks_or_transaction_leaves_the_filing_year_alone(app, world):
    """Only visits and MoUs file an agreement; the world's agreement has its MoU in 2025."""
    app.config["KERJASAMA_NOW"] = "2027-01-15T10:00:00+07:00"
    agreement = world.agreement
    assert agreement.year == 2025
    services.record_milestone(
        world.admin,
        agreement,
        "transaction",
        transaction_data(world.pks, transacted_on=date(2027, 1, 4)),
    )
    db.session.commit()
    assert agreement.year == 2025


def defined_year(agreement: Agreement) -> int:
    """The filing year by the SQL rule, from what is in the database."""
    return int(
        db.session.scalar(select(services.filing_year()).where(Agreement.id == agreement.id))
    )


def _change_filing_milestones(rng: random.Random, admin, agreements: list[Agreement]) -> bool:
    """One random change of a visit or MoU of one of ``agreements``, through the services, the
    factories or a plain session delete (the milestone stays in its loaded collection until
    the commit, which the caller must then do: says True)."""
    agreement = rng.choice(agreements)
    on = date(2018, 1, 1) + timedelta(days=rng.randrange(9 * 365))
    period = {"signed_on": on, "starts_on": on, "ends_on": on + timedelta(days=3 * 365)}
    existing = [*agreement.visits, *agreement.mous]
    action = rng.choice(["visit", "mou", "visit", "mou", "update", "delete", "factory", "drop"])
    if action == "visit":
        visit = {"visited_on": on, "place": "Jakarta", "direction": "keluar"}
        services.record_milestone(admin, agreement, "visit", visit)
    elif action == "mou":
        services.record_milestone(admin, agreement, "mou", mou_data(number_own=None, **period))
    elif action == "factory":
        if rng.random() < 0.5:
            factories.make_visit(agreement, visited_on=on)
        else:
            factories.make_mou(agreement, signed_on=on)
    elif existing and action == "update":
        milestone = rng.choice(existing)
        data = {"visited_on": on} if milestone.kind == "visit" else period
        services.update_milestone(admin, milestone, data, milestone.version)
    elif existing and action == "delete":
        milestone = rng.choice(existing)
        services.delete_milestone(admin, milestone, milestone.version)
    elif existing and action == "drop":
        db.session.delete(rng.choice(existing))
        services.refile(agreement)  # a pending delete; the caller checks after the flush
        return True
    return False


@pytest.mark.parametrize("seed", range(6))
def test_the_stored_filing_year_follows_the_rule_through_random_changes(app, world, seed):
    """Whatever sequence of visits and MoUs recorded, re-dated and deleted, the year ``refile``
    computes from the loaded collections is the year the SQL rule gives after a flush.
    One agreement was recorded on 1 January 2020 in Jakarta, still 2019 in UTC."""
    app.config["KERJASAMA_NOW"] = "2027-12-31T10:00:00+07:00"  # after every random date
    rng = random.Random(seed)
    jakarta_new_year = datetime(2020, 1, 1, 3, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    agreements = [
        factories.make_agreement(world.gov, world.agency),
        factories.make_agreement(world.gov, created_at=jakarta_new_year, year=2019),
        factories.make_agreement(world.gov, created_at=datetime(2017, 6, 1, tzinfo=UTC)),
    ]
    for step in range(40):
        dropped = _change_filing_milestones(rng, world.admin, agreements)
        db.session.flush()
        for agreement in agreements:
            assert (agreement.year, services.filing_year_of(agreement)) == (
                defined_year(agreement),
                defined_year(agreement),
            ), f"step {step}"
        if dropped or rng.random() < 0.2:
            db.session.commit()  # the next step lazy-loads the collections again
    db.session.commit()
    assert [a.year for a in agreements] == [defined_year(a) for a in agreements]


def test_refile_issues_no_sql_when_the_collections_are_loaded(world, fresh):
    """``refile`` reads ``mous`` and ``visits`` as loaded: no flush, no query, and it still
    sees an unflushed re-dating and an unflushed delete. While there is an MoU, the visits
    are not even read."""
    factories.make_visit(fresh, visited_on=date(2021, 5, 9))
    mou = factories.make_mou(fresh, signed_on=date(2023, 2, 1))
    db.session.commit()
    agreement = db.session.scalar(
        select(Agreement).where(Agreement.id == fresh.id).options(selectinload(Agreement.mous))
    )
    assert (agreement.year, agreement.created_at.year) == (2023, fresh.created_at.year)

    mou.signed_on = date(2022, 7, 1)
    with recorded_statements() as statements:
        services.refile(agreement)
    assert (statements, agreement.year) == ([], 2022)
    assert "visits" not in agreement.__dict__  # not loaded: the MoU decides

    assert len(agreement.visits) == 1
    db.session.delete(mou)  # still in agreement.mous, also after the flush
    with recorded_statements() as statements:
        services.refile(agreement)
    assert (statements, agreement.year) == ([], 2021)
    db.session.flush()
    assert mou in agreement.mous and defined_year(agreement) == 2021
