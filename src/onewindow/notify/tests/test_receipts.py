"""Delivery receipts pushed by the SMS vendor (Aliyun SmsReport, HTTP batch push): applied
once each, late, repeated, contradicting and unknown receipts change nothing, a receipt that
overtakes our own send answer is asked for again, and a push without the secret is refused
and audited."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.notify import services
from onewindow.notify.models import SmsMessage
from onewindow.notify.providers.aliyun import parse_receipts

pytestmark = pytest.mark.django_db

TOKEN = "r" * 40
URL = f"/notify/receipts/aliyun/{TOKEN}/"
Status = SmsMessage.Status


@pytest.fixture(autouse=True)
def token(settings: Any) -> None:
    settings.SMS_RECEIPT_TOKEN = TOKEN


def message(status: str, biz_id: str = "") -> SmsMessage:
    row = services.sms_send(
        phone="13800138000", template="login_code", params={"code": "123456", "minutes": "5"}
    )
    SmsMessage.objects.filter(pk=row.pk).update(
        status=status, provider="aliyun" if biz_id else "", provider_message_id=biz_id
    )
    return SmsMessage.objects.get(pk=row.pk)


def report(biz_id: str, *, success: bool = True, out_id: str = "", code: str = "") -> dict:
    return {
        "phone_number": "1380013****",
        "send_time": "2026-11-27 10:00:00",
        "report_time": "2026-11-27 10:00:07",
        "success": success,
        "err_code": code or ("DELIVERED" if success else "MK:0001"),
        "err_msg": "用户接收成功" if success else "空号",
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": out_id,
    }


def push(items: Any, url: str = URL) -> Any:
    body = items if isinstance(items, bytes) else json.dumps(items, ensure_ascii=False)
    return Client().post(url, body, content_type="application/json")


def test_receipts_are_applied_once_and_late_ones_change_nothing():
    delivered, failed = message(Status.SENT, "biz-1"), message(Status.SENT, "biz-2")
    answer = push(
        [
            report("biz-1"),
            report("biz-2", success=False),
            report("biz-1"),  # repeated in the same push
            report("biz-1", success=False),  # contradicts the first: ignored
            report("biz-9"),  # not ours
        ]
    )
    assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "接收成功"}
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert delivered.delivered_at == datetime.datetime(2026, 11, 27, 2, 0, 7, tzinfo=datetime.UTC)
    assert failed.status == Status.FAILED and "MK:0001 空号" in failed.last_error
    audit = AuditEvent.objects.get(action="notify.sms.receipts")
    assert audit.changes == {
        "receipts": 5,
        "applied": 2,
        "repeated": 2,
        "early": 0,
        "unknown": 1,
    }
    # the vendor pushes the same batch again: still answered, nothing changes
    assert push([report("biz-1"), report("biz-2", success=False)]).json()["code"] == 0
    assert SmsMessage.objects.get(pk=delivered.pk).delivered_at == delivered.delivered_at


def test_a_receipt_that_overtakes_our_send_answer_is_asked_for_again():
    sending = message(Status.SENDING)
    answer = push([report("biz-3", out_id=str(sending.pk))])
    assert answer.status_code == 200 and answer.json()["code"] == 1  # push it again later
    assert SmsMessage.objects.get(pk=sending.pk).status == Status.SENDING
    SmsMessage.objects.filter(pk=sending.pk).update(
        status=Status.SENT, provider="aliyun", provider_message_id="biz-3"
    )
    assert push([report("biz-3", out_id=str(sending.pk))]).json()["code"] == 0
    assert SmsMessage.objects.get(pk=sending.pk).status == Status.DELIVERED


def test_a_push_without_the_secret_is_refused_and_audited(settings):
    sent = message(Status.SENT, "biz-1")
    forged = push([report("biz-1", success=False)], url="/notify/receipts/aliyun/guess/")
    assert forged.status_code == 401
    assert SmsMessage.objects.get(pk=sent.pk).status == Status.SENT
    refusal = AuditEvent.objects.get(action="notify.sms.receipts")
    assert refusal.outcome == "denied"
    assert push(b"{not json").status_code == 400
    assert push([{"success": True}]).status_code == 400  # no biz_id
    assert push(b"[" + b" " * (1024 * 1024) + b"]").status_code == 413
    assert Client().get(URL).status_code == 405
    assert push([report("biz-1")], url="/notify/receipts/fake/" + TOKEN + "/").status_code == 404
    settings.SMS_RECEIPT_TOKEN = ""
    assert push([report("biz-1")]).status_code == 404  # receipts not configured
    assert SmsMessage.objects.get(pk=sent.pk).status == Status.SENT


def test_the_vendors_example_parses():
    example = (
        '[{"phone_number":"1381111****","send_time":"2017-01-01 00:00:00",'
        '"report_time":"2017-01-01 00:00:00","success":true,"err_code":"DELIVERED",'
        '"err_msg":"用户接收成功","sms_size":"1","biz_id":"12345","out_id":"67890"}]'
    ).encode()
    (receipt,) = parse_receipts(example)
    assert receipt.delivered and receipt.provider_message_id == "12345"
    assert receipt.our_id == "67890" and receipt.code == "DELIVERED"
    assert receipt.reported_at == datetime.datetime(2016, 12, 31, 16, 0, tzinfo=datetime.UTC)
