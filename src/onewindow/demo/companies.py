"""The printed demo residents' companies: one whose legal representative has already
authorised an agent, and one whose legal representative has not (a walk-through authorises
one). Registered through the identity services, once per company (its USCC)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.core.identifiers import uscc_make
from onewindow.demo import data
from onewindow.demo.population import org_code_check
from onewindow.identity.selectors import (
    CompanyContacts,
    company_contacts,
    company_get_by_uscc,
    person_find_by_phone,
)

# A demo company as the /demo/ page shows it: its legal representative and agent in force.
DemoCompany = CompanyContacts


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
        if company_get_by_uscc(uscc=uscc) is not None:
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
                valid_until=timezone.localdate() + datetime.timedelta(days=365),
                granted_by=representative,
            )
        added += 1
    return added


def demo_companies() -> list[DemoCompany]:
    """The demo companies as they are now, for the /demo/ page."""
    out = []
    for body, _name, region, _address, _rep, _agent in data.DEMO_COMPANIES:
        contacts = company_contacts(uscc=demo_company_uscc(body, region))
        if contacts is not None:
            out.append(contacts)
    return out
