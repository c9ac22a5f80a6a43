"""Deployment checks of the notify app (``onewindow check --deploy``; the security ones also
run when a production process starts, onewindow.core.startup): the SMS vendor is a real one,
configured with its credentials, its receipt secret and a template for every message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from onewindow.notify.messages import IN_APP_ONLY, SMS_TEMPLATES
from onewindow.notify.providers import get_sms_provider, receipt_parser


@checks.register(checks.Tags.security, deploy=True)
def sms_provider_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problems = _sms_provider_problems()
    if settings.SMS_PROVIDER == "fake":
        problems.append(
            checks.Warning(
                "The fake SMS provider is configured: no text message reaches a phone.",
                hint="Set ONEWINDOW_SMS_PROVIDER to a real vendor.",
                id="onewindow.W002",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def no_fake_sms_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION or settings.SMS_PROVIDER != "fake":
        return []
    return [
        checks.Error(
            "The fake SMS gateway is configured in production: no text message reaches a "
            "phone; the messages, login codes included, are kept for the SMS outbox page.",
            hint="Set ONEWINDOW_SMS_PROVIDER to a real vendor (docs/notifications.md).",
            id="onewindow.E003",
        )
    ]


def _sms_provider_problems() -> list[checks.CheckMessage]:
    try:
        provider = get_sms_provider()
    except ImproperlyConfigured as exc:
        return [checks.Error(f"SMS provider: {exc}", id="onewindow.E001")]
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
def other_channels_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Email and WeChat: a real provider has what it needs."""
    problems: list[checks.CheckMessage] = []
    if settings.NOTIFY_EMAIL_PROVIDER == "smtp" and not settings.EMAIL_HOST:
        problems.append(checks.Error("Email by SMTP needs EMAIL_HOST", id="onewindow.E060"))
    if settings.NOTIFY_WECHAT_PROVIDER == "wechat":
        if not settings.NOTIFY_WECHAT_APPID or not settings.NOTIFY_WECHAT_SECRET:
            problems.append(
                checks.Error(
                    "WeChat needs NOTIFY_WECHAT_APPID and NOTIFY_WECHAT_SECRET", id="onewindow.E061"
                )
            )
        if len(str(settings.NOTIFY_WECHAT_TOKEN or "")) < 3:
            problems.append(
                checks.Warning(
                    "NOTIFY_WECHAT_TOKEN is unset: WeChat's send events (delivery receipts) "
                    "are not accepted and WeChat messages stay 'sent'.",
                    id="onewindow.W060",
                )
            )
    return problems
