"""A bad rating's rectification on a phone: the department's rectifier finds it in the inbox,
answers it as fixed, the resident rates the fix, and the public statistics show the
department's row (and its chart, when the build copied ECharts in). Every page axe-clean
and without horizontal scrolling."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.staticfiles import finders
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import Department
from onewindow.ratings.models import Rating, Rectification, Subject
from onewindow.ratings.services.rectify_open import rectification_open_for
from onewindow.testing.factories import DepartmentFactory, make_person, make_role, make_staff
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _rectifier_role() -> object:
    from django.contrib.auth.models import Permission

    role = make_role(code="rating_rectifier", name="差评整改员")
    role.permissions.add(Permission.objects.get(codename="rectify_ratings"))
    return role


def test_the_department_answers_the_resident_rates_the_fix_and_the_public_sees_it(
    page: Page, live_server: LiveServer
) -> None:
    department = cast(Department, DepartmentFactory(code="e2e-scjgj", name="天河区市场监督管理局"))
    rectifier = make_staff(department=department, roles=[_rectifier_role()]).user
    person = make_person(name="陈小明", phone="13800138001")
    subject = Subject.objects.create(
        kind=Subject.Kind.CASE,
        ref="e2e-1",
        number="E2E000001",
        title="个体工商户设立登记",
        service_code="getihu-sheli",
        service_name="个体工商户设立登记",
        department=department,
        rater=person.user,
        person=person,
        concluded_at=timezone.now(),
    )
    with transaction.atomic():
        rating = Rating.objects.create(
            subject=subject,
            level=2,
            dimensions={"overall": 2, "efficiency": 1},
            reasons=["many_trips"],
            text="材料交了三次。",
            rated_by=person.user,
        )
        rect = rectification_open_for(rating=rating)

    shot = Screenshots("rectification")
    log_in(page, rectifier, base_url=live_server.url, otp_verified=True)
    page.goto("/ratings/work/")
    expect(page.get_by_role("heading", name="差评整改", level=1)).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_contain_text("还剩 15 个工作日")
    check(page)
    page.get_by_role("link", name="E2E000001 · 个体工商户设立登记").click()
    expect(page.get_by_test_id("rating-text")).to_have_text("材料交了三次。")
    expect(page.get_by_test_id("rating-reasons")).to_have_text("需要多次跑动或反复提交")
    check(page)
    shot(page, "detail")
    page.get_by_role("button", name="查看评价人联系方式").click()
    expect(page.get_by_test_id("contact")).to_contain_text("陈小明 13800138001")
    page.get_by_label("已整改", exact=True).check()
    page.get_by_label("整改情况、解释说明或申诉理由").fill("已向窗口人员培训，一次性告知材料清单。")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.get_by_test_id("status")).to_contain_text("已反馈，待追评")
    expect(page.get_by_test_id("answer-text")).to_have_text(
        "已向窗口人员培训，一次性告知材料清单。"
    )
    check(page)

    page.context.clear_cookies()
    assert person.user is not None
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/ratings/fix/{rect.pk}/")
    expect(page.get_by_test_id("answer-text")).to_have_text(
        "已向窗口人员培训，一次性告知材料清单。"
    )
    check(page)
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("补充说明（选填）").fill("这次一次就办好了。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("fix-done")).to_contain_text("满意")
    expect(page.get_by_test_id("fix-done")).to_contain_text("整改已办结")
    check(page)
    shot(page, "fix-rated")
    rect.refresh_from_db()
    assert (rect.status, rect.fix_level) == (Rectification.Status.CLOSED, 4)

    page.context.clear_cookies()
    page.goto("/ratings/stats/")
    row = page.get_by_test_id("departments").locator(f'tr[data-key="{department.pk}"]')
    expect(row).to_contain_text("天河区市场监督管理局")
    expect(row.get_by_test_id("satisfaction")).to_have_text("0.0%")
    expect(row).to_contain_text("100.0%")  # the one bad rating's rectification is closed
    if finders.find("ratings/vendor/echarts.min.js"):
        expect(page.locator("#departments-chart canvas").first).to_be_attached()
    else:
        expect(page.locator("#departments-chart")).to_be_hidden()
    check(page)
    shot(page, "stats")
