"""RFC 9207: every authorisation response carries `iss` equal to the discovery document's
`issuer`, so a relying party that enforces RFC 9207 §2.4 accepts our logins — and refuses
a response that names another issuer or none."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.sso.demo_rp import client as rp
from onewindow.sso.tests.conftest import ISSUER, Flow, location_query
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _rfc9207_accepts(client: Client, response: Any) -> bool:
    """The relying party's check (RFC 9207 §2.4), against the issuer the request went to."""
    doc = client.get("/o/.well-known/openid-configuration").json()
    try:
        rp.check_response_issuer(
            issuer=ISSUER,
            received=location_query(response).get("iss", []),
            required=doc["authorization_response_iss_parameter_supported"] is True,
        )
    except rp.IdTokenRejected:
        return False
    return True


def test_discovery_promises_iss_and_names_the_issuer(client: Client):
    doc = client.get("/o/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_response_iss_parameter_supported"] is True


def test_a_code_response_carries_the_discovery_issuer(flow: Flow, client: Client):
    page = flow.authorize()
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["allow"] = "同意"
    answer = flow.browser.post("/o/authorize/", data)
    assert location_query(answer)["iss"] == [ISSUER]
    assert "code" in location_query(answer)
    assert _rfc9207_accepts(client, answer)


def test_a_remembered_consent_response_carries_the_discovery_issuer(flow: Flow, client: Client):
    flow.token(flow.approve(flow.authorize()))
    again = flow.authorize()
    assert location_query(again)["iss"] == [ISSUER] and "code" in location_query(again)
    assert _rfc9207_accepts(client, again)


def test_error_responses_carry_the_discovery_issuer(flow: Flow, client: Client):
    """RFC 9207 §2: "including error responses"."""
    refused = flow.authorize(scope="openid realname")
    assert location_query(refused)["error"] == ["invalid_scope"]
    assert location_query(refused)["iss"] == [ISSUER]
    page = flow.authorize()
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    denied = flow.browser.post("/o/authorize/", data)  # 拒绝: the form without "allow"
    assert location_query(denied)["error"] == ["access_denied"]
    assert location_query(denied)["iss"] == [ISSUER]
    assert _rfc9207_accepts(client, refused) and _rfc9207_accepts(client, denied)


def test_a_configured_public_issuer_is_the_one_sent(flow: Flow, client: Client, settings: Any):
    issuer = "https://id.example.gov.cn/o"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": issuer}
    doc = client.get("/o/.well-known/openid-configuration").json()
    assert doc["issuer"] == issuer
    assert location_query(flow.authorize(scope="openid realname"))["iss"] == [issuer]


@pytest.mark.parametrize(
    ("received", "required", "accepted"),
    [
        ([ISSUER], True, True),
        ([], False, True),
        ([], True, False),  # discovery promised iss: a response without it is refused
        (["http://testserver"], True, False),  # the origin is not the issuer
        ([ISSUER + "/"], True, False),  # simple string comparison: no normalisation
        ([ISSUER, ISSUER], True, False),
        (["https://attacker.example/o"], False, False),
    ],
)
def test_the_relying_partys_rfc9207_check(received: list[str], required: bool, accepted: bool):
    try:
        rp.check_response_issuer(issuer=ISSUER, received=received, required=required)
    except rp.IdTokenRejected:
        assert not accepted
    else:
        assert accepted


def _callback_url(browser: Client) -> str:
    start = browser.post("/demo-rp/login/")
    consent = browser.get(start["Location"])
    data = {k: v for k, v in consent.context["form"].initial.items() if v is not None}
    data["allow"] = "同意"
    return str(browser.post("/o/authorize/", data)["Location"])


def test_the_demo_relying_party_refuses_a_response_from_another_issuer(transport: Any):
    browser = Client()
    resident: Any = PersonFactory(name="张三")
    browser.force_login(resident.user)
    back = _callback_url(browser)
    assert "&iss=http%3A%2F%2Ftestserver%2Fo" in back
    forged = back.replace("iss=http%3A%2F%2Ftestserver%2Fo", "iss=https%3A%2F%2Fattacker.example")
    page = browser.get(forged, follow=True).content.decode()
    assert "已通过一网通办登录" not in page and "登录没有完成" in page


def test_the_demo_relying_party_refuses_a_response_without_iss(transport: Any):
    browser = Client()
    resident: Any = PersonFactory(name="张三")
    browser.force_login(resident.user)
    back = _callback_url(browser).replace("&iss=http%3A%2F%2Ftestserver%2Fo", "")
    page = browser.get(back, follow=True).content.decode()
    assert "已通过一网通办登录" not in page and "登录没有完成" in page
