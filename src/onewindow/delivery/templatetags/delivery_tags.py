from __future__ import annotations

from typing import Any

from django import template

from onewindow.delivery.selectors import shipments_for_case, shipments_for_user

register = template.Library()


@register.inclusion_tag("delivery/timeline.html")
def delivery_timeline(case: Any) -> dict[str, Any]:
    return {"shipments": shipments_for_case(getattr(case, "number", "") or "")}


@register.inclusion_tag("delivery/timeline.html")
def delivery_for_user(user: Any) -> dict[str, Any]:
    return {"shipments": shipments_for_user(user), "home": True}
