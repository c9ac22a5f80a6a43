"""Writes for electronic licences: type sync, issuing from a case outcome, revocation."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.core.errors import ApplicationError, NotFound, ValidationFailed
from onewindow.core.refs import CaseRef
from onewindow.licences import audit_events, jose
from onewindow.licences.keys import signer_for_key, signing_key_active
from onewindow.licences.models import Algorithm, Licence, LicenceType, StatusList
from onewindow.licences.signals import IssuedLicence, licence_issued

if TYPE_CHECKING:
    from onewindow.identity.models import User

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class LicenceError(ApplicationError):
    code = "licence_error"
    status = 400


REASON_MAX = 200


def public_url(path: str) -> str:
    return str(settings.LICENCES_PUBLIC_URL).rstrip("/") + path


def issuer_id() -> str:
    return str(settings.LICENCES_ISSUER)


@transaction.atomic
def licence_types_sync(*, actor: Actor | None = None) -> int:
    """Create or rename licence types from ``catalog/vocabulary.yaml`` (licence_types). The
    signing algorithm is SM2 for the codes in ``LICENCES_SM2_TYPES``, else Ed25519; a type
    already present keeps the algorithm an operator chose. Returns how many changed."""
    from onewindow.catalog.packages.vocabulary import vocabulary_load

    sm2 = set(settings.LICENCES_SM2_TYPES)
    changed = 0
    for code, entry in vocabulary_load().licence_types.items():
        values = licence_type_values(code, entry)
        obj = LicenceType.objects.filter(code=code).first()
        if obj is None:
            alg = Algorithm.SM2 if code in sm2 else Algorithm.EDDSA
            LicenceType.objects.create(code=code, algorithm=alg, **values)
            changed += 1
        elif any(getattr(obj, name) != value for name, value in values.items()):
            LicenceType.objects.filter(pk=obj.pk).update(**values)
            changed += 1
    if changed:
        audit_record(
            actor=actor or Actor.system("licences"),
            action=audit_events.TYPE_SYNC,
            target_type="licences.licencetype",
            changes={"changed": changed},
        )
    return changed


def licence_type_values(code: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A vocabulary entry as LicenceType fields: names, validity rule, issuing department."""
    return {
        "name_zh": str(entry.get("zh") or code),
        "name_en": str(entry.get("en") or ""),
        "validity": entry.get("validity"),
        "issuer_code": str(entry.get("issuer") or ""),
    }


def licence_type_get(code: str) -> LicenceType:
    found = LicenceType.objects.filter(code=code).first()
    if found is None:
        licence_types_sync()
        found = LicenceType.objects.filter(code=code).first()
    if found is None:
        raise LicenceError(_("未知的证照类型。"), field="licence_type")
    return found


def _allocate_index() -> tuple[StatusList, int]:
    """The next free bit, under a row lock. Call inside a transaction."""
    current = StatusList.objects.select_for_update().order_by("-pk").first()
    if current is None or current.next_index >= StatusList.SIZE:
        number = StatusList.objects.count() + 1
        current = StatusList.objects.create(
            name=f"{number}", bits=bytes(StatusList.SIZE // 8), next_index=0
        )
        current = StatusList.objects.select_for_update().get(pk=current.pk)
    index = current.next_index
    StatusList.objects.filter(pk=current.pk).update(next_index=index + 1)
    return current, index


def _new_number(licence_type: LicenceType, now: datetime.datetime) -> str:
    return f"{settings.LICENCES_NUMBER_PREFIX}{now:%Y}{secrets.randbelow(10**12):012d}"


def credential_build(licence: Licence) -> dict[str, Any]:
    """The W3C VC data model 2.0 document of a licence (what its JWS signs)."""
    holder: dict[str, Any]
    if licence.holder_company is not None:
        holder = {"type": "Organization", "uscc": licence.holder_company.uscc}
    else:
        holder = {"type": "Person"}
    status_url = public_url(reverse("licences:status_list", args=[licence.status_list.name]))
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": f"urn:uuid:{licence.credential_id}",
        "type": ["VerifiableCredential", "OneWindowLicence"],
        "issuer": {"id": issuer_id(), "name": licence.issuer_name or platform_name()},
        "name": licence.licence_type.name_zh,
        "validFrom": licence.issued_at.isoformat(timespec="seconds"),
        "credentialSubject": {
            **holder,
            "licenceType": licence.licence_type.code,
            "licenceNumber": licence.number,
            **licence.claims,
        },
        "credentialStatus": {
            "id": f"{status_url}#{licence.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(licence.status_index),
            "statusListCredential": status_url,
        },
    }
    if licence.valid_until:
        doc["validUntil"] = licence.valid_until.isoformat(timespec="seconds")
    return doc


def platform_name() -> str:
    return str(settings.LICENCES_ISSUER_NAME)


def licence_valid_until(
    rule: Any, *, issued: datetime.datetime, holder_person: Any = None
) -> datetime.datetime | None:
    """The end of the last valid day (local time) under a validity rule, or None for no
    expiry. A rule the decision must set (``granted``) or cannot apply is refused."""
    from onewindow.catalog.packages.licence_outcome import GRANTED, validity_last_day

    if holder_person is not None and getattr(holder_person, "birth_date", None) is None:
        holder_person = _with_birth_date(holder_person)

    if rule is None:
        raise LicenceError(_("该证照类型未声明有效期，不能签发。"), field="validity")
    try:
        last = validity_last_day(
            rule,
            issued=timezone.localdate(issued),
            # {"until": "date", "date": "YYYY-MM-DD"}: a date the caller resolved
            answers=rule if isinstance(rule, dict) and "until" in rule else None,
            birth_date=getattr(holder_person, "birth_date", None),
        )
    except ValueError as exc:
        raise LicenceError(_("无法确定证照的有效期。"), field="validity") from exc
    if last == GRANTED:
        raise LicenceError(_("该证照的有效期须由审批决定，不能签发。"), field="validity")
    if last is None:
        return None
    assert isinstance(last, datetime.date)
    end = datetime.datetime.combine(last, datetime.time(23, 59, 59))
    return timezone.make_aware(end).astimezone(datetime.UTC)  # as the database returns it


def _with_birth_date(person: Any) -> Any:
    """A person whose record has no date of birth: read it from their citizen ID."""
    from types import SimpleNamespace

    from stdnum.cn import ric

    try:
        return SimpleNamespace(birth_date=ric.get_birth_date(person.id_number or ""))
    except ValueError:  # no usable ID: the age is unknown
        return SimpleNamespace(birth_date=None)


def _department_by_code(code: str) -> Any:
    from onewindow.identity.selectors import department_get

    return department_get(code=code) if code else None


def _holder_claims(person: Any, company: Any) -> dict[str, Any]:
    from onewindow.core.masking import mask_citizen_id

    if company is not None:
        return {"name": company.name}
    return {"name": person.name, "idNumber": mask_citizen_id(person.id_number or "")}


@transaction.atomic
def licence_issue(
    *,
    actor: Actor,
    licence_type_code: str,
    holder_person: Any = None,
    holder_company: Any = None,
    claims: dict[str, Any] | None = None,
    case: CaseRef | None = None,
    issue_key: str | None = None,
    valid_days: int | None = None,
    validity: Any = None,
    department: Any = None,
    particulars: list[dict[str, Any]] | None = None,
) -> Licence:
    """Issue and sign a licence. With ``issue_key`` a second call returns the first licence.

    ``case``: the case whose process issues it (its ``CaseRef``). ``department`` is the
    issuing department (its staff may revoke the licence; its name is the signed issuer): by
    default the department that grants the type by law (the vocabulary's ``issuer``), else
    the department of the case's service. A new licence is announced with
    ``signals.licence_issued`` (in this transaction). ``validity`` is a
    validity rule (``catalog.packages.licence_outcome``) for this licence, by default the
    type's; ``valid_days`` overrides both. ``particulars``: what the decision granted,
    ``[{"label", "value", "public"}]``, signed with the licence and shown on it."""
    if issue_key:
        existing = Licence.objects.filter(issue_key=issue_key).first()
        if existing is not None:
            return existing
    if holder_person is None and holder_company is None:
        raise LicenceError(_("证照必须有持证人。"), field="holder")
    licence_type = licence_type_get(licence_type_code)
    key = signing_key_active(alg=licence_type.algorithm)
    now = timezone.now().replace(microsecond=0)
    if valid_days is not None:
        valid_until = now + datetime.timedelta(days=valid_days) if valid_days else None
    else:
        rule = validity if validity is not None else licence_type.validity
        valid_until = licence_valid_until(rule, issued=now, holder_person=holder_person)
    if department is None:
        department = _department_by_code(licence_type.issuer_code)
    if department is None and case is not None:
        department = _department_by_code(case.department_code)
    department_id = department.pk if department is not None else None
    issuer_name = _department_name(department_id) or platform_name()
    extra = dict(claims or {})
    if particulars:
        extra["particulars"] = [
            {
                "label": str(p["label"]),
                "value": str(p["value"]),
                "public": bool(p.get("public", True)),
            }
            for p in particulars
            if str(p.get("value") or "")
        ]
    status_list, index = _allocate_index()
    licence = Licence(
        number=_new_number(licence_type, now),
        licence_type=licence_type,
        holder_person=holder_person,
        holder_company=holder_company,
        case_id=case.id if case is not None else None,
        department_id=department_id,
        issuer_name=issuer_name,
        issue_key=issue_key,
        claims={**_holder_claims(holder_person, holder_company), **extra},
        issued_at=now,
        valid_until=valid_until,
        kid=key.kid,
        status_list=status_list,
        status_index=index,
    )
    licence.jws = jose.jws_sign(credential_build(licence), signer=signer_for_key(key), kid=key.kid)
    licence.save()
    licence_issued.send(
        sender=Licence,
        licence=IssuedLicence(
            id=licence.pk,
            number=licence.number,
            licence_type=licence_type.code,
            case_id=licence.case_id,
            holder_person_id=licence.holder_person_id,
            holder_company_id=licence.holder_company_id,
        ),
    )
    audit_record(
        actor=actor,
        action=audit_events.LICENCE_ISSUE,
        target=licence,
        changes={"type": licence_type.code, "number": licence.number, "kid": key.kid},
    )
    return licence


def _department_name(department_id: int | None) -> str:
    from onewindow.identity.selectors import departments_by_ids

    if department_id is None:
        return ""
    found = departments_by_ids(ids=[department_id])
    return str(found[0].name) if found else ""


def licence_revoke(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """Flip the licence's bit in its status list. Revoking twice changes nothing more. An
    unknown licence is refused; the refusal's audit row is committed before the error."""
    with transaction.atomic(durable=True):
        licence = Licence.objects.select_for_update().filter(pk=licence_id).first()
        if licence is not None:
            return _revoke(actor=actor, licence=licence, reason=reason)
        audit_record(
            actor=actor,
            action=audit_events.LICENCE_REVOKE,
            target_type="licences.licence",
            target_id=str(licence_id),
            outcome=Outcome.FAILED,
            changes={"reason": "unknown licence"},
        )
    raise LicenceError(_("证照不存在。"), field="licence")


def licence_revoke_by_staff(*, user: User, licence_id: int, reason: str, actor: Actor) -> Licence:
    """A staff member revokes a licence their department issued (``licences.revoke_licence``
    and the issuing department or one above it, see ``staff_selectors``). The reason is
    required. Anyone else is refused as if the licence did not exist, and the refusal is
    audited."""
    from onewindow.licences.staff_selectors import staff_may_revoke

    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("请填写撤销原因。"), code="required", field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("撤销原因不能超过%(n)d个字符。") % {"n": REASON_MAX}, code="too_long", field="reason"
        )
    with transaction.atomic(durable=True):
        licence = Licence.objects.select_for_update().filter(pk=licence_id).first()
        if licence is not None and staff_may_revoke(user, licence):
            return _revoke(actor=actor, licence=licence, reason=reason)
        audit_record(
            actor=actor,
            action=audit_events.LICENCE_REVOKE,
            target_type="licences.licence",
            target_id=str(licence_id),
            outcome=Outcome.DENIED,
            changes={"reason": "not issued by the staff member's department"},
        )
    raise NotFound(_("未找到本部门签发的该证照。"))


@transaction.atomic(durable=True)
def licence_holder_lookup_record(*, actor: Actor, person: Any, found: int) -> None:
    """A staff member looked up a person's licences by citizen ID: audited like any read of a
    person's record (the ID itself is not written to the trail)."""
    audit_record(
        actor=actor,
        action=audit_events.LICENCE_LOOKUP,
        target=person,
        changes={"by": "id_number", "found": found},
    )


def _revoke(*, actor: Actor, licence: Licence, reason: str) -> Licence:
    """Inside the caller's transaction, with ``licence`` locked."""
    if licence.status == Licence.Status.REVOKED:
        return licence
    status_list = StatusList.objects.select_for_update().get(pk=licence.status_list_id)
    bits = bytearray(bytes(status_list.bits))
    bits[licence.status_index // 8] |= 0x80 >> (licence.status_index % 8)
    status_list.bits = bytes(bits)
    status_list.save(update_fields=["bits", "updated_at"])
    licence.status = Licence.Status.REVOKED
    licence.revoked_at = timezone.now()
    licence.revoked_reason = reason[:200]
    licence.save(update_fields=["status", "revoked_at", "revoked_reason"])
    from onewindow.licences.signals import RevokedLicence, licence_revoked

    licence_revoked.send(
        sender=Licence,
        licence=RevokedLicence(
            id=licence.pk,
            number=licence.number,
            licence_type=licence.licence_type.code,
            case_id=licence.case_id,
            holder_person_id=licence.holder_person_id,
            holder_company_id=licence.holder_company_id,
            reason=licence.revoked_reason,
        ),
    )
    audit_record(
        actor=actor,
        action=audit_events.LICENCE_REVOKE,
        target=licence,
        changes={"status": ["valid", "revoked"], "reason": licence.revoked_reason},
    )
    return licence


def status_list_credential(status_list: StatusList) -> str:
    """The signed BitstringStatusListCredential (compact JWS) of a status list."""
    url = public_url(reverse("licences:status_list", args=[status_list.name]))
    doc = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": status_list.updated_at.isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": jose.bitstring_encode(bytes(status_list.bits)),
        },
    }
    key = signing_key_active(alg=Algorithm.EDDSA)
    return jose.jws_sign(doc, signer=signer_for_key(key), kid=key.kid)
