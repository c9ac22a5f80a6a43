"""The OpenID Connect provider: the code flow with PKCE works for a registered department
system, and every tampered or replayed request is refused, recorded and changes nothing."""

from __future__ import annotations

import base64
import json

import pytest
from jwcrypto import jwk, jws, jwt
from oauth2_provider.models import AccessToken, Grant, IDToken

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.sso.claims import pairwise_subject
from onewindow.sso.services import client_scopes_set, client_secret_rotate
from onewindow.sso.tests.conftest import ISSUER, REDIRECT, Flow

pytestmark = pytest.mark.django_db


def _claims(id_token: str, keys: dict) -> dict:
    token = jwt.JWT(jwt=id_token, key=jwk.JWKSet.from_json(json.dumps(keys)), algs=["RS256"])
    return json.loads(token.claims)


def _refusals(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, outcome="denied"))


def test_discovery_names_the_issuer_and_requires_pkce_s256(client):
    doc = client.get("/o/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == ISSUER + "/authorize/"
    assert doc["jwks_uri"] == ISSUER + "/.well-known/jwks.json"
    assert "realname" in doc["scopes_supported"]
    assert "S256" in doc["code_challenge_methods_supported"]


def test_consent_screen_is_chinese_and_lists_what_the_system_gets(flow: Flow):
    page = flow.authorize().content.decode()
    assert "“住房保障系统”请求使用您的一网通办账号登录" in page
    assert "姓名（部分隐藏）" in page and "同意并登录" in page


def test_code_flow_gives_masked_claims_and_a_pairwise_subject(flow: Flow, client):
    code = flow.approve(flow.authorize())
    answer = flow.token(code)
    assert answer.status_code == 200, answer.content
    tokens = answer.json()
    claims = _claims(tokens["id_token"], client.get("/o/.well-known/jwks.json").json())
    assert claims["iss"] == ISSUER and claims["aud"] == flow.credentials.client_id
    expected_sub = pairwise_subject(user_id=flow.user.pk, client_id=flow.credentials.client_id)
    assert claims["sub"] == expected_sub != str(flow.user.pk)
    info = flow.rp.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert info.json() == {"sub": expected_sub, "name": "张*丰", "phone_number": "138****8000"}


def test_openid_alone_reveals_only_the_subject(flow: Flow):
    tokens = flow.token(flow.approve(flow.authorize(scope="openid"))).json()
    info = flow.rp.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert set(info.json()) == {"sub"}


def test_realname_scope_is_refused_without_the_operators_grant(flow: Flow):
    response = flow.authorize(scope="openid realname")
    assert response.status_code == 302
    assert "error=invalid_scope" in response["Location"]
    assert not Grant.objects.exists()
    assert _refusals("sso.authorize.refuse")[-1].purpose == "invalid_scope"


def test_realname_scope_gives_full_name_and_citizen_id_once_granted(flow: Flow):
    client_scopes_set(
        actor=Actor.system("test"),
        application=flow.credentials.application,
        extra_scopes=["realname"],
    )
    tokens = flow.token(flow.approve(flow.authorize(scope="openid realname"))).json()
    info = flow.rp.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["realname"] == "张三丰"
    assert info["citizen_id"] == flow.user.person.id_number
    assert AuditEvent.objects.filter(action="sso.client.scopes").exists()


def test_wrong_redirect_uri_is_refused_without_redirecting(flow: Flow):
    response = flow.authorize(redirect_uri="https://attacker.example/callback")
    assert response.status_code == 400
    assert "登录请求无效" in response.content.decode()
    assert _refusals("sso.authorize.refuse")


def test_token_request_with_another_redirect_uri_is_refused(flow: Flow):
    code = flow.approve(flow.authorize())
    answer = flow.token(code, redirect_uri="http://testserver/other/")
    assert answer.status_code in (400, 401)
    assert not AccessToken.objects.exists()


def test_missing_pkce_is_refused(flow: Flow):
    response = flow.authorize(pkce=False)
    assert response.status_code == 302 and "error=invalid_request" in response["Location"]
    assert not Grant.objects.exists()


def test_wrong_pkce_verifier_is_refused(flow: Flow):
    code = flow.approve(flow.authorize(verifier="a" * 50))
    answer = flow.token(code, verifier="b" * 50)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()
    refusal = _refusals("sso.token.refuse")[-1]
    assert refusal.purpose == "invalid_grant"
    assert refusal.target_id == flow.credentials.client_id


def test_token_request_without_verifier_is_refused(flow: Flow):
    code = flow.approve(flow.authorize())
    answer = flow.token(code, verifier="")
    assert answer.status_code == 400
    assert not AccessToken.objects.exists()


def test_replayed_code_is_refused_and_revokes_what_its_first_use_issued(flow: Flow):
    code = flow.approve(flow.authorize())
    first = flow.token(code).json()
    assert flow.userinfo(first["access_token"]).status_code == 200
    replay = flow.token(code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    refused = flow.userinfo(first["access_token"])
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    refresh = flow.refresh(first["refresh_token"])
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists() and not IDToken.objects.exists()
    event = AuditEvent.objects.get(action="sso.code.replay")
    assert event.outcome == "denied" and event.changes == {"access_tokens_revoked": 1}
    assert event.target_id == str(flow.credentials.application.pk)


def test_replay_after_a_refresh_revokes_the_refreshed_tokens_too(flow: Flow):
    code = flow.approve(flow.authorize())
    first = flow.token(code).json()
    refreshed = flow.refresh(first["refresh_token"]).json()
    assert flow.userinfo(refreshed["access_token"]).status_code == 200
    assert flow.token(code).status_code == 400
    assert flow.userinfo(refreshed["access_token"]).status_code == 401
    assert flow.refresh(refreshed["refresh_token"]).json()["error"] == "invalid_grant"


def test_replay_by_another_client_revokes_nothing(flow: Flow):
    from onewindow.sso.tests.conftest import make_flow

    code = flow.approve(flow.authorize())
    first = flow.token(code).json()
    other = make_flow(flow.user, name="另一个系统")
    assert other.token(code).json()["error"] == "invalid_grant"
    assert flow.userinfo(first["access_token"]).status_code == 200


def test_a_code_redeemed_twice_at_once_gives_the_loser_nothing(flow: Flow):
    """The race: both requests found the grant before either deleted it. The second to
    record its redemption loses on the unique checksum: its tokens are rolled back and the
    first's revoked."""
    code = flow.approve(flow.authorize())
    grant = Grant.objects.values().get(code=code)
    first = flow.token(code).json()
    Grant.objects.create(**grant)  # as the second request still saw it
    answer = flow.token(code)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert flow.userinfo(first["access_token"]).status_code == 401
    assert not AccessToken.objects.exists()


def test_wrong_client_secret_is_refused(flow: Flow):
    code = flow.approve(flow.authorize())
    answer = flow.token(code, secret="not-the-secret")
    assert answer.status_code == 401
    assert not AccessToken.objects.exists()


def test_rotated_secret_replaces_the_old_one(flow: Flow):
    old = flow.credentials.client_secret
    new = client_secret_rotate(actor=Actor.system("test"), application=flow.credentials.application)
    assert new.client_id == flow.credentials.client_id and new.client_secret != old
    assert flow.token(flow.approve(flow.authorize()), secret=old).status_code == 401
    assert flow.token(flow.approve(flow.authorize()), secret=new.client_secret).status_code == 200
    event = AuditEvent.objects.get(action="sso.client.rotate_secret")
    assert old not in json.dumps(event.changes) and new.client_secret not in json.dumps(
        event.changes
    )


def test_userinfo_refuses_a_forged_bearer_token(flow: Flow):
    answer = flow.rp.get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer forged-token")
    assert answer.status_code == 401
    assert _refusals("sso.userinfo.refuse")


def test_an_id_token_with_a_mutated_signature_does_not_verify(flow: Flow, client):
    tokens = flow.token(flow.approve(flow.authorize())).json()
    keys = client.get("/o/.well-known/jwks.json").json()
    header, payload, signature = tokens["id_token"].split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    mutated_sig = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises((jws.InvalidJWSSignature, jws.JWKeyNotFound)):
        _claims(f"{header}.{payload}.{mutated_sig}", keys)
    # and a payload changed under the original signature
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises((jws.InvalidJWSSignature, jws.JWKeyNotFound)):
        _claims(f"{header}.{forged_payload}.{signature}", keys)


def test_staff_cannot_use_the_resident_consent_screen(flow: Flow, client):
    from onewindow.testing.factories import StaffFactory

    staff = StaffFactory()
    client.force_login(staff.user)
    assert client.get("/o/authorize/", {"client_id": flow.credentials.client_id}).status_code in (
        302,
        403,
    )


def test_redirect_uri_is_exact_match(flow: Flow):
    response = flow.authorize(redirect_uri=REDIRECT + "extra")
    assert response.status_code == 400


def test_consent_is_asked_once_per_client_and_scopes(flow: Flow):
    flow.token(flow.approve(flow.authorize()))
    again = flow.authorize()
    assert again.status_code == 302 and "code=" in again["Location"]
    wider = flow.authorize(scope="openid profile phone realname")
    assert "error=invalid_scope" in wider["Location"]
