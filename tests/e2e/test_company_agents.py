"""Companies at phone width: a legal representative authorises an agent under 我的信息 → 我的企业,
the agent accepts and starts one of the company's services, the representative revokes and
the agent can no longer start one; a resident who acts for no company starts 企业设立登记; and
the graduate's employer confirms it takes the graduate on from 企业待办. axe-clean on every
page.

With ``ONEWINDOW_SCREENSHOTS=<folder>`` the steps are saved as ``company-*.png`` (the
walkthrough in docs/demo-walkthrough.md uses them)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases.models import Case
from onewindow.identity.models import CompanyAgent
from onewindow.testing.factories import CompanyFactory, PersonFactory
from tests.e2e.conftest import PHONE, assert_accessible
from tests.e2e.helpers import Screenshots, has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import publish

pytestmark = pytest.mark.django_db(transaction=True)


shot = Screenshots("company")


def _phone_page(browser: Browser, live_server: LiveServer, user: Any) -> Page:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    log_in(tab, user, base_url=live_server.url)
    return tab


def test_the_representative_authorises_an_agent_who_then_acts_for_the_company(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    version = publish("company-change-registration")
    rep: Any = PersonFactory(name="陈嘉欣")
    agent: Any = PersonFactory(name="李志明")
    company: Any = CompanyFactory(name="广州嘉欣商贸有限公司", legal_representative="陈嘉欣")
    CompanyAgent.objects.create(
        company=company, person=rep, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    last_day = timezone.localdate() + datetime.timedelta(days=90)

    # The representative finds 我的企业 under 我的信息 and authorises the agent.
    log_in(page, rep.user, base_url=live_server.url)
    page.goto("/")
    page.get_by_test_id("nav-menu").locator("summary").click()
    page.get_by_role("link", name="我的信息").click()
    page.get_by_role("link", name="企业及经办人授权").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的企业")
    mine = page.get_by_test_id("my-companies")
    expect(mine).to_contain_text("广州嘉欣商贸有限公司")
    expect(mine).to_contain_text("法定代表人")
    assert_accessible(page)
    shot(page, "01-my-companies")
    mine.get_by_role("link", name="管理经办人").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("广州嘉欣商贸有限公司")
    expect(page.get_by_test_id("company-agents")).to_contain_text("尚未授权经办人。")
    page.get_by_label("经办人姓名").fill("李志明")
    page.get_by_label("经办人公民身份号码").fill(agent.id_number)
    page.get_by_label("授权截止日期").fill(last_day.isoformat())
    shot(page, "02-grant-form")
    page.get_by_role("button", name="发出授权").click()
    expect(page.get_by_role("status").first).to_have_text(
        "已发出授权，经办人确认后即可代表企业办理业务。"
    )
    agents = page.get_by_test_id("company-agents")
    expect(agents).to_contain_text("李志明")
    expect(agents).to_contain_text("待经办人确认")
    expect(agents).to_contain_text(last_day.isoformat())
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    # The agent, on their own phone, accepts and starts a service for the company.
    tab = _phone_page(browser, live_server, agent.user)
    tab.goto(f"/cases/apply/{version.service.code}/")
    expect(tab.get_by_text("您目前不能代表任何企业办理业务。")).to_be_visible()
    expect(tab.get_by_role("button", name="开始申请")).to_be_disabled()
    tab.get_by_role("link", name="查看我的企业和待确认的授权").click()  # the way forward
    pending = tab.get_by_test_id("agent-grants-pending")
    expect(pending).to_contain_text("广州嘉欣商贸有限公司")
    until = last_day.isoformat()
    expect(pending).to_contain_text(f"法定代表人陈嘉欣授权您为经办人，期限至 {until}。")
    assert_accessible(tab)
    shot(tab, "03-agent-pending")
    pending.get_by_role("button", name="确认授权").click()
    expect(tab.get_by_role("status").first).to_have_text("您已成为该企业的经办人。")
    mine = tab.get_by_test_id("my-companies")
    expect(mine).to_contain_text("广州嘉欣商贸有限公司")
    expect(mine).to_contain_text("经办人")
    expect(mine).to_contain_text(last_day.isoformat())
    assert_accessible(tab)
    tab.goto(f"/cases/apply/{version.service.code}/")
    choice = tab.get_by_label(f"广州嘉欣商贸有限公司（{company.uscc}）")
    expect(choice).to_be_checked()
    assert_accessible(tab)
    tab.get_by_role("button", name="开始申请").click()
    expect(tab.get_by_test_id("apply-form")).to_be_visible()
    draft = Case.objects.get(created_by=agent.user)
    assert draft.applicant_company_id == company.pk and draft.agent_id == agent.pk

    # The representative revokes: at once the agent can no longer act for the company.
    page.reload()
    page.get_by_role("button", name="撤销李志明的授权").click()
    expect(page.get_by_role("status").first).to_have_text(
        "已撤销授权，该经办人不能再代表企业办理业务。"
    )
    expect(page.get_by_test_id("company-agents")).to_contain_text("已撤销")
    assert_accessible(page)
    tab.goto(f"/cases/apply/{version.service.code}/")
    expect(tab.get_by_text("您目前不能代表任何企业办理业务。")).to_be_visible()
    expect(tab.get_by_role("button", name="开始申请")).to_be_disabled()
    assert_accessible(tab)
    assert tab.goto(f"/cases/drafts/{draft.pk}/form/").status == 404  # type: ignore[union-attr]
    tab.context.close()


def test_a_resident_who_acts_for_no_company_starts_company_establishment(
    page: Page, live_server: LiveServer
) -> None:
    version = publish("company-establishment")
    person: Any = PersonFactory(name="梁国华")
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业设立登记")
    expect(page.get_by_text("您目前不能代表任何企业办理业务。")).to_have_count(0)
    expect(page.get_by_role("group", name="代为办理的企业")).to_have_count(0)
    start = page.get_by_role("button", name="开始申请")
    expect(start).to_be_enabled()
    assert_accessible(page)
    start.click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    case = Case.objects.get(created_by=person.user)
    assert case.applicant_person_id == person.pk and case.applicant_company_id is None


def test_the_employers_agent_confirms_the_graduate_from_company_tasks(
    page: Page, live_server: LiveServer
) -> None:
    from onewindow.testing.demo_packages import approve_as_holder, submit_package

    version = publish("graduate-employment-express")
    rep: Any = PersonFactory(name="陈嘉欣")
    company: Any = CompanyFactory(name="广州嘉欣商贸有限公司", legal_representative="陈嘉欣")
    CompanyAgent.objects.create(
        company=company, person=rep, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    graduate: Any = PersonFactory(name="黄淑仪")
    case = submit_package(graduate, version, answers={"employer_uscc": company.uscc})
    approve_as_holder(case.tasks.get(element_id="Task_Register"))

    log_in(page, rep.user, base_url=live_server.url)
    page.goto("/account/profile/companies/")
    page.get_by_role("link", name="企业待办").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企业待办")
    tasks = page.get_by_test_id("company-tasks")
    expect(tasks).to_contain_text("广州嘉欣商贸有限公司")
    expect(tasks).to_contain_text(case.number or "")
    assert_accessible(page)
    shot(page, "04-company-tasks")
    tasks.get_by_role("link", name="用人单位确认接收").click()
    expect(page.get_by_test_id("company-task-facts")).to_contain_text("黄淑仪")
    page.get_by_text("查看申请内容").click()
    expect(page.locator("#answers")).to_contain_text("用人单位统一社会信用代码")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    shot(page, "05-company-task")
    # Declining needs a reason: said on the page, nothing recorded.
    page.get_by_role("radio", name="不同意").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_have_text("请填写不同意的理由。")
    assert_accessible(page)
    page.get_by_role("radio", name="同意", exact=True).check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status").first).to_have_text("已提交企业意见。")
    expect(page.get_by_test_id("company-tasks")).to_contain_text("暂无待办事项。")
    assert_accessible(page)

    # The graduate sees the employer's confirmation on the case page.
    page.context.clear_cookies()
    log_in(page, graduate.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "广州嘉欣商贸有限公司 已确认：用人单位确认接收"
    )
    assert_accessible(page)
