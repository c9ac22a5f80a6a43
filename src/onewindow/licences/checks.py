"""Deployment check of the licences app (``onewindow check --deploy``): in production both
signing keys come from the environment, never generated at runtime."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from onewindow.licences.keys import ENV_NAMES, configured_key
from onewindow.licences.models import Algorithm


@checks.register(checks.Tags.security, deploy=True)
def licence_signing_keys(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    problems: list[checks.CheckMessage] = []
    for alg in (Algorithm.EDDSA, Algorithm.SM2):
        try:
            found = configured_key(alg)
        except ImproperlyConfigured as exc:
            problems.append(checks.Error(str(exc), id="onewindow.E021"))
            continue
        if found is None:
            problems.append(
                checks.Error(
                    f"No {alg} licence signing key is configured: one would be generated at "
                    "runtime, unknown to the operators and lost with the database.",
                    hint=f"Set {ENV_NAMES[alg]} (onewindow licence_keys_generate prints one).",
                    id="onewindow.E020",
                )
            )
    return problems
