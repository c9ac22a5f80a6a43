"""The resident pays in the sandbox gateway: cashier page, shuffled and duplicated signed
notifications, return page, receipt; then refund and reconciliation against the sandbox's
statement served over HTTP."""

from __future__ import annotations

import datetime
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.payments.models import Mismatch, PaymentEvent, PaymentOrder, Receipt, Refund
from onewindow.payments.reconciliation import reconcile_day
from onewindow.payments.services import PaymentError, refund_create
from onewindow.payments.tests.conftest import pay_in_sandbox, wsgi

pytestmark = pytest.mark.django_db


def test_pay_in_the_sandbox_with_shuffled_duplicates(client, sandbox, paying_case, order):
    back = pay_in_sandbox(client, sandbox, paying_case, order)
    order.refresh_from_db()
    assert order.status == "paid" and Receipt.objects.filter(order=order).count() == 1
    notes = PaymentEvent.objects.filter(kind="notify")
    assert notes.count() == 4 and notes.filter(outcome="applied").count() == 1
    page = client.get(urllib.parse.urlsplit(back).path)
    assert "缴费成功" in page.content.decode()
    receipt = client.get(f"/payments/receipts/{order.out_trade_no}/").content.decode()
    assert order.receipt.number in receipt and "15.00" in receipt
    # Paying again is refused with a message; nothing changes.
    again = client.post(f"/payments/cases/{paying_case.number}/", {"order": order.pk})
    assert again.status_code == 400


def test_a_forged_cashier_request_is_refused_by_the_sandbox(sandbox):
    status, _h, _t = wsgi(
        sandbox, "GET", "/pay?out_trade_no=X&total_amount=0.01&app_id=onewindow-demo&sign=AAAA"
    )
    assert status.startswith("400")


def test_refund_is_idempotent_and_bounded(client, sandbox, paying_case, order):
    pay_in_sandbox(client, sandbox, paying_case, order)
    actor = Actor.system("test-operator")
    first = refund_create(
        actor=actor, order_id=order.pk, amount_fen=1500, reason="不予签注退费", request_no="1"
    )
    again = refund_create(
        actor=actor, order_id=order.pk, amount_fen=1500, reason="不予签注退费", request_no="1"
    )
    assert first.pk == again.pk and first.status == Refund.Status.SUCCEEDED
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_fen == 1500
    assert sandbox.trades[order.out_trade_no]["refunded_fen"] == 1500
    with pytest.raises(PaymentError):
        refund_create(actor=actor, order_id=order.pk, amount_fen=1, reason="x", request_no="2")
    from onewindow.audit.models import AuditEvent

    refused = AuditEvent.objects.filter(action="payments.refund.create", outcome="denied")
    assert refused.count() == 1  # the refusal is on the trail
    assert Refund.objects.filter(order=order).count() == 1  # and nothing else changed


def test_reconciliation_flags_mismatches(client, sandbox, paying_case, order):
    pay_in_sandbox(client, sandbox, paying_case, order)
    today = timezone.localdate()
    assert reconcile_day(day=today) == []
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1400  # the gateway's books differ
    stamp = sandbox.trades[order.out_trade_no]["paid_at"]
    sandbox.trades["OWSTRANGER"] = {
        "out_trade_no": "OWSTRANGER",
        "trade_no": "SBX1",
        "amount_fen": 100,
        "notify_url": "",
        "paid_at": stamp,
        "refunded_fen": 0,
    }
    kinds = {(m.kind, m.out_trade_no) for m in reconcile_day(day=today)}
    assert kinds == {("amount", order.out_trade_no), ("unknown_here", "OWSTRANGER")}
    del sandbox.trades[order.out_trade_no]
    kinds = {(m.kind, m.out_trade_no) for m in reconcile_day(day=today)}
    assert ("missing_there", order.out_trade_no) in kinds
    assert Mismatch.objects.count() == 3
    assert reconcile_day(day=today - datetime.timedelta(days=1)) == []


def test_only_an_operator_refunds_from_the_admin(client, sandbox, paying_case, order, rf):
    from django.contrib.auth.models import Permission

    from onewindow.payments.admin import refund_in_full
    from onewindow.testing.factories import StaffFactory

    pay_in_sandbox(client, sandbox, paying_case, order)
    said: list[str] = []

    class Admin:
        def message_user(self, request: Any, text: str, level: int) -> None:
            said.append(text)

    clerk: Any = StaffFactory().user
    request = rf.post("/admin/")
    request.user = clerk
    refund_in_full(Admin(), request, PaymentOrder.objects.filter(pk=order.pk))
    assert not Refund.objects.exists() and said == ["只有平台运营人员可以退款。"]

    operator: Any = StaffFactory().user
    operator.user_permissions.add(Permission.objects.get(codename="operate_platform"))
    request.user = type(operator).objects.get(pk=operator.pk)
    refund_in_full(Admin(), request, PaymentOrder.objects.filter(pk=order.pk))
    refund_in_full(Admin(), request, PaymentOrder.objects.filter(pk=order.pk))  # twice: once
    order.refresh_from_db()
    assert order.status == "refunded" and Refund.objects.count() == 1
