"""Data exchange in the browser: the owning department's page with a pending request and
the call log, on a phone, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.exchange.models import Grant, Resource
from onewindow.exchange.services import access_request_create, consumer_create, resources_sync
from onewindow.testing.factories import DepartmentFactory, StaffFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_approves_access_and_sees_the_call_log(page: Page, live_server: LiveServer) -> None:
    mzj = DepartmentFactory(code="gz-mzj", name="广州市民政局", region_code="440100")
    resources_sync(actor=Actor.system("test"))
    consumer, _secret = consumer_create(
        actor=Actor.system("test"), code="zjj-sys", name="住房保障系统"
    )
    access_request_create(
        actor=Actor.system("test"),
        consumer=consumer,
        resource=Resource.objects.get(code="gz-mzj.marital-status"),
        purpose="住房保障资格审核",
        fields=["marital_status"],
    )
    staff = StaffFactory(department=mzj)
    log_in(page, staff.user, base_url=live_server.url, otp_verified=True)
    page.goto("/exchange/")
    expect(page.get_by_role("heading", name="数据共享", level=1)).to_be_visible()
    expect(page.get_by_test_id("chain-status")).to_contain_text("校验通过")
    assert_accessible(page)
    assert has_no_horizontal_scroll(page)
    page.get_by_label("每分钟调用上限").fill("10")
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_text("已处理该申请。")).to_be_visible()
    assert Grant.objects.get(consumer=consumer).rate_per_minute == 10
    assert_accessible(page)
