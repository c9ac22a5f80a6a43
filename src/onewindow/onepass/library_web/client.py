"""The library's own web system (读者服务网站) as an OpenID Connect relying party of
OneWindow: it logs residents in with their OneWindow account (authorization code flow with
PKCE, state, nonce, the response's ``iss``, the ID token's signature against the provider's
JWKS, issuer, audience and expiry) and finds the reader by the real-name claims.

It knows OneWindow only over HTTP, as a library on its own host would; ``transport`` lets
tests route that HTTP. The client must be registered with OneWindow's provider (client id
``CLIENT_ID``, redirect ``<origin>/onepass/library-web/callback/``, the ``realname`` scope);
its secret is ``ONEPASS_LIBRARY_WEB_SECRET`` or, in the demo, derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from django.conf import settings
from jwcrypto import jwk, jwt

CLIENT_ID = "library-web-gzlib"
CLIENT_NAME = "广州图书馆读者服务网站（演示）"
SCOPES = "openid profile realname"
CALLBACK_PATH = "/onepass/library-web/callback/"
HOME_PATH = "/onepass/library-web/"


class LoginRejected(Exception):
    pass


class Transport(Protocol):
    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any: ...

    def get_json(self, url: str, bearer: str | None = None) -> Any: ...


class HttpTransport:
    timeout = 10

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any:
        response = httpx.post(url, data=data, auth=auth, timeout=self.timeout, trust_env=False)
        return response.status_code, response.json()

    def get_json(self, url: str, bearer: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = httpx.get(url, headers=headers, timeout=self.timeout, trust_env=False)
        return response.status_code, response.json()


transport: Transport = HttpTransport()


def client_secret() -> str:
    configured = getattr(settings, "ONEPASS_LIBRARY_WEB_SECRET", "")
    if configured:
        return str(configured)
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"onewindow-library-web-secret", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    verifier: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def login_start(*, issuer: str, redirect_uri: str) -> LoginStart:
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": _b64(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
    )
    return LoginStart(f"{issuer}/authorize/?{query}", state, nonce, verifier)


def login_finish(
    *, issuer: str, code: str, received_iss: list[str], redirect_uri: str, verifier: str, nonce: str
) -> dict[str, Any]:
    """The userinfo claims of the resident who logged in; LoginRejected on any failed check."""
    status, metadata = transport.get_json(f"{issuer}/.well-known/openid-configuration")
    if status != 200 or not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        raise LoginRejected("no discovery document for this issuer")
    if received_iss != [issuer] and (
        received_iss or metadata.get("authorization_response_iss_parameter_supported") is True
    ):
        raise LoginRejected("authorisation response from another issuer")
    status, tokens = transport.post_form(
        f"{issuer}/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        (CLIENT_ID, client_secret()),
    )
    if status != 200 or "id_token" not in tokens:
        raise LoginRejected(f"token endpoint refused: {tokens.get('error', status)}")
    status, keys = transport.get_json(f"{issuer}/.well-known/jwks.json")
    if status != 200:
        raise LoginRejected("no JWKS")
    try:
        token = jwt.JWT(
            jwt=tokens["id_token"],
            key=jwk.JWKSet.from_json(json.dumps(keys)),
            algs=["RS256"],
            check_claims=False,
        )
        claims: dict[str, Any] = json.loads(token.claims)
    except Exception as exc:  # jwcrypto raises many kinds for a bad or forged token
        raise LoginRejected(f"bad ID token: {type(exc).__name__}") from exc
    audience = claims.get("aud")
    if claims.get("iss") != issuer:
        raise LoginRejected("wrong issuer")
    if CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
        raise LoginRejected("wrong audience")
    if int(claims.get("exp", 0)) < time.time():
        raise LoginRejected("expired")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise LoginRejected("wrong nonce")
    status, info = transport.get_json(f"{issuer}/userinfo/", bearer=tokens["access_token"])
    if status != 200 or info.get("sub") != claims.get("sub"):
        raise LoginRejected("userinfo refused or for another subject")
    return dict(info)
