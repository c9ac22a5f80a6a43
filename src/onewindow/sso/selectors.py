from __future__ import annotations

from typing import Any

from onewindow.sso.models import BASE_SCOPES, ClientPolicy


def application_scopes_allowed(*, application: Any) -> frozenset[str]:
    policy = ClientPolicy.objects.filter(application=application).first()
    return policy.allowed_scopes() if policy is not None else BASE_SCOPES


_ORIGINS_KEY = "sso:client-origins"
_ORIGINS_SECONDS = 60  # other processes see a change within this (Redis: at once)


def client_redirect_origins() -> list[str]:
    """The origins of every registered client's redirect and post-logout URIs: where the
    consent, login and logout forms lead (the Content-Security-Policy's ``form-action``,
    onewindow.core.csp). Cached; a client's change clears it (apps.py)."""
    from django.core.cache import cache
    from oauth2_provider.models import get_application_model

    from onewindow.core.csp import origin_of

    origins: list[str] | None = cache.get(_ORIGINS_KEY)
    if origins is None:
        rows = get_application_model().objects.values_list(
            "redirect_uris", "post_logout_redirect_uris"
        )
        origins = sorted(
            {origin_of(uri) for row in rows for uris in row for uri in (uris or "").split()} - {""}
        )
        cache.set(_ORIGINS_KEY, origins, _ORIGINS_SECONDS)
    return origins


def client_redirect_origins_forget(**kwargs: Any) -> None:
    from django.core.cache import cache

    cache.delete(_ORIGINS_KEY)
