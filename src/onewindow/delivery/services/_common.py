"""Helpers shared by the delivery use cases: keys, telling the resident and the case (the
windows are ``delivery.windows``)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.delivery.models import Shipment
from onewindow.delivery.providers.base import TrackRef

logger = logging.getLogger("onewindow.delivery")

KEY_MAX = 128


def child_key(key: str, suffix: str) -> str:
    """The idempotency key of a shipment that follows ``key`` (a re-shipment, a rebooking)."""
    out = f"{key}#{suffix}"
    if len(out) <= KEY_MAX:
        return out
    return f"h{hashlib.sha256(key.encode()).hexdigest()[:40]}#{suffix}"[:KEY_MAX]


def order_id_for(key: str) -> str:
    """Our order id at the courier (SF ``orderId``, at most 64 characters): stable per key, so
    a retried booking is recognised as the same order."""
    return "OW" + hashlib.sha256(key.encode()).hexdigest()[:30].upper()


def track_ref(shipment: Shipment) -> TrackRef:
    phone = shipment.phone or ""
    return TrackRef(
        tracking_no=shipment.tracking_no,
        order_id=shipment.order_id,
        created_at=shipment.created_at,
        kind=shipment.kind,
        phone_tail=phone[-4:],
    )


def resident_phone(shipment: Shipment) -> str:
    """Whom to text about a shipment: the addressee of a mail-out, the sender of a pickup."""
    return (
        shipment.sender_phone if shipment.kind == Shipment.Kind.PICKUP else shipment.phone
    ) or ""


def tell_resident(shipment: Shipment, text: str) -> None:
    """Queue an SMS (a notify row, sent after commit) to the resident about the shipment."""
    from onewindow.audit.services import Actor
    from onewindow.notify.services import sms_send

    phone = resident_phone(shipment)
    if not phone:
        return
    try:
        if shipment.case_number:
            sms_send(
                phone=phone,
                template="case_update",
                params={"case_no": shipment.case_number, "status": text},
                actor=Actor.system("delivery"),
            )
        else:
            sms_send(
                phone=phone,
                template="notice",
                params={"text": f"{_('运单')}{shipment.tracking_no}：{text}"},
                actor=Actor.system("delivery"),
            )
    except Exception:  # a phone the SMS gateway refuses must not undo the tracking update
        logger.exception("delivery: could not queue the SMS for shipment %s", shipment.pk)


def note_case(
    shipment: Shipment, *, kind: str, message: str, data: dict[str, Any] | None = None
) -> None:
    """Add an entry to the case's timeline (inside the caller's transaction)."""
    from onewindow.cases.services import case_timeline_note

    case_id = shipment.case_id or _case_id(shipment.case_number)
    if case_id is None:
        return
    with transaction.atomic():
        case_timeline_note(
            case_id=case_id,
            kind=kind,
            message=message,
            data={"tracking_no": shipment.tracking_no, **(data or {})},
        )


def _case_id(number: str) -> int | None:
    if not number:
        return None
    from onewindow.cases.selectors import case_id_for_number

    return case_id_for_number(number=number)
