"""Template tags: the shipments of a case (case pages), of a resident (home page), and the
address book picker on the application form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from onewindow.delivery.models import Shipment
from onewindow.delivery.selectors import (
    addresses_for_user,
    returns_department_ids,
    shipment_correctable,
    shipments_for_case,
    shipments_for_user,
    window_label,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.models import User

register = template.Library()


def _viewer(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) if request is not None else context.get("user")


def _page(context: Any) -> dict[str, Any]:
    """What the included template needs from the page: the request and the CSRF token."""
    return {"request": context.get("request"), "csrf_token": context.get("csrf_token")}


def _annotate(shipments: list[Shipment], viewer: Any) -> list[Shipment]:
    resident = getattr(viewer, "kind", "") == "resident"
    staff_scope: set[int] = set()
    if getattr(viewer, "kind", "") in {"staff", "operator"} and any(
        s.status == Shipment.Status.RETURNED for s in shipments
    ):
        staff_scope = returns_department_ids(user=viewer)
    for s in shipments:
        s.handles_return = s.department_id in staff_scope  # type: ignore[attr-defined]
        s.mine = resident and s.owner_id == getattr(viewer, "pk", None)  # type: ignore[attr-defined]
        s.correctable = shipment_correctable(s)  # type: ignore[attr-defined]
        if s.status in (Shipment.Status.FAILED, Shipment.Status.RETURNED):
            s.window = window_label(s)  # type: ignore[attr-defined]
    return shipments


@register.inclusion_tag("delivery/timeline.html", takes_context=True)
def delivery_timeline(context: Any, case: Any) -> dict[str, Any]:
    """A case's shipments with their routes; to its applicant also the pickup offer (paper
    originals wanted, none booked) and what they can do after a failed delivery or a return."""
    viewer = _viewer(context)
    number = getattr(case, "number", "") or ""
    shipments = _annotate(shipments_for_case(case_number=number), viewer)
    out: dict[str, Any] = {"shipments": shipments, "case": case, **_page(context)}
    if (
        number
        and getattr(viewer, "kind", "") == "resident"
        and getattr(case, "created_by_id", None) == getattr(viewer, "pk", None)
    ):
        from onewindow.delivery.services.pickups import paper_originals, pickup_offered

        if pickup_offered(case):
            out.update(pickup_offer=True, originals=paper_originals(case))
    return out


@register.inclusion_tag("delivery/home.html", takes_context=True)
def delivery_for_user(
    context: Any, user: User | AnonymousUser, section: Any = None
) -> dict[str, Any]:
    """A resident's shipments and address book card. ``section``: the page's 我的快递 section
    as it was read for this page; when it lists none, they are not read again."""
    resident = getattr(user, "kind", "") == "resident"
    none = section is not None and not section.items and not section.unavailable
    return {
        "shipments": [] if none else _annotate(shipments_for_user(user=user), user),
        "home": True,
        "resident": resident,
        "address_count": len(addresses_for_user(user=user)) if resident else 0,
        **_page(context),
    }


@register.inclusion_tag("delivery/address_picker.html", takes_context=True)
def address_book_picker(context: Any, fields: Any = None) -> dict[str, Any]:
    """On the application form: fill ``mail_address`` (and ``recipient_phone``) from the
    address book. Shown only when the form asks for a mailing address and the resident has
    saved addresses."""
    names = {getattr(f, "name", "") for f in fields or []}
    viewer = _viewer(context)
    wanted = "mail_address" in names and getattr(viewer, "kind", "") == "resident"
    return {"addresses": addresses_for_user(user=viewer) if wanted else []}
