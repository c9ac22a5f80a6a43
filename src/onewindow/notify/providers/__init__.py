"""SMS providers: one module per vendor, chosen by ``settings.SMS_PROVIDER``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.notify.providers.base import DeliveryReceipt, SmsProvider


def get_sms_provider(name: str | None = None) -> SmsProvider:
    name = name or settings.SMS_PROVIDER
    if name == "fake":
        from onewindow.notify.providers.fake import FakeSmsProvider

        return FakeSmsProvider()
    if name == "aliyun":
        from onewindow.notify.providers.aliyun import AliyunSmsProvider

        return AliyunSmsProvider()
    raise ImproperlyConfigured(f"unknown SMS provider {name!r} (ONEWINDOW_SMS_PROVIDER)")


def receipt_parser(name: str) -> Callable[[bytes], list[DeliveryReceipt]] | None:
    """How the vendor ``name`` pushes delivery receipts, if it does."""
    if name == "aliyun":
        from onewindow.notify.providers.aliyun import parse_receipts

        return parse_receipts
    return None
