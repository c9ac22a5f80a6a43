"""The case engine's payment actions.

``payments.create_order`` creates (once) the case's order for the fee named by the service
task's ``fee`` parameter; ``payments.await`` fails — so the run stays at it and is retried —
until that order is paid. The payment callback enqueues the case's advance, which then passes.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.refs import CaseRef
from onewindow.payments.models import PaymentOrder
from onewindow.workflow.actions import ActionContext


class PaymentPending(Exception):
    """The case's order is not paid yet (the engine keeps the run at ``payments.await``)."""


def _case_id(ctx: ActionContext) -> int | None:
    value = ctx.context.get("case_id")
    return value if isinstance(value, int) else None


def _describe(order: PaymentOrder) -> dict[str, Any]:
    return {
        "payment": {
            "order_no": order.out_trade_no,
            "amount": order.amount_yuan,
            "status": order.status,
            "fee": order.fee_code,
        },
        "paid": order.status == PaymentOrder.Status.PAID,
    }


def create_order(ctx: ActionContext) -> dict[str, Any]:
    from onewindow.payments.services import order_create_for_case

    case = ctx.context.get("case")
    if not isinstance(case, CaseRef):
        # A run outside any case (engine unit runs): describe the order, persist nothing.
        return {
            "payment": {
                "order_no": f"PAY-{ctx.key}",
                "amount": str(ctx.params.get("amount", "0.00")),
                "status": "created",
            },
            "paid": False,
        }
    fee = str(ctx.params.get("fee") or "")
    if not fee:
        raise ValueError("payments.create_order needs a fee parameter")
    return _describe(order_create_for_case(case=case, fee_code=fee))


def await_payment(ctx: ActionContext) -> dict[str, Any]:
    case_id = _case_id(ctx)
    if case_id is None:
        raise PaymentPending("no case")
    fee = str(ctx.params.get("fee") or (ctx.data.get("payment") or {}).get("fee") or "")
    orders = PaymentOrder.objects.filter(case_id=case_id)
    if fee:
        orders = orders.filter(fee_code=fee)
    order = orders.order_by("pk").first()
    if order is None or order.status != PaymentOrder.Status.PAID:
        raise PaymentPending(order.out_trade_no if order else "no order")
    return _describe(order)
