"""The provider's OAuth2/OIDC validator: pairwise subjects, claims limited by scope, scopes
limited by what the operator granted each client, only what ``capabilities`` lists, and
a replayed authorisation code revokes what its first use issued."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from oauth2_provider.models import get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from onewindow.audit.services import Actor, client_ip
from onewindow.sso import capabilities
from onewindow.sso.claims import SCOPE_OF_CLAIM, claims_for
from onewindow.sso.models import RedeemedCode
from onewindow.sso.selectors import application_scopes_allowed
from onewindow.sso.services import code_checksum, code_replay_revoke


def _client_actor(request: Any) -> Actor:
    http = HttpRequest()
    http.META = dict(getattr(request, "headers", None) or {})
    return Actor(
        id=None, kind="system", label=f"sso client {request.client_id}", ip=client_ip(http)
    )


def serves_client(application: Any) -> bool:
    """A client the provider serves: confidential, authorization code, RS256 ID tokens. An
    operator who registers anything else in the admin gets a client that cannot log in."""
    return bool(
        application is not None
        and application.client_type == application.CLIENT_CONFIDENTIAL
        and application.authorization_grant_type == capabilities.APPLICATION_GRANT
        and application.algorithm == capabilities.APPLICATION_ALGORITHM
    )


class OneWindowValidator(OAuth2Validator):
    oidc_claim_scope = SCOPE_OF_CLAIM

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        application = client if client is not None else getattr(request, "client", None)
        if application is None:
            return False
        return set(scopes) <= application_scopes_allowed(application=application)

    def validate_response_type(
        self,
        client_id: str,
        response_type: str,
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return response_type in capabilities.RESPONSE_TYPES and serves_client(client)

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *a: Any, **k: Any
    ) -> bool:
        return grant_type in capabilities.GRANT_TYPES and serves_client(client)

    def authenticate_client_id(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Only confidential clients, which authenticate with their secret: no "none"."""
        return False

    # prompt=none: the authorisation view answers login_required / consent_required itself
    # before these are asked (onewindow.sso.authorize), so reaching them means it may go on.
    def validate_silent_login(self, request: Any) -> bool:
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        return True

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        code_replay_revoke(actor=_client_actor(request), application=client, code=code)
        return False

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Issue the tokens and, for a code, remember which tokens it gave — in one
        transaction. A code redeemed twice at the same moment loses the race on the unique
        checksum: the loser's tokens are rolled back and the winner's revoked."""
        if request.grant_type != "authorization_code":
            return super().save_bearer_token(token, request, *args, **kwargs)
        try:
            with transaction.atomic():
                result = super().save_bearer_token(token, request, *args, **kwargs)
                self._redemption_record(token, request)
        except IntegrityError:
            code_replay_revoke(
                actor=_client_actor(request), application=request.client, code=request.code
            )
            raise errors.InvalidGrantError(request=request) from None
        return result

    def _redemption_record(self, token: Any, request: Any) -> None:
        access_checksum = hashlib.sha256(token["access_token"].encode("utf-8")).hexdigest()
        refresh = token.get("refresh_token")
        family = None
        if refresh:
            family = (
                get_refresh_token_model()
                .objects.filter(
                    token_checksum=hashlib.sha256(refresh.encode("utf-8")).hexdigest(),
                    application=request.client,
                    revoked=None,
                )
                .values_list("token_family", flat=True)
                .first()
            )
        RedeemedCode.objects.create(
            code_checksum=code_checksum(request.code),
            application=request.client,
            access_token_checksum=access_checksum,
            token_family=family,
        )

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        client = getattr(request, "client", None)
        client_id = client.client_id if client is not None else request.client_id
        return claims_for(user=request.user, client_id=client_id, scopes=request.scopes)

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(SCOPE_OF_CLAIM)
