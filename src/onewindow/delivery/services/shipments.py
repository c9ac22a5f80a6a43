"""Booking shipments with the courier, cancelling them, and polling for tracking events."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.delivery import audit_events
from onewindow.delivery.conf import courier, poll_quiet_seconds
from onewindow.delivery.home_changes import shipments_home_changed
from onewindow.delivery.models import Shipment, TrackingEvent
from onewindow.delivery.providers.base import CourierError, Party, ShipmentRequest
from onewindow.delivery.services._common import order_id_for, track_ref
from onewindow.delivery.services.tracking import tracking_apply
from onewindow.delivery.windows import window_party

if TYPE_CHECKING:
    from onewindow.identity.models import Department, User

logger = logging.getLogger("onewindow.delivery")


class CourierUnavailable(Conflict):
    code = "courier_unavailable"


def _party(name: str, phone: str, address: str, region: str, *, field: str) -> Party:
    name, address = (name or "").strip(), (address or "").strip()
    if not name or len(address) < 2:
        raise ValidationFailed(_("收件信息不完整。"), field="address")
    return Party(name[:64], normalize_phone(phone, field=field), address[:200], region[:6])


@dataclass(frozen=True, kw_only=True)
class ShipmentSpec:
    """What to book with the courier. ``key`` makes booking idempotent. A mail-out
    (``Kind.DELIVER``) goes from the department's window (or ``sender``) to ``recipient`` at
    ``address`` (``phone`` a mobile); a pickup (``Kind.PICKUP``) goes from ``sender`` to the
    department's window, within ``pickup_from``–``pickup_until``. ``previous``: the shipment
    this one follows up (a re-shipment to a corrected address)."""

    key: str
    contents: str
    kind: str = Shipment.Kind.DELIVER
    recipient: str = ""
    phone: str = ""
    address: str = ""
    region_code: str = ""
    sender: Party | None = None
    case_number: str = ""
    case_id: int | None = None
    owner: User | None = None
    department: Department | None = None
    pickup_from: datetime.datetime | None = None
    pickup_until: datetime.datetime | None = None
    previous: Shipment | None = None


@transaction.atomic
def shipment_create(
    *, actor: Actor, spec: ShipmentSpec, now: datetime.datetime | None = None
) -> Shipment:
    """Book a shipment with the courier; the same ``spec.key`` again returns the same
    shipment.

    A mail-out goes from the department's window to the addressee (whose mobile is checked);
    a pickup goes from the resident (``sender``, mobile checked) to the department's window."""
    key = spec.key[:128]
    existing = Shipment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    window = window_party(spec.department)
    if spec.kind == Shipment.Kind.PICKUP:
        sender = spec.sender
        if sender is None:
            raise ValidationFailed(_("请选择取件地址。"), field="address")
        origin = _party(
            sender.name, sender.phone, sender.address, sender.region_code, field="phone"
        )
        destination = window
    else:
        origin = spec.sender or window
        destination = _party(
            spec.recipient, spec.phone, spec.address, spec.region_code, field="phone"
        )
    order_id = order_id_for(key)
    provider = courier()
    try:
        tracking_no = provider.create(
            ShipmentRequest(
                key=key,
                order_id=order_id,
                sender=origin,
                recipient=destination,
                contents=spec.contents,
                pickup_from=spec.pickup_from,
                pickup_until=spec.pickup_until,
            )
        )
    except CourierError as exc:
        logger.warning("courier %s refused booking %s: %s", provider.name, order_id, exc)
        raise CourierUnavailable(_("快递公司暂时无法受理，请稍后再试。")) from exc
    at = now or timezone.now()
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                tracking_no=tracking_no,
                idempotency_key=key,
                order_id=order_id,
                carrier=provider.name,
                kind=spec.kind,
                case_id=spec.case_id,
                case_number=spec.case_number,
                department=spec.department,
                owner=spec.owner,
                recipient=destination.name,
                phone=destination.phone,
                address=destination.address,
                region_code=destination.region_code,
                sender_name=origin.name,
                sender_phone=origin.phone,
                sender_address=origin.address,
                contents=spec.contents[:100],
                pickup_from=spec.pickup_from,
                pickup_until=spec.pickup_until,
                previous=spec.previous,
                created_at=at,
            )
    except IntegrityError:  # the same key booked at the same moment by another worker
        return Shipment.objects.get(idempotency_key=key)
    text = (
        "已预约上门取件，等待快递员上门"
        if spec.kind == Shipment.Kind.PICKUP
        else "已下单，等待揽收"
    )
    TrackingEvent.objects.create(
        shipment=shipment,
        at=at,
        status=Shipment.Status.CREATED,
        description=text,
        source=TrackingEvent.Source.SYSTEM,
    )
    audit_record(
        actor=actor,
        action=audit_events.SHIPMENT_CREATE,
        target=shipment,
        changes={
            "case": spec.case_number,
            "kind": spec.kind,
            "tracking_no": tracking_no,
            "carrier": provider.name,
            "previous": spec.previous.tracking_no if spec.previous else "",
        },
    )
    return shipment


def courier_cancel(shipment: Shipment) -> None:
    """Cancel the order with the courier (before collection). Raises ``Conflict`` if the
    courier refuses (it has collected the parcel) or cannot be reached."""
    try:
        courier(shipment.carrier).cancel(track_ref(shipment))
    except CourierError as exc:
        logger.warning("courier refused to cancel %s: %s", shipment.tracking_no, exc)
        raise Conflict(
            _("快递员已取件或快递公司暂时无法取消，请稍后刷新查看。"), code="not_cancellable"
        ) from exc


def shipment_mark_cancelled(shipment: Shipment, *, note: str) -> None:
    """Inside the caller's transaction: the shipment is cancelled (final)."""
    at = timezone.now()
    Shipment.objects.filter(pk=shipment.pk).update(status=Shipment.Status.CANCELLED, updated_at=at)
    shipments_home_changed(shipment_ids=[shipment.pk])
    TrackingEvent.objects.get_or_create(
        shipment=shipment,
        status=Shipment.Status.CANCELLED,
        at=at,
        defaults={"description": note[:200], "source": TrackingEvent.Source.SYSTEM},
    )
    shipment.status = Shipment.Status.CANCELLED


def shipment_refresh(*, shipment_id: int, now: datetime.datetime | None = None) -> int:
    """Ask the courier for the shipment's route and store the new events; returns how many.
    The courier is called outside any transaction; the update then locks the shipment."""
    now = now or timezone.now()
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None or shipment.is_final:
        return 0
    try:
        updates = courier(shipment.carrier).track(track_ref(shipment), now=now)
    except (CourierError, LookupError) as exc:
        logger.warning("tracking %s failed: %s", shipment.tracking_no, exc)
        return 0
    Shipment.objects.filter(pk=shipment_id).update(last_polled_at=timezone.now())
    return tracking_apply(shipment_id=shipment_id, updates=updates, source="poll")


def shipments_advance(*, now: datetime.datetime | None = None) -> int:
    """The beat task (every 60 s): apply route pushes a worker has not applied yet, then poll
    the open shipments — all of them for a courier that does not push, and for one that does
    only those it has been quiet about for ``DELIVERY_POLL_QUIET_SECONDS``."""
    from onewindow.delivery.services.pushes import pushes_apply_stale

    total = pushes_apply_stale()
    quiet_since = timezone.now() - datetime.timedelta(seconds=poll_quiet_seconds())
    open_rows = Shipment.objects.exclude(status__in=list(Shipment.FINAL)).values_list(
        "pk", "carrier", "updated_at", "last_polled_at"
    )
    pushing: dict[str, bool | None] = {}  # None: a carrier this platform does not know
    for pk, carrier, updated_at, polled_at in list(open_rows):
        if carrier not in pushing:
            try:
                pushing[carrier] = courier(carrier).pushes
            except LookupError:
                pushing[carrier] = None
                logger.warning("shipment %s has unknown carrier %r", pk, carrier)
        if pushing[carrier] is None:
            continue  # an unknown carrier is never polled
        if pushing[carrier] and (
            updated_at > quiet_since or (polled_at is not None and polled_at > quiet_since)
        ):
            continue
        total += shipment_refresh(shipment_id=pk, now=now)
    return total
