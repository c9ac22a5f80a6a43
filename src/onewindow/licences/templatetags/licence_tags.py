"""``{% licence_material material %}``: a licence presented as a case material, with its
live verification status and a link to the public verify page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from onewindow.licences.selectors import licence_check, licence_result_label

register = template.Library()


@register.inclusion_tag("licences/partials/material_licence.html")
def licence_material(material: Any) -> dict[str, Any]:
    licence = getattr(material, "licence", None)
    if licence is None:
        return {"licence": None}
    result = licence_check(licence=licence).result
    return {
        "licence": licence,
        "result": result,
        "label": licence_result_label(result),
        "verify_url": reverse("licences:verify") + f"?id={licence.credential_id}",
    }
