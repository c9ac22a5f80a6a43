"""The demo department system's side of OpenID Connect (the housing bureau's system at
/demo-rp/), on the platform's relying party (``core.oidc_rp``): its client id, scopes and
derived secret. HTTP goes through ``transport`` so tests can route it into the test
client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onewindow.core import oidc_rp
from onewindow.core.oidc_rp import HttpTransport, IdTokenRejected, LoginStart, Transport

CLIENT_ID = "demo-rp-housing"
CLIENT_NAME = "市住房保障业务系统（演示）"
SCOPES = "openid profile phone"

transport: Transport = HttpTransport()


def client_secret() -> str:
    return oidc_rp.derived_secret(b"onewindow-demo-rp-secret")


def login_start(*, issuer: str, redirect_uri: str) -> LoginStart:
    return oidc_rp.login_start(
        issuer=issuer, redirect_uri=redirect_uri, client_id=CLIENT_ID, scopes=SCOPES
    )


def provider_metadata(*, issuer: str) -> dict[str, Any]:
    return oidc_rp.provider_metadata(transport=transport, issuer=issuer)


def check_response_issuer(*, issuer: str, received: Sequence[str], required: bool) -> None:
    oidc_rp.check_response_issuer(issuer=issuer, received=received, required=required)


def exchange_code(*, issuer: str, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
    return oidc_rp.exchange_code(
        transport=transport,
        issuer=issuer,
        code=code,
        redirect_uri=redirect_uri,
        verifier=verifier,
        client_id=CLIENT_ID,
        secret=client_secret(),
    )


def verify_id_token(*, issuer: str, id_token: str, nonce: str) -> dict[str, Any]:
    return oidc_rp.verify_id_token(
        transport=transport, issuer=issuer, id_token=id_token, nonce=nonce, client_id=CLIENT_ID
    )


def userinfo(*, issuer: str, access_token: str) -> dict[str, Any]:
    return oidc_rp.userinfo(transport=transport, issuer=issuer, access_token=access_token)


__all__ = [
    "CLIENT_ID",
    "CLIENT_NAME",
    "SCOPES",
    "HttpTransport",
    "IdTokenRejected",
    "LoginStart",
    "Transport",
    "check_response_issuer",
    "client_secret",
    "exchange_code",
    "login_start",
    "provider_metadata",
    "transport",
    "userinfo",
    "verify_id_token",
]
