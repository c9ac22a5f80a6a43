"""Writes of courier delivery: addresses, shipments booked from a case, tracking updates."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.delivery.couriers import ShipmentRequest, courier
from onewindow.delivery.models import Address, Shipment, TrackingEvent


def _phone(value: str, field: str) -> str:
    return normalize_phone(value, field=field)


@transaction.atomic
def address_create(
    *, user: Any, recipient: str, phone: str, detail: str, region_code: str = ""
) -> Address:
    recipient, detail = recipient.strip(), detail.strip()
    if not recipient:
        raise ValidationFailed(_("请填写收件人。"), field="recipient")
    if len(detail) < 5:
        raise ValidationFailed(_("请填写详细地址。"), field="detail")
    address = Address.objects.create(
        owner=user,
        recipient=recipient[:64],
        phone=_phone(phone, "phone"),
        detail=detail[:200],
        region_code=region_code[:6],
    )
    audit_record(actor=Actor.from_user(user), action="delivery.address.create", target=address)
    return address


@transaction.atomic
def shipment_create(
    *,
    actor: Actor,
    key: str,
    recipient: str,
    phone: str,
    address: str,
    contents: str,
    case_number: str = "",
    owner: Any = None,
    now: datetime.datetime | None = None,
) -> Shipment:
    """Book a shipment with the courier; the same ``key`` again returns the same shipment."""
    existing = Shipment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if not recipient.strip() or len(address.strip()) < 2:
        raise ValidationFailed(_("收件信息不完整。"), field="address")
    phone = _phone(phone, "phone")
    provider = courier()
    request = ShipmentRequest(
        key=key, recipient=recipient, phone=phone, address=address, contents=contents
    )
    tracking_no = provider.create(request)
    shipment = Shipment.objects.create(
        tracking_no=tracking_no,
        idempotency_key=key[:128],
        carrier=provider.name,
        case_number=case_number,
        owner=owner,
        recipient=recipient[:64],
        phone=phone,
        address=address[:200],
        contents=contents[:100],
        created_at=now or timezone.now(),
    )
    TrackingEvent.objects.create(
        shipment=shipment, at=shipment.created_at, status="created", description="已下单，等待揽收"
    )
    audit_record(
        actor=actor,
        action="delivery.shipment.create",
        target=shipment,
        changes={"case": case_number, "tracking_no": tracking_no},
    )
    return shipment


@transaction.atomic
def shipment_refresh(*, shipment_id: int, now: datetime.datetime | None = None) -> int:
    """Fetch the courier's tracking events and store the new ones; returns how many."""
    now = now or timezone.now()
    shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
    if shipment is None or shipment.is_final:
        return 0
    updates = courier().track(shipment.tracking_no, created_at=shipment.created_at, now=now)
    known = set(shipment.events.values_list("status", "at"))
    added = 0
    for update in updates:
        if (update.status, update.at) in known:
            continue
        TrackingEvent.objects.create(
            shipment=shipment,
            at=update.at,
            status=update.status,
            description=update.description,
            location=update.location,
        )
        added += 1
    if added:
        before = shipment.status
        shipment.status = updates[-1].status
        shipment.attempts = sum(1 for u in updates if u.status == "failed")
        shipment.save(update_fields=["status", "attempts", "updated_at"])
        audit_record(
            actor=Actor.system("courier"),
            action="delivery.shipment.track",
            target=shipment,
            changes={"status": [before, shipment.status]},
        )
    return added


def shipments_advance(*, now: datetime.datetime | None = None) -> int:
    """Refresh every shipment still under way (the beat task)."""
    total = 0
    open_ids = Shipment.objects.exclude(status__in=list(Shipment.FINAL)).values_list(
        "pk", flat=True
    )
    for pk in list(open_ids):
        total += shipment_refresh(shipment_id=pk, now=now)
    return total
