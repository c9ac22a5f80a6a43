"""Deployment checks of our own (run by ``onewindow check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def crypto_keys_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not settings.DATA_KEYS or not settings.INDEX_KEY:
        problems.append(
            checks.Warning(
                "Personal data keys are derived from SECRET_KEY.",
                hint="Set ONEWINDOW_DATA_KEYS and ONEWINDOW_INDEX_KEY.",
                id="onewindow.W001",
            )
        )
    problems.extend(_sms_provider_problems())
    if settings.SMS_PROVIDER == "fake":
        problems.append(
            checks.Warning(
                "The fake SMS provider is configured: no text message reaches a phone.",
                hint="Set ONEWINDOW_SMS_PROVIDER to a real vendor.",
                id="onewindow.W002",
            )
        )
    if settings.DEMO:
        problems.append(
            checks.Warning("ONEWINDOW_DEMO is on in a deployment.", id="onewindow.W003")
        )
    return problems


def _sms_provider_problems() -> list[checks.CheckMessage]:
    from django.core.exceptions import ImproperlyConfigured

    from onewindow.notify.messages import SMS_TEMPLATES
    from onewindow.notify.providers import get_sms_provider

    try:
        provider = get_sms_provider()
    except ImproperlyConfigured as exc:
        return [checks.Error(f"SMS provider: {exc}", id="onewindow.E001")]
    mapped = getattr(provider, "templates", None)
    if isinstance(mapped, dict):
        missing = sorted(set(SMS_TEMPLATES) - set(mapped))
        if missing:
            return [
                checks.Error(
                    f"SMS provider {provider.name!r} has no vendor template for {missing}",
                    id="onewindow.E002",
                )
            ]
    return []
