"""Staff no longer approve blind: each check task of the housing services shows the records the
exchange fetched for it — in full to whoever may act on the task, masked for others unless
their department provides the data — with when and under which call-log reference, and the
decision table's verdict on those records before anyone decides. 李志明 (two flats, 186 m² for
three people) was approved by three departments and then refused by the table; now each of
them reads 规则结果：不符合 first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.identity.models import User
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.testing.factories import PersonFactory
from onewindow.testing.housing import DECLARED_POOR, DECLARED_RICH, LOW_INCOME, TWO_FLATS

pytestmark = pytest.mark.django_db

VERDICT = "规则结果：不符合（家庭人均住房建筑面积 62 平方米 ≥ 15 平方米）"
# the check task and the demo staff account holding it
HOLDERS = {
    "Task_Property": "ghzyj_clerk",
    "Task_Income": "mzj_approver",
    "Task_Housing": "zjj_clerk",
}


def staff_client(username: str) -> Client:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def accepted(phone: str, answers: dict[str, Any]) -> Case:
    """Applied for public rental housing and accepted: the records are looked up, the three
    checks are open."""
    version = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "public-rental-housing"]
    )[0]
    person = PersonFactory(name="李志明", phone=phone, region_code="440104")
    case = submit_package(person, version, answers=answers)
    approve_as_holder(case.tasks.get(element_id="Task_Accept"))
    case.refresh_from_db()
    return case


def task_page(case: Case, element: str) -> str:
    task = case.tasks.get(element_id=element)
    response = staff_client(HOLDERS[element]).get(f"/workbench/tasks/{task.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def record(page: str, resource: str) -> str:
    """The text of one fetched record's block."""
    start = page.index(f'data-resource="{resource}"')
    block = page[start : page.index("</div>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


def test_every_check_task_shows_the_table_s_verdict_before_anyone_decides(city):
    case = accepted(TWO_FLATS, DECLARED_POOR)
    for element in HOLDERS:
        page = task_page(case, element)
        assert VERDICT in page, element
        assert "理由：家庭人均住房建筑面积不低于15平方米" in page
        assert "各部门核查完成后，流程将按此表自动判定" in page  # a preview, said as such
        assert "（数据来源：不动产登记信息（广州市规划和自然资源局），" in page


def test_the_records_fetched_for_a_check_are_shown_in_full_to_its_holder(city):
    case = accepted(TWO_FLATS, DECLARED_POOR)
    property_check = task_page(case, "Task_Property")
    block = record(property_check, "gz-ghzyj.property-records")
    assert "本环节核查" in block
    assert "名下住房套数 2 住房总建筑面积（平方米） 186" in block
    assert re.search(r"调取 · 调用记录 EX\d{10}", block)
    # another department's sensitive fields stay masked for the 规划 clerk
    assert "家庭人均月收入（元） ***" in record(property_check, "gz-mzj.income-assets")

    income_check = task_page(case, "Task_Income")
    block = record(income_check, "gz-mzj.income-assets")
    assert "本环节核查" in block and "家庭人均月收入（元） 3800" in block
    assert "名下住房套数 *** 住房总建筑面积（平方米） ***" in record(
        income_check, "gz-ghzyj.property-records"
    )
    # the housing check's own look-ups (household registration, social insurance) in full
    housing_check = task_page(case, "Task_Housing")
    assert "本环节核查" in record(housing_check, "gz-rsj.social-insurance")
    assert "参保单位 ***" not in record(housing_check, "gz-rsj.social-insurance")


def test_once_the_check_is_done_its_page_masks_what_the_holder_no_longer_needs(city):
    case = accepted(TWO_FLATS, DECLARED_POOR)
    approve_as_holder(case.tasks.get(element_id="Task_Housing"))
    page = task_page(case, "Task_Housing")
    # no longer acting: the records of the step and the figure from 规划's records are masked
    assert "参保单位 ***" in record(page, "gz-rsj.social-insurance")
    assert "规则结果：不符合（家庭人均住房建筑面积 *** ≥ 15 平方米）" in page
    # the 民政 approver still decides: sees the figure
    assert VERDICT in task_page(case, "Task_Income")


def test_an_eligible_household_reads_as_eligible(city):
    case = accepted(LOW_INCOME, DECLARED_RICH)
    page = task_page(case, "Task_Income")
    assert "规则结果：符合（符合公共租赁住房准入条件）" in page
    assert "<dt>家庭人均年可支配收入</dt><dd>31200 元 " in page  # every input, in the details
