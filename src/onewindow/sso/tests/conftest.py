from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from onewindow.audit.services import Actor
from onewindow.sso.services import ClientCredentials, client_register
from onewindow.testing.factories import PersonFactory

ISSUER = "http://testserver/o"
REDIRECT = "http://testserver/demo-rp/callback/"


def challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@dataclass
class Flow:
    """One resident's browser and one department system, speaking the protocol by hand."""

    browser: Client
    rp: Client
    credentials: ClientCredentials
    user: Any

    def authorize(
        self,
        *,
        scope: str = "openid profile phone",
        verifier: str | None = None,
        redirect_uri: str = REDIRECT,
        pkce: bool = True,
    ) -> Any:
        params = {
            "response_type": "code",
            "client_id": self.credentials.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": "st-" + secrets.token_hex(4),
            "nonce": "n-" + secrets.token_hex(4),
        }
        if pkce:
            params["code_challenge"] = challenge(verifier or "v" * 50)
            params["code_challenge_method"] = "S256"
        return self.browser.get("/o/authorize/", params)

    def approve(self, response: Any) -> str:
        """POST the consent form; return the code from the redirect back to the client."""
        if response.status_code == 302:  # consent given before for these scopes
            answer = response
        else:
            assert response.status_code == 200, response.content[:500]
            form = response.context["form"]
            data = {k: v for k, v in form.initial.items() if v is not None}
            data["allow"] = "同意"
            answer = self.browser.post("/o/authorize/", data)
        assert answer.status_code == 302, answer.content[:500]
        query = parse_qs(urlparse(answer["Location"]).query)
        assert "code" in query, answer["Location"]
        return query["code"][0]

    def token(
        self,
        code: str,
        *,
        verifier: str = "v" * 50,
        redirect_uri: str = REDIRECT,
        secret: str | None = None,
    ) -> Any:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier:
            data["code_verifier"] = verifier
        auth = base64.b64encode(
            f"{self.credentials.client_id}:{secret or self.credentials.client_secret}".encode()
        ).decode()
        return self.rp.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {auth}")


@pytest.fixture
def flow(db: Any) -> Flow:
    credentials = client_register(
        actor=Actor.system("test"),
        name="住房保障系统",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=["http://testserver/demo-rp/"],
    )
    person: Any = PersonFactory(name="张三丰", phone="13800138000")
    browser = Client()
    browser.force_login(person.user)
    return Flow(browser=browser, rp=Client(), credentials=credentials, user=person.user)
