"""A fee order created by the process tells the applicant what to pay, on the case's
timeline and in their messages, once."""

from __future__ import annotations

from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.notify.models import Message
from onewindow.payments.models import PaymentOrder


def test_the_fee_order_tells_the_applicant_the_amount(paying_case: Case, order: PaymentOrder):
    due = paying_case.events.get(kind="payment_due")
    assert (due.message, due.public) == (f"待缴费：签注费 {order.amount_yuan} 元", True)
    messages = Message.objects.filter(recipient=paying_case.created_by, kind="payment_due")
    (message,) = messages
    assert message.body == (
        f"您申请的{paying_case.service_version.service.name}（办件编号{paying_case.number}）"
        f"待缴费{order.amount_yuan}元，请登录在线缴费。"
    )
    case_advance(case_id=paying_case.pk)  # the step is retried while unpaid: no second notice
    assert paying_case.events.filter(kind="payment_due").count() == 1
    assert messages.count() == 1
