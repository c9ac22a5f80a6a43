"""Whose citizen pages a change in identity alters (``onewindow.core.home``): a person's
own (their name greets them), the people acting for a company (its name, their roles and
authorisations). Watched from ``IdentityConfig.ready()``."""

from __future__ import annotations

from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _person(person: Any) -> HomeAudience:
    return HomeAudience.of(person_ids=[person.pk], user_ids=[person.user_id])


def _agent(agent: Any) -> HomeAudience:
    return HomeAudience.of(person_ids=[agent.person_id])


def _company(company: Any) -> HomeAudience:
    return HomeAudience.of(company_ids=[company.pk])


def watch() -> None:
    home_watch("identity.Person", _person)
    home_watch("identity.CompanyAgent", _agent)
    home_watch("identity.Company", _company)
