"""The activity log's helpers: what ``log_action`` / ``log_changes`` read from the object. The
stored ``entity`` values are read by the templates and ``agreements/activity_text.py``, so the
expected values here are the literal strings the services have always written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kerjasama_flow.accounts.models import Agency
from kerjasama_flow.activity.models import ActivityLog
from kerjasama_flow.activity.services import log_action, log_changes, subject
from kerjasama_flow.agreements.models import MILESTONE_MODELS, Agreement, Partner
from kerjasama_flow.extensions import db
from tests import factories


def test_subject_of_every_kind_of_object(world):
    gov, agreement = world.gov, world.agreement
    template = factories.make_task_template(gov)
    day_off = factories.make_day_off(gov)
    evaluation = factories.make_evaluation(agreement)
    expected = [
        # object, entity, agreement_id
        (gov, "government", None),
        (world.agency, "agency", None),
        (world.admin, "user", None),
        (world.partner, "partner", None),
        (template, "task_template", None),
        (day_off, "day_off", None),
        (agreement, "agreement", agreement.id),
        (world.visit, "visit", agreement.id),
        (world.mou, "mou", agreement.id),
        (world.pks, "pks", agreement.id),
        (world.transaction, "transaction", agreement.id),
        (world.task, "task", agreement.id),
        (evaluation, "evaluation", agreement.id),
    ]
    for obj, entity, agreement_id in expected:
        assert subject(obj) == {
            "government_id": gov.id,
            "entity": entity,
            "entity_id": obj.id,
            "agreement_id": agreement_id,
        }, obj
    # Another government's objects are logged under that government, not the first one's.
    assert subject(world.other_mou)["government_id"] == world.other_gov.id
    assert subject(world.other_mou)["agreement_id"] == world.other_agreement.id


def test_a_milestone_is_logged_under_its_kind(app):
    """``record_milestone`` and the activity text use the kind; a new milestone whose table
    name differs from its kind needs an ``ENTITY_NAMES`` entry."""
    for kind, model in MILESTONE_MODELS.items():
        milestone = model(id=1, agreement_id=2, agreement=Agreement(id=2, government_id=7))
        assert subject(milestone) == {
            "government_id": 7,
            "entity": kind,
            "entity_id": 1,
            "agreement_id": 2,
        }


def test_log_action_writes_the_derived_columns_and_the_given_entity(world):
    entry = log_action(world.admin, world.mou, "created", after={"place": "Blitar"})
    other = log_action(world.admin, world.mou, "noted", entity="dokumen")
    db.session.flush()
    assert (entry.government_id, entry.agreement_id, entry.entity, entry.entity_id) == (
        world.gov.id,
        world.agreement.id,
        "mou",
        world.mou.id,
    )
    assert (entry.actor_id, entry.action, entry.before, entry.after) == (
        world.admin.id,
        "created",
        None,
        {"place": "Blitar"},
    )
    assert other.entity == "dokumen"


def test_log_changes_keeps_only_what_changed_and_skips_no_change(world):
    partner = world.partner
    assert log_changes(world.admin, partner, "updated", {"name": "A"}, {"name": "A"}) is None
    entry = log_changes(
        world.admin,
        partner,
        "updated",
        {"name": "A", "kind": "x"},
        {"name": "B", "kind": "x"},
        extra={"note": "diubah"},
    )
    db.session.flush()
    stored = db.session.scalars(
        select(ActivityLog).where(ActivityLog.entity == "partner", ActivityLog.action == "updated")
    ).one()
    assert stored is entry
    assert (stored.before, stored.after) == ({"name": "A"}, {"name": "B", "note": "diubah"})
    assert (stored.government_id, stored.entity_id, stored.agreement_id) == (
        world.gov.id,
        partner.id,
        None,
    )


def test_an_object_without_an_id_is_refused(world):
    with pytest.raises(ValueError, match="Flush the partner"):
        log_action(world.admin, Partner(government_id=world.gov.id, name="Baru"), "created")
    with pytest.raises(ValueError, match="Flush the agency"):
        subject(Agency(government=None, code="X", name="X"))
