"""The printed demo residents' companies: one whose legal representative has already
authorised an agent, and one whose legal representative has not (a walk-through authorises
one). Registered through the identity services, once per company (its USCC)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.core.identifiers import uscc_make
from onewindow.demo import data
from onewindow.demo.population import org_code_check
from onewindow.identity.models import Company, CompanyAgent
from onewindow.identity.selectors import person_find_by_phone


@dataclass(frozen=True)
class DemoCompany:
    uscc: str
    name: str
    legal_representative: str  # name
    legal_representative_phone: str
    agent: str  # name, "" when none
    agent_phone: str
    agent_valid_until: datetime.date | None


def demo_company_uscc(org_body: str, region: str) -> str:
    return uscc_make(f"91{region}{org_body}{org_code_check(org_body)}")


def demo_companies_seed() -> int:
    """Register the demo companies that are not there yet; returns how many were added.
    Call inside the seed's transaction (after the printed residents exist)."""
    from onewindow.identity.services import company_agent_add, company_register

    actor = Actor.system("seed_demo")
    added = 0
    for body, name, region, address, rep_phone, agent_phone in data.DEMO_COMPANIES:
        uscc = demo_company_uscc(body, region)
        if Company.objects.filter(uscc=uscc).exists():
            continue
        representative = person_find_by_phone(phone=rep_phone)
        if representative is None:  # a city seeded without the printed residents
            continue
        company = company_register(
            actor=actor,
            uscc=uscc,
            name=name,
            legal_representative=representative.name,
            region_code=region,
            address=address,
            established=datetime.date(2024, 3, 18),
            representative_person=representative,
        )
        agent = person_find_by_phone(phone=agent_phone) if agent_phone else None
        if agent is not None:
            company_agent_add(
                actor=actor,
                company=company,
                person=agent,
                role=CompanyAgent.Role.AGENT,
                valid_until=timezone.localdate() + datetime.timedelta(days=365),
                granted_by=representative,
            )
        added += 1
    return added


def demo_companies() -> list[DemoCompany]:
    """The demo companies as they are now, for the /demo/ page."""
    out = []
    for body, _name, region, _address, _rep, _agent in data.DEMO_COMPANIES:
        company = Company.objects.filter(uscc=demo_company_uscc(body, region)).first()
        if company is None:
            continue
        rows = list(company.agents.select_related("person").order_by("role", "pk"))
        today = timezone.localdate()
        rep = next((r for r in rows if r.role == CompanyAgent.Role.LEGAL_REPRESENTATIVE), None)
        agent = next(
            (r for r in rows if r.role == CompanyAgent.Role.AGENT and r.in_force(today)), None
        )
        out.append(
            DemoCompany(
                uscc=company.uscc,
                name=company.name,
                legal_representative=rep.person.name if rep else company.legal_representative,
                legal_representative_phone=_phone(rep),
                agent=agent.person.name if agent else "",
                agent_phone=_phone(agent),
                agent_valid_until=agent.valid_until if agent else None,
            )
        )
    return out


def _phone(row: CompanyAgent | None) -> str:
    return (row.person.phone or "") if row is not None else ""
