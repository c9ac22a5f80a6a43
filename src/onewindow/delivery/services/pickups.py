"""上门取件: a courier collects a case's paper originals from the resident and carries them to
the department's window. Offered for a case whose service lists a material with
``original: true``; booked from an address book entry and a time window."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from onewindow.core.text import zh_text
from onewindow.delivery import audit_events
from onewindow.delivery.models import Address, Shipment
from onewindow.delivery.providers.base import Party
from onewindow.delivery.services._common import note_case
from onewindow.delivery.services.shipments import (
    ShipmentSpec,
    courier_cancel,
    shipment_create,
    shipment_mark_cancelled,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User

# Daily windows a courier can come in (local time), how far ahead, and the notice it needs.
WINDOWS = ((9, 12), (14, 18))
DAYS_AHEAD = 6
NOTICE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class PickupWindow:
    start: datetime.datetime
    end: datetime.datetime

    @property
    def value(self) -> str:
        return self.start.strftime("%Y-%m-%dT%H")


def pickup_windows(now: datetime.datetime | None = None) -> list[PickupWindow]:
    now = timezone.localtime(now or timezone.now())
    out = []
    for offset in range(DAYS_AHEAD + 1):
        day = (now + datetime.timedelta(days=offset)).date()
        for begin, end in WINDOWS:
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(begin)))
            if start - NOTICE >= now:
                finish = timezone.make_aware(datetime.datetime.combine(day, datetime.time(end)))
                out.append(PickupWindow(start, finish))
    return out


def paper_originals(case: Any) -> list[str]:
    """Names of the case's materials the service wants as paper originals."""
    definition = getattr(case.service_version, "definition", None) or {}
    names = []
    for item in definition.get("materials") or []:
        if item.get("original"):
            names.append(zh_text(item.get("name"), default=str(item.get("code") or "")))
    return names


def open_pickup(case: Any) -> Shipment | None:
    return (
        Shipment.objects.filter(case_id=case.pk, kind=Shipment.Kind.PICKUP)
        .exclude(status=Shipment.Status.CANCELLED)
        .order_by("-created_at")
        .first()
    )


def pickup_offered(case: Any) -> bool:
    return bool(case.is_open and paper_originals(case) and open_pickup(case) is None)


@transaction.atomic(durable=True)
def pickup_book(
    *,
    user: User,
    case: Any,
    address_id: int | None,
    window: str,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Shipment:
    """Book the pickup (``window`` is a ``PickupWindow.value``). Booking again while one is
    booked returns that one."""
    actor = actor or Actor.from_user(user)
    names = paper_originals(case)
    if not names:
        raise Conflict(gettext_lazy("本事项不需要提交纸质原件。"), code="no_originals")
    if not case.is_open:
        raise Conflict(gettext_lazy("办件已办结或撤回，无需再寄送材料。"), code="case_closed")
    booked = open_pickup(case)
    if booked is not None:
        return booked
    errors: list[FieldError] = []
    address = Address.objects.filter(pk=address_id or 0, owner=user).first()
    if address is None:
        errors.append(FieldError("required", gettext_lazy("请选择取件地址。"), "address"))
    chosen = next((w for w in pickup_windows(now) if w.value == window), None)
    if chosen is None:
        errors.append(FieldError("invalid", gettext_lazy("请选择可预约的取件时间。"), "window"))
    if errors or address is None or chosen is None:
        raise ValidationFailed(errors[0].message, field=errors[0].field, errors=errors)
    earlier = Shipment.objects.filter(case_id=case.pk, kind=Shipment.Kind.PICKUP).count()
    service = case.service_version.service
    shipment = shipment_create(
        actor=actor,
        spec=ShipmentSpec(
            key=f"pickup:{case.pk}:{earlier + 1}",
            kind=Shipment.Kind.PICKUP,
            sender=Party(
                address.recipient, address.phone, address.full_address, address.region_code
            ),
            contents=(_("纸质材料：") + "、".join(names))[:100],
            case_number=case.number or "",
            case_id=case.pk,
            owner=user,
            department=service.department,
            pickup_from=chosen.start,
            pickup_until=chosen.end,
        ),
    )
    note_case(
        shipment,
        kind="delivery_pickup",
        message=_("已预约上门取件：%(start)s–%(end)s，运单号 %(no)s。")
        % {
            "start": timezone.localtime(chosen.start).strftime("%m-%d %H:%M"),
            "end": timezone.localtime(chosen.end).strftime("%H:%M"),
            "no": shipment.tracking_no,
        },
    )
    audit_record(
        actor=actor,
        action=audit_events.PICKUP_BOOK,
        target=shipment,
        changes={"case": case.number, "window": chosen.value},
    )
    return shipment


@transaction.atomic(durable=True)
def pickup_cancel(*, user: User, tracking_no: str, actor: Actor | None = None) -> Shipment:
    """Cancel a booked pickup before the courier has come (again: no change)."""
    shipment = (
        Shipment.objects.select_for_update()
        .filter(tracking_no=tracking_no, owner=user, kind=Shipment.Kind.PICKUP)
        .first()
    )
    if shipment is None:
        raise NotFound(gettext_lazy("没有找到这个快件。"))
    if shipment.status == Shipment.Status.CANCELLED:
        return shipment
    if shipment.status != Shipment.Status.CREATED:
        raise Conflict(gettext_lazy("快递员已取件，不能取消。"), code="collected")
    courier_cancel(shipment)
    shipment_mark_cancelled(shipment, note=_("已取消上门取件"))
    note_case(shipment, kind="delivery_pickup", message=_("已取消上门取件。"))
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.PICKUP_CANCEL,
        target=shipment,
        changes={"status": "cancelled"},
    )
    return shipment
