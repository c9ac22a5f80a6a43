"""The relying party's side of OpenID Connect, as small as it can be while doing every
check a real relying party must: state, PKCE (S256), the authorisation response's issuer
(RFC 9207), nonce, ID token signature against the provider's JWKS, issuer, audience and
expiry. The demo systems that log in through OneWindow (the housing bureau's system at
/demo-rp/, the library's website) use it; each passes its client id, secret and the
``transport`` its HTTP goes through (tests route it into the test client)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from jwcrypto import jwk, jws, jwt


class IdTokenRejected(Exception):
    pass


class Transport(Protocol):
    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any: ...

    def get_json(self, url: str, bearer: str | None = None) -> Any: ...


class HttpTransport:
    """Plain HTTP to the provider; proxies from the environment are not used (the demo
    provider is the same server)."""

    timeout = 10

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any:
        response = httpx.post(url, data=data, auth=auth, timeout=self.timeout, trust_env=False)
        return response.status_code, response.json()

    def get_json(self, url: str, bearer: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = httpx.get(url, headers=headers, timeout=self.timeout, trust_env=False)
        return response.status_code, response.json()


def derived_secret(label: bytes) -> str:
    """A demo client's secret, derived from the deployment's SECRET_KEY so the demo seed
    and the demo relying party agree on it without storing it anywhere."""
    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    verifier: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def login_start(*, issuer: str, redirect_uri: str, client_id: str, scopes: str) -> LoginStart:
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return LoginStart(f"{issuer}/authorize/?{query}", state, nonce, verifier)


def provider_metadata(*, transport: Transport, issuer: str) -> dict[str, Any]:
    """The provider's discovery document, refused unless it names ``issuer`` exactly
    (OpenID Connect Discovery 1.0 §4.3)."""
    status, body = transport.get_json(f"{issuer}/.well-known/openid-configuration")
    if status != 200 or not isinstance(body, dict):
        raise IdTokenRejected("no discovery document")
    if body.get("issuer") != issuer:
        raise IdTokenRejected("discovery names another issuer")
    return dict(body)


def check_response_issuer(*, issuer: str, received: Sequence[str], required: bool) -> None:
    """RFC 9207 §2.4: ``received`` are the ``iss`` values of the authorisation response
    (success or error), already form-decoded. One value must equal the issuer the request
    was sent to, by simple string comparison; none at all is refused when the provider's
    metadata says it sends the parameter (``required``)."""
    if not received:
        if required:
            raise IdTokenRejected("authorisation response without iss")
        return
    if len(received) != 1 or received[0] != issuer:
        raise IdTokenRejected("authorisation response from another issuer")


def exchange_code(
    *,
    transport: Transport,
    issuer: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    client_id: str,
    secret: str,
) -> dict[str, Any]:
    status, body = transport.post_form(
        f"{issuer}/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        (client_id, secret),
    )
    if status != 200 or "id_token" not in body:
        raise IdTokenRejected(f"token endpoint refused: {body.get('error', status)}")
    return dict(body)


def verify_id_token(
    *, transport: Transport, issuer: str, id_token: str, nonce: str, client_id: str
) -> dict[str, Any]:
    """The ID token's claims if its signature verifies against one of the provider's
    published keys and iss/aud/exp/nonce are right; IdTokenRejected otherwise."""
    status, keys = transport.get_json(f"{issuer}/.well-known/jwks.json")
    if status != 200:
        raise IdTokenRejected("no JWKS")
    keyset = jwk.JWKSet.from_json(json.dumps(keys))
    try:
        token = jwt.JWT(jwt=id_token, key=keyset, algs=["RS256"], check_claims=False)
    except (jws.InvalidJWSSignature, jws.InvalidJWSObject, jws.JWKeyNotFound, ValueError) as exc:
        raise IdTokenRejected(f"bad signature: {type(exc).__name__}") from exc
    except Exception as exc:  # jwcrypto raises a variety of errors for malformed tokens
        raise IdTokenRejected(f"unreadable token: {type(exc).__name__}") from exc
    claims: dict[str, Any] = json.loads(token.claims)
    if claims.get("iss") != issuer:
        raise IdTokenRejected("wrong issuer")
    audience = claims.get("aud")
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        raise IdTokenRejected("wrong audience")
    if int(claims.get("exp", 0)) < time.time():
        raise IdTokenRejected("expired")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenRejected("wrong nonce")
    return claims


def userinfo(*, transport: Transport, issuer: str, access_token: str) -> dict[str, Any]:
    status, body = transport.get_json(f"{issuer}/userinfo/", bearer=access_token)
    if status != 200:
        raise IdTokenRejected("userinfo refused")
    return dict(body)
