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


@checks.register(checks.Tags.security, deploy=True)
def no_demo_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """What lets anyone take over a demo must stop a production deployment (these also run
    when a production process starts, onewindow.core.startup)."""
    if not settings.PRODUCTION:
        return []
    from onewindow.config.base import _DEV_SECRET

    problems: list[checks.CheckMessage] = []
    if settings.SMS_PROVIDER == "fake":
        problems.append(
            checks.Error(
                "The fake SMS gateway is configured in production: no text message reaches a "
                "phone; the messages, login codes included, are kept for the SMS outbox page.",
                hint="Set ONEWINDOW_SMS_PROVIDER to a real vendor (docs/notifications.md).",
                id="onewindow.E003",
            )
        )
    if settings.DEMO:
        problems.append(
            checks.Error(
                "ONEWINDOW_DEMO is on in production: the public SMS outbox (/notify/sms-outbox/) "
                "shows every login code, and the demo department system is served.",
                hint="Unset ONEWINDOW_DEMO.",
                id="onewindow.E004",
            )
        )
    if settings.SECRET_KEY == _DEV_SECRET:
        problems.append(
            checks.Error(
                "SECRET_KEY is the public development key: sessions can be forged and the "
                "demo SSO client's secret (derived from it) is known to anyone.",
                hint="Set SECRET_KEY to a long random value of this deployment's own.",
                id="onewindow.E005",
            )
        )
    return problems


def _sms_provider_problems() -> list[checks.CheckMessage]:
    from django.core.exceptions import ImproperlyConfigured

    from onewindow.notify.messages import IN_APP_ONLY, SMS_TEMPLATES
    from onewindow.notify.providers import get_sms_provider

    try:
        provider = get_sms_provider()
    except ImproperlyConfigured as exc:
        return [checks.Error(f"SMS provider: {exc}", id="onewindow.E001")]
    from django.conf import settings

    from onewindow.notify.providers import receipt_parser

    problems: list[checks.CheckMessage] = []
    token = str(getattr(settings, "SMS_RECEIPT_TOKEN", "") or "")
    if receipt_parser(provider.name) is not None and len(token) < 32:
        problems.append(
            checks.Warning(
                f"SMS provider {provider.name!r} pushes delivery receipts, but "
                "ONEWINDOW_SMS_RECEIPT_TOKEN is unset or shorter than 32 characters: "
                "messages stay 'sent' and are never marked delivered or failed.",
                id="onewindow.W004",
            )
        )
    mapped = getattr(provider, "templates", None)
    if isinstance(mapped, dict):
        missing = sorted(set(SMS_TEMPLATES) - IN_APP_ONLY - set(mapped))
        if missing:
            problems.append(
                checks.Error(
                    f"SMS provider {provider.name!r} has no vendor template for {missing}",
                    id="onewindow.E002",
                )
            )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def courier_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production shipments go to a real courier with the platform's own credentials."""
    if not settings.PRODUCTION:
        return []
    from onewindow.delivery import conf
    from onewindow.delivery.couriers.sf import SANDBOX_URL

    name = conf.courier_name()
    if name in {"fake", "sandbox"}:
        return [
            checks.Error(
                f"The {name} courier is configured: certificates are never shipped.",
                hint="Set ONEWINDOW_DELIVERY_COURIER=sf with the SF Express credentials.",
                id="onewindow.E030",
            )
        ]
    if name != "sf":
        return [checks.Error(f"Unknown courier {name!r}.", id="onewindow.E031")]
    partner, check_word = (
        conf.setting("DELIVERY_SF_PARTNER_ID"),
        conf.setting("DELIVERY_SF_CHECK_WORD"),
    )
    if partner == conf.SANDBOX_PARTNER_ID or check_word == conf.SANDBOX_CHECK_WORD:
        return [
            checks.Error(
                "The courier sandbox's development credentials are configured for SF Express.",
                id="onewindow.E030",
            )
        ]
    if conf.setting("DELIVERY_SF_URL", "").rstrip("/") == SANDBOX_URL.rstrip("/"):
        return [
            checks.Error(
                "SF Express's sandbox environment is configured: nothing is shipped.",
                hint="Unset ONEWINDOW_DELIVERY_SF_URL (the production gateway is the default).",
                id="onewindow.E030",
            )
        ]
    if not partner or not check_word:
        return [
            checks.Error(
                "SF Express needs a partner id and a check word.",
                hint="Set ONEWINDOW_DELIVERY_SF_PARTNER_ID and ONEWINDOW_DELIVERY_SF_CHECK_WORD.",
                id="onewindow.E031",
            )
        ]
    return []
