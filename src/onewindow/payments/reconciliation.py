"""Writes of reconciliation (对账): compare a day's orders and refunds with the gateway's
statement, keep every run, flag each difference once, and let finance staff resolve a
difference with a note or a refund through the gateway.

Kinds of difference (``Mismatch.Kind``):

- ``missing_there`` — paid here that day, no payment line on the gateway's statement;
- ``unknown_here`` — a payment line for an order we do not have;
- ``amount`` — both have the payment, the amounts differ;
- ``status`` — both know the order but disagree on its state: the gateway took the money for an
  order that is not paid here (a lost or refused notification, or a closed order), or a
  refund is on one side only.

A difference a later run no longer finds is closed as ``cleared``; one closed that way and
found again is reopened. A difference staff resolved stays resolved.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.payments import audit_events
from onewindow.payments.conf import gateway as get_gateway
from onewindow.payments.models import (
    Mismatch,
    PaymentOrder,
    ReconciliationRun,
    Refund,
)
from onewindow.payments.providers.base import (
    GatewayError,
    PaymentGateway,
    SignatureInvalid,
    StatementLine,
    fen_to_yuan,
)
from onewindow.payments.selectors import (
    SETTLED,
    captured_for_closed,
    mismatch_order,
    paid_there_open_here,
    refund_suggestion,
    refundable_fen,
)
from onewindow.payments.services import PaymentError, payment_apply_from_statement, refund_create

if TYPE_CHECKING:
    from onewindow.identity.models import User

RECONCILE_PERMISSION = "payments.reconcile_payments"
NOTE_MAX = 500
LATE_NOTIFICATION = datetime.timedelta(minutes=15)
Found = dict[tuple[str, str], dict[str, Any]]


def _day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _compare(day: datetime.date, gw: PaymentGateway) -> tuple[Found, int, int]:
    """(differences by (kind, out_trade_no), statement lines, orders paid here that day)."""
    statement = gw.statement(day)
    pays = {line.out_trade_no: line for line in statement if line.kind == "pay"}
    refunded_there = {line.out_trade_no for line in statement if line.kind == "refund"}
    start, end = _day_range(day)
    here = {
        o.out_trade_no: o
        for o in PaymentOrder.objects.filter(
            gateway=gw.name, paid_at__gte=start, paid_at__lt=end, status__in=SETTLED
        )
    }
    found: Found = {}
    late = _booked_the_day_before(gw, day, [o for no, o in here.items() if no not in pays])
    for no, order in here.items():
        line = pays.get(no) or late.get(no)
        if line is None:
            found[(Mismatch.Kind.MISSING_THERE, no)] = {
                "here_fen": order.amount_fen,
                "here_status": order.status,
            }
        elif line.amount_fen != order.amount_fen:
            found[(Mismatch.Kind.AMOUNT, no)] = _amounts(order, line)
    others = PaymentOrder.objects.filter(gateway=gw.name, out_trade_no__in=set(pays) - set(here))
    known = {o.out_trade_no: o for o in others}
    for no, line in pays.items():
        other = known.get(no)
        if no in here:
            continue
        if other is None:
            found[(Mismatch.Kind.UNKNOWN_HERE, no)] = {
                "there_fen": line.amount_fen,
                "trade_no": line.trade_no,
            }
        elif other.status not in SETTLED:
            found[(Mismatch.Kind.STATUS, no)] = {
                "here_status": other.status,
                "there_status": "paid",
                "here_fen": other.amount_fen,
                "there_fen": line.amount_fen,
                "trade_no": line.trade_no,
            }
        elif line.amount_fen != other.amount_fen:  # paid here on another day
            found[(Mismatch.Kind.AMOUNT, no)] = _amounts(other, line)
    _compare_refunds(gw, start, end, refunded_there, found)
    return found, len(statement), len(here)


def _booked_the_day_before(
    gw: PaymentGateway, day: datetime.date, missing: list[PaymentOrder]
) -> dict[str, StatementLine]:
    """Orders credited here just after midnight may have been paid just before it: the
    notification arrives after the gateway booked the payment. Those are looked up in the
    previous day's statement (fetched only when there are such orders)."""
    start, _end = _day_range(day)
    if not any(o.paid_at and o.paid_at - start < LATE_NOTIFICATION for o in missing):
        return {}
    previous = gw.statement(day - datetime.timedelta(days=1))
    return {line.out_trade_no: line for line in previous if line.kind == "pay"}


def _amounts(order: PaymentOrder, line: StatementLine) -> dict[str, Any]:
    return {"here_fen": order.amount_fen, "there_fen": line.amount_fen, "here_status": order.status}


def _compare_refunds(
    gw: PaymentGateway,
    start: datetime.datetime,
    end: datetime.datetime,
    refunded_there: set[str],
    found: Found,
) -> None:
    refunded_here = dict(
        Refund.objects.filter(
            order__gateway=gw.name,
            status=Refund.Status.SUCCEEDED,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .values("order__out_trade_no")
        .annotate(total=Sum("amount_fen"))
        .values_list("order__out_trade_no", "total")
    )
    states = dict(
        PaymentOrder.objects.filter(
            gateway=gw.name, out_trade_no__in=refunded_there - set(refunded_here)
        ).values_list("out_trade_no", "status")
    )
    for no in sorted(refunded_there - set(refunded_here)):
        found.setdefault(
            (Mismatch.Kind.STATUS, no),
            {"here_status": states.get(no, ""), "there_status": "refunded"},
        )
    for no, total in sorted(refunded_here.items()):
        if no not in refunded_there:
            found.setdefault(
                (Mismatch.Kind.STATUS, no),
                {"here_status": "refunded", "there_status": "no_refund", "refunded_fen": total},
            )


def reconcile_run(
    *,
    day: datetime.date,
    gateway: str | None = None,
    user: User | None = None,
    actor: Actor | None = None,
) -> ReconciliationRun:
    """Reconcile one day with one gateway (the configured one by default) and record the run.
    A gateway that cannot be reached or answers unsigned is a failed run, not an exception."""
    actor = actor or Actor.system("payments.reconcile")
    started = timezone.now()
    name = gateway or ""
    try:
        gw = get_gateway(gateway)
        name = gw.name
        found, lines, orders = _compare(day, gw)
    except (
        GatewayError,
        SignatureInvalid,
        LookupError,
        ValueError,
        ImproperlyConfigured,
    ) as exc:
        return _failed_run(
            day=day, gateway=name or "?", started=started, user=user, actor=actor, error=exc
        )
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            day=day,
            gateway=name,
            started_at=started,
            started_by=user,
            status=ReconciliationRun.Status.OK,
            statement_lines=lines,
            orders=orders,
            mismatches=len(found),
        )
        seen = [_flag(run, kind, no, detail) for (kind, no), detail in sorted(found.items())]
        run.cleared = (
            Mismatch.objects.filter(day=day, gateway=name, status=Mismatch.Status.OPEN)
            .exclude(pk__in=seen)
            .update(
                status=Mismatch.Status.RESOLVED,
                resolution=Mismatch.Resolution.CLEARED,
                resolved_at=timezone.now(),
                resolved_by=None,
            )
        )
        run.finished_at = timezone.now()
        run.save(update_fields=["cleared", "finished_at"])
        audit_record(
            actor=actor,
            action=audit_events.RECONCILE_RUN,
            target=run,
            changes={
                "day": day.isoformat(),
                "gateway": name,
                "statement_lines": lines,
                "orders": orders,
                "mismatches": len(found),
                "cleared": run.cleared,
            },
        )
    return run


def _flag(run: ReconciliationRun, kind: str, no: str, detail: dict[str, Any]) -> int:
    """Create the difference, or point the existing one at this run (reopening one that a
    previous run had cleared). Returns its id."""
    key = {"day": run.day, "gateway": run.gateway, "kind": kind, "out_trade_no": no}
    try:
        with transaction.atomic():
            row, created = Mismatch.objects.get_or_create(
                **key, defaults={"detail": detail, "last_run": run}
            )
    except IntegrityError:  # a concurrent run made it first
        row, created = Mismatch.objects.get(**key), False
    if not created:
        row.detail, row.last_run = detail, run
        fields = ["detail", "last_run"]
        if row.resolution == Mismatch.Resolution.CLEARED:
            row.status, row.resolution, row.resolved_at = Mismatch.Status.OPEN, "", None
            fields += ["status", "resolution", "resolved_at"]
        row.save(update_fields=fields)
    return row.pk


def _failed_run(
    *,
    day: datetime.date,
    gateway: str,
    started: datetime.datetime,
    user: User | None,
    actor: Actor,
    error: Exception,
) -> ReconciliationRun:
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            day=day,
            gateway=gateway[:32],
            started_at=started,
            finished_at=timezone.now(),
            started_by=user,
            status=ReconciliationRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:300],
        )
        audit_record(
            actor=actor,
            action=audit_events.RECONCILE_RUN,
            target=run,
            outcome=Outcome.FAILED,
            changes={"day": day.isoformat(), "gateway": gateway, "error": run.error},
        )
    return run


def reconcile_day(*, day: datetime.date, gateway: str | None = None) -> list[Mismatch]:
    """The daily job: reconcile and return the differences this run found. A failed run is
    recorded, then raised as ``GatewayError`` so the task shows as failed."""
    run = reconcile_run(day=day, gateway=gateway)
    if run.status == ReconciliationRun.Status.FAILED:
        raise GatewayError(run.error)
    return list(Mismatch.objects.filter(last_run=run))


# --- resolving differences -------------------------------------------------------------------


def _refuse(actor: Actor, action: str, mismatch_id: int) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            target_type="payments.mismatch",
            target_id=str(mismatch_id),
            outcome=Outcome.DENIED,
        )


def mismatch_resolve(*, user: User, mismatch_id: int, note: str, actor: Actor) -> Mismatch:
    """Close an open difference with a note saying what was checked or done (required)."""
    note = " ".join((note or "").split())
    if not note:
        raise ValidationFailed(_("请填写处理说明。"), code="required", field="note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("处理说明不能超过%(n)d个字符。") % {"n": NOTE_MAX}, code="too_long", field="note"
        )
    if not user.has_perm(RECONCILE_PERMISSION):
        _refuse(actor, audit_events.MISMATCH_RESOLVE, mismatch_id)
        raise PermissionDenied(_("您没有处理对账差异的权限。"))
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().filter(pk=mismatch_id).first()
        if mismatch is None:
            raise NotFound(_("对账差异不存在。"))
        if mismatch.status == Mismatch.Status.RESOLVED:
            raise ValidationFailed(_("该差异已处理。"), code="resolved", field="note")
        mismatch.status = Mismatch.Status.RESOLVED
        mismatch.resolution = Mismatch.Resolution.NOTE
        mismatch.resolution_note = note
        mismatch.resolved_by = user
        mismatch.resolved_at = timezone.now()
        mismatch.save(
            update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"]
        )
        audit_record(
            actor=actor,
            action=audit_events.MISMATCH_RESOLVE,
            target=mismatch,
            changes={"status": ["open", "resolved"], "resolution": "note", "note": note},
        )
    return mismatch


def mismatch_refund(
    *, user: User, mismatch_id: int, amount_fen: int, reason: str, actor: Actor
) -> Refund:
    """Refund through the gateway (``services.refund_create``) to settle a difference. One
    refund per difference: a repeated request returns the first. On success the difference
    is resolved with the refund; a failed refund leaves it open."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("请填写退款原因。"), code="required", field="reason")
    if not user.has_perm(RECONCILE_PERMISSION):
        _refuse(actor, audit_events.MISMATCH_REFUND, mismatch_id)
        raise PermissionDenied(_("您没有处理对账差异的权限。"))
    mismatch = Mismatch.objects.filter(pk=mismatch_id).first()
    if mismatch is None:
        raise NotFound(_("对账差异不存在。"))
    order = mismatch_order(mismatch)
    if order is None or (mismatch.refund_id is None and refund_suggestion(mismatch, order) <= 0):
        raise ValidationFailed(_("该差异不能通过退款处理。"), code="not_refundable", field="amount")
    captured = (
        int(mismatch.detail.get("there_fen") or 0) if captured_for_closed(mismatch, order) else None
    )
    left = refundable_fen(mismatch, order)
    if not 0 < amount_fen <= left and mismatch.refund_id is None:
        raise ValidationFailed(
            _("退款金额应大于 0 且不超过可退金额 %(left)s 元。") % {"left": fen_to_yuan(left)},
            code="amount",
            field="amount",
        )
    try:
        refund = refund_create(
            actor=actor,
            order_id=order.pk,
            amount_fen=amount_fen,
            reason=reason,
            request_no=f"M{mismatch.pk}",
            captured_fen=captured,
        )
    except PaymentError:
        raise ValidationFailed(
            _("支付平台不接受该退款，请核对订单状态和金额。"), code="refused", field="amount"
        ) from None
    if refund.status == Refund.Status.SUCCEEDED:
        _resolved_by_refund(user=user, mismatch_id=mismatch.pk, refund=refund, actor=actor)
    return refund


def mismatch_confirm_paid(*, user: User, mismatch_id: int, actor: Actor) -> Mismatch:
    """补单: the statement shows an order paid in full that still waits for its payment here
    (the notification was lost or refused). The payment is applied as the notification would
    have applied it (receipt, the case continues) and the difference resolved, together."""
    if not user.has_perm(RECONCILE_PERMISSION):
        _refuse(actor, audit_events.MISMATCH_CONFIRM_PAID, mismatch_id)
        raise PermissionDenied(_("您没有处理对账差异的权限。"))
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().filter(pk=mismatch_id).first()
        if mismatch is None:
            raise NotFound(_("对账差异不存在。"))
        order = mismatch_order(mismatch)
        if order is None or not paid_there_open_here(mismatch, order):
            raise Conflict(
                _("该差异不能按已缴费处理（订单状态或金额与对账单不符）。"), code="not_open"
            )
        applied = payment_apply_from_statement(
            actor=actor,
            order_id=order.pk,
            trade_no=str(mismatch.detail.get("trade_no") or ""),
            amount_fen=order.amount_fen,
            reference=f"reconcile-{mismatch.pk}",
        )
        if not applied:
            raise Conflict(_("订单状态已变化，请刷新后再处理。"), code="order_changed")
        mismatch.status = Mismatch.Status.RESOLVED
        mismatch.resolution = Mismatch.Resolution.NOTE
        mismatch.resolution_note = str(_("按支付渠道对账单确认已缴费（补单）"))
        mismatch.resolved_by, mismatch.resolved_at = user, timezone.now()
        mismatch.save(
            update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"]
        )
        audit_record(
            actor=actor,
            action=audit_events.MISMATCH_CONFIRM_PAID,
            target=mismatch,
            changes={"status": ["open", "resolved"], "order": order.out_trade_no},
        )
    return mismatch


def _resolved_by_refund(*, user: User, mismatch_id: int, refund: Refund, actor: Actor) -> None:
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().get(pk=mismatch_id)
        if mismatch.status == Mismatch.Status.RESOLVED and mismatch.refund_id == refund.pk:
            return
        mismatch.status = Mismatch.Status.RESOLVED
        mismatch.resolution = Mismatch.Resolution.REFUND
        mismatch.resolution_note = refund.reason
        mismatch.resolved_by, mismatch.resolved_at, mismatch.refund = user, timezone.now(), refund
        mismatch.save(
            update_fields=[
                "status",
                "resolution",
                "resolution_note",
                "resolved_by",
                "resolved_at",
                "refund",
            ]
        )
        audit_record(
            actor=actor,
            action=audit_events.MISMATCH_RESOLVE,
            target=mismatch,
            changes={
                "status": ["open", "resolved"],
                "resolution": "refund",
                "refund": refund.out_request_no,
                "amount_fen": refund.amount_fen,
            },
        )
