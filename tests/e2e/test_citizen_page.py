"""The citizen page in a phone browser: a case's news reaches the home page and the message
centre (a ¥15 fee to pay, then 全部标为已读); a company's agent switches to the company's
page. Every page is axe-clean and has no sideways scrolling."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.demo.services import city_structure_seed
from onewindow.identity.models import Company, CompanyAgent
from onewindow.testing.factories import PersonFactory
from onewindow.testing.portal import fee_case_approve, fee_case_submitted
from tests.e2e.conftest import check_page
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _section(page: Page, anchor: str) -> Any:
    return page.locator(f"#{anchor}")


def test_a_case_update_appears_on_the_page_and_in_the_message_centre(
    page: Page, live_server: LiveServer, memory_storage: None
) -> None:
    city_structure_seed(seed=1)
    resident: Any = PersonFactory(name="冯小雨")
    case = fee_case_submitted(resident)
    log_in(page, resident.user, base_url=live_server.url)
    page.goto("/")
    expect(_section(page, "my-cases")).to_contain_text("往来港澳通行证再次签注")
    expect(_section(page, "my-cases")).to_contain_text(str(case.number))
    expect(_section(page, "my-bills")).to_contain_text("暂无账单")
    check_page(page)

    fee_case_approve(case)  # the clerk approves: the fee is due
    page.goto("/")
    bills = _section(page, "my-bills")
    expect(bills).to_contain_text("¥15.00")
    expect(bills.get_by_role("link", name="往来港澳通行证再次签注·签注费")).to_have_attribute(
        "href", f"/payments/cases/{case.number}/"
    )
    messages = _section(page, "my-messages")
    expect(messages).to_contain_text("待缴费15.00元")
    check_page(page)

    messages.get_by_role("link", name="查看全部消息").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("消息中心")
    expect(page.get_by_test_id("message-counts")).to_have_text("共 3 条消息，3 条未读")
    expect(page.get_by_test_id("message").first).to_contain_text("待缴费15.00元")
    check_page(page)

    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_test_id("message-counts")).to_have_text("共 3 条消息，0 条未读")
    expect(page.get_by_role("status")).to_contain_text("已将全部消息标为已读。")
    expect(page.get_by_role("button", name="全部标为已读")).to_have_count(0)
    check_page(page)

    page.goto("/")
    expect(_section(page, "my-messages")).to_contain_text("暂无未读消息")


def test_the_agent_switches_to_the_company_page(page: Page, live_server: LiveServer) -> None:
    city_structure_seed(seed=1)
    representative: Any = PersonFactory(name="钟立")
    agent: Any = PersonFactory(name="罗可")
    company = Company.objects.create(uscc="91440101MA5E2EPG1X", name="立可科技有限公司")
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
    log_in(page, agent.user, base_url=live_server.url)
    page.goto("/")
    switch = page.get_by_test_id("company-switch")
    expect(switch).to_contain_text("经办人")
    check_page(page)

    switch.get_by_role("link", name="切换到立可科技有限公司").click()
    expect(page).to_have_url(f"/company/{company.uscc}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("立可科技有限公司")
    for heading in ("年报提醒", "企业办件", "企业证照"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="返回个人首页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，罗可")
