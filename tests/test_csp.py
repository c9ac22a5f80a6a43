"""Every page carries the Content-Security-Policy, the pages of the SSO authorisation walk
included (login, consent, the redirect back, RP-initiated logout), with ``form-action``
allowing the registered clients' origins: a consent form's POST is redirected to the client,
and Chromium holds every redirect of a form's navigation to ``form-action``."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from onewindow.audit.services import Actor
from onewindow.sso.services import client_register
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

CLIENT_ORIGIN = "https://housing.gz.example.cn:8443"
REDIRECT = f"{CLIENT_ORIGIN}/oidc/callback/"
LOGOUT = "https://portal.housing.gz.example.cn/"


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


def assert_policy(response: Any, *, form_action: set[str] | None = None) -> None:
    found = policy(response)
    assert found["default-src"] == ["'self'"]
    assert found["frame-ancestors"] == ["'none'"]
    assert found["object-src"] == ["'none'"]
    assert found["style-src"] == ["'self'"]  # no 'unsafe-inline'
    assert "'unsafe-inline'" not in found["script-src"]
    assert "'unsafe-eval'" not in found["script-src"]
    if form_action is not None:
        assert set(found["form-action"]) >= {"'self'", *form_action}, found["form-action"]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_every_page_of_the_sso_authorisation_walk_carries_the_policy() -> None:
    credentials = client_register(
        actor=Actor.system("test"),
        name="住房保障系统",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=[LOGOUT],
    )
    person: Any = PersonFactory()
    browser = Client()
    params = {
        "response_type": "code",
        "client_id": credentials.client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-" + secrets.token_hex(4),
        "nonce": "n-" + secrets.token_hex(4),
        "code_challenge": _challenge("v" * 50),
        "code_challenge_method": "S256",
    }
    walk = {"/o/authorize/ (anonymous)": browser.get("/o/authorize/", params)}
    login_url = walk["/o/authorize/ (anonymous)"]["Location"]
    walk["login page"] = browser.get(login_url)
    assert walk["login page"].status_code == 200

    browser.force_login(person.user)
    walk["consent page"] = consent = browser.get("/o/authorize/", params)
    assert consent.status_code == 200, consent.content[:300]
    form = consent.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    walk["consent POST"] = back = browser.post("/o/authorize/", {**data, "allow": "同意"})
    assert back.status_code == 302 and back["Location"].startswith(REDIRECT)

    walk["logout page"] = logout = browser.get(
        "/o/logout/", {"client_id": credentials.client_id, "post_logout_redirect_uri": LOGOUT}
    )
    assert logout.status_code == 200, logout.content[:300]

    for step, response in walk.items():
        assert "Content-Security-Policy" in response, step
        assert_policy(response)
    # The pages with a form that ends at the client allow its origins (and the gateway's).
    for step in ("login page", "consent page", "logout page"):
        assert_policy(
            walk[step],
            form_action={CLIENT_ORIGIN, "https://portal.housing.gz.example.cn"},
        )
    assert urlsplit(REDIRECT).path not in " ".join(policy(consent)["form-action"])


def test_a_client_registered_later_is_allowed_at_once() -> None:
    client = Client()
    before = policy(client.get("/"))["form-action"]
    client_register(
        actor=Actor.system("test"),
        name="新系统",
        redirect_uris=["https://new.gz.example.cn/cb/"],
        post_logout_redirect_uris=[],
    )
    assert "https://new.gz.example.cn" not in before
    assert "https://new.gz.example.cn" in policy(client.get("/"))["form-action"]


@pytest.mark.parametrize("path", ["/", "/services/", "/account/login/", "/account/staff/login/"])
def test_public_pages_carry_the_policy(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert_policy(response, form_action={"http://127.0.0.1:8077"})  # the payment sandbox


def test_the_404_page_carries_the_policy() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_policy(response)
