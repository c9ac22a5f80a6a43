"""Finance staff reconcile in the browser-facing pages: run a day against the sandbox's signed
statement, see each difference with its order and case, resolve it with a note or refund an
overcharge through the gateway (confirmed once, refunded once), re-run the day; a failed run
is recorded; staff without ``payments.reconcile_payments`` are refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import PermissionDenied
from onewindow.payments.models import Mismatch, PaymentOrder, ReconciliationRun, Refund
from onewindow.payments.providers.base import GatewayError
from onewindow.payments.reconciliation import mismatch_resolve, reconcile_day
from onewindow.payments.tests.conftest import pay_in_sandbox
from onewindow.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _staff(*, allowed: bool) -> tuple[Any, Client]:
    user: Any = StaffFactory().user
    if allowed:
        user.user_permissions.add(Permission.objects.get(codename="reconcile_payments"))
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return user, client


@pytest.fixture
def finance() -> tuple[Any, Client]:
    return _staff(allowed=True)


def _stranger(box: Any, stamp: str, no: str = "OWSTRANGER") -> None:
    box.trades[no] = {
        "out_trade_no": no,
        "trade_no": "SBX1",
        "amount_fen": 100,
        "notify_url": "",
        "paid_at": stamp,
        "refunded_fen": 0,
    }


def _day_url(day: datetime.date) -> str:
    return f"/payments/reconciliation/{day.isoformat()}/sandbox/"


def test_run_a_day_and_see_the_differences_with_order_and_case(
    client, sandbox, paying_case, order, finance
):
    user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    today = timezone.localdate()
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1600  # the gateway took ¥16.00
    _stranger(sandbox, sandbox.trades[order.out_trade_no]["paid_at"])

    page = staff.get("/payments/reconciliation/")
    assert page.status_code == 200 and "发起对账" in page.content.decode()
    ran = staff.post("/payments/reconciliation/", {"day": today.isoformat(), "gateway": "sandbox"})
    assert ran.status_code == 302 and ran["Location"] == _day_url(today)
    run = ReconciliationRun.objects.get()
    assert run.status == "ok" and run.started_by == user and run.mismatches == 2
    assert AuditEvent.objects.filter(
        action="payments.reconcile.run", actor_id=user.pk, target_id=str(run.pk)
    ).exists()

    day = staff.get(_day_url(today)).content.decode()
    assert "金额不一致" in day and "本地无记录" in day and "OWSTRANGER" in day
    assert paying_case.number in day and "￥16.00" in day and "￥15.00" in day
    listing = staff.get("/payments/reconciliation/").content.decode()
    assert today.isoformat() in listing

    amount = Mismatch.objects.get(kind="amount")
    detail = staff.get(f"/payments/reconciliation/differences/{amount.pk}/").content.decode()
    assert order.subject in detail and paying_case.number in detail
    assert "通过退款处理" in detail and 'value="1.00"' in detail  # the overcharge
    unknown = Mismatch.objects.get(kind="unknown_here")
    page = staff.get(f"/payments/reconciliation/differences/{unknown.pk}/").content.decode()
    assert "本平台没有该订单号的订单" in page and "通过退款处理" not in page


def test_status_differences_paid_at_the_gateway_and_refunds_on_one_side(
    client, sandbox, paying_case, order
):
    pay_in_sandbox(client, sandbox, paying_case, order)
    today = timezone.localdate()
    stamp = sandbox.trades[order.out_trade_no]["paid_at"]
    # The gateway took money for an order that is still open here (a lost notification).
    PaymentOrder.objects.filter(pk=order.pk).update(status="paying")
    kinds = {(m.kind, m.out_trade_no): m.detail for m in reconcile_day(day=today)}
    assert kinds[("status", order.out_trade_no)]["here_status"] == "paying"
    assert kinds[("status", order.out_trade_no)]["there_status"] == "paid"
    # Paid again here; the gateway shows a refund we never made.
    PaymentOrder.objects.filter(pk=order.pk).update(status="paid")
    sandbox.refunds["X-R1"] = {
        "out_trade_no": order.out_trade_no,
        "refund_fee": "15.00",
        "refunded_at": stamp,
    }
    kinds = {(m.kind, m.out_trade_no): m.detail for m in reconcile_day(day=today)}
    assert kinds == {
        ("status", order.out_trade_no): {"here_status": "paid", "there_status": "refunded"}
    }


def test_resolve_with_a_note(client, sandbox, paying_case, order, finance):
    user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    _stranger(sandbox, sandbox.trades[order.out_trade_no]["paid_at"])
    reconcile_day(day=timezone.localdate())
    mismatch = Mismatch.objects.get()
    url = f"/payments/reconciliation/differences/{mismatch.pk}/"

    empty = staff.post(url, {"action": "resolve", "note": "   "})
    assert empty.status_code == 400 and "请填写处理说明。" in empty.content.decode()
    mismatch.refresh_from_db()
    assert mismatch.status == "open"

    staff.post(url, {"action": "resolve", "note": "测试商户号误付，已由渠道冲正"})
    mismatch.refresh_from_db()
    assert mismatch.status == "resolved" and mismatch.resolution == "note"
    assert mismatch.resolved_by == user and "冲正" in mismatch.resolution_note
    event = AuditEvent.objects.get(action="payments.mismatch.resolve")
    assert event.actor_id == user.pk and event.target_id == str(mismatch.pk)
    assert "冲正" in staff.get(url).content.decode()
    # Resolved by a person: a later run that still sees it leaves it resolved.
    reconcile_day(day=timezone.localdate())
    mismatch.refresh_from_db()
    assert mismatch.status == "resolved" and mismatch.resolution == "note"


def test_refund_an_overcharge_after_confirmation_once(client, sandbox, paying_case, order, finance):
    user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1600
    reconcile_day(day=timezone.localdate())
    mismatch = Mismatch.objects.get(kind="amount")
    url = f"/payments/reconciliation/differences/{mismatch.pk}/"

    too_much = staff.post(
        url, {"action": "refund", "step": "confirm", "amount": "99", "reason": "多收"}
    )
    assert too_much.status_code == 400 and "可退金额" in too_much.content.decode()
    bad = staff.post(url, {"action": "refund", "amount": "abc", "reason": "多收"})
    assert bad.status_code == 400 and "请输入金额" in bad.content.decode()
    assert not Refund.objects.exists()

    review = staff.post(url, {"action": "refund", "amount": "1.00", "reason": "渠道多收 1 元"})
    assert "确认经支付渠道退款" in review.content.decode() and not Refund.objects.exists()
    confirm = {"action": "refund", "step": "confirm", "amount": "1.00", "reason": "渠道多收 1 元"}
    staff.post(url, confirm)
    staff.post(url, confirm)  # a double click refunds once
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.amount_fen == 100
    assert sandbox.trades[order.out_trade_no]["refunded_fen"] == 100
    mismatch.refresh_from_db()
    order.refresh_from_db()
    assert mismatch.status == "resolved" and mismatch.resolution == "refund"
    assert mismatch.refund == refund and order.refunded_fen == 100
    assert AuditEvent.objects.filter(
        action="payments.refund.create", actor_id=user.pk, outcome="ok"
    ).exists()
    assert AuditEvent.objects.filter(action="payments.mismatch.resolve", actor_id=user.pk).exists()


def test_money_taken_for_an_order_closed_here_goes_back_from_the_page(
    client, sandbox, paying_case, order, finance
):
    """The resident paid after the order was closed here (or paid twice): the gateway has
    their money. The difference offers a refund of exactly what the gateway took; the order
    stays closed; a second click refunds nothing more."""
    user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    PaymentOrder.objects.filter(pk=order.pk).update(status="closed", paid_at=None)
    reconcile_day(day=timezone.localdate())
    mismatch = Mismatch.objects.get(kind="status")
    assert mismatch.detail["here_status"] == "closed"
    url = f"/payments/reconciliation/differences/{mismatch.pk}/"
    page = staff.get(url).content.decode()
    assert "通过退款处理" in page and 'value="15.00"' in page

    too_much = staff.post(
        url, {"action": "refund", "step": "confirm", "amount": "15.01", "reason": "关单后缴费"}
    )
    assert too_much.status_code == 400 and "可退金额 15.00 元" in too_much.content.decode()
    confirm = {"action": "refund", "step": "confirm", "amount": "15.00", "reason": "关单后缴费"}
    staff.post(url, confirm)
    staff.post(url, confirm)
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.amount_fen == 1500
    assert sandbox.trades[order.out_trade_no]["refunded_fen"] == 1500
    order.refresh_from_db()
    mismatch.refresh_from_db()
    assert order.status == "closed" and order.refunded_fen == 1500
    assert mismatch.status == "resolved" and mismatch.refund == refund
    assert AuditEvent.objects.filter(
        action="payments.refund.create", actor_id=user.pk, outcome="ok"
    ).exists()


def test_a_payment_whose_notification_was_lost_is_applied_from_the_statement(
    client, sandbox, paying_case, order, finance
):
    """补单: the statement shows the order paid in full, the order still waits here. After a
    confirmation the order is paid as a notification would have made it (receipt, the case
    continues), the difference is resolved; a second click changes nothing."""
    from django.test import TestCase

    from onewindow.payments.models import PaymentEvent, Receipt

    user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    PaymentOrder.objects.filter(pk=order.pk).update(status="paying", paid_at=None)
    Receipt.objects.filter(order=order).delete()
    reconcile_day(day=timezone.localdate())
    mismatch = Mismatch.objects.get(kind="status")
    url = f"/payments/reconciliation/differences/{mismatch.pk}/"
    assert "按已缴费处理（补单）" in staff.get(url).content.decode()

    review = staff.post(url, {"action": "confirm_paid"})
    assert 'data-testid="confirm-paid"' in review.content.decode()
    assert PaymentOrder.objects.get(pk=order.pk).status == "paying"
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        staff.post(url, {"action": "confirm_paid", "step": "confirm"})
    assert callbacks  # the case's worker step was handed over after the commit
    order.refresh_from_db()
    mismatch.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert order.gateway_trade_no == sandbox.trades[order.out_trade_no]["trade_no"]
    assert Receipt.objects.filter(order=order).count() == 1
    assert mismatch.status == "resolved" and mismatch.resolved_by == user
    assert PaymentEvent.objects.filter(order=order, kind="reconcile", outcome="applied").exists()
    assert AuditEvent.objects.filter(action="payments.mismatch.confirm_paid").count() == 1

    again = staff.post(url, {"action": "confirm_paid", "step": "confirm"}, follow=True)
    assert "不能按已缴费处理" in again.content.decode()
    assert Receipt.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.filter(action="payments.mismatch.confirm_paid").count() == 1


def test_rerun_clears_what_the_gateway_fixed_and_reopens_what_returns(
    client, sandbox, paying_case, order, finance
):
    _user, staff = finance
    pay_in_sandbox(client, sandbox, paying_case, order)
    today = timezone.localdate()
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1600
    reconcile_day(day=today)
    mismatch = Mismatch.objects.get()
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1500  # corrected at the gateway
    rerun = staff.post(_day_url(today), follow=True)
    assert "对账完成" in rerun.content.decode()
    mismatch.refresh_from_db()
    assert (mismatch.status, mismatch.resolution) == ("resolved", "cleared")
    assert ReconciliationRun.objects.count() == 2
    assert ReconciliationRun.objects.first().cleared == 1  # type: ignore[union-attr]
    sandbox.trades[order.out_trade_no]["amount_fen"] = 1700
    reconcile_day(day=today)
    mismatch.refresh_from_db()
    assert mismatch.status == "open" and mismatch.detail["there_fen"] == 1700


def test_an_unreachable_gateway_is_a_failed_run(settings, finance):
    _user, staff = finance
    settings.PAYMENTS_SANDBOX_URL = "http://127.0.0.1:9"  # nothing listens there
    today = timezone.localdate()
    response = staff.post(_day_url(today), follow=True)
    assert "对账失败" in response.content.decode()
    run = ReconciliationRun.objects.get()
    assert run.status == "failed" and run.error
    assert AuditEvent.objects.filter(
        action="payments.reconcile.run", outcome="failed", target_id=str(run.pk)
    ).exists()
    with pytest.raises(GatewayError):
        reconcile_day(day=today)
    assert ReconciliationRun.objects.filter(status="failed").count() == 2


def test_bad_input_is_refused_at_the_field(finance):
    _user, staff = finance
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day, message in [
        (tomorrow.isoformat(), "对账日期不能晚于今天。"),
        ("2026-13-40", "请输入有效的日期。"),
        ("", "请选择对账日期。"),
    ]:
        response = staff.post("/payments/reconciliation/", {"day": day, "gateway": "sandbox"})
        assert response.status_code == 400 and message in response.content.decode()
    wrong = staff.post("/payments/reconciliation/", {"day": "2026-01-05", "gateway": "paypal"})
    assert wrong.status_code == 400 and "请选择列出的支付渠道。" in wrong.content.decode()
    assert staff.get("/payments/reconciliation/not-a-day/sandbox/").status_code == 404
    assert staff.get("/payments/reconciliation/2026-01-05/paypal/").status_code == 404
    assert not ReconciliationRun.objects.exists()


def test_staff_without_the_permission_are_refused(sandbox):
    user, staff = _staff(allowed=False)
    today = timezone.localdate()
    mismatch = Mismatch.objects.create(
        day=today, gateway="sandbox", kind="unknown_here", out_trade_no="OWX"
    )
    assert staff.get("/payments/reconciliation/").status_code == 403
    assert staff.post("/payments/reconciliation/", {"day": today.isoformat()}).status_code == 403
    assert staff.post(_day_url(today)).status_code == 403
    url = f"/payments/reconciliation/differences/{mismatch.pk}/"
    assert staff.post(url, {"action": "resolve", "note": "x"}).status_code == 403
    assert not ReconciliationRun.objects.exists()
    with pytest.raises(PermissionDenied):
        mismatch_resolve(
            user=user, mismatch_id=mismatch.pk, note="越权", actor=Actor.from_user(user)
        )
    mismatch.refresh_from_db()
    assert mismatch.status == "open"
    assert AuditEvent.objects.filter(
        action="payments.mismatch.resolve", outcome="denied", target_id=str(mismatch.pk)
    ).exists()


def test_a_payment_booked_just_before_midnight_is_found_on_the_previous_statement(
    client, sandbox, paying_case, order
):
    pay_in_sandbox(client, sandbox, paying_case, order)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    # Paid at the gateway at 23:59:58 yesterday; the notification credited it after midnight.
    sandbox.trades[order.out_trade_no]["paid_at"] = f"{yesterday.isoformat()} 23:59:58"
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    PaymentOrder.objects.filter(pk=order.pk).update(
        paid_at=midnight + datetime.timedelta(seconds=9)
    )
    assert reconcile_day(day=today) == []
    assert reconcile_day(day=yesterday) == []  # the order is known and paid
    # An order credited later in the day is not excused.
    PaymentOrder.objects.filter(pk=order.pk).update(paid_at=midnight + datetime.timedelta(hours=2))
    assert [m.kind for m in reconcile_day(day=today)] == ["missing_there"]
