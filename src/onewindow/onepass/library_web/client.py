"""The library's own web system (读者服务网站) as an OpenID Connect relying party of
OneWindow: it logs residents in with their OneWindow account (authorization code flow with
PKCE, state, nonce, the response's ``iss``, the ID token's signature against the provider's
JWKS, issuer, audience and expiry) and finds the reader by the real-name claims.

It knows OneWindow only over HTTP, as a library on its own host would; ``transport`` lets
tests route that HTTP. The client must be registered with OneWindow's provider (client id
``CLIENT_ID``, redirect ``<origin>/onepass/library-web/callback/``, the ``realname`` scope);
its secret is ``ONEPASS_LIBRARY_WEB_SECRET`` or, in the demo, derived from SECRET_KEY."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from onewindow.core import oidc_rp
from onewindow.core.oidc_rp import HttpTransport, LoginStart, Transport

CLIENT_ID = "library-web-gzlib"
CLIENT_NAME = "广州图书馆读者服务网站（演示）"
SCOPES = "openid profile realname"
CALLBACK_PATH = "/onepass/library-web/callback/"
HOME_PATH = "/onepass/library-web/"

LoginRejected = oidc_rp.IdTokenRejected

transport: Transport = HttpTransport()


def client_secret() -> str:
    configured = getattr(settings, "ONEPASS_LIBRARY_WEB_SECRET", "")
    if configured:
        return str(configured)
    return oidc_rp.derived_secret(b"onewindow-library-web-secret")


def login_start(*, issuer: str, redirect_uri: str) -> LoginStart:
    return oidc_rp.login_start(
        issuer=issuer, redirect_uri=redirect_uri, client_id=CLIENT_ID, scopes=SCOPES
    )


def login_finish(
    *, issuer: str, code: str, received_iss: list[str], redirect_uri: str, verifier: str, nonce: str
) -> dict[str, Any]:
    """The userinfo claims of the resident who logged in; LoginRejected on any failed check."""
    metadata = oidc_rp.provider_metadata(transport=transport, issuer=issuer)
    oidc_rp.check_response_issuer(
        issuer=issuer,
        received=received_iss,
        required=metadata.get("authorization_response_iss_parameter_supported") is True,
    )
    tokens = oidc_rp.exchange_code(
        transport=transport,
        issuer=issuer,
        code=code,
        redirect_uri=redirect_uri,
        verifier=verifier,
        client_id=CLIENT_ID,
        secret=client_secret(),
    )
    claims = oidc_rp.verify_id_token(
        transport=transport,
        issuer=issuer,
        id_token=tokens["id_token"],
        nonce=nonce,
        client_id=CLIENT_ID,
    )
    info = oidc_rp.userinfo(transport=transport, issuer=issuer, access_token=tokens["access_token"])
    if info.get("sub") != claims.get("sub"):
        raise LoginRejected("userinfo for another subject")
    return info
