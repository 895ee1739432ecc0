"""``make_*`` factories with sensible defaults. They add and flush; tests commit when needed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from argon2 import PasswordHasher

from kerjasama_flow.accounts import sessions
from kerjasama_flow.accounts.models import Agency, Government, Role, User
from kerjasama_flow.agreements import services
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import (
    Agreement,
    AgreementKind,
    Mou,
    MouKind,
    Partner,
    PartnerKind,
    Pks,
    RealisedActivity,
    Transaction,
    Visit,
    VisitDirection,
)
from kerjasama_flow.evaluations.models import Evaluation, Recommendation, Timeliness
from kerjasama_flow.extensions import db
from kerjasama_flow.playbooks.models import AssigneeKind, TaskTemplate, Trigger
from kerjasama_flow.reminders.models import Notification, Rule
from kerjasama_flow.tasks.models import Task, TaskStatus
from kerjasama_flow.workdays.models import DayOff

# The demo accounts' password in tests (an installation makes its own: ``demo_password``).
DEMO_PASSWORD = "uji-demo-Kerjasama-7"
PASSWORD = "rahasia-demo-1"
# Real hashes are deliberately slow (argon2id with OWASP's parameters, about 25 ms). The tests'
# apps hash with argon2id at its smallest cost (``conftest.make_test_app``), and the factories
# reuse one hash of PASSWORD made with it: a test's users cost microseconds, the login still
# verifies for real, and finds nothing to upgrade. ``test_accounts_passwords`` checks the
# shipped parameters.
TEST_PASSWORD_HASHING = {
    "PASSWORD_HASH_MEMORY_KIB": 8,
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_PARALLELISM": 1,
}
PASSWORD_HASH = PasswordHasher(memory_cost=8, time_cost=1, parallelism=1).hash(PASSWORD)
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_government(region_code: str | None = None, name: str | None = None, **kw) -> Government:
    n = _n()
    government = Government(
        region_code=region_code or f"99.{n % 100:02d}.{n // 100 % 100:02d}",
        name=name or f"Kota Uji {n}",
        timezone=kw.pop("timezone", "Asia/Jakarta"),
        **kw,
    )
    db.session.add(government)
    db.session.flush()
    return government


def make_agency(government: Government, code: str | None = None, **kw) -> Agency:
    n = _n()
    agency = Agency(
        government=government,
        code=code or f"OPD{n}",
        name=kw.pop("name", f"Dinas Uji {n}"),
        **kw,
    )
    db.session.add(agency)
    db.session.flush()
    return agency


def make_user(government: Government, role: Role = Role.ADMIN, agency=None, **kw) -> User:
    n = _n()
    user = User(
        government=government,
        email=kw.pop("email", f"user{n}@example.go.id"),
        name=kw.pop("name", f"Pengguna {n}"),
        role=role,
        agency=agency,
        **kw,
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    db.session.flush()
    return user


def start_session(user: User, *, remember: bool = False) -> str:
    """A login session of ``user``, committed, as /login starts one: what Flask-Login keeps in
    the session cookie (``session["_user_id"]``) to log a test client in without the form."""
    sessions.start(user, remember=remember)
    db.session.commit()
    return user.get_session_id()


def make_partner(government: Government, name: str | None = None, **kw) -> Partner:
    partner = Partner(
        government_id=government.id,
        name=name or f"Mitra {_n()}",
        kind=kw.pop("kind", PartnerKind.PEMDA_KOTA),
        **kw,
    )
    db.session.add(partner)
    db.session.flush()
    return partner


def make_agreement(government: Government, lead_agency: Agency | None = None, **kw) -> Agreement:
    partners = kw.pop("partners", None) or [make_partner(government)]
    if "created_at" in kw:  # recorded in the past: filed under that year until a milestone
        kw.setdefault("year", kw["created_at"].year)
    agreement = Agreement(
        government_id=government.id,
        title=kw.pop("title", f"Kerja sama uji {_n()}"),
        kind=kw.pop("kind", AgreementKind.KSDD),
        lead_agency=lead_agency,
        stage=kw.pop("stage", Stage.PENJAJAKAN),
        partners=partners,
        **kw,
    )
    agreement.sectors = kw.pop("sectors", ["pangan"])
    db.session.add(agreement)
    db.session.flush()
    return agreement


def make_visit(agreement: Agreement, **kw) -> Visit:
    visit = Visit(
        agreement=agreement,
        visited_on=kw.pop("visited_on", date(2025, 6, 16)),
        place=kw.pop("place", "Balai Kota"),
        direction=kw.pop("direction", VisitDirection.OUTGOING),
        **kw,
    )
    db.session.add(visit)
    services.refile(agreement)  # as the milestone services do
    db.session.flush()
    return visit


def make_mou(agreement: Agreement, **kw) -> Mou:
    signed_on = kw.pop("signed_on", date(2025, 8, 14))
    mou = Mou(
        agreement=agreement,
        document_kind=kw.pop("document_kind", MouKind.MOU),
        signed_on=signed_on,
        starts_on=kw.pop("starts_on", signed_on),
        ends_on=kw.pop("ends_on", signed_on + timedelta(days=365 * 3)),
        **kw,
    )
    db.session.add(mou)
    if agreement.stage == Stage.PENJAJAKAN:
        agreement.stage = Stage.KESEPAKATAN
    services.refile(agreement)  # as the milestone services do
    db.session.flush()
    return mou


def make_pks(agreement: Agreement, mou: Mou | None = None, **kw) -> Pks:
    signed_on = kw.pop("signed_on", date(2025, 9, 1))
    pks = Pks(
        agreement=agreement,
        mou=mou,
        is_direct=kw.pop("is_direct", mou is None),
        direct_reason=kw.pop("direct_reason", None if mou else "PKS langsung (uji)"),
        title=kw.pop("title", "PKS uji"),
        signed_on=signed_on,
        starts_on=kw.pop("starts_on", signed_on),
        ends_on=kw.pop("ends_on", signed_on + timedelta(days=365)),
        agencies=kw.pop("agencies", []),
        **kw,
    )
    db.session.add(pks)
    if agreement.stage in (Stage.PENJAJAKAN, Stage.KESEPAKATAN):
        agreement.stage = Stage.PKS
    db.session.flush()
    return pks


def make_transaction(agreement: Agreement, pks: Pks, **kw) -> Transaction:
    transaction = Transaction(
        agreement=agreement,
        pks=pks,
        transacted_on=kw.pop("transacted_on", date(2025, 10, 1)),
        buyer=kw.pop("buyer", "Perumda Pasar Jaya"),
        seller=kw.pop("seller", "Peternak ayam petelur Kota Blitar"),
        commodity=kw.pop("commodity", "Telur ayam"),
        value_rp=kw.pop("value_rp", 1_250_000),
        **kw,
    )
    db.session.add(transaction)
    agreement.stage = Stage.PELAKSANAAN
    db.session.flush()
    return transaction


def make_activity(agreement: Agreement, pks: Pks | None = None, **kw) -> RealisedActivity:
    """A realised activity under ``pks`` (or under the agreement's last KB when None)."""
    activity = RealisedActivity(
        agreement=agreement,
        pks=pks,
        mou=kw.pop("mou", None if pks else agreement.mous[-1]),
        held_on=kw.pop("held_on", date(2025, 10, 2)),
        name=kw.pop("name", "Pelatihan penanganan pascapanen"),
        **kw,
    )
    db.session.add(activity)
    agreement.stage = Stage.PELAKSANAAN
    db.session.flush()
    return activity


def make_task(agreement: Agreement, agency: Agency, **kw) -> Task:
    task = Task(
        government_id=agreement.government_id,
        agreement=agreement,
        agency=agency,
        title=kw.pop("title", f"Tindak lanjut {_n()}"),
        due_on=kw.pop("due_on", date(2025, 9, 30)),
        status=kw.pop("status", TaskStatus.OPEN),
        **kw,
    )
    db.session.add(task)
    db.session.flush()
    return task


def make_day_off(government: Government, on: date | None = None, **kw) -> DayOff:
    day_off = DayOff(
        government_id=government.id,
        on=on or date(2025, 7, 14),  # a Monday that is no national holiday
        name=kw.pop("name", f"Hari libur daerah {_n()}"),
        **kw,
    )
    db.session.add(day_off)
    db.session.flush()
    return day_off


def make_task_template(government: Government, **kw) -> TaskTemplate:
    template = TaskTemplate(
        government_id=government.id,
        trigger=kw.pop("trigger", Trigger.MOU),
        title=kw.pop("title", f"Templat tugas {_n()}"),
        assignee_kind=kw.pop("assignee_kind", AssigneeKind.LEAD_AGENCY),
        due_in_working_days=kw.pop("due_in_working_days", 10),
        is_active=kw.pop("is_active", True),
        **kw,
    )
    db.session.add(template)
    db.session.flush()
    return template


def make_notification(user: User, **kw) -> Notification:
    notification = Notification(
        government_id=user.government_id,
        user_id=user.id,
        item_kind=kw.pop("item_kind", "task"),
        item_id=kw.pop("item_id", 1),
        rule=kw.pop("rule", Rule.OVERDUE),
        period=kw.pop("period", f"P{_n()}"),
        title=kw.pop("title", f"Terlambat 3 hari: Tindak lanjut {_n()}"),
        url=kw.pop("url", "/tasks/1"),
        **kw,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def make_evaluation(agreement: Agreement, **kw) -> Evaluation:
    evaluation = Evaluation(
        government_id=agreement.government_id,
        agreement_id=agreement.id,
        evaluated_on=kw.pop("evaluated_on", date(2025, 12, 15)),
        period_label=kw.pop("period_label", "Semester II 2025"),
        realisation=kw.pop("realisation", "Pasokan telur berjalan sesuai PKS."),
        progress_pct=kw.pop("progress_pct", 60),
        timeliness=kw.pop("timeliness", Timeliness.ON_TIME),
        recommendation=kw.pop("recommendation", Recommendation.CONTINUE),
        **kw,
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


@dataclass
class World:
    """Government A (the users' own) and government B (another tenant), with one record of
    every kind in each, so that routes can be tried by every role against both."""

    gov: Government
    agency: Agency  # the OPD user's agency, lead of ``agreement``
    other_agency: Agency  # an agency of gov with no part in ``agreement``
    admin: User
    opd: User
    pimpinan: User
    agreement: Agreement
    visit: Visit
    mou: Mou
    pks: Pks
    transaction: Transaction
    task: Task
    partner: Partner
    other_gov: Government
    other_admin: User
    other_agency_b: Agency
    other_agreement: Agreement
    other_task: Task
    other_mou: Mou

    def users(self) -> dict[str, User]:
        return {"admin": self.admin, "opd": self.opd, "pimpinan": self.pimpinan}


def make_world() -> World:
    gov = make_government("35.72", "Kota Blitar")
    agency = make_agency(gov, "DKPP", name="Dinas Ketahanan Pangan dan Pertanian")
    other_agency = make_agency(gov, "BAPPEDA", name="Bappeda")
    admin = make_user(gov, Role.ADMIN, email="admin@blitarkota.go.id")
    opd = make_user(gov, Role.OPD, agency=agency, email="dkpp@blitarkota.go.id")
    pimpinan = make_user(gov, Role.PIMPINAN, email="walikota@blitarkota.go.id")
    partner = make_partner(gov, "Pemerintah Provinsi DKI Jakarta", kind=PartnerKind.PEMDA_PROVINSI)
    agreement = make_agreement(gov, agency, partners=[partner], title="Pasokan pangan ke DKI")
    visit = make_visit(agreement)
    mou = make_mou(agreement)
    pks = make_pks(agreement, mou, agencies=[agency])
    transaction = make_transaction(agreement, pks)
    task = make_task(agreement, agency)

    other_gov = make_government("35.07", "Kabupaten Malang")
    other_admin = make_user(other_gov, Role.ADMIN, email="admin@malangkab.go.id")
    other_agency_b = make_agency(other_gov, "DKPP", name="Dinas Pangan Malang")
    other_agreement = make_agreement(other_gov, other_agency_b, title="Pasokan ke Batam")
    other_mou = make_mou(other_agreement)
    other_task = make_task(other_agreement, other_agency_b)
    db.session.commit()
    return World(
        gov=gov,
        agency=agency,
        other_agency=other_agency,
        admin=admin,
        opd=opd,
        pimpinan=pimpinan,
        agreement=agreement,
        visit=visit,
        mou=mou,
        pks=pks,
        transaction=transaction,
        task=task,
        partner=partner,
        other_gov=other_gov,
        other_admin=other_admin,
        other_agency_b=other_agency_b,
        other_agreement=other_agreement,
        other_task=other_task,
        other_mou=other_mou,
    )
