"""The ``delivery.ship`` action: book the courier for a case's outcome, addressed from the
form (``mail_address``, ``recipient_phone``; the applicant's name as recipient), sent from the
window of the service's department (which also handles it if it comes back). The case is the
``CaseRef`` in the action's context; its service's package names what the parcel holds."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.core.refs import CaseRef
from onewindow.delivery.services import ShipmentSpec, shipment_create
from onewindow.identity.selectors import person_get


def _version(case: CaseRef | None) -> Any:
    """The service version the case runs under (its package and its service), if known."""
    if case is None:
        return None
    from onewindow.catalog.selectors import service_version_get
    from onewindow.core.errors import NotFound

    try:
        return service_version_get(code=case.service_code, number=case.service_version)
    except NotFound:
        return None


def _contents(version: Any) -> str:
    """What the parcel holds, as the courier's waybill and the resident's page name it: the
    licence the service grants, else the service's decision (not a bare 办理结果)."""
    if version is None:
        return str(_("办理结果文书"))
    outcome = (version.definition or {}).get("outcome") or {}
    if outcome.get("type") == "licence" and outcome.get("licence_type"):
        from onewindow.licences.selectors import licence_type_name

        name = licence_type_name(code=str(outcome["licence_type"]))
        if name:
            return name
    return _("%(service)s决定文书") % {"service": version.service.name}


def ship_from_case(ctx: Any) -> dict[str, Any]:
    data = ctx.data
    person_id = ctx.context.get("applicant_person_id")
    person = person_get(pk=int(person_id)) if person_id else None
    recipient = str(
        data.get("recipient_name") or data.get("name") or (person.name if person else "")
    )
    phone = str(data.get("recipient_phone") or data.get("phone") or "")
    address = str(data.get("mail_address") or data.get("address") or "").strip()
    if not address:  # collected at the counter: nothing to mail
        return {"delivery": {"tracking_no": "", "status": "pickup"}}
    if person is not None and person.phone:
        phone = phone or str(person.phone)
    case_id = ctx.context.get("case_id")
    ref = ctx.context.get("case")
    version = _version(ref if isinstance(ref, CaseRef) else None)
    shipment = shipment_create(
        actor=Actor.system("delivery"),
        spec=ShipmentSpec(
            key=ctx.key,
            recipient=recipient or "申请人",
            phone=phone,
            address=address,
            contents=str(ctx.params.get("contents") or _contents(version)),
            case_number=str(ctx.context.get("case_number") or ""),
            case_id=int(case_id) if case_id else None,
            department=version.service.department if version is not None else None,
            owner=person.user if person else None,
        ),
    )
    return {"delivery": {"tracking_no": shipment.tracking_no, "status": "shipped"}}
