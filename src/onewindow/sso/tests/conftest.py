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
from onewindow.sso.demo_rp import client as rp
from onewindow.sso.seed import demo_client_seed
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
        **extra: str,
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
        params.update(extra)
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
        client_auth: str = "client_secret_basic",
    ) -> Any:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier:
            data["code_verifier"] = verifier
        return self.token_request(data, secret=secret, client_auth=client_auth)

    def refresh(self, refresh_token: str) -> Any:
        return self.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def token_request(
        self,
        data: dict[str, str],
        *,
        secret: str | None = None,
        client_auth: str = "client_secret_basic",
    ) -> Any:
        """POST to the token endpoint, the client authenticating by ``client_auth``."""
        secret = secret or self.credentials.client_secret
        if client_auth == "client_secret_post":
            body = {**data, "client_id": self.credentials.client_id, "client_secret": secret}
            return self.rp.post("/o/token/", body)
        if client_auth == "none":
            return self.rp.post("/o/token/", {**data, "client_id": self.credentials.client_id})
        auth = base64.b64encode(f"{self.credentials.client_id}:{secret}".encode()).decode()
        return self.rp.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {auth}")

    def userinfo(self, access_token: str) -> Any:
        return self.rp.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def location_query(response: Any) -> dict[str, list[str]]:
    """The parameters of a redirect's query, form-decoded."""
    assert response.status_code == 302, response.content[:500]
    return parse_qs(urlparse(response["Location"]).query)


def make_flow(user: Any, *, name: str = "住房保障系统") -> Flow:
    credentials = client_register(
        actor=Actor.system("test"),
        name=name,
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=["http://testserver/demo-rp/"],
    )
    browser = Client()
    browser.force_login(user)
    return Flow(browser=browser, rp=Client(), credentials=credentials, user=user)


@pytest.fixture
def flow(db: Any) -> Flow:
    person: Any = PersonFactory(name="张三丰", phone="13800138000")
    return make_flow(person.user)


class ClientTransport:
    """Routes the relying party's back-channel calls into Django's test client."""

    def __init__(self) -> None:
        self.client = Client()
        self.tamper: Any = None

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any:
        basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        response = self.client.post(urlparse(url).path, data, HTTP_AUTHORIZATION=f"Basic {basic}")
        body = response.json()
        if self.tamper and "id_token" in body:
            body["id_token"] = self.tamper(body["id_token"])
        return response.status_code, body

    def get_json(self, url: str, bearer: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = self.client.get(urlparse(url).path, headers=headers)
        return response.status_code, response.json()


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> ClientTransport:
    fake = ClientTransport()
    monkeypatch.setattr(rp, "transport", fake)
    demo_client_seed(base_urls=["http://testserver"])
    return fake
