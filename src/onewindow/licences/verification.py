"""Verify a presented licence: a compact JWS, a credential id, or the verify URL from a QR.

Outcomes: ``valid``, ``revoked`` (its status-list bit is set, or it has expired),
``altered`` (the signature or the signed content does not match what we issued) and
``unknown`` (not a licence we know). Every outcome comes with machine-readable reasons."""

from __future__ import annotations

import datetime
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from onewindow.licences import jose
from onewindow.licences.keys import verifier_for_kid
from onewindow.licences.models import Licence
from onewindow.licences.services import credential_build

log = logging.getLogger(__name__)

VALID, REVOKED, ALTERED, UNKNOWN = "valid", "revoked", "altered", "unknown"
NUMBER_RE = re.compile(r"[0-9]{8,32}")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass
class Verification:
    result: str
    reasons: list[str] = field(default_factory=list)
    licence: Licence | None = None
    credential: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any] | None:
        """What a third party may see: type, number, masked holder, issuer, validity, what
        was granted (the public particulars) and, for a revoked licence, when and why."""
        if self.licence is None or self.result == UNKNOWN:
            return None
        lic = self.licence
        holder = lic.holder_company or lic.holder_person
        revoked = lic.status == Licence.Status.REVOKED
        return {
            "type": lic.licence_type.code,
            "type_name": lic.licence_type.name_zh,
            "number": lic.number,
            "holder": str(getattr(holder, "masked_name", "") or getattr(holder, "name", "")),
            "issuer": licence_issuer_name(lic),
            "issued_at": lic.issued_at.isoformat(timespec="seconds"),
            "issued_on": timezone.localdate(lic.issued_at).isoformat(),
            "valid_until": lic.valid_until.isoformat(timespec="seconds")
            if lic.valid_until
            else None,
            "valid_until_date": timezone.localdate(lic.valid_until).isoformat()
            if lic.valid_until
            else None,
            "particulars": [
                {"label": p["label"], "value": p["value"]}
                for p in licence_particulars(lic)
                if p.get("public", True)
            ],
            "status": lic.state,
            "revoked_at": lic.revoked_at.isoformat(timespec="seconds")
            if revoked and lic.revoked_at
            else None,
            "revoked_on": timezone.localdate(lic.revoked_at).isoformat()
            if revoked and lic.revoked_at
            else None,
            "revoked_reason": lic.revoked_reason if revoked else None,
        }


def _split_input(raw: str) -> tuple[str | None, str | None]:
    """(jws, credential id) from what was pasted or scanned."""
    text = (raw or "").strip()[:20000]
    if text.startswith(("http://", "https://")):
        query = parse_qs(urlsplit(text).query)
        jws, cred = query.get("jws"), query.get("id")
        return (jws[0] if jws else None), (cred[0] if cred else None)
    if text.count(".") == 2 and " " not in text:
        return text, None
    return None, text


def licence_issuer_name(licence: Licence) -> str:
    """The issuing authority as signed (licences from before it was recorded: the issuing
    department, else the platform)."""
    from onewindow.licences.services import platform_name

    if licence.issuer_name:
        return licence.issuer_name
    department = getattr(licence, "department", None) if licence.department_id else None
    return str(department.name) if department is not None else platform_name()


def licence_particulars(licence: Licence) -> list[dict[str, Any]]:
    """What the decision granted, as signed: ``[{"label", "value", "public"}]``."""
    rows = (licence.claims or {}).get("particulars") or []
    return [row for row in rows if isinstance(row, dict) and row.get("label")]


def _number(text: str) -> str | None:
    """A licence number as printed (digits, perhaps grouped with spaces)."""
    compact = "".join(text.split())
    return compact if NUMBER_RE.fullmatch(compact) else None


def _credential_uuid(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    match = UUID_RE.fullmatch(value.removeprefix("urn:uuid:"))
    return uuid.UUID(match.group(0)) if match else None


# What verifying a licence reads besides its own row; callers that pass a licence they have
# read to ``licence_verify_issued`` select these too (prefixed with their path to it).
LICENCE_RELATED = ("licence_type", "status_list", "holder_person", "holder_company", "department")


def _licences() -> QuerySet[Licence]:
    return Licence.objects.select_related(*LICENCE_RELATED)


def _status(licence: Licence) -> Verification:
    data = bytes(licence.status_list.bits)
    i = licence.status_index
    if i // 8 < len(data) and data[i // 8] & (0x80 >> (i % 8)):
        return Verification(REVOKED, ["status_list_revoked"], licence)
    if licence.valid_until and licence.valid_until < timezone.now():
        return Verification(REVOKED, ["expired"], licence)
    return Verification(VALID, ["signature_ok", "status_ok"], licence)


def _signed_by_us(token: str) -> bool:
    """A damaged JWS whose header still names one of our keys was ours before the damage."""
    try:
        header = json.loads(jose.b64url_decode(token.strip().split(".")[0]))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and verifier_for_kid(str(header.get("kid", ""))) is not None


def _check_jws(token: str, *, expected: Licence | None) -> Verification:
    try:
        header, payload, signing_input, signature = jose.jws_parse(token)
    except jose.JwsError as exc:
        ours = expected is not None or _signed_by_us(token)
        return Verification(ALTERED if ours else UNKNOWN, ["malformed", str(exc)], expected)
    verifier = verifier_for_kid(header["kid"])
    if verifier is None:
        return Verification(UNKNOWN, ["unknown_kid"])
    if verifier.alg != header["alg"] or not verifier.verify(signing_input, signature):
        return Verification(ALTERED, ["bad_signature"], expected)
    cred_id = _credential_uuid(str(payload.get("id", "")))
    licence = expected
    if licence is None and cred_id is not None:
        licence = _licences().filter(credential_id=cred_id).first()
    if licence is None:
        return Verification(UNKNOWN, ["not_issued_here"], credential=payload)
    if cred_id != licence.credential_id:
        return Verification(ALTERED, ["id_mismatch"], licence)
    return Verification(VALID, [], licence, payload)


def _matches_record(licence: Licence, signed: dict[str, Any]) -> bool:
    """Does the record still say what was signed? (Catches edits behind the issuer's back.)"""
    return jose.canonical(credential_build(licence)) == jose.canonical(signed)


def licence_verify(raw: str) -> Verification:
    """Verify what was presented: a compact JWS, a credential id (``urn:uuid:…``), the QR
    code's URL, or the licence number printed on the licence."""
    jws, cred = _split_input(raw)
    licence = None
    number = _number(cred) if cred is not None and jws is None else None
    if number is not None:
        licence = _licences().filter(number=number).first()
        if licence is None:
            return Verification(UNKNOWN, ["not_issued_here"])
        return _verify(None, licence)
    if cred is not None:
        cid = _credential_uuid(cred)
        if cid is None and jws is None:
            return Verification(UNKNOWN, ["unrecognised_input"])
        if cid is not None:
            licence = _licences().filter(credential_id=cid).first()
            if licence is None:
                return Verification(UNKNOWN, ["not_issued_here"])
    return _verify(jws, licence)


def licence_verify_issued(licence: Licence) -> Verification:
    """``licence_verify`` of an issued licence the caller has just read (with
    ``LICENCE_RELATED``), without reading it again: the same checks of its stored credential
    (signature, record, status list, expiry)."""
    return _verify(None, licence)


def _verify(jws: str | None, licence: Licence | None) -> Verification:
    checked = _check_jws(jws or (licence.jws if licence else ""), expected=licence)
    if checked.result != VALID or checked.licence is None:
        if checked.result == ALTERED:
            log.warning("licence verification: altered (%s)", ",".join(checked.reasons))
        return checked
    licence = checked.licence
    signed = checked.credential or {}
    if jws is not None and jws != licence.jws:
        return Verification(ALTERED, ["not_the_issued_credential"], licence)
    if not _matches_record(licence, signed):
        log.warning("licence %s: record differs from its signed credential", licence.pk)
        return Verification(ALTERED, ["record_differs_from_signature"], licence)
    until = parse_datetime(str(signed.get("validUntil", ""))) if signed.get("validUntil") else None
    if until is not None and until < datetime.datetime.now(tz=datetime.UTC):
        return Verification(REVOKED, ["expired"], licence)
    return _status(licence)
