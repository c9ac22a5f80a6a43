"""The home page and ``GET /api/v1/me/home`` cost the same number of queries for a resident
with six of everything as for one with eleven (both more than a section shows, so both
count the rest): no section reads row by row."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases.models import Case, CaseTask
from onewindow.catalog.services import service_packages_import
from onewindow.identity.models import Company, CompanyAgent, Department
from onewindow.licences.services import licence_issue
from onewindow.notify.models import Message
from onewindow.payments.models import PaymentOrder
from onewindow.testing.demo_packages import catalog_dir
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
BUDGET = 45  # queries for the whole page, whatever the number of rows behind it


@pytest.fixture
def version(city: Any) -> Any:
    folder = catalog_dir() / "hk-macau-reendorsement"
    return service_packages_import(actor=SYSTEM, paths=[folder])[0]


def _resident_with(n: int, version: Any, tag: str) -> Any:
    person: Any = PersonFactory(name="林一" if tag == "a" else "林二")
    department = Department.objects.get(code=version.service.department.code)
    company = Company.objects.create(uscc=f"91440101MA5PORT{tag.upper()}0X"[:18], name=f"{tag}公司")
    CompanyAgent.objects.create(
        company=company, person=person, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    for i in range(n):
        case = Case.objects.create(
            service_version=version,
            created_by=person.user,
            applicant_person=person,
            number=f"Q{tag}{i:04d}",
            status=Case.Status.SUPPLEMENT if i % 3 == 0 else Case.Status.IN_PROGRESS,
            submitted_at=timezone.now(),
            deadline=timezone.localdate() + datetime.timedelta(days=10 + i),
        )
        CaseTask.objects.create(
            case=case,
            uid=f"t{i}",
            element_id="Task_Review",
            name="受理审核",
            department=department,
            role_code="clerk",
            status=CaseTask.Status.WAITING if i % 3 == 0 else CaseTask.Status.OPEN,
        )
        PaymentOrder.objects.create(
            case=case,
            fee_code="endorsement",
            subject="签注费",
            amount_fen=1500,
            gateway="sandbox",
            out_trade_no=f"OWQ{tag}{i}",
        )
        licence_issue(
            actor=SYSTEM,
            licence_type_code="hk-macau-endorsement",
            holder_person=person,
            claims={"endorsement": "G"},
        )
        Message.objects.create(
            recipient=person.user,
            kind="payment_due",
            title="待缴费",
            body=f"第{i}条",
            source_key=f"q:{tag}:{i}",
        )
    return person.user


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/api/v1/me/home"])
def test_the_home_page_reads_a_fixed_number_of_queries(
    version: Any, memory_storage: None, url: str, settings: Any
) -> None:
    settings.PORTAL_HOME_CACHE_SECONDS = 0  # the page as built, not as kept
    few, many = _resident_with(6, version, "a"), _resident_with(11, version, "b")
    client = Client()
    client.force_login(few)
    client.get(url)  # warm the caches every resident shares (services, calendar)
    small = _count(client, url)
    client.force_login(many)
    large = _count(client, url)
    assert large == small, (small, large)
    assert large <= BUDGET, large
    body = client.get("/").content.decode()
    assert body.count('data-testid="home-item-cases"') == 5  # the five latest


@pytest.mark.parametrize("url", ["/", "/api/v1/me/home"])
def test_a_page_kept_unchanged_costs_the_session_the_account_and_its_version(
    version: Any, memory_storage: None, url: str
) -> None:
    user = _resident_with(6, version, "a")
    client = Client()
    client.force_login(user)
    first = client.get(url).content
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert b"Qa0005" in first and b"Qa0005" in again.content
    tables = [q["sql"].split(" FROM ", 1)[1].split(" ", 1)[0] for q in queries.captured_queries]
    kept = ['"django_session"', '"identity_user"', '"portal_homepageversion"']
    # the page's address-book card counts the saved addresses as they are now
    assert tables == kept + (['"delivery_address"'] if url == "/" else [])


def test_drafts_and_recent_outcomes_are_on_the_page_old_ones_are_not(version: Any) -> None:
    person: Any = PersonFactory()
    common = {"service_version": version, "created_by": person.user, "applicant_person": person}
    Case.objects.create(status=Case.Status.DRAFT, step=Case.Step.MATERIALS, **common)
    Case.objects.create(
        number="QDONE1",
        status=Case.Status.APPROVED,
        concluded_at=timezone.now() - datetime.timedelta(days=2),
        **common,
    )
    Case.objects.create(
        number="QOLD1",
        status=Case.Status.REJECTED,
        concluded_at=timezone.now() - datetime.timedelta(days=90),
        **common,
    )
    client = Client()
    client.force_login(person.user)
    page = client.get("/").content.decode()
    section = page.split('id="my-cases"', 1)[1].split("</section>", 1)[0]
    assert "下一步：继续填写申请" in section and "/cases/drafts/" in section
    assert "QDONE1" in section and "已办结（准予）" in section
    assert "QOLD1" not in section
