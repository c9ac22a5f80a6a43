"""``{% bundle_offer code %}``: the one-stop services (一件事) that include a service, offered
where a resident would start the separate one (its application start page)."""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.catalog.guide import part_of

register = template.Library()


@register.inclusion_tag("catalog/partials/part_of.html")
def bundle_offer(code: str) -> dict[str, Any]:
    return {"part_of": part_of(code)}
