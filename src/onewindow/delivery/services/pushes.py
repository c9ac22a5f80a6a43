"""Route pushes from the courier. A push is hostile until its signature checks out: a refused
one is logged and audited (outcome ``denied``) and changes nothing. An accepted one is stored
as a row and answered at once; a worker applies it after commit (``push_apply``), and the
beat applies any a lost task left behind."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.delivery import audit_events
from onewindow.delivery.conf import courier
from onewindow.delivery.models import CourierPush, Shipment
from onewindow.delivery.providers.base import SignatureInvalid, TrackingUpdate
from onewindow.delivery.services.tracking import tracking_apply

logger = logging.getLogger("onewindow.delivery")
STALE_SECONDS = 30


@dataclass(frozen=True)
class PushResult:
    accepted: bool  # answer "0000" (also for a repeated push)
    outcome: str  # stored / duplicate / denied
    reason: str = ""
    push_id: int | None = None


def _enqueue(push_id: int) -> None:
    from onewindow.delivery.tasks import delivery_push_apply

    delivery_push_apply.delay(push_id)


@transaction.atomic(durable=True)
def push_receive(*, carrier: str, params: Mapping[str, str], ip: str = "") -> PushResult:
    """One route push as posted by the courier: verify, store, answer."""
    try:
        provider = courier(carrier)
        receipt = provider.verify_push(params)
    except (LookupError, SignatureInvalid) as exc:
        reason = f"{type(exc).__name__}: {exc}"[:200]
        audit_record(
            actor=Actor(id=None, kind="system", label=f"courier:{carrier}"[:150], ip=ip),
            action=audit_events.PUSH_REFUSE,
            target_type="delivery.courierpush",
            target_id="",
            outcome=Outcome.DENIED,
            changes={"carrier": carrier, "reason": reason},
        )
        logger.warning("courier push refused (%s from %s): %s", carrier, ip or "?", reason)
        return PushResult(False, "denied", reason)
    if (
        receipt.request_id
        and CourierPush.objects.filter(carrier=carrier, request_id=receipt.request_id).exists()
    ):
        return PushResult(True, "duplicate")
    push = CourierPush.objects.create(
        carrier=carrier, request_id=receipt.request_id, body=receipt.body
    )
    push_id = push.pk
    transaction.on_commit(lambda: _enqueue(push_id))
    audit_record(
        actor=Actor(id=None, kind="system", label=f"courier:{carrier}", ip=ip),
        action=audit_events.PUSH_RECEIVE,
        target=push,
        changes={"routes": len(receipt.routes), "request_id": receipt.request_id},
    )
    return PushResult(True, "stored", push_id=push_id)


@transaction.atomic(durable=True)
def push_apply(*, push_id: int) -> int:
    """Apply a stored push: each route to its shipment (matched by waybill or order id of the
    same carrier). Returns how many events were new; a push is applied once."""
    push = (
        CourierPush.objects.select_for_update()
        .filter(pk=push_id, status=CourierPush.Status.PENDING)
        .first()
    )
    if push is None:
        return 0
    routes = courier(push.carrier).parse_push(push.body)
    grouped: dict[tuple[str, str], list[TrackingUpdate]] = defaultdict(list)
    for route in routes:
        grouped[(route.tracking_no, route.order_id)].append(route.update)
    added, unknown = 0, []
    for (tracking_no, order_id), updates in grouped.items():
        match = Q(tracking_no=tracking_no) if tracking_no else Q(pk__in=[])
        if order_id:
            match |= Q(order_id=order_id)
        shipment_id = (
            Shipment.objects.filter(match, carrier=push.carrier)
            .values_list("pk", flat=True)
            .first()
        )
        if shipment_id is None:
            unknown.append(tracking_no or order_id)
            continue
        added += tracking_apply(shipment_id=shipment_id, updates=updates, source="push")
    push.status = CourierPush.Status.APPLIED if added or not unknown else CourierPush.Status.IGNORED
    push.events_added = added
    push.note = (f"unknown waybills: {', '.join(unknown)}" if unknown else "")[:200]
    push.processed_at = timezone.now()
    push.save(update_fields=["status", "events_added", "note", "processed_at"])
    if unknown:
        logger.info("courier push %s names unknown waybills %s", push.pk, unknown)
    audit_record(
        actor=Actor.system(f"courier:{push.carrier}"),
        action=audit_events.PUSH_APPLY,
        target=push,
        changes={"added": added, "unknown": len(unknown)},
    )
    return added


def pushes_apply_stale(*, older_than: int = STALE_SECONDS) -> int:
    """Apply pushes still pending ``older_than`` seconds after they arrived (a lost task)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
    ids = list(
        CourierPush.objects.filter(status=CourierPush.Status.PENDING, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(push_apply(push_id=pk) for pk in ids)
