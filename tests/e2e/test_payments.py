"""A resident pays the HK/Macao re-endorsement fee in the sandbox gateway (a separate HTTP
service) at phone width: 待缴费 → 去缴费 → the sandbox cashier → 确认支付 → the return page
updates once the signed notification arrives → the e-receipt. Every page is axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from onewindow.audit.services import Actor
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.core.sandbox import sandbox_server
from onewindow.demo.services import city_structure_seed
from onewindow.payments.models import PaymentOrder
from onewindow.payments.sandbox import Sandbox, SandboxConfig, make_app
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox_url(settings: Any) -> Iterator[str]:
    box = Sandbox(SandboxConfig(delay=0.2, duplicates=1, shuffle=True))
    with sandbox_server(make_app(box)).start() as server:
        settings.PAYMENTS_SANDBOX_URL = server.url()
        yield server.url()


def test_resident_pays_in_the_sandbox_and_gets_a_receipt(
    page: Page, live_server, sandbox_url
) -> None:  # type: ignore[no-untyped-def]
    city_structure_seed(seed=1)
    resident = PersonFactory()
    version = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "hk-macau-reendorsement"]
    )[0]
    case = submit_package(resident, version, answers={"permit_number": "C12345678"})
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    case_advance(case_id=case.pk)
    order = PaymentOrder.objects.get(case=case)

    log_in(page, resident.user, base_url=live_server.url)
    page.goto(f"{live_server.url}/cases/{case.number}/")
    expect(page.get_by_test_id("payments-due")).to_contain_text("￥15.00")
    assert_accessible(page)
    page.get_by_role("link", name="去缴费").click()
    expect(page.get_by_role("heading", name="待缴费")).to_be_visible()
    expect(page.get_by_test_id("pay-form")).to_contain_text("￥15.00")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="去缴费").click()
    expect(page.get_by_role("heading", name="沙箱收银台")).to_be_visible()
    assert page.url.startswith(sandbox_url)
    assert_accessible(page)
    page.get_by_role("button", name="确认支付").click()

    expect(page.get_by_role("heading", name="支付结果", exact=True)).to_be_visible()
    for _attempt in range(20):
        if page.get_by_role("heading", name="缴费成功").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.get_by_role("heading", name="缴费成功")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="查看电子票据").click()
    expect(page.get_by_role("heading", name="电子票据", exact=True)).to_be_visible()
    order.refresh_from_db()
    expect(page.get_by_text(order.receipt.number)).to_be_visible()
    assert order.status == "paid"
    assert_accessible(page)
