"""Legal persons (法人) and who may act for them."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_region, normalize_uscc
from onewindow.identity.models import Company, CompanyAgent, Person
from onewindow.identity.services._common import Collector, normalize_person_name

DUPLICATE_USCC = _("该统一社会信用代码已登记。")


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
        action="identity.company.register",
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
) -> CompanyAgent:
    """Let a person act for a company. Adding the same person again updates the grant."""
    if role not in CompanyAgent.Role.values:
        raise ValidationFailed(_("代理身份无效。"), code="invalid_choice", field="role")
    agent, created = CompanyAgent.objects.select_for_update().get_or_create(
        company=company, person=person, defaults={"role": role, "valid_until": valid_until}
    )
    if not created:
        if agent.role == role and agent.valid_until == valid_until:
            return agent
        agent.role, agent.valid_until = role, valid_until
        agent.save(update_fields=["role", "valid_until"])
    audit_record(
        actor=actor,
        action="identity.company_agent.add",
        target=agent,
        changes={
            "company": company.pk,
            "person": person.pk,
            "role": role,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic
def company_agent_remove(*, actor: Actor, agent: CompanyAgent) -> None:
    audit_record(
        actor=actor,
        action="identity.company_agent.remove",
        target=agent,
        changes={"company": agent.company_id, "person": agent.person_id},
    )
    agent.delete()
