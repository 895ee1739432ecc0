"""The JSON API fuzzed against its own document: schemathesis reads /api/v1/openapi.json from
the app served for real (werkzeug in a thread, on SQLite and on PostgreSQL as the rest of the
suite), generates requests for every operation the document lists (valid and invalid ones:
parameters, bodies, ids of this government, of another one and of nobody) with an admin's
and an OPD head's personal token, and checks each answer: never a 5xx, a status the document
names, a body and headers as the document describes them, and nothing of the other government
in any answer.

No operation is named here: an endpoint added to the blueprint is fuzzed the day it is
routed. Generation is derandomised (a fixed seed, ``deterministic``) so CI replays the same
requests; the number of examples per operation bounds the time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kerjasama_flow.accounts.models import Role
from kerjasama_flow.agreements.lifecycle import Stage
from kerjasama_flow.agreements.models import PartnerKind
from kerjasama_flow.extensions import db
from kerjasama_flow.permissions import ENDPOINT_ROLES
from kerjasama_flow.tasks.models import TaskStatus
from tests import factories
from tests.api_helpers import english_in_error, token_for
from tests.conftest import make_test_app
from tests.document_helpers import make_document
from tests.live_server import serving

pytestmark = pytest.mark.slow

# Examples per operation and generation mode (valid, then invalid requests). The admin's token
# reaches every answer and gets the most; the OPD head's run is about permissions (403) and
# what an agency's token may see, and gets fewer. Hypothesis derives the examples from the
# test's code (``derandomize``), so every run sends the same requests.
MAX_EXAMPLES = {"admin": 25, "opd": 10}
# The fuzzer sends a few thousand requests a minute with one token: the API's own limit per
# token (300 a minute by default) would answer most of them 429 and hide what it should find.
FUZZ_RATE_LIMIT = "1000000 per minute"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Words that appear only in the other government's records: no answer may contain them.
FOREIGN_MARKERS = ("Malang", "RAHASIA-MLG")


@dataclass
class FuzzServer:
    url: str
    tokens: dict[str, str]
    # Path-parameter name -> ids the fuzzer should try besides its own: this government's
    # (the answers' contents get exercised) and the other government's (always a 404).
    own_ids: dict[str, list[int]] = field(default_factory=dict)
    foreign_ids: dict[str, list[int]] = field(default_factory=dict)


def fill_world() -> tuple[factories.World, dict[str, list], dict[str, list]]:
    """make_world's two governments, and more of government A: agreements at several stages,
    each kind of step, tasks of several agencies and statuses, a document; and of B, records
    whose names carry FOREIGN_MARKERS."""
    world = factories.make_world()
    gov = world.gov
    bappeda = world.other_agency
    disperindag = factories.make_agency(gov, "DISPERINDAG", name="Dinas Perdagangan")
    university = factories.make_partner(
        gov, "Universitas Negeri Uji", kind=PartnerKind.PERGURUAN_TINGGI
    )
    province = factories.make_partner(
        gov, "Pemerintah Provinsi Jawa Timur", kind=PartnerKind.PEMDA_PROVINSI
    )
    # One agreement per stage reached by steps, and two stopped ones.
    explored = factories.make_agreement(gov, bappeda, partners=[university], title="Kajian data")
    factories.make_visit(explored)
    agreed = factories.make_agreement(gov, disperindag, partners=[province], title="Pasar murah")
    factories.make_mou(agreed)
    direct = factories.make_agreement(gov, disperindag, partners=[province, university])
    direct_pks = factories.make_pks(direct, None, agencies=[disperindag, world.agency])
    factories.make_activity(direct, direct_pks)
    stalled = factories.make_agreement(gov, bappeda, stage=Stage.DITUNDA, title="Ditunda")
    factories.make_agreement(gov, None, stage=Stage.BATAL, title="Batal tanpa pengampu")
    tasks = [
        factories.make_task(agreement, agency, status=status)
        for agreement, agency, status in (
            (explored, bappeda, TaskStatus.IN_PROGRESS),
            (agreed, disperindag, TaskStatus.OPEN),
            (direct, world.agency, TaskStatus.DONE),
            (direct, disperindag, TaskStatus.CANCELLED),
            (stalled, world.agency, TaskStatus.PAUSED),
        )
    ]
    # The other government: a second agreement and task whose names must never leak.
    other = world.other_gov
    foreign_partner = factories.make_partner(other, "Mitra RAHASIA-MLG")
    foreign = factories.make_agreement(
        other, world.other_agency_b, partners=[foreign_partner], title="RAHASIA-MLG pasokan"
    )
    foreign_task = factories.make_task(foreign, world.other_agency_b, title="RAHASIA-MLG tugas")
    db.session.commit()
    document = make_document(world.admin, world.agreement, title="Naskah KB")
    foreign_document = make_document(world.other_admin, foreign, title="RAHASIA-MLG naskah")
    db.session.commit()
    own = {
        "agreement_id": [world.agreement.id, explored.id, direct.id, stalled.id],
        "task_id": [world.task.id] + [task.id for task in tasks],
        "milestone_id": [world.visit.id, world.mou.id, world.pks.id, world.transaction.id],
        "document_id": [document.id],
    }
    foreign_ids = {
        "agreement_id": [world.other_agreement.id, foreign.id],
        "task_id": [world.other_task.id, foreign_task.id],
        "milestone_id": [world.other_mou.id],
        "document_id": [foreign_document.id],
    }
    return world, own, foreign_ids


@pytest.fixture(scope="module")
def fuzz_server(backend, temp_database, tmp_path_factory) -> Iterator[FuzzServer]:
    """The app on a migrated database of ``backend`` with ``fill_world``, served over HTTP."""
    database = temp_database(backend)
    instance = tmp_path_factory.mktemp("fuzz")
    app = make_test_app(database.url, instance, API_RATE_LIMIT=FUZZ_RATE_LIMIT)
    with app.app_context():
        upgrade()
        world, own, foreign = fill_world()
        opd = factories.make_user(world.gov, Role.OPD, agency=world.agency)
        tokens = {"admin": token_for(world.admin), "opd": token_for(opd)}
        db.session.remove()
    with serving(app, "fuzz-server") as url:
        yield FuzzServer(url, tokens, own, foreign)


def load_schema(fuzz_server: FuzzServer, role: str):
    """The served document, with the token of ``role``, and id parameters that are the
    generated value or a real id of either government (else nearly every id is a 404)."""
    config = schemathesis.Config.from_dict(
        {
            "base-url": fuzz_server.url,
            "headers": {"Authorization": f"Bearer {fuzz_server.tokens[role]}"},
        }
    )
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/api/v1/openapi.json", config=config)
    known = {
        name: fuzz_server.own_ids.get(name, []) + fuzz_server.foreign_ids.get(name, [])
        for name in set(fuzz_server.own_ids) | set(fuzz_server.foreign_ids)
    }

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        choices = {}
        for name, value in path_parameters.items():
            ids = known.get(name)
            choices[name] = st.sampled_from([value, *ids]) if ids else st.just(value)
        return st.fixed_dictionaries(choices)

    return schema


def check_answer(case, fuzz_server: FuzzServer, may_use: bool) -> None:
    """One request: schemathesis's checks, then this API's own promises. ``may_use``: the
    token's role is among the endpoint's (``permissions.ENDPOINT_ROLES``); when it is not,
    the answer is a 403 whatever the ids are."""
    response = case.call_and_validate(checks=CHECKS)
    content_type = next(
        (values[0] for name, values in response.headers.items() if name.lower() == "content-type"),
        "",
    )
    if response.status_code >= 400 and "json" in content_type:
        english = english_in_error(response.json())
        assert not english, f"{case.method} {case.formatted_path}: English message {english}"
    leaked = [marker for marker in FOREIGN_MARKERS if marker in response.text]
    assert not leaked, f"{case.method} {case.formatted_path}: {leaked} in {response.text[:300]}"
    foreign = any(
        value in fuzz_server.foreign_ids.get(name, ())
        for name, value in (case.path_parameters or {}).items()
    )
    if not may_use:  # (a malformed id, such as -1, matches no route: 404 before any check)
        assert response.status_code in (400, 401, 403, 404, 429), (
            f"{case.method} {case.formatted_path}: a forbidden endpoint answered "
            f"{response.status_code}"
        )
    elif foreign:
        assert response.status_code in (401, 404, 422, 429), (
            f"{case.method} {case.formatted_path}: another government's id answered "
            f"{response.status_code}"
        )


def fuzz(operation, mode: GenerationMode, fuzz_server: FuzzServer, role: str) -> None:
    endpoint = "api." + operation.definition.raw["operationId"]
    may_use = Role(role) in ENDPOINT_ROLES[endpoint]
    examples = MAX_EXAMPLES[role]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        check_answer(case, fuzz_server, may_use)

    run()


@pytest.mark.parametrize("role", ["admin", "opd"])
def test_every_operation_answers_as_documented(fuzz_server, role):
    schema = load_schema(fuzz_server, role)
    failures = []
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # a definition schemathesis cannot use is a finding too
            failures.append(f"--- invalid definition ---\n{result.err()}")
        else:
            operations.append(result.ok())
    assert operations, "the document lists no operation"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, fuzz_server, role)
            # Every operation is fuzzed and every failure reported (schemathesis raises a
            # FailureGroup, an exception group).
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"--- {operation.label} ({mode.value}) ---\n{error}")
    assert not failures, "\n\n".join(failures)
