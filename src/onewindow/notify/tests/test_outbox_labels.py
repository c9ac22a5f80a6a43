"""The demo SMS outbox names each message's state in the page's language."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.notify import services
from onewindow.notify.models import SmsMessage
from onewindow.notify.selectors import sms_status_label

pytestmark = pytest.mark.django_db

OUTBOX = "/notify/sms-outbox/"


def test_outbox_statuses_are_chinese_on_the_chinese_page(settings) -> None:
    settings.DEMO = True
    delivered = services.sms_send(
        phone="13800138000", template="login_code", params={"code": "123456", "minutes": "5"}
    )
    SmsMessage.objects.filter(pk=delivered.pk).update(status=SmsMessage.Status.DELIVERED)
    services.sms_send(
        phone="13900139000", template="login_code", params={"code": "654321", "minutes": "5"}
    )
    body = Client().get(OUTBOX).content.decode()
    assert "<span>已送达</span>" in body
    assert "<span>等待发送</span>" in body
    assert "Delivered" not in body and "Queued" not in body


def test_every_status_has_a_chinese_label() -> None:
    labels = {status: sms_status_label(status) for status in SmsMessage.Status.values}
    assert labels == {
        "queued": "等待发送",
        "sending": "发送中",
        "sent": "已发送",
        "delivered": "已送达",
        "failed": "发送失败",
    }
