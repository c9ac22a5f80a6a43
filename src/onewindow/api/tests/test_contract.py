"""The API does what its OpenAPI document says: Schemathesis generates requests for every
operation from the document (valid and invalid data, undeclared methods, missing headers)
and checks every answer against it: no server error, every status, content type, header and
body as declared, invalid data refused, valid data not refused for its shape.

It runs as a caller of each kind: anonymous, a resident's browser session (CSRF enforced,
the token sent as the pages send it) and a department system's bearer token. Requests go
through Django's whole middleware stack in this test's database transaction; the number of
examples is bounded and the generation derandomized, so a run is fast and repeatable."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client, TestCase
from django.test.client import ClientHandler
from django.utils.crypto import get_random_string

from onewindow.audit.services import Actor
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.identity.services import api_token_create
from onewindow.testing.cases import ANSWERS, PDF, publish
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

SEED = 20261203
CONFIG = {
    "seed": SEED,
    "generation": {
        "max-examples": 8,
        "deterministic": True,
        "database": "none",
        # Credentials are the test's own (below), never made up.
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        # Valid-shaped data may still break a rule no schema states (a wrong SMS code, an
        # answer the service's own form refuses): this API answers that 422, field named.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
        },
    },
}


class DjangoApp:
    """Django's test handler as a WSGI application: the whole middleware stack, CSRF checks
    enforced as a browser meets them, and this test's database transaction."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        response: Any = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


@pytest.fixture
def seeded(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """The demo city, a published service with one submitted case waiting in a clerk's
    inbox: list answers have rows to check against their schemas."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    city_structure_seed(seed=1)
    publish(tmp_path)
    # The applicant's own answers must match the real-name record.
    person: Any = PersonFactory(
        name=ANSWERS["applicant_name"], id_number=ANSWERS["id_number"], phone=ANSWERS["phone"]
    )
    resident = Client()
    resident.force_login(person.user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted = resident.post(
            "/api/v1/cases",
            data=json.dumps(
                {
                    "service": "grad-employment-test",
                    "form": ANSWERS,
                    "materials": [
                        {
                            "code": "diploma",
                            "filename": "diploma.pdf",
                            "content_base64": base64.b64encode(PDF).decode(),
                        }
                    ],
                }
            ),
            content_type="application/json",
            headers={"Idempotency-Key": "contract"},
        )
    assert submitted.status_code == 201, submitted.content
    clerk = User.objects.get(username="rsj_clerk")
    _token, raw = api_token_create(actor=Actor.system(), user=clerk, name="department system")
    return {"resident": resident, "bearer": raw}


def _schema(**config: Any) -> Any:
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        DjangoApp(),
        config=schemathesis.Config.from_dict({**CONFIG, **config}),
    )


@pytest.fixture
def anonymous_schema(seeded: dict[str, Any]) -> Any:
    return _schema()


@pytest.fixture
def csrf_token() -> str:
    return get_random_string(32)


@pytest.fixture
def resident_schema(seeded: dict[str, Any], csrf_token: str) -> Any:
    """The resident's session cookie, and the CSRF token as the pages send it: its cookie,
    and the same value in ``X-CSRFToken``."""
    session = seeded["resident"].cookies[settings.SESSION_COOKIE_NAME].value
    return _schema(
        auth={"openapi": {"SessionAuth": {"api_key": session}}},
        headers={"X-CSRFToken": csrf_token},
    )


@pytest.fixture
def bearer_schema(seeded: dict[str, Any]) -> Any:
    return _schema(auth={"openapi": {"BearerAuth": {"bearer": seeded["bearer"]}}})


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis names each operation's subtest by rewriting ``node._nodeid``, which
    pytest 9 nodes no longer have; give it one to read and write."""
    request.node._nodeid = request.node.nodeid


anonymous = schemathesis.pytest.from_fixture("anonymous_schema")
resident = schemathesis.pytest.from_fixture("resident_schema")
bearer = schemathesis.pytest.from_fixture("bearer_schema")


class Answers:
    """The statuses each operation answered, to show the run reached past authentication
    (a run refused 401 or 403 throughout would pass every check and test nothing)."""

    def __init__(self) -> None:
        self.seen: dict[str, set[int]] = {}

    def add(self, case: Any, response: Any) -> None:
        self.seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)

    def of(self, label: str) -> set[int]:
        return self.seen.get(label, set())


# Per caller, operations that must have been answered past authentication (neither 401 nor
# 403) at least once, and ones that must have been answered with the given status.
REACHED = {
    "test_contract_anonymous": ["GET /api/v1/services", "POST /api/v1/licences/verify"],
    "test_contract_resident_session": [
        "GET /api/v1/cases",
        "POST /api/v1/cases",  # its CSRF check passed
        "POST /api/v1/cases/{number}/withdraw",
    ],
    "test_contract_bearer_token": [
        "GET /api/v1/tasks",
        "POST /api/v1/tasks/{task_id}/claim",  # no CSRF check stands in the way
        "POST /api/v1/tasks/{task_id}/complete",
    ],
}
ANSWERED = {
    "test_contract_anonymous": {"POST /api/v1/cases": 401, "GET /api/v1/me": 401},
    "test_contract_resident_session": {"GET /api/v1/me": 200},
    "test_contract_bearer_token": {"GET /api/v1/me": 200, "POST /api/v1/cases": 403},
}


@pytest.fixture
def answers(request: pytest.FixtureRequest) -> Iterator[Answers]:
    answers = Answers()
    yield answers
    name = request.node.originalname
    for label in REACHED[name]:
        assert answers.of(label) - {401, 403}, (label, answers.of(label))
    for label, status in ANSWERED[name].items():
        assert status in answers.of(label), (label, answers.of(label))


@anonymous.parametrize()
def test_contract_anonymous(case: Any, answers: Answers) -> None:
    answers.add(case, case.call_and_validate())


@resident.parametrize()
def test_contract_resident_session(case: Any, csrf_token: str, answers: Answers) -> None:
    answers.add(case, case.call_and_validate(cookies={settings.CSRF_COOKIE_NAME: csrf_token}))


@bearer.parametrize()
def test_contract_bearer_token(case: Any, answers: Answers) -> None:
    answers.add(case, case.call_and_validate())
