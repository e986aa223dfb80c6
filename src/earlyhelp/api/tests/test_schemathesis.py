"""Property-based tests of the whole API from its own OpenAPI document (schemathesis 4).

Every operation is called in-process through Django's WSGI application, as a lead practitioner
with a bearer token, with generated valid and invalid input. The checks: no server error, and
every answer (status code, content type, headers, body) is one the document promises; input the
document calls invalid is refused.

Data: pytest-django's function-scoped `db` fixture gives each operation its own transaction with a
fresh world; Hypothesis then calls the test many times inside it (hence the suppressed
`function_scoped_fixture` health check: sharing the world across examples is what we want, and the
requests' own writes are rolled back with it). Ids drawn at random rarely name a record, so about
half the positive examples get the ids of the world's family, its people and teams instead, to
reach the answers the caller is allowed to see (200, 201) as well as the audited 404s.

On PostgreSQL the app's request signals would close the test's connection: see `connection_kept`.
Run it on both: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_api .venv/bin/python -m pytest
src/earlyhelp/api`.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from earlyhelp.access.models import ApiToken
from earlyhelp.testing.world import build_world, make_family

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,  # a 2xx answer is re-requested without the token, and with a wrong one: both must be 401
    unsupported_method,  # methods the document does not list are 405
]


@contextmanager
def connection_kept():
    """The app's request signals would close the test's connection (and its transaction) on
    PostgreSQL; Django's own test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db):
    world = build_world()
    family = make_family(world, lead=world.lead, taf=[world.partner])
    make_family(world, team=world.south, lead=world.other_lead, family_name="Otherfamily", seed=2)
    _, raw = ApiToken.issue(user=world.lead, name="schemathesis")
    return {
        "headers": {"Authorization": f"Bearer {raw}"},
        "ids": {
            "household_id": family["household"].pk,
            "person_id": family["members"][2].pk,
            "team_id": world.south.pk,
            "source_organisation_id": world.school.pk,
        },
    }


def use_known_ids(case, ids):
    """In about half the positive cases (those whose generated id is even), put the world's real ids
    where the case has ids: the values stay valid for the schema, and the answers are 200s and 201s."""
    if not (case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE):
        return
    if case.path_parameters:
        for name, value in case.path_parameters.items():
            if name in ids and isinstance(value, int) and value % 2 == 0:
                case.path_parameters[name] = ids[name]
    if isinstance(case.body, dict) and isinstance(case.body.get("person_id"), int) and case.body["person_id"] % 2 == 0:
        for name in ("person_id", "household_id", "team_id", "source_organisation_id"):
            if isinstance(case.body.get(name), int):
                case.body[name] = ids[name]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_keeps_its_promises(case, api_world):
    use_known_ids(case, api_world["ids"])
    with connection_kept():
        case.call_and_validate(headers=api_world["headers"], checks=CHECKS)
