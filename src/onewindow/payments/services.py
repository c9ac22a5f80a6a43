"""Writes of the payments app: orders, callbacks, refunds, receipts (reconciliation is in
``reconciliation.py``).

A callback from the gateway is hostile until its signature, app id and amount check out; a
refused one is logged (PaymentEvent + audit row with outcome ``denied``) and changes nothing.
State changes are conditional UPDATEs, so a duplicated or out-of-order notification can never
credit an order twice or move it backwards."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.core.text import zh_text
from onewindow.payments import audit_events
from onewindow.payments.conf import gateway as get_gateway
from onewindow.payments.home_changes import order_home_changed
from onewindow.payments.models import (
    FeeItem,
    PaymentEvent,
    PaymentOrder,
    Receipt,
    Refund,
)
from onewindow.payments.providers.base import (
    GatewayError,
    Notification,
    PayRequest,
    RefundRequest,
    SignatureInvalid,
    yuan_to_fen,
)

if TYPE_CHECKING:
    from onewindow.core.refs import CaseRef
    from onewindow.identity.models import User

logger = logging.getLogger(__name__)
OPEN = (PaymentOrder.Status.CREATED, PaymentOrder.Status.PAYING)


class PaymentError(Exception):
    pass


def fees_of(definition: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """``fees:`` of a service definition → {code: (name, amount in fen)}."""
    fees: dict[str, tuple[str, int]] = {}
    for fee in definition.get("fees") or []:
        name = zh_text(fee.get("name"), default=str(fee["code"]))
        fees[fee["code"]] = (name, yuan_to_fen(str(fee["amount"])))
    return fees


@transaction.atomic
def fee_items_sync(*, service_code: str, definition: Mapping[str, Any]) -> list[FeeItem]:
    items = []
    for code, (name, fen) in fees_of(definition).items():
        item, _created = FeeItem.objects.update_or_create(
            service_code=service_code, code=code, defaults={"name": name, "amount_fen": fen}
        )
        items.append(item)
    return items


def _out_trade_no(case: CaseRef, fee_code: str) -> str:
    digest = hashlib.sha256(f"{case.id}:{fee_code}".encode()).hexdigest()[:8].upper()
    return f"OW{case.number or case.id}{digest}"[:64]


@transaction.atomic
def order_create_for_case(
    *, case: CaseRef, fee_code: str, gateway: str | None = None
) -> PaymentOrder:
    """The case's order for one fee (from the fees of the service version the case runs
    under); calling it again returns the same order. The case's timeline says what is due."""
    from onewindow.cases.services import case_timeline_note
    from onewindow.catalog.selectors import service_version_get

    existing = PaymentOrder.objects.filter(case_id=case.id, fee_code=fee_code).first()
    if existing:
        return existing
    version = service_version_get(code=case.service_code, number=case.service_version)
    fees = fees_of(version.definition or {})
    if fee_code not in fees:
        raise PaymentError(f"service has no fee {fee_code!r}")
    fee_items_sync(service_code=case.service_code, definition=version.definition)
    name, fen = fees[fee_code]
    gw = gateway or get_gateway().name
    order = PaymentOrder.objects.create(
        case_id=case.id,
        fee_code=fee_code,
        subject=f"{case.service_name}·{name}"[:200],
        amount_fen=fen,
        gateway=gw,
        out_trade_no=_out_trade_no(case, fee_code),
    )
    PaymentEvent.objects.create(order=order, gateway=gw, kind="created", outcome="applied")
    case_timeline_note(
        case_id=case.id,
        kind="payment_due",
        message=_("待缴费：%(fee)s %(amount)s 元") % {"fee": name, "amount": order.amount_yuan},
        data={"fee": fee_code, "amount": order.amount_yuan, "order": order.out_trade_no},
    )
    audit_record(
        actor=Actor.system("payments"),
        action=audit_events.ORDER_CREATE,
        target=order,
        changes={"case": case.number, "fee": fee_code, "amount_fen": fen},
    )
    return order


@transaction.atomic(durable=True)
def order_start_payment(*, user: User, order_id: int, notify_url: str, return_url: str) -> str:
    """The resident starts paying: the gateway page URL (the order becomes ``paying``)."""
    from onewindow.cases.selectors import case_for_user

    order = PaymentOrder.objects.select_related("case").get(pk=order_id)
    if case_for_user(user=user, number=order.case.number or "") is None:
        raise PaymentOrder.DoesNotExist()
    if order.status not in OPEN:
        raise PaymentError("order is not payable")
    url = get_gateway(order.gateway).page_url(
        PayRequest(
            out_trade_no=order.out_trade_no,
            amount_fen=order.amount_fen,
            subject=order.subject,
            notify_url=notify_url,
            return_url=return_url,
        )
    )
    PaymentOrder.objects.filter(pk=order.pk, status=PaymentOrder.Status.CREATED).update(
        status=PaymentOrder.Status.PAYING
    )
    order_home_changed(order_ids=[order.pk])
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.ORDER_START,
        target=order,
        changes={"status": "paying"},
    )
    return url


@dataclass(frozen=True)
class CallbackResult:
    accepted: bool  # answer "success" to the gateway (also for ignored duplicates)
    outcome: str  # applied / ignored / denied
    reason: str = ""


def _stored_payload(params: Mapping[str, str]) -> dict[str, str]:
    """What is kept of a notification: its first 40 fields, 500 characters each, no
    signature."""
    return {k: str(v)[:500] for k, v in list(params.items())[:40] if k != "sign"}


def _refuse(
    gateway: str, reason: str, params: Mapping[str, str], order: PaymentOrder | None = None
) -> CallbackResult:
    PaymentEvent.objects.create(
        order=order,
        gateway=gateway,
        kind="notify",
        outcome="denied",
        reason=reason,
        notify_id=str(params.get("notify_id", ""))[:128],
        payload=_stored_payload(params),
    )
    audit_record(
        actor=Actor.system(f"gateway:{gateway}"),
        action=audit_events.CALLBACK_REFUSE,
        target=order,
        target_type="" if order else "payments.paymentorder",
        target_id="" if order else str(params.get("out_trade_no", ""))[:64],
        outcome=Outcome.DENIED,
        changes={"reason": reason},
    )
    logger.warning("payment callback refused (%s): %s", gateway, reason)
    return CallbackResult(False, "denied", reason)


@transaction.atomic(durable=True)
def callback_handle(*, gateway: str, params: Mapping[str, str]) -> CallbackResult:
    """One asynchronous notification from the gateway."""
    try:
        gw = get_gateway(gateway)
    except LookupError:
        return _refuse(gateway[:32], "unknown gateway", params)
    except ImproperlyConfigured:  # e.g. Alipay named but without its keys: nobody signs
        return _refuse(gateway[:32], "gateway not configured", params)
    try:
        note = gw.verify_notification(params)
    except SignatureInvalid as exc:
        return _refuse(gateway, f"signature: {exc}", params)
    order = PaymentOrder.objects.filter(out_trade_no=note.out_trade_no, gateway=gateway).first()
    if order is None:
        return _refuse(gateway, "unknown out_trade_no", params)
    if note.app_id != gw.app_id:
        return _refuse(gateway, "app id mismatch", params, order)
    if note.amount_fen != order.amount_fen:
        return _refuse(gateway, "amount mismatch", params, order)
    return _apply(order, note, params)


def _apply(
    order: PaymentOrder,
    note: Notification,
    params: Mapping[str, str],
    *,
    actor: Actor | None = None,
    kind: str = "notify",
) -> CallbackResult:
    """A payment's outcome reaches the order: from the gateway's notification (``notify``)
    or, when that was lost, from its signed statement by finance staff (``reconcile``)."""
    now = timezone.now()
    changed = 0
    if note.status == "paid":
        changed = PaymentOrder.objects.filter(pk=order.pk, status__in=OPEN).update(
            status=PaymentOrder.Status.PAID, paid_at=now, gateway_trade_no=note.trade_no[:64]
        )
    elif note.status == "closed":
        changed = PaymentOrder.objects.filter(pk=order.pk, status__in=OPEN).update(
            status=PaymentOrder.Status.CLOSED
        )
    if changed:
        order_home_changed(order_ids=[order.pk])
    outcome = "applied" if changed else "ignored"
    reason = "" if changed else f"{note.status} while {order.status}"
    PaymentEvent.objects.create(
        order=order,
        gateway=order.gateway,
        kind=kind,
        outcome=outcome,
        reason=reason[:200],
        notify_id=note.notify_id[:128],
        payload=_stored_payload(params),
    )
    if changed and note.status == "paid":
        order.refresh_from_db()
        _receipt_issue(order, now=now)
        from onewindow.payments.signals import PaymentReceived, payment_received

        payment_received.send(
            sender=PaymentOrder,
            payment=PaymentReceived(
                out_trade_no=order.out_trade_no,
                subject=order.subject,
                amount_yuan=order.amount_yuan,
                case_id=order.case_id,
                case_number=order.case.number or "",
                applicant_user_id=order.case.created_by_id,
            ),
        )
        from onewindow.cases.services import case_advance_enqueue

        case_advance_enqueue(case_id=order.case_id)  # after commit: the worker continues it
    if kind == "notify":
        action = audit_events.CALLBACK_APPLY if changed else audit_events.CALLBACK_IGNORE
    else:
        action = audit_events.STATEMENT_APPLY if changed else audit_events.STATEMENT_IGNORE
    audit_record(
        actor=actor or Actor.system(f"gateway:{order.gateway}"),
        action=action,
        target=order,
        changes={"status": note.status, "notify_id": note.notify_id, "reason": reason},
    )
    return CallbackResult(True, outcome, reason)


def payment_apply_from_statement(
    *, actor: Actor, order_id: int, trade_no: str, amount_fen: int, reference: str
) -> bool:
    """The gateway's statement shows this open order paid in full, and its notification never
    arrived (补单): the order becomes paid exactly as a notification would make it (receipt,
    the case continues after commit). Returns whether it changed; call inside a transaction."""
    order = PaymentOrder.objects.select_for_update().select_related("case").get(pk=order_id)
    if order.status not in OPEN or amount_fen != order.amount_fen:
        return False
    note = Notification(
        out_trade_no=order.out_trade_no,
        trade_no=trade_no,
        amount_fen=amount_fen,
        app_id="",
        status="paid",
        notify_id=reference,
    )
    result = _apply(
        order, note, {"source": "statement", "reference": reference}, actor=actor, kind="reconcile"
    )
    return result.outcome == "applied"


def _receipt_issue(order: PaymentOrder, *, now: datetime.datetime) -> Receipt:
    case = order.case
    person = case.applicant_person
    payer = person.name if person is not None else ""
    number = f"R{now:%Y%m%d}{order.pk:08d}"
    receipt, _created = Receipt.objects.get_or_create(
        order=order,
        defaults={
            "number": number,
            "payer": payer,
            "amount_fen": order.amount_fen,
            "issued_at": now,
        },
    )
    return receipt


def refund_create(
    *,
    actor: Actor,
    order_id: int,
    amount_fen: int,
    reason: str,
    request_no: str,
    captured_fen: int | None = None,
) -> Refund:
    """Refund (part of) a paid order through the gateway. ``request_no`` makes it idempotent:
    the same number never refunds twice. ``captured_fen``: the gateway's statement shows it
    took this much for an order closed here; up to that much may go back (the order stays
    closed)."""
    refused = False
    with transaction.atomic(durable=True):
        order = PaymentOrder.objects.select_for_update().get(pk=order_id)
        out_request_no = f"{order.out_trade_no}-R{request_no}"[:64]
        existing = Refund.objects.filter(out_request_no=out_request_no).first()
        if existing and existing.status == Refund.Status.SUCCEEDED:
            return existing
        paid_here = order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.REFUNDED)
        closed_but_taken = order.status == PaymentOrder.Status.CLOSED and captured_fen is not None
        ceiling = order.amount_fen if paid_here else (captured_fen or 0)
        if not (paid_here or closed_but_taken) or (
            amount_fen <= 0 or order.refunded_fen + amount_fen > ceiling
        ):
            # The refusal's audit row commits; the error is raised after the transaction.
            audit_record(
                actor=actor,
                action=audit_events.REFUND_CREATE,
                target=order,
                outcome=Outcome.DENIED,
                changes={"amount_fen": amount_fen, "status": order.status},
            )
            refused = True
        else:
            refund = existing or Refund.objects.create(
                order=order,
                out_request_no=out_request_no,
                amount_fen=amount_fen,
                reason=reason[:200],
            )
    if refused:
        raise PaymentError("refund not allowed")
    try:
        result = get_gateway(order.gateway).refund(
            RefundRequest(
                out_trade_no=order.out_trade_no,
                out_request_no=out_request_no,
                amount_fen=amount_fen,
                reason=reason,
            )
        )
        ok, message = result.succeeded, result.message
    except (GatewayError, SignatureInvalid) as exc:
        ok, message = False, str(exc)
    with transaction.atomic(durable=True):
        order = PaymentOrder.objects.select_for_update().get(pk=order_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if ok and refund.status != Refund.Status.SUCCEEDED:
            refund.status = Refund.Status.SUCCEEDED
            refund.completed_at = timezone.now()
            refund.save(update_fields=["status", "completed_at"])
            order.refunded_fen += amount_fen
            if order.status == PaymentOrder.Status.PAID and order.refunded_fen >= order.amount_fen:
                order.status = PaymentOrder.Status.REFUNDED  # a closed order stays closed
            order.save(update_fields=["refunded_fen", "status"])
        elif not ok:
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status"])
        PaymentEvent.objects.create(
            order=order,
            gateway=order.gateway,
            kind="refund",
            outcome="applied" if ok else "failed",
            reason=message[:200],
        )
        audit_record(
            actor=actor,
            action=audit_events.REFUND_CREATE,
            target=order,
            outcome=Outcome.OK if ok else Outcome.FAILED,
            changes={
                "amount_fen": amount_fen,
                "out_request_no": out_request_no,
                "message": message,
            },
        )
    return refund


def paid_cases_resume(*, within_days: int = 7) -> int:
    """Safety net for a lost hand-off: open cases whose fee is paid but whose run still waits
    at ``payments.await`` (``cases.selectors.cases_awaiting_payment``) are advanced again.
    Returns how many were enqueued."""
    from onewindow.cases.selectors import cases_awaiting_payment
    from onewindow.cases.services import case_advance_enqueue

    since = timezone.now() - datetime.timedelta(days=within_days)
    count = 0
    orders = list(
        PaymentOrder.objects.filter(status=PaymentOrder.Status.PAID, paid_at__gte=since).only(
            "pk", "case_id"
        )
    )
    waiting = cases_awaiting_payment(case_ids=[order.case_id for order in orders])
    for order in orders:
        if order.case_id in waiting:
            with transaction.atomic():
                case_advance_enqueue(case_id=order.case_id)
            count += 1
    return count
