"""Userinfo takes the access token from the Authorization header only (RFC 6750 §2.1): a
token in the URL reaches logs and Referer headers, so it is refused with 401 and an
RFC 6750 challenge, and no claims."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.sso.tests.conftest import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_token(flow: Flow) -> str:
    return str(flow.token(flow.approve(flow.authorize())).json()["access_token"])


def _assert_refused_as_invalid_request(answer: Any) -> None:
    assert answer.status_code == 401
    challenge = answer["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_request"' in challenge
    assert answer.json()["error"] == "invalid_request"
    assert "sub" not in answer.json()


def test_a_token_in_the_query_string_is_refused(flow: Flow, access_token: str):
    answer = flow.rp.get("/o/userinfo/", {"access_token": access_token})
    _assert_refused_as_invalid_request(answer)
    refusal = AuditEvent.objects.filter(action="sso.userinfo.refuse").latest("seq")
    assert refusal.outcome == "denied" and refusal.purpose == "invalid_request"


def test_a_token_in_the_query_string_is_refused_even_beside_a_good_header(
    flow: Flow, access_token: str
):
    answer = flow.rp.get(
        f"/o/userinfo/?access_token={access_token}",
        HTTP_AUTHORIZATION=f"Bearer {access_token}",
    )
    _assert_refused_as_invalid_request(answer)


def test_a_token_in_a_form_body_is_refused(flow: Flow, access_token: str):
    _assert_refused_as_invalid_request(flow.rp.post("/o/userinfo/", {"access_token": access_token}))


def test_the_authorization_header_is_served_on_get_and_post(flow: Flow, access_token: str):
    header = {"Authorization": f"Bearer {access_token}"}
    assert flow.rp.get("/o/userinfo/", headers=header).json()["name"] == "张*丰"
    assert flow.rp.post("/o/userinfo/", headers=header).json()["name"] == "张*丰"


def test_no_token_gets_a_bearer_challenge(flow: Flow):
    answer = flow.rp.get("/o/userinfo/")
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")
    assert answer["Content-Type"] == "application/json"
