from __future__ import annotations

from typing import Any

from onewindow.sso.models import BASE_SCOPES, ClientPolicy


def allowed_scopes_for(application: Any) -> frozenset[str]:
    policy = ClientPolicy.objects.filter(application=application).first()
    return policy.allowed_scopes() if policy is not None else BASE_SCOPES
