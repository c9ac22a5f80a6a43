"""Setting up a company is the future legal representative's own application; the company
exists once it is registered. And a company's agent acts only while authorised."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases import selectors, services
from onewindow.cases.models import Case
from onewindow.cases.services import NotAgentAnyMore
from onewindow.catalog.services import service_packages_import
from onewindow.core.errors import PermissionDenied
from onewindow.identity.models import Company, CompanyAgent
from onewindow.identity.selectors import company_roles_for_person
from onewindow.identity.services import (
    company_agent_accept,
    company_agent_grant,
    company_agent_revoke,
)
from onewindow.licences.models import Licence
from onewindow.testing.demo_packages import (
    catalog_dir,
    run_to_the_end,
    sample_answers,
    submit_package,
)
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def _publish(code: str) -> Any:
    return service_packages_import(actor=ACTOR, paths=[catalog_dir() / code])[0]


@pytest.mark.parametrize("code", ["company-establishment", "company-registration-one-stop"])
def test_a_resident_who_acts_for_no_company_establishes_one(city, resident, code):
    version = _publish(code)
    assert version.service.kind == "personal"
    assert list(company_roles_for_person(person=resident)) == []

    case = submit_package(
        resident,
        version,
        answers={
            "legal_rep_name": resident.name,
            "legal_rep_id_number": resident.id_number,
            "proposed_name": "广州嘉禾测试科技有限公司",
            "district": "440106",
        },
    )
    assert case.applicant_person_id == resident.pk and case.applicant_company_id is None
    assert not Company.objects.filter(established_by_case=case.number).exists()
    case = run_to_the_end(case)

    assert case.status == Case.Status.APPROVED
    company = Company.objects.get(established_by_case=case.number)
    assert company.name == "广州嘉禾测试科技有限公司"
    assert company.uscc.startswith("91440106")
    [role] = company_roles_for_person(person=resident)
    assert (role.company, role.role_label) == (company, "法定代表人")
    shown = case.events.get(kind="company_established").message
    assert shown == f"企业已设立：广州嘉禾测试科技有限公司，统一社会信用代码 {company.uscc}"
    # the business licence its process issues is the new company's, not the applicant's
    licence = Licence.objects.get(case=case, licence_type__code="business-licence")
    assert licence.holder_company_id == company.pk and licence.holder_person_id is None


def _agent_of(company: Any, rep: Any) -> Any:
    agent: Any = PersonFactory(name="李志明")
    grant = company_agent_grant(
        actor=ACTOR,
        representative=rep,
        company=company,
        agent_name="李志明",
        agent_id_number=agent.id_number,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk)
    return agent, grant


def test_a_revoked_agent_can_no_longer_start_or_act(city, resident, company_for):
    version = _publish("company-change-registration")
    company = company_for(resident)
    agent, grant = _agent_of(company, resident)
    draft = services.case_draft_start(
        user=agent.user, service_code=version.service.code, company_uscc=company.uscc
    )
    assert draft.applicant_company_id == company.pk and draft.agent_id == agent.pk

    company_agent_revoke(actor=ACTOR, representative=resident, grant_id=grant.pk)

    with pytest.raises(PermissionDenied, match="您不能代表该企业办理业务。"):
        services.case_draft_start(
            user=agent.user, service_code=version.service.code, company_uscc=company.uscc
        )
    with pytest.raises(NotAgentAnyMore):
        services.case_draft_save_form(
            user=agent.user, case_id=draft.pk, data=sample_answers(version.form_schema)
        )
    assert selectors.draft_for_user(user=agent.user, case_id=draft.pk) is None
    assert list(selectors.cases_for_user(user=agent.user)) == []


def test_an_agent_whose_authorisation_expired_cannot_submit(city, resident, company_for):
    version = _publish("company-change-registration")
    company = company_for(resident)
    agent, grant = _agent_of(company, resident)
    case = services.case_draft_start(
        user=agent.user, service_code=version.service.code, company_uscc=company.uscc
    )
    CompanyAgent.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    case.refresh_from_db()

    with pytest.raises(NotAgentAnyMore, match="撤销或已过期"):
        services.case_submit(user=agent.user, case_id=case.pk, token=case.submit_token)
