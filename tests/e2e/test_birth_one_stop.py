"""出生“一件事” in Chromium at phone width, axe-clean: a parent applies once, the spouse
agrees to the look-up of their records, the departments approve, and the parent finds every
outcome the one-stop bundles in the wallet. A made-up birth certificate number is not found:
the case page says so instead of claiming the certificate was obtained.

With ``ONEWINDOW_SCREENSHOTS=<folder>`` the steps are saved as ``birth-*.png`` (the
walkthrough in docs/demo-walkthrough.md uses them)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases.models import Case
from onewindow.cases.services.parties import party_consent_decide
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.exchange.datasources import FakeCityDataSource
from onewindow.testing.demo_packages import run_to_the_end
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in
from tests.e2e.test_apply_flows import fill_form, publish

pytestmark = pytest.mark.django_db(transaction=True)

OUTCOMES = ("出生医学证明", "生育服务登记凭证", "居民户口簿", "医保参保凭证")


shot = Screenshots("birth")


def _couple() -> tuple[Any, Any]:
    parent: Any = PersonFactory(birth_date=datetime.date(1994, 3, 8))
    spouse_id = citizen_id_make("440104", datetime.date(1993, 7, 9), 456)
    spouse: Any = PersonFactory(
        id_number=spouse_id, id_number_bidx=id_number_index(spouse_id), name="李四"
    )
    return parent, spouse


def _apply(
    page: Page,
    live_server: LiveServer,
    parent: Any,
    spouse: Any,
    number: str,
    *,
    shots: bool = False,
) -> Case:
    publish("hukou-birth")
    version = publish("birth-one-stop")
    log_in(page, parent.user, base_url=live_server.url)
    page.goto("/services/hukou-birth/")  # the separate registration offers the one-stop
    offer = page.get_by_test_id("part-of")
    expect(offer).to_be_visible()
    if shots:
        shot(page, "01-offer")
    offer.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("出生“一件事”联办")
    check(page)
    page.goto(f"/cases/apply/{version.service.code}/")
    page.get_by_role("button", name="开始申请").click()
    fill_form(page, version.form_schema)
    page.locator("#f-child_name").fill("李小雨")
    page.locator("#f-birth_date").fill("2026-11-20")
    page.locator("#f-birth_cert_number").fill(number)
    page.locator("#f-spouse_id_number").fill(spouse.id_number)
    check(page)
    if shots:
        shot(page, "02-form")
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    row = page.locator('[data-material="birth-cert"]')
    expect(row).to_contain_text("由部门共享获取，无需提交")
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    check(page)
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-status")).to_have_text("等待相关人授权")
    case = Case.objects.get(created_by=parent.user, service_version=version)
    party = case.parties.get(code="spouse")
    party_consent_decide(user=spouse.user, party_id=party.pk, agree=True)
    page.reload()
    return case


def test_a_parent_finds_every_outcome_of_the_one_stop_in_the_wallet(
    page: Page, live_server: LiveServer
) -> None:
    parent, spouse = _couple()
    record = FakeCityDataSource().fetch("gz-wjw.birth-records", parent)
    assert record is not None
    case = _apply(page, live_server, parent, spouse, record["certificate_number"], shots=True)
    lookups = page.get_by_test_id("exchange-lookups")
    expect(lookups).to_contain_text("出生医学证明信息、婚姻登记信息、户籍信息")
    expect(page.get_by_test_id("exchange-missing")).to_have_count(0)
    check(page)
    shot(page, "03-case-lookups")

    case = run_to_the_end(case)
    assert case.status == Case.Status.APPROVED
    page.reload()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结（准予）")
    page.goto("/licences/")
    for name in OUTCOMES:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    check(page)
    shot(page, "04-wallet")


def test_a_made_up_certificate_number_is_not_shown_as_obtained(
    page: Page, live_server: LiveServer
) -> None:
    parent, spouse = _couple()
    record = FakeCityDataSource().fetch("gz-wjw.birth-records", parent)
    assert record is not None
    made_up = "Q123456789" if record["certificate_number"] != "Q123456789" else "Q987654321"
    _apply(page, live_server, parent, spouse, made_up)
    missing = page.get_by_test_id("exchange-missing")
    expect(missing).to_have_text(
        "数据共享未查到：出生医学证明信息。请核对您填写的编号等信息，工作人员受理时会核实，"
        "查无记录的不能作为已提交的材料。"
    )
    expect(page.get_by_test_id("exchange-lookups")).not_to_contain_text("出生医学证明信息")
    check(page)
