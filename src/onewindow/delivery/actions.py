"""The ``delivery.ship`` action: book the courier for a case's outcome, addressed from the
form (``mail_address``, ``recipient_phone``; the applicant's name as recipient)."""

from __future__ import annotations

from typing import Any

from onewindow.audit.services import Actor
from onewindow.delivery.services import shipment_create
from onewindow.identity.models import Person


def ship_from_case(ctx: Any) -> dict[str, Any]:
    data = ctx.data
    person_id = ctx.context.get("applicant_person_id")
    person = Person.objects.filter(pk=person_id).select_related("user").first()
    recipient = str(
        data.get("recipient_name") or data.get("name") or (person.name if person else "")
    )
    phone = str(data.get("recipient_phone") or data.get("phone") or "")
    address = str(data.get("mail_address") or data.get("address") or "").strip()
    if not address:  # collected at the counter: nothing to mail
        return {"delivery": {"tracking_no": "", "status": "pickup"}}
    if person is not None and person.phone:
        phone = phone or str(person.phone)
    shipment = shipment_create(
        actor=Actor.system("delivery"),
        key=ctx.key,
        recipient=recipient or "申请人",
        phone=phone,
        address=address,
        contents=str(ctx.params.get("contents") or "办理结果"),
        case_number=str(ctx.context.get("case_number") or ""),
        owner=person.user if person else None,
    )
    return {"delivery": {"tracking_no": shipment.tracking_no, "status": "shipped"}}
