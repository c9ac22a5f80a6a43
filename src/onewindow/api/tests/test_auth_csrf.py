"""Who may write through the API, through clients that enforce CSRF as a browser meets it:
a department system's bearer token writes without a CSRF token (it carries no ambient
credential); a browser session needs its CSRF token; a caller with neither is answered 401.

Django's default test client skips CSRF checks, which hid that bearer writes were refused:
these tests use ``Client(enforce_csrf_checks=True)`` and a live server driven by httpx."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.utils.crypto import get_random_string

from onewindow.audit.services import Actor
from onewindow.cases.models import CaseTask
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.identity.services import api_token_create
from onewindow.testing.cases import ANSWERS, PDF, publish
from onewindow.testing.factories import PersonFactory

CSRF_REFUSED = {
    "errors": [
        {
            "code": "csrf_failed",
            "message": "安全校验失败（CSRF），请刷新页面后重试。",
            "field": None,
        }
    ]
}
UNAUTHENTICATED = {
    "errors": [{"code": "unauthenticated", "message": "需要登录或有效的访问令牌。", "field": None}]
}


def _case_body() -> str:
    return json.dumps(
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
    )


@pytest.fixture
def world(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """A resident (logged in) and the clerk's department system (a bearer token), with no
    case yet: the resident submits it in each test."""
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
    clerk = User.objects.get(username="rsj_clerk")
    _token, clerk_token = api_token_create(actor=Actor.system(), user=clerk, name="rsj system")
    _token, resident_token = api_token_create(
        actor=Actor.system(), user=person.user, name="resident app"
    )
    return {"person": person, "clerk_token": clerk_token, "resident_token": resident_token}


def _csrf_client(world: dict[str, Any]) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["person"].user)
    return client


@pytest.mark.django_db
class TestWithCsrfEnforced:
    def test_bearer_token_submits_and_claims_without_csrf_token(self, world):
        client = Client(enforce_csrf_checks=True)
        with TestCase.captureOnCommitCallbacks(execute=True):
            submitted = client.post(
                "/api/v1/cases",
                data=_case_body(),
                content_type="application/json",
                headers={
                    "Authorization": f"Bearer {world['resident_token']}",
                    "Idempotency-Key": "k-1",
                },
            )
        assert submitted.status_code == 201, submitted.content
        task = CaseTask.objects.get(case__number=submitted.json()["number"])
        claimed = client.post(
            f"/api/v1/tasks/{task.pk}/claim",
            headers={"Authorization": f"Bearer {world['clerk_token']}"},
        )
        assert claimed.status_code == 200, claimed.content
        assert claimed.json()["status"] == "claimed"

    def test_session_post_without_csrf_token_is_refused(self, world):
        response = _csrf_client(world).post(
            "/api/v1/cases",
            data=_case_body(),
            content_type="application/json",
            headers={"Idempotency-Key": "k-1"},
        )
        assert response.status_code == 403
        assert response.json() == CSRF_REFUSED

    def test_session_post_with_its_csrf_token_is_accepted(self, world):
        client = _csrf_client(world)
        token = get_random_string(32)
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                "/api/v1/cases",
                data=_case_body(),
                content_type="application/json",
                headers={"Idempotency-Key": "k-1", "X-CSRFToken": token},
            )
        assert response.status_code == 201, response.content

    def test_bearer_beside_a_session_cookie_is_decided_by_the_token(self, world):
        client = _csrf_client(world)  # a session cookie, no CSRF token
        with TestCase.captureOnCommitCallbacks(execute=True):
            valid = client.post(
                "/api/v1/cases",
                data=_case_body(),
                content_type="application/json",
                headers={
                    "Authorization": f"Bearer {world['resident_token']}",
                    "Idempotency-Key": "k-1",
                },
            )
        assert valid.status_code == 201, valid.content
        # A wrong token does not fall back to the session.
        wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer ow_nothing_here"})
        assert wrong.status_code == 401

    def test_anonymous_post_is_401_not_a_csrf_refusal(self, world):
        response = Client(enforce_csrf_checks=True).post(
            "/api/v1/cases", data=_case_body(), content_type="application/json"
        )
        assert response.status_code == 401
        assert response.json() == UNAUTHENTICATED
        assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db(transaction=True)
def test_over_http_bearer_writes_session_needs_csrf_anonymous_is_401(world, live_server):
    base = live_server.url
    session = _csrf_client(world).cookies[settings.SESSION_COOKIE_NAME].value
    json_headers = {"Content-Type": "application/json", "Idempotency-Key": "k-1"}
    with httpx.Client(base_url=base, timeout=20) as http:
        anonymous = http.post("/api/v1/cases", content=_case_body(), headers=json_headers)
        assert anonymous.status_code == 401
        assert anonymous.json() == UNAUTHENTICATED

        http.cookies.set(settings.SESSION_COOKIE_NAME, session)
        refused = http.post("/api/v1/cases", content=_case_body(), headers=json_headers)
        assert refused.status_code == 403
        assert refused.json() == CSRF_REFUSED
        http.cookies.clear()

        submitted = http.post(
            "/api/v1/cases",
            content=_case_body(),
            headers={**json_headers, "Authorization": f"Bearer {world['resident_token']}"},
        )
        assert submitted.status_code == 201, submitted.text
        task = CaseTask.objects.get(case__number=submitted.json()["number"])
        claimed = http.post(
            f"/api/v1/tasks/{task.pk}/claim",
            headers={"Authorization": f"Bearer {world['clerk_token']}"},
        )
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["status"] == "claimed"
