"""Callbacks from the gateway: forged, replayed, shuffled, wrong amount — and the case that
waits for its fee and continues once paid."""

from __future__ import annotations

import random

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.payments.models import PaymentEvent, PaymentOrder, Receipt
from onewindow.testing.payments import notification, post

pytestmark = pytest.mark.django_db


def test_the_case_waits_for_payment_and_continues_when_paid(client, paying_case, order):
    assert (order.amount_fen, order.status, order.fee_code) == (1500, "created", "endorsement")
    assert paying_case.status == Case.Status.IN_PROGRESS
    assert case_advance(case_id=paying_case.pk) == ["action_failed:Await_Payment"]
    assert PaymentOrder.objects.filter(case=paying_case).count() == 1  # retried, not re-created

    response = post(client, notification(order))

    assert response.status_code == 200 and response.content == b"success"
    order.refresh_from_db()
    assert order.status == "paid" and order.receipt.amount_fen == 1500
    # paid: the permit is endorsed, shipped and the case concluded, nothing left to run
    case = Case.objects.get(pk=paying_case.pk)
    assert case.status == Case.Status.APPROVED, (case.status, case.step_error)
    assert case.events.filter(kind="concluded").count() == 1
    assert case_advance(case_id=paying_case.pk) == []


def test_a_forged_signature_is_refused_logged_and_changes_nothing(client, order):
    params = notification(order)
    params["sign"] = params["sign"][:-4] + "AAA="
    response = post(client, params)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "created" and not Receipt.objects.exists()
    assert PaymentEvent.objects.filter(outcome="denied", reason__startswith="signature").exists()
    assert AuditEvent.objects.filter(
        action="payments.callback.refuse", outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_an_amount_or_app_mismatch_is_refused(client, order):
    for changes, reason in (
        ({"total_amount": "0.01"}, "amount mismatch"),
        ({"app_id": "someone-else"}, "app id mismatch"),
        ({"out_trade_no": "OWNOSUCHORDER"}, "unknown out_trade_no"),
    ):
        assert post(client, notification(order, **changes)).status_code == 400
        assert PaymentEvent.objects.filter(outcome="denied", reason=reason).exists()
    order.refresh_from_db()
    assert order.status == "created"


def test_a_replayed_callback_credits_once(client, order):
    params = notification(order)
    assert post(client, params).content == b"success"
    assert post(client, params).content == b"success"  # acknowledged, ignored
    assert Receipt.objects.filter(order=order).count() == 1
    outcomes = list(PaymentEvent.objects.filter(kind="notify").values_list("outcome", flat=True))
    assert outcomes == ["applied", "ignored"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_shuffled_callbacks_end_paid_with_a_single_credit(client, order, seed):
    notes = [
        notification(order, trade_status="WAIT_BUYER_PAY", notify_id="w", gmt_payment=""),
        notification(order, notify_id="s1"),
        notification(order, notify_id="s2"),
        notification(order, trade_status="TRADE_CLOSED", notify_id="c", gmt_payment=""),
    ]
    random.Random(seed).shuffle(notes)
    for params in notes:
        post(client, params)
    order.refresh_from_db()
    closed_first = [n["trade_status"] for n in notes].index("TRADE_CLOSED") < min(
        i for i, n in enumerate(notes) if n["trade_status"] == "TRADE_SUCCESS"
    )
    assert order.status == ("closed" if closed_first else "paid")
    assert Receipt.objects.filter(order=order).count() == (0 if closed_first else 1)
    assert PaymentEvent.objects.filter(kind="notify", outcome="applied").count() == 1


def test_a_lost_hand_off_is_resumed_by_the_sweep(paying_case, order):
    from django.test import TestCase

    from onewindow.payments.services import paid_cases_resume

    case_advance(case_id=paying_case.pk)  # records the pending payment on the run
    PaymentOrder.objects.filter(pk=order.pk).update(status="paid", paid_at=order.created_at)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert paid_cases_resume() == 1
    case = Case.objects.get(pk=paying_case.pk)
    assert case.status == Case.Status.APPROVED, (case.status, case.step_error)
    assert paid_cases_resume() == 0
