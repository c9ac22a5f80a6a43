from __future__ import annotations

from typing import Any

from django import template

from onewindow.exchange.selectors import case_lookups

register = template.Library()


@register.inclusion_tag("exchange/case_lookups.html")
def exchange_lookups(case: Any) -> dict[str, Any]:
    return {"lookups": case_lookups(getattr(case, "number", "") or "")}
