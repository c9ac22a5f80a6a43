"""法定代表人授权经办人: grant, accept, decline, revoke, expiry; and what it lets an agent do."""

from __future__ import annotations

import datetime
from typing import cast

import pytest
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.identity import selectors
from onewindow.identity.audit_events import (
    COMPANY_AGENT_ACCEPT,
    COMPANY_AGENT_GRANT,
    COMPANY_AGENT_REVOKE,
)
from onewindow.identity.models import Company, CompanyAgent, Person
from onewindow.identity.services import (
    Establishment,
    company_agent_accept,
    company_agent_decline,
    company_agent_grant,
    company_agent_revoke,
    company_establish,
)
from onewindow.notify.models import Message
from onewindow.testing.factories import CompanyFactory, make_person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 11, 10, 0, tzinfo=datetime.UTC)
TODAY = timezone.localdate(NOW)
ACTOR = Actor.system("test")


def _company_of(rep: Person) -> Company:
    company = cast(Company, CompanyFactory(legal_representative=rep.name))
    CompanyAgent.objects.create(
        company=company, person=rep, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    return company


def _grant(rep: Person, company: Company, agent: Person, days: int = 30) -> CompanyAgent:
    return company_agent_grant(
        actor=ACTOR,
        representative=rep,
        company=company,
        agent_name=agent.name,
        agent_id_number=agent.id_number,
        valid_until=TODAY + datetime.timedelta(days=days),
        now=NOW,
    )


def test_grant_waits_for_the_agent_and_accepting_lets_them_act() -> None:
    rep, agent = make_person(name="陈嘉欣"), make_person(name="李志明")
    company = _company_of(rep)

    grant = _grant(rep, company, agent)

    assert grant.status == CompanyAgent.Status.PENDING
    assert not selectors.person_may_act_for(person=agent, company=company, on=TODAY)
    pending = selectors.agent_grants_pending_for(person=agent, on=TODAY)
    assert [(g.company.name, g.granted_by_name, g.status_label) for g in pending] == [
        (company.name, "陈嘉欣", "待经办人确认")
    ]
    told = Message.objects.get(recipient=agent.user)
    assert "陈嘉欣" in told.body and company.name in told.body and "我的企业" in told.body

    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)

    assert selectors.person_may_act_for(person=agent, company=company, on=TODAY)
    assert [r.company for r in selectors.company_roles_for_person(person=agent, on=TODAY)] == [
        company
    ]
    actions = list(
        AuditEvent.objects.filter(target_id=str(grant.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [COMPANY_AGENT_GRANT, COMPANY_AGENT_ACCEPT]


def test_declined_grant_never_lets_the_person_act() -> None:
    rep, agent = make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent)

    company_agent_decline(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)

    assert not selectors.person_may_act_for(person=agent, company=company, on=TODAY)
    with pytest.raises(Conflict):
        company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)


def test_revocation_ends_it_at_once() -> None:
    rep, agent = make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent)
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)

    company_agent_revoke(actor=ACTOR, representative=rep, grant_id=grant.pk, now=NOW)

    assert not selectors.person_may_act_for(person=agent, company=company, on=TODAY)
    assert list(selectors.companies_for_person(person=agent, on=TODAY)) == []
    [row] = selectors.agent_grants_of_company(company=company, on=TODAY)
    assert row.status_label == "已撤销"
    assert AuditEvent.objects.filter(action=COMPANY_AGENT_REVOKE, target_id=str(grant.pk)).exists()
    assert "撤销" in Message.objects.filter(recipient=agent.user).order_by("-pk")[0].body


def test_expiry_ends_it_by_itself() -> None:
    rep, agent = make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent, days=10)
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)
    last_day = TODAY + datetime.timedelta(days=10)

    assert selectors.person_may_act_for(person=agent, company=company, on=last_day)
    after = last_day + datetime.timedelta(days=1)
    assert not selectors.person_may_act_for(person=agent, company=company, on=after)
    [row] = selectors.agent_grants_of_company(company=company, on=after)
    assert row.status_label == "已过期"


def test_a_pending_grant_past_its_last_day_cannot_be_accepted() -> None:
    rep, agent = make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent, days=1)

    with pytest.raises(Conflict, match="已过期"):
        company_agent_accept(
            actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW + datetime.timedelta(days=2)
        )


def test_only_the_legal_representative_grants_or_revokes() -> None:
    rep, agent, other = make_person(), make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent)
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk, now=NOW)

    with pytest.raises(PermissionDenied):  # an agent cannot pass the authority on
        _grant(agent, company, other)
    with pytest.raises(PermissionDenied):
        company_agent_revoke(actor=ACTOR, representative=agent, grant_id=grant.pk, now=NOW)


def test_grant_checks_the_person_and_the_period() -> None:
    rep, agent = make_person(name="陈嘉欣"), make_person(name="李志明")
    company = _company_of(rep)

    def grant(name: str, id_number: str, until: datetime.date | None) -> str:
        with pytest.raises(ValidationFailed) as caught:
            company_agent_grant(
                actor=ACTOR,
                representative=rep,
                company=company,
                agent_name=name,
                agent_id_number=id_number,
                valid_until=until,
                now=NOW,
            )
        return str(caught.value.message)

    later = TODAY + datetime.timedelta(days=30)
    assert grant("王五", agent.id_number, later).startswith("没有找到姓名和公民身份号码相符")
    assert grant(rep.name, rep.id_number, later) == "法定代表人无需授权本人。"
    assert grant(agent.name, agent.id_number, TODAY) == "授权截止日期须晚于今天。"
    assert grant(agent.name, agent.id_number, TODAY + datetime.timedelta(days=1200)) == (
        "授权期限最长三年。"
    )
    assert grant(agent.name, agent.id_number, None) == "请填写授权截止日期。"
    _grant(rep, company, agent)
    assert grant(agent.name, agent.id_number, later) == "已向该人员发出授权，正在等待其确认。"


def test_a_revoked_agent_can_be_authorised_again() -> None:
    rep, agent = make_person(), make_person()
    company = _company_of(rep)
    grant = _grant(rep, company, agent)
    company_agent_revoke(actor=ACTOR, representative=rep, grant_id=grant.pk, now=NOW)

    again = _grant(rep, company, agent)

    assert again.pk == grant.pk and again.status == CompanyAgent.Status.PENDING
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=again.pk, now=NOW)
    assert selectors.person_may_act_for(person=agent, company=company, on=TODAY)


def test_establish_creates_the_company_once_with_its_legal_representative() -> None:
    rep = make_person(name="梁国华")
    facts = Establishment(
        case_number="SC4401062026051100001",
        name="广州国华新材料有限公司",
        legal_representative_name="梁国华",
        legal_representative_id=rep.pk,
        region_code="440112",
        address="广州市黄埔区科学大道1号",
    )

    company = company_establish(actor=ACTOR, establishment=facts)

    assert company.uscc.startswith("91440112") and len(company.uscc) == 18
    assert company.legal_representative == "梁国华"
    assert [r.role for r in selectors.company_roles_for_person(person=rep)] == [
        CompanyAgent.Role.LEGAL_REPRESENTATIVE
    ]
    assert company_establish(actor=ACTOR, establishment=facts).pk == company.pk
    assert Company.objects.filter(established_by_case=facts.case_number).count() == 1
