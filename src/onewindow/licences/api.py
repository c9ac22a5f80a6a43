"""API: public licence verification for third parties (banks, hotels, other departments)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from onewindow.licences.verification import licence_verify

router = Router(tags=["licences"])


class VerifyIn(Schema):
    credential: str  # a compact JWS, a credential id (urn:uuid:…) or the QR code's URL


class VerifyOut(Schema):
    result: str  # valid | revoked | altered | unknown
    reasons: list[str]
    licence: dict[str, Any] | None = None


@router.post("/licences/verify", response=VerifyOut, auth=None)
def verify(request: Any, payload: VerifyIn) -> dict[str, Any]:
    outcome = licence_verify(payload.credential[:20000])
    return {"result": outcome.result, "reasons": outcome.reasons, "licence": outcome.summary()}
