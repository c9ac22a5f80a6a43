"""A company's page (企业主页): a person acting for a company switches to it from their own
page and sees its cases, its licences and the annual-report reminder; nobody else does."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.identity.models import Company, CompanyAgent
from onewindow.licences.services import licence_issue
from onewindow.portal.selectors import annual_report_reminders
from onewindow.testing.demo_packages import catalog_dir
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
USCC = "91440101MA5PORTAL1"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def scene(city: Any, memory_storage: None) -> dict[str, Any]:
    version = service_packages_import(
        actor=SYSTEM, paths=[catalog_dir() / "company-change-registration"]
    )[0]
    representative: Any = PersonFactory(name="黄立")
    agent: Any = PersonFactory(name="郑可")
    company = Company.objects.create(uscc=USCC, name="立可贸易有限公司")
    CompanyAgent.objects.create(
        company=company, person=representative, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    CompanyAgent.objects.create(
        company=company,
        person=agent,
        role=CompanyAgent.Role.AGENT,
        status=CompanyAgent.Status.ACTIVE,
        granted_by=representative,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    Case.objects.create(
        service_version=version,
        created_by=agent.user,
        agent=agent,
        applicant_company=company,
        number="C20260001",
        status=Case.Status.IN_PROGRESS,
        submitted_at=timezone.now(),
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    licence_issue(actor=SYSTEM, licence_type_code="business-licence", holder_company=company)
    return {"company": company, "representative": representative, "agent": agent}


def test_the_agent_switches_to_the_companys_page(scene: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scene["agent"].user)
    home = client.get("/").content.decode()
    assert f'href="/company/{USCC}/"' in home and "切换到立可贸易有限公司" in _text(home)
    # the company's case is on its page, not among the agent's own
    assert "C20260001" not in _text(home.split('id="my-cases"', 1)[1].split("</section>")[0])
    page = client.get(f"/company/{USCC}/")
    assert page.status_code == 200
    text = _text(page.content.decode())
    assert "立可贸易有限公司" in text and "经办人" in text
    assert "企业办件" in text and "C20260001" in text and "企业证照" in text
    assert "营业执照" in text and "年报提醒" in text and "返回个人首页" in text


def test_the_company_page_is_refused_to_anyone_else(scene: dict[str, Any]) -> None:
    stranger = Client()
    stranger_person: Any = PersonFactory()
    stranger.force_login(stranger_person.user)
    assert stranger.get(f"/company/{USCC}/").status_code == 404
    CompanyAgent.objects.filter(person=scene["agent"]).update(status=CompanyAgent.Status.REVOKED)
    former = Client()
    former.force_login(scene["agent"].user)
    assert former.get(f"/company/{USCC}/").status_code == 404
    assert f"/company/{USCC}/" not in former.get("/").content.decode()


def test_the_annual_report_is_urgent_until_filed_by_30_june(scene: dict[str, Any]) -> None:
    company = scene["company"]
    (due,) = annual_report_reminders(company_id=company.pk, today=datetime.date(2027, 3, 1))
    assert (due.title, due.urgent, due.due_on) == (
        "请报送2026年度报告",
        True,
        datetime.date(2027, 6, 30),
    )
    assert due.url == "/cases/apply/annual-report/"
    (later,) = annual_report_reminders(company_id=company.pk, today=datetime.date(2027, 7, 1))
    assert (later.urgent, later.status) == (False, "未到报送期")
    assert later.detail == "报送期 2028-01-01 至 2028-06-30"


def test_a_filed_annual_report_is_no_longer_urgent(scene: dict[str, Any]) -> None:
    company = scene["company"]
    version = service_packages_import(actor=SYSTEM, paths=[catalog_dir() / "annual-report"])[0]
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC), tick=False):
        Case.objects.create(
            service_version=version,
            created_by=scene["agent"].user,
            applicant_company=company,
            number="C20270001",
            status=Case.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        (item,) = annual_report_reminders(company_id=company.pk)
    assert (item.urgent, item.status) == (False, "已报送")
