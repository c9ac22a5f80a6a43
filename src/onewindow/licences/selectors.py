"""Reads for licences: a resident's wallet, published keys."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.licences import jose
from onewindow.licences.models import Licence, SigningKey


def licences_for_user(*, user: Any) -> QuerySet[Licence]:
    """The licences a resident holds: their own, and those of companies they act for."""
    person = getattr(user, "person", None)
    if person is None:
        return Licence.objects.none()
    from onewindow.identity.models import CompanyAgent

    companies = CompanyAgent.objects.filter(person=person).values("company_id")
    return Licence.objects.select_related("licence_type").filter(
        Q(holder_person=person) | Q(holder_company_id__in=companies)
    )


def published_keys() -> dict[str, Any]:
    return {
        "keys": [
            jose.public_jwk(
                alg=key.algorithm, kid=key.kid, public_key=bytes(key.public_key), active=key.active
            )
            for key in SigningKey.objects.all()
        ]
    }


def licence_summaries(*, user: Any, limit: int = 5) -> list[dict[str, Any]]:
    """Rows for the home page's 我的证照 section (number masked)."""
    from django.urls import reverse

    out = []
    for lic in licences_for_user(user=user).filter(status=Licence.Status.VALID)[:limit]:
        number = lic.number
        out.append(
            {
                "name": lic.licence_type.name_zh,
                "masked_number": number[:4] + "*" * (len(number) - 8) + number[-4:],
                "issued_on": lic.issued_at.date(),
                "url": reverse("licences:wallet") + f"#licence-{lic.number}",
            }
        )
    return out
