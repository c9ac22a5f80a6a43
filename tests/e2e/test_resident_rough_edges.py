"""What a new resident ran into, in Chromium at phone width (390 px), axe-checked:

- asking for a new SMS code too early keeps the code field (and counts down);
- the permit number comes from the wallet, says what it looks like, takes lowercase;
  a radio question left unanswered says 请选择; deleting the draft asks once more;
- an old draft link after submitting leads to the case, with a note;
- the case page folds the earlier timeline and the application's answers (its height
  measured folded and unfolded); withdrawing asks once more, and the progress then says
  who withdrew the case and when.

The rating (好差评), never preselected, is in test_ratings.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.licences.services import licence_issue
from onewindow.testing.applying import act, apply, draft
from onewindow.testing.cases import SERVICE, definition
from onewindow.testing.cases import publish as publish_package
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import log_in
from tests.e2e.test_apply_flows import CATALOG, publish
from tests.e2e.test_resident_login import sent_code

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "grad-employment-test"
PHONE = "13800138000"


def page_height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


@pytest.fixture
def resident() -> Any:
    """The resident whose real-name record matches the test package's answers."""
    from onewindow.testing.cases import ANSWERS

    return PersonFactory(
        name=ANSWERS["applicant_name"], id_number=ANSWERS["id_number"], phone=ANSWERS["phone"]
    )


@pytest.fixture
def parallel_service(tmp_path: Path) -> Any:
    """Three departments approve in parallel after the window's acceptance (the case tests'
    package, with only an uploaded material)."""
    city_structure_seed(seed=1)
    uploads = [m for m in SERVICE["materials"] if m.get("source") == "upload"]
    return publish_package(tmp_path, service=definition(materials=uploads))


def test_asking_for_a_new_code_too_early_keeps_the_code_field(
    page: Page, live_server: LiveServer
) -> None:
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至 138****8000")
    resend = page.get_by_role("button", name="重新获取验证码")
    expect(page.get_by_test_id("resend-wait")).to_contain_text("秒后可重新获取")
    expect(resend).to_be_disabled()  # counting down
    check(page)

    # Without the script (or before it runs) the button can still be pressed too early.
    page.evaluate("document.querySelector('.resend-form button').disabled = false")
    resend.click()
    expect(page.get_by_test_id("resend-too-early")).to_contain_text(
        "还不能重新获取验证码。请输入已收到的验证码"
    )
    code = page.get_by_label("短信验证码")
    expect(code).to_be_visible()
    expect(page.get_by_test_id("resend-wait")).to_contain_text(re.compile(r"\d+秒后可重新获取"))
    check(page)
    code.fill(sent_code(PHONE))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/$"))


def test_the_permit_number_comes_from_the_wallet_and_takes_lowercase(
    page: Page, live_server: LiveServer
) -> None:
    version = publish("hk-macau-reendorsement")
    service_packages_import(actor=Actor.system("e2e"), paths=[CATALOG / "hk-macau-permit"])
    person: Any = PersonFactory()
    licence_issue(
        actor=Actor.system("e2e"),
        licence_type_code="hk-macau-permit",
        holder_person=person,
        claims={"permitNumber": "C87654321"},
    )
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    page.get_by_role("button", name="开始申请").click()
    permit = page.locator("#f-permit_number")
    expect(permit).to_have_value("C87654321")
    expect(permit).to_have_attribute("autocapitalize", "characters")
    expect(page.locator(".form-field", has=permit)).to_contain_text(
        "1个字母加8位数字，例如 C12345678。已从您的电子证照“往来港澳通行证”读取，请核对。"
    )
    check(page)

    permit.fill("12345")
    page.get_by_role("button", name="保存并继续").click()
    expect(page.locator("#f-permit_number-error")).to_have_text(
        "通行证号码的格式不正确：应为1个字母加8位数字，例如 C12345678。"
    )
    expect(page.locator("#f-destination-error")).to_have_text("请选择前往地。")
    check(page)

    permit.fill("c87654321")
    page.locator("#f-destination-1").check()
    page.locator("#f-endorsement_type-2").check()
    page.locator("#f-validity-1").check()
    page.locator("#f-mail_address").fill("广州市越秀区府前路1号")
    page.locator("#f-recipient_phone").fill("13800138000")
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    case = Case.objects.get(created_by=person.user)
    assert case.form_data["permit_number"] == "C87654321"

    # Deleting the draft takes a second, confirming tap.
    page.goto(f"/cases/drafts/{case.pk}/form/")
    page.get_by_text("删除草稿", exact=True).click()
    confirm = page.get_by_role("button", name="确认删除草稿")
    expect(confirm).to_be_visible()
    check(page)
    confirm.click()
    expect(page.get_by_role("heading", name="我的办件")).to_be_visible()
    assert not Case.objects.filter(pk=case.pk).exists()


def test_the_case_page_after_submitting(
    page: Page, live_server: LiveServer, parallel_service: Any, resident: Any
) -> None:
    case = apply(resident.user, CODE)
    for element, username in [("accept", "rsj_clerk"), ("hr", "rsj_approver")]:
        act(User.objects.get(username=username), case, element)
    log_in(page, resident.user, base_url=live_server.url)

    # The back button (or an old link) to check-your-answers leads to the case.
    page.goto(f"/cases/drafts/{case.pk}/review/")
    expect(page).to_have_url(re.compile(rf"/cases/{case.number}/$"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"该申请已提交（办件编号 {case.number}），草稿不能再修改。"
    )
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    check(page)

    # Folded, the page is much shorter than with everything shown (as it used to be).
    folded = page_height(page)
    earlier = page.get_by_test_id("timeline-earlier")
    expect(earlier.locator("summary")).to_have_text(re.compile(r"查看更早的 \d+ 条记录"))
    expect(earlier.locator("li").first).to_be_hidden()
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(
        case.events.filter(public=True).count()
    )
    expect(page.locator('[data-answer="degree"]')).to_be_hidden()
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    unfolded = page_height(page)
    print(f"case page at 390 px: {folded} px folded, {unfolded} px unfolded")
    assert folded < unfolded - 400, (folded, unfolded)
    expect(page.locator('[data-answer="degree"]')).to_be_visible()
    check(page)
    page.reload()

    # Withdrawing takes a second, confirming tap.
    withdraw = page.get_by_test_id("withdraw")
    withdraw.get_by_text("撤回申请", exact=True).click()
    withdraw.get_by_label("撤回原因（可选）").fill("单位改了报到时间")
    check(page)
    withdraw.get_by_role("button", name="确认撤回").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已撤回")
    case.refresh_from_db()
    at = case.concluded_at.astimezone().strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    note = page.get_by_test_id("withdrawn-note")
    expect(note).to_contain_text(f"申请人已于 {at} 撤回申请，办理终止。")
    expect(note).to_contain_text("撤回原因：单位改了报到时间")
    expect(page.get_by_text("正在分派到承办部门")).to_have_count(0)
    check(page)


def test_an_unsubmitted_draft_is_still_a_draft(
    page: Page, live_server: LiveServer, parallel_service: Any, resident: Any
) -> None:
    """The redirect is only for submitted applications: a draft's pages stay its own."""
    case = draft(resident.user, CODE)
    log_in(page, resident.user, base_url=live_server.url)
    page.goto(f"/cases/drafts/{case.pk}/review/")
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    check(page)
