"""Finance staff reconcile a day against the sandbox gateway (its own HTTP service) at phone
width: start the run, see the differences, refund an overcharge after confirming, resolve an
unknown trade with a note, re-run the day. Every page is axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.core.sandbox import sandbox_server
from onewindow.demo.services import city_structure_seed
from onewindow.payments.models import Mismatch, PaymentOrder, Refund
from onewindow.payments.sandbox import Sandbox, SandboxConfig, make_app
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.testing.factories import PersonFactory, StaffFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def box(settings: Any) -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxConfig(delay=0, duplicates=0), background=False)
    with sandbox_server(make_app(sandbox)).start() as server:
        settings.PAYMENTS_SANDBOX_URL = server.url()
        yield sandbox


def _paid_order() -> PaymentOrder:
    """A HK/Macao re-endorsement fee (¥15.00) paid today, as the callback would record it."""
    city_structure_seed(seed=1)
    version = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "hk-macau-reendorsement"]
    )[0]
    case = submit_package(PersonFactory(), version, answers={"permit_number": "C12345678"})
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    case_advance(case_id=case.pk)
    order = PaymentOrder.objects.get(case=case)
    PaymentOrder.objects.filter(pk=order.pk).update(
        status="paid", paid_at=timezone.now(), gateway_trade_no="SBXE2E1"
    )
    order.refresh_from_db()
    return order


def _trade(no: str, fen: int) -> dict[str, Any]:
    now = timezone.localtime()
    return {
        "out_trade_no": no,
        "trade_no": f"SBX{no[-6:]}",
        "amount_fen": fen,
        "notify_url": "",
        "paid_at": now.strftime("%Y-%m-%d %H:%M:%S"),
        "refunded_fen": 0,
    }


def test_finance_staff_reconcile_refund_and_resolve(
    page: Page, live_server: LiveServer, box: Sandbox
) -> None:
    order = _paid_order()
    box.trades[order.out_trade_no] = _trade(order.out_trade_no, 1600)  # took ¥1.00 too much
    box.trades["OWUNKNOWN1"] = _trade("OWUNKNOWN1", 500)
    finance = StaffFactory()
    finance.user.user_permissions.add(Permission.objects.get(codename="reconcile_payments"))

    log_in(page, finance.user, base_url=live_server.url, otp_verified=True)
    page.goto("/payments/reconciliation/")
    expect(page.get_by_role("heading", name="支付对账", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    expect(nav.get_by_role("link", name="支付对账")).to_have_attribute("aria-current", "page")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_label("对账日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="开始对账").click()

    expect(page.get_by_text("对账完成：发现 2 项差异")).to_be_visible()
    rows = page.get_by_test_id("mismatches")
    expect(rows).to_contain_text("金额不一致")
    expect(rows).to_contain_text("本地无记录")
    expect(rows).to_contain_text(order.case.number or "")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    rows.get_by_role("link", name=order.out_trade_no).click()
    expect(page.get_by_test_id("order")).to_contain_text(order.subject)
    expect(page.get_by_label("退款金额（元）")).to_have_value("1.00")
    assert_accessible(page)
    page.get_by_label("退款原因").fill("渠道多收 1 元，原路退回")
    page.get_by_role("button", name="退款", exact=True).click()
    expect(page.get_by_test_id("confirm-refund")).to_contain_text("￥1.00")
    assert not Refund.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="确认退款").click()
    expect(page.get_by_text("退款成功，差异已处理。")).to_be_visible()
    expect(page.get_by_test_id("mismatch-status")).to_contain_text("已退款")
    assert Refund.objects.get().amount_fen == 100
    assert box.trades[order.out_trade_no]["refunded_fen"] == 100
    assert_accessible(page)

    page.get_by_role("link", name="返回当日对账").click()
    page.get_by_test_id("mismatches").get_by_role("link", name="OWUNKNOWN1").click()
    expect(page.get_by_text("本平台没有该订单号的订单")).to_be_visible()
    page.get_by_role("button", name="标记为已处理").click()
    expect(page.get_by_text("请填写处理说明。")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("处理说明").fill("测试商户号误付，渠道已冲正")
    page.get_by_role("button", name="标记为已处理").click()
    expect(page.get_by_test_id("resolution-note")).to_have_text("测试商户号误付，渠道已冲正")
    assert Mismatch.objects.filter(status="open").count() == 0

    page.get_by_role("link", name="返回当日对账").click()
    page.get_by_role("button", name="重新对账").click()
    expect(page.get_by_text("对账完成")).to_be_visible()
    expect(page.get_by_test_id("runs").get_by_role("listitem")).to_have_count(2)
    assert_accessible(page)


def test_a_payment_whose_notification_was_lost_is_applied_from_the_statement(
    page: Page, live_server: LiveServer, box: Sandbox
) -> None:
    """补单 at phone width: the statement shows the fee paid, the order still waits here; a
    confirmation applies it and issues the receipt. Every page is axe-clean."""
    order = _paid_order()
    box.trades[order.out_trade_no] = _trade(order.out_trade_no, order.amount_fen)
    PaymentOrder.objects.filter(pk=order.pk).update(status="paying", paid_at=None)
    finance = StaffFactory()
    finance.user.user_permissions.add(Permission.objects.get(codename="reconcile_payments"))

    log_in(page, finance.user, base_url=live_server.url, otp_verified=True)
    page.goto("/payments/reconciliation/")
    page.get_by_label("对账日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="开始对账").click()
    rows = page.get_by_test_id("mismatches")
    expect(rows).to_contain_text("状态不一致")
    rows.get_by_role("link", name=order.out_trade_no).click()
    expect(page.get_by_role("heading", name="按已缴费处理（补单）")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="按已缴费处理", exact=True).click()
    expect(page.get_by_test_id("confirm-paid")).to_contain_text("15.00")
    assert PaymentOrder.objects.get(pk=order.pk).status == "paying"
    assert_accessible(page)
    page.get_by_role("button", name="确认已缴费").click()
    expect(page.get_by_text("已按对账单确认缴费，办件将继续办理。")).to_be_visible()
    expect(page.get_by_test_id("mismatch-status")).to_contain_text("已核实并说明")
    assert PaymentOrder.objects.get(pk=order.pk).status == "paid"
    assert_accessible(page)
