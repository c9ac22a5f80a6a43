"""Legal persons (法人) and who may act for them."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_region, normalize_uscc, uscc_make
from onewindow.identity import audit_events
from onewindow.identity.models import Company, CompanyAgent, Person
from onewindow.identity.services._common import Collector, normalize_person_name

DUPLICATE_USCC = _("该统一社会信用代码已登记。")

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet (no I, O, S, V, Z)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
DEFAULT_REGION = "440100"


@transaction.atomic
def company_register(
    *,
    actor: Actor,
    uscc: str,
    name: str,
    legal_representative: str,
    region_code: str = "",
    address: str = "",
    established: datetime.date | None = None,
    representative_person: Person | None = None,
) -> Company:
    errors = Collector()
    uscc = errors.check(normalize_uscc, uscc) or ""
    name = " ".join((name or "").split())
    if not name:
        errors.add(_("请填写单位名称。"), code="required", field="name")
    elif len(name) > 200:
        errors.add(_("单位名称不能超过200个字符。"), code="too_long", field="name")
    legal_representative = (
        errors.check(normalize_person_name, legal_representative, field="legal_representative")
        or ""
    )
    if region_code:
        region_code = errors.check(normalize_region, region_code) or ""
    elif uscc:
        region_code = uscc[2:8]  # GB 32100: characters 3–8 are the registering authority's area
    errors.raise_if_any()
    if Company.objects.filter(uscc=uscc).exists():
        raise ValidationFailed(DUPLICATE_USCC, code="duplicate", field="uscc")
    company = Company(
        uscc=uscc,
        name=name,
        legal_representative=legal_representative,
        region_code=region_code,
        address=(address or "").strip()[:255],
        established=established,
    )
    try:
        with transaction.atomic():
            company.save(force_insert=True)
    except IntegrityError:
        raise ValidationFailed(DUPLICATE_USCC, code="duplicate", field="uscc") from None
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_REGISTER,
        target=company,
        changes={"uscc": uscc, "name": name},
    )
    if representative_person is not None:
        company_agent_add(
            actor=actor,
            company=company,
            person=representative_person,
            role=CompanyAgent.Role.LEGAL_REPRESENTATIVE,
        )
    return company


@transaction.atomic
def company_agent_add(
    *,
    actor: Actor,
    company: Company,
    person: Person,
    role: str = CompanyAgent.Role.AGENT,
    valid_until: datetime.date | None = None,
    granted_by: Person | None = None,
) -> CompanyAgent:
    """Let a person act for a company at once (a registration, or staff recording an
    authorisation made on paper). Adding the same person again updates the grant. Residents
    authorise agents with ``company_agent_grant`` instead, which waits for the agent."""
    if role not in CompanyAgent.Role.values:
        raise ValidationFailed(_("代理身份无效。"), code="invalid_choice", field="role")
    now = timezone.now()
    agent, created = CompanyAgent.objects.select_for_update().get_or_create(
        company=company,
        person=person,
        defaults={
            "role": role,
            "valid_until": valid_until,
            "status": CompanyAgent.Status.ACTIVE,
            "granted_by": granted_by,
            "granted_at": now,
            "accepted_at": now,
        },
    )
    if not created:
        if (
            agent.role == role
            and agent.valid_until == valid_until
            and agent.status == CompanyAgent.Status.ACTIVE
        ):
            return agent
        agent.role, agent.valid_until = role, valid_until
        agent.status, agent.ended_at = CompanyAgent.Status.ACTIVE, None
        agent.save(update_fields=["role", "valid_until", "status", "ended_at"])
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_ADD,
        target=agent,
        changes={
            "company": company.pk,
            "person": person.pk,
            "role": role,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic(durable=True)
def company_agent_remove(*, actor: Actor, agent: CompanyAgent) -> None:
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_REMOVE,
        target=agent,
        changes={"company": agent.company_id, "person": agent.person_id},
    )
    agent.delete()


def _org_code() -> str:
    """A new organisation code (GB 11714): eight characters and their check character."""
    body = "MA" + "".join(secrets.choice(_ORG_ALPHABET) for _ in range(6))
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True)
class Establishment:
    """What an approved establishment application (企业设立登记) says of the new company."""

    case_number: str
    name: str
    legal_representative_name: str
    legal_representative_id: int | None  # the person named, when the platform knows them
    region_code: str = ""
    address: str = ""


@transaction.atomic
def company_establish(*, actor: Actor, establishment: Establishment) -> Company:
    """Create the company an approved establishment application registers, with a new
    unified social credit code (market regulation, enterprise: ``91``) and the person named
    as its legal representative. Called by the case engine in the transaction that approves
    the case; the same case again returns the company it created."""
    number = establishment.case_number
    existing = Company.objects.filter(established_by_case=number).first()
    if existing is not None:
        return existing
    region = establishment.region_code
    try:
        region = normalize_region(region) if region else DEFAULT_REGION
    except ValidationFailed:
        region = DEFAULT_REGION
    name = " ".join((establishment.name or "").split())[:200]
    representative = (
        Person.objects.filter(pk=establishment.legal_representative_id).first()
        if establishment.legal_representative_id
        else None
    )
    rep_name = (representative.name if representative else "") or (
        establishment.legal_representative_name or ""
    ).strip()
    for _attempt in range(5):
        company = Company(
            uscc=uscc_make(f"91{region}{_org_code()}"),
            name=name,
            legal_representative=rep_name[:64],
            region_code=region,
            address=(establishment.address or "").strip()[:255],
            established=timezone.localdate(),
            established_by_case=number,
        )
        try:
            with transaction.atomic():
                company.save(force_insert=True)
            break
        except IntegrityError:
            if Company.objects.filter(established_by_case=number).exists():
                return Company.objects.get(established_by_case=number)
    else:  # pragma: no cover — five random codes all taken
        raise ValidationFailed(DUPLICATE_USCC, code="duplicate", field="uscc")
    if representative is not None:
        CompanyAgent.objects.create(
            company=company,
            person=representative,
            role=CompanyAgent.Role.LEGAL_REPRESENTATIVE,
            status=CompanyAgent.Status.ACTIVE,
        )
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_ESTABLISH,
        target=company,
        changes={
            "uscc": company.uscc,
            "name": company.name,
            "case": number,
            "legal_representative": representative.pk if representative else None,
        },
    )
    return company
