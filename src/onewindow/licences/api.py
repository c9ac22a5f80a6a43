"""API: public licence verification for third parties (banks, hotels, other departments), and
the caller's own wallet (the ids a case material refers to)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onewindow.api.auth import session_or_bearer
from onewindow.licences.selectors import licences_for_user
from onewindow.licences.verification import licence_verify

router = Router(tags=["licences"])


class VerifyIn(Schema):
    credential: str  # a compact JWS, a credential id (urn:uuid:…) or the QR code's URL


class VerifyOut(Schema):
    result: str  # valid | revoked | altered | unknown
    reasons: list[str]
    licence: dict[str, Any] | None = None


class WalletLicenceOut(Schema):
    id: int
    number: str
    type: str
    type_name: str
    holder: str  # masked for a person, the name for a company
    issued_at: datetime.datetime
    valid_until: datetime.datetime | None
    status: str  # valid | revoked


@router.post("/licences/verify", response=VerifyOut, auth=None)
def verify(request: Any, payload: VerifyIn) -> dict[str, Any]:
    outcome = licence_verify(payload.credential[:20000])
    return {"result": outcome.result, "reasons": outcome.reasons, "licence": outcome.summary()}


@router.get(
    "/licences",
    response=list[WalletLicenceOut],
    auth=session_or_bearer,
    summary="My licences (wallet), optionally of one type",
)
def wallet(request: HttpRequest, type: str = "") -> list[dict[str, Any]]:
    rows = licences_for_user(user=request.auth).select_related(  # type: ignore[attr-defined]
        "holder_person", "holder_company"
    )
    if type:
        rows = rows.filter(licence_type__code=type)
    return [
        {
            "id": lic.pk,
            "number": lic.number,
            "type": lic.licence_type.code,
            "type_name": lic.licence_type.name_zh,
            "holder": lic.holder_company.name
            if lic.holder_company
            else (lic.holder_person.masked_name if lic.holder_person else ""),
            "issued_at": lic.issued_at,
            "valid_until": lic.valid_until,
            "status": lic.status,
        }
        for lic in rows[:200]
    ]
