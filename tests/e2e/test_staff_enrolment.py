"""A department administrator resets a clerk's authenticator at phone width; the clerk logs
in with the password, scans (here: reads the key), enters the code and lands in the
workbench; then confirms a resident's identity face to face (当面核验). Every page is
axe-clean."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth.models import Permission
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import AssuranceLevel, Person, Role, StaffRole
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory
from tests.e2e.conftest import PHONE, assert_accessible
from tests.e2e.helpers import Screenshots, has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


shot = Screenshots("staff")


def _role(code: str, *perms: str) -> Role:
    role = Role.objects.create(code=code, name=code)
    role.permissions.add(*Permission.objects.filter(codename__in=perms))
    return role


def test_reset_enrol_and_verify_in_person(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    rsj = DepartmentFactory(code="gz-rsj", name="广州市人力资源和社会保障局")
    admin = StaffFactory(department=rsj, user__display_name="周敏")
    StaffRole.objects.create(
        staff=admin, role=_role("dept_admin", "change_staff", "view_staff"), department=rsj
    )
    clerk = StaffFactory(department=rsj, user__display_name="陈晓")
    StaffRole.objects.create(
        staff=clerk,
        role=_role("window_clerk", "view_person", "verify_in_person", "add_person"),
        department=rsj,
    )
    resident = PersonFactory(name="黄淑仪")

    log_in(page, admin.user, base_url=live_server.url, otp_verified=True)
    page.goto("/workbench/")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    nav.get_by_role("link", name="人员管理").click()
    expect(page.get_by_role("heading", name="本部门人员", level=1)).to_be_visible()
    row = page.locator(f'li[data-username="{clerk.user.username}"]')
    expect(row).to_contain_text("已开通")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    row.get_by_role("link", name=f"重置动态口令 {clerk.user.username}").click()
    page.get_by_role("button", name="重置动态口令").click()
    expect(page.get_by_text("请勾选确认后再重置。")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("我已核实该工作人员的身份，并确认其原有动态口令作废").check()
    page.get_by_role("button", name="重置动态口令").click()
    expect(page.get_by_text("已重置 陈晓 的动态口令")).to_be_visible()
    expect(page.locator(f'li[data-username="{clerk.user.username}"]')).to_contain_text("待本人绑定")
    shot(page, "people")

    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    mine = context.new_page()
    mine.goto("/account/staff/login/")
    mine.get_by_label("用户名").fill(clerk.user.username)
    mine.get_by_label("密码").fill(PASSWORD)
    mine.get_by_role("button", name="登录").click()
    expect(mine.get_by_role("heading", name="开通动态口令", level=1)).to_be_visible()
    expect(mine.get_by_role("img", name="动态口令二维码：请用验证器应用扫描")).to_be_visible()
    assert has_no_horizontal_scroll(mine)
    assert_accessible(mine)
    shot(mine, "enrol")
    secret = mine.get_by_test_id("enrol-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mine.get_by_label("验证器中显示的6位数字").fill(f"{totp(key):06d}")
    mine.get_by_role("button", name="完成开通并登录").click()
    expect(mine.get_by_text("动态口令已开通")).to_be_visible()
    assert "/workbench/" in mine.url

    mine.goto(f"/account/staff/persons/{resident.pk}/")
    expect(mine.get_by_role("heading", name="当面核验身份")).to_be_visible()
    assert_accessible(mine)
    mine.get_by_label("已当面核对居民身份证原件，人证一致").check()
    mine.get_by_role("button", name="确认当面核验").click()
    expect(mine.get_by_text("已当面核验（L3）")).to_be_visible()
    assert Person.objects.get(pk=resident.pk).assurance == AssuranceLevel.IN_PERSON

    # 自然人登记: a resident who never applied online, registered at the window.
    nav = mine.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    nav.get_by_role("link", name="自然人登记").click()
    expect(mine.get_by_role("heading", name="自然人登记", level=1)).to_be_visible()
    assert has_no_horizontal_scroll(mine)
    assert_accessible(mine)
    mine.get_by_label("姓名").fill("梁志强")
    mine.get_by_label("身份证号码").fill("110105194912310021")
    mine.get_by_label("手机号码（选填）").fill("13900002222")
    mine.get_by_label("已当面核对居民身份证原件，人证一致").check()
    mine.get_by_role("button", name="登记").click()
    expect(mine.get_by_text("校验位不正确")).to_be_visible()  # the field says what is wrong
    assert_accessible(mine)
    mine.get_by_label("身份证号码").fill("11010519491231002X")
    mine.get_by_label("已当面核对居民身份证原件，人证一致").check()
    mine.get_by_role("button", name="登记").click()
    expect(mine.get_by_text("已登记，实名等级为当面核验（L3）。")).to_be_visible()
    expect(mine.get_by_role("heading", name="自然人信息", level=1)).to_be_visible()
    context.close()
