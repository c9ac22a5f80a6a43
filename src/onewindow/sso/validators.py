"""The provider's OAuth2/OIDC validator: pairwise subjects, claims limited by scope and
scopes limited by what the operator granted each client."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from onewindow.sso.claims import SCOPE_OF_CLAIM, claims_for
from onewindow.sso.selectors import allowed_scopes_for


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
        return set(scopes) <= allowed_scopes_for(application)

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        client = getattr(request, "client", None)
        client_id = client.client_id if client is not None else request.client_id
        return claims_for(user=request.user, client_id=client_id, scopes=request.scopes)

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(SCOPE_OF_CLAIM)
