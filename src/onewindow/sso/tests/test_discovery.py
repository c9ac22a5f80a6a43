"""Discovery says exactly what is served: every advertised value is exercised here and
works, and what is not advertised is refused (or, for a false flag, not served)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Grant

from onewindow.audit.services import Actor
from onewindow.sso.claims import pairwise_subject
from onewindow.sso.services import client_scopes_set
from onewindow.sso.tests.conftest import ISSUER, REDIRECT, Flow, location_query, make_flow

pytestmark = pytest.mark.django_db

DISCOVERY = "/o/.well-known/openid-configuration"


@pytest.fixture
def doc(client: Client) -> dict[str, Any]:
    return dict(client.get(DISCOVERY).json())


def _tokens(flow: Flow, scope: str = "openid profile phone", **extra: Any) -> dict[str, Any]:
    answer = flow.token(flow.approve(flow.authorize(scope=scope, **extra)))
    assert answer.status_code == 200, answer.content
    return dict(answer.json())


def _id_token_claims(client: Client, id_token: str) -> dict[str, Any]:
    keys = jwk.JWKSet.from_json(json.dumps(client.get("/o/.well-known/jwks.json").json()))
    return dict(json.loads(jwt.JWT(jwt=id_token, key=keys, algs=["RS256"]).claims))


def test_the_document_lists_exactly_what_is_served(doc: dict[str, Any]):
    assert doc == {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize/",
        "token_endpoint": ISSUER + "/token/",
        "userinfo_endpoint": ISSUER + "/userinfo/",
        "jwks_uri": ISSUER + "/.well-known/jwks.json",
        "end_session_endpoint": ISSUER + "/logout/",
        "scopes_supported": ["openid", "profile", "phone", "realname"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "phone_number", "realname", "citizen_id"],
        "prompt_values_supported": ["none", "login"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "client_id_metadata_document_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }


# response_types_supported ---------------------------------------------------------------


def test_response_type_code_is_served(flow: Flow):
    assert "id_token" in _tokens(flow, response_type="code")


@pytest.mark.parametrize(
    "response_type",
    ["token", "id_token", "id_token token", "code token", "code id_token", "code id_token token"],
)
def test_every_other_response_type_is_refused(flow: Flow, response_type: str):
    answer = location_query(flow.authorize(response_type=response_type))
    assert answer["error"] == ["unauthorized_client"] and "code" not in answer
    assert not Grant.objects.exists() and not AccessToken.objects.exists()


def test_a_client_registered_for_the_hybrid_flow_is_not_served(flow: Flow):
    application = flow.credentials.application
    application.authorization_grant_type = "openid-hybrid"
    application.save()
    for response_type in ("code id_token", "code"):
        answer = location_query(flow.authorize(response_type=response_type))
        assert answer["error"] == ["unauthorized_client"]
    assert not Grant.objects.exists()


# response_modes_supported ---------------------------------------------------------------


def test_response_mode_query_is_served(flow: Flow):
    assert "id_token" in _tokens(flow, response_mode="query")


@pytest.mark.parametrize("mode", ["fragment", "form_post", "jwt"])
def test_other_response_modes_are_refused(flow: Flow, mode: str):
    answer = flow.authorize(response_mode=mode)
    assert "#" not in answer["Location"]
    query = location_query(answer)
    assert query["error"] == ["invalid_request"] and query["iss"] == [ISSUER]
    assert not Grant.objects.exists()


# grant_types_supported ------------------------------------------------------------------


def test_authorization_code_and_refresh_token_grants_are_served(flow: Flow):
    tokens = _tokens(flow)
    refreshed = flow.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200
    assert flow.userinfo(refreshed.json()["access_token"]).status_code == 200


@pytest.mark.parametrize(
    "grant_type",
    [
        "client_credentials",
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ],
)
def test_other_grant_types_are_refused(flow: Flow, grant_type: str):
    answer = flow.token_request({"grant_type": grant_type, "username": "u", "password": "p"})
    assert answer.status_code == 400 and answer.json() == {"error": "unsupported_grant_type"}
    assert not AccessToken.objects.exists()


# id_token_signing_alg_values_supported --------------------------------------------------


def test_id_tokens_are_signed_rs256_with_a_published_key(flow: Flow, client: Client):
    tokens = _tokens(flow)
    header = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] in {key["kid"] for key in keys}
    assert {key["alg"] for key in keys} == {"RS256"}
    assert _id_token_claims(client, tokens["id_token"])["iss"] == ISSUER


@pytest.mark.parametrize("algorithm", ["HS256", ""])
def test_a_client_registered_for_another_algorithm_is_not_served(flow: Flow, algorithm: str):
    application = flow.credentials.application
    application.algorithm = algorithm
    application.save()
    assert location_query(flow.authorize())["error"] == ["unauthorized_client"]
    assert not Grant.objects.exists()


# subject_types_supported ----------------------------------------------------------------


def test_subjects_are_pairwise(flow: Flow, client: Client):
    other = make_flow(flow.user, name="不动产登记系统")
    first, second = _tokens(flow), _tokens(other)
    subjects = [
        _id_token_claims(client, first["id_token"])["sub"],
        _id_token_claims(client, second["id_token"])["sub"],
    ]
    assert subjects == [
        pairwise_subject(user_id=flow.user.pk, client_id=flow.credentials.client_id),
        pairwise_subject(user_id=flow.user.pk, client_id=other.credentials.client_id),
    ]
    assert subjects[0] != subjects[1] and str(flow.user.pk) not in subjects
    assert flow.userinfo(first["access_token"]).json()["sub"] == subjects[0]


# token_endpoint_auth_methods_supported --------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_advertised_client_authentication_is_served(flow: Flow, method: str):
    answer = flow.token(flow.approve(flow.authorize()), client_auth=method)
    assert answer.status_code == 200 and "id_token" in answer.json()


def test_a_client_without_its_secret_is_refused(flow: Flow):
    answer = flow.token(flow.approve(flow.authorize()), client_auth="none")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_a_public_client_is_not_served(flow: Flow):
    application = flow.credentials.application
    application.client_type = "public"
    application.save()
    assert location_query(flow.authorize())["error"] == ["unauthorized_client"]


def test_a_signed_client_assertion_is_refused(flow: Flow):
    code = flow.approve(flow.authorize())
    answer = flow.rp.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": "v" * 50,
            "client_id": flow.credentials.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
        },
    )
    assert answer.status_code == 401 and not AccessToken.objects.exists()


# code_challenge_methods_supported -------------------------------------------------------


def test_pkce_s256_is_served(flow: Flow):
    assert "id_token" in _tokens(flow, code_challenge_method="S256")


@pytest.mark.parametrize("method", ["plain", None])  # no method means plain (RFC 7636 §4.3)
def test_pkce_plain_is_refused_before_the_consent_page(flow: Flow, method: str | None):
    params: dict[str, Any] = {"code_challenge": "v" * 50}
    if method:
        params["code_challenge_method"] = method
    answer = flow.authorize(pkce=False, **params)
    query = location_query(answer)
    assert query["error"] == ["invalid_request"] and query["iss"] == [ISSUER]
    assert not Grant.objects.exists()


# scopes_supported and claims_supported --------------------------------------------------


@pytest.mark.parametrize("scope", ["openid", "openid profile", "openid phone", "openid realname"])
def test_every_advertised_scope_is_served(flow: Flow, scope: str):
    client_scopes_set(
        actor=Actor.system("test"),
        application=flow.credentials.application,
        extra_scopes=["realname"],
    )
    assert set(_tokens(flow, scope=scope)["scope"].split()) == set(scope.split())


def test_a_scope_not_advertised_is_refused(flow: Flow):
    assert location_query(flow.authorize(scope="openid email"))["error"] == ["invalid_scope"]


def test_every_advertised_claim_is_served(flow: Flow, doc: dict[str, Any]):
    client_scopes_set(
        actor=Actor.system("test"),
        application=flow.credentials.application,
        extra_scopes=["realname"],
    )
    tokens = _tokens(flow, scope=" ".join(doc["scopes_supported"]))
    assert sorted(flow.userinfo(tokens["access_token"]).json()) == sorted(doc["claims_supported"])


def test_the_claims_parameter_is_not_served(flow: Flow):
    claims = json.dumps({"userinfo": {"citizen_id": None, "realname": None}})
    tokens = _tokens(flow, scope="openid", claims=claims)
    assert set(flow.userinfo(tokens["access_token"]).json()) == {"sub"}


# request / request_uri ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "error"),
    [("request", "request_not_supported"), ("request_uri", "request_uri_not_supported")],
)
def test_request_objects_are_refused(flow: Flow, parameter: str, error: str):
    value = (
        "https://rp.example/request.jwt"
        if parameter == "request_uri"
        else "eyJhbGciOiJub25lIn0.e30."
    )
    extra: dict[str, Any] = {parameter: value}
    query = location_query(flow.authorize(**extra))
    assert query["error"] == [error] and query["iss"] == [ISSUER]
    assert not Grant.objects.exists()


# prompt_values_supported ----------------------------------------------------------------


def test_prompt_none_with_consent_given_returns_a_code_without_a_page(flow: Flow):
    _tokens(flow)
    query = location_query(flow.authorize(prompt="none"))
    assert "code" in query and query["iss"] == [ISSUER]


def test_prompt_none_without_consent_is_consent_required(flow: Flow):
    query = location_query(flow.authorize(prompt="none"))
    assert query["error"] == ["consent_required"] and query["iss"] == [ISSUER]
    assert query["state"] and not Grant.objects.exists()


def test_prompt_none_with_nobody_logged_in_is_login_required(flow: Flow):
    flow.browser.logout()
    answer = flow.authorize(prompt="none")
    assert answer["Location"].startswith(REDIRECT)
    query = location_query(answer)
    assert query["error"] == ["login_required"] and query["iss"] == [ISSUER]


def test_prompt_none_for_staff_is_login_required(flow: Flow):
    from onewindow.testing.factories import StaffFactory

    staff: Any = StaffFactory()
    flow.browser.force_login(staff.user)
    assert location_query(flow.authorize(prompt="none"))["error"] == ["login_required"]


def test_prompt_none_with_nobody_logged_in_never_redirects_to_an_unregistered_uri(flow: Flow):
    flow.browser.logout()
    answer = flow.authorize(prompt="none", redirect_uri="https://attacker.example/cb")
    assert answer.status_code == 400


def test_prompt_none_with_another_prompt_is_refused(flow: Flow):
    _tokens(flow)
    assert location_query(flow.authorize(prompt="none login"))["error"] == ["invalid_request"]


def test_prompt_login_asks_the_resident_to_log_in_again(flow: Flow):
    _tokens(flow)
    answer = flow.authorize(prompt="login")
    assert answer.status_code == 302 and answer["Location"].startswith("/account/login/?next=")
    assert "prompt" not in answer["Location"]
    assert "_auth_user_id" not in flow.browser.session


# client_id_metadata_document_supported: false -------------------------------------------


def test_a_client_id_metadata_document_url_is_not_a_client(flow: Flow):
    answer = flow.browser.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": "https://rp.example/client.json",
            "redirect_uri": "https://rp.example/callback",
            "scope": "openid",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        },
    )
    assert answer.status_code == 400
