"""Providers: one module per vendor. Which vendor a channel uses is the providers'
priority held in the database (``notify.ProviderDetail``, operators change it), with the
settings' choice (``SMS_PROVIDER``, ``NOTIFY_EMAIL_PROVIDER``, ``NOTIFY_WECHAT_PROVIDER``)
when the database names none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.notify.providers.base import DeliveryReceipt, SmsProvider

# The vendors each channel can use.
KNOWN: dict[str, tuple[str, ...]] = {
    "sms": ("fake", "aliyun", "tencent"),
    "email": ("fake", "smtp"),
    "wechat": ("fake", "wechat"),
}


def get_sms_provider(name: str | None = None) -> SmsProvider:
    name = name or settings.SMS_PROVIDER
    if name == "fake":
        from onewindow.notify.providers.fake import FakeSmsProvider

        return FakeSmsProvider()
    if name == "aliyun":
        from onewindow.notify.providers.aliyun import AliyunSmsProvider

        return AliyunSmsProvider()
    if name == "tencent":
        from onewindow.notify.providers.tencent import TencentSmsProvider

        return TencentSmsProvider()
    raise ImproperlyConfigured(f"unknown SMS provider {name!r} (ONEWINDOW_SMS_PROVIDER)")


def get_provider(channel: str, name: str) -> Any:
    """The provider ``name`` of ``channel`` (ImproperlyConfigured for one not known)."""
    if channel == "sms":
        return get_sms_provider(name)
    if channel == "email":
        if name == "fake":
            from onewindow.notify.providers.fake import FakeEmailProvider

            return FakeEmailProvider()
        if name == "smtp":
            from onewindow.notify.providers.smtp import SmtpEmailProvider

            return SmtpEmailProvider()
    if channel == "wechat":
        if name == "fake":
            from onewindow.notify.providers.fake import FakeWechatProvider

            return FakeWechatProvider()
        if name == "wechat":
            from onewindow.notify.providers.wechat import WechatOfficialAccountProvider

            return WechatOfficialAccountProvider()
    raise ImproperlyConfigured(f"unknown {channel} provider {name!r}")


def default_provider(channel: str) -> str:
    return str(
        {
            "sms": settings.SMS_PROVIDER,
            "email": settings.NOTIFY_EMAIL_PROVIDER,
            "wechat": settings.NOTIFY_WECHAT_PROVIDER,
        }[channel]
    )


def receipt_parser(name: str) -> Callable[[bytes], list[DeliveryReceipt]] | None:
    """How the SMS vendor ``name`` pushes delivery receipts, if it does."""
    if name == "aliyun":
        from onewindow.notify.providers.aliyun import parse_receipts

        return parse_receipts
    if name == "tencent":
        from onewindow.notify.providers.tencent import parse_receipts as tencent_receipts

        return tencent_receipts
    return None
