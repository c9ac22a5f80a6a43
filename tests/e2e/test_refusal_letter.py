"""A refusal the resident can act on, and staff who see what they approve, in Chromium.

At phone width (390 px) 李志明 — two flats, 186 m² for three people — opens his refused
public rental housing application, reads the decision letter (number, issuer, date, the
figure against the standard and where it came from, the records used, the remedies) and
downloads it; the PDF's text is read with the standard library (``onewindow.testing.pdftools``:
no PDF library is installed). At desktop width the 规划 clerk opens the property check and sees
the fetched property record and the table's verdict before deciding. axe-clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases.models import Case, DecisionLetter
from onewindow.demo.city import city_structure_seed
from onewindow.testing.demo_packages import approve_as_holder
from onewindow.testing.factories import PersonFactory
from onewindow.testing.housing import DECLARED_POOR, TWO_FLATS
from onewindow.testing.pdftools import pdf_text
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import staff_for

pytestmark = pytest.mark.django_db(transaction=True)

FIGURE = "家庭人均住房建筑面积 62 平方米，标准为低于 15 平方米"
VERDICT = "规则结果：不符合（家庭人均住房建筑面积 62 平方米 ≥ 15 平方米）"
REMEDIES = (
    "如不服本决定，可以自知道本决定之日起60日内向广州市人民政府申请行政复议，"
    "也可以自知道本决定之日起6个月内向广州铁路运输法院提起行政诉讼。"
)
DESKTOP = {"width": 1280, "height": 900}


def li_zhiming() -> Any:
    return PersonFactory(name="李志明", phone=TWO_FLATS, region_code="440104")


def accepted_case(resident: Any) -> Case:
    """李志明's public rental housing application, accepted: the records are looked up and
    the three checks are open."""
    from onewindow.audit.services import Actor
    from onewindow.catalog.services import service_packages_import
    from onewindow.testing.demo_packages import catalog_dir, submit_package

    city_structure_seed(seed=1)
    version = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "public-rental-housing"]
    )[0]
    case = submit_package(resident, version, answers=DECLARED_POOR)
    approve_as_holder(case.tasks.get(element_id="Task_Accept"))
    case.refresh_from_db()
    return case


def test_a_resident_opens_the_refusal_and_downloads_the_letter(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    resident = li_zhiming()
    case = accepted_case(resident)
    for element in ("Task_Housing", "Task_Property", "Task_Income"):
        approve_as_holder(case.tasks.get(element_id=element))
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    letter = DecisionLetter.objects.get(case=case)

    log_in(page, resident.user, base_url=live_server.url)
    page.goto("/cases/")
    page.get_by_test_id("case-list").get_by_role(
        "link", name="公共租赁住房申请（户籍住房困难家庭）"
    ).click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结（不予）")
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_contain_text("您的申请未获通过，决定书：不予批准决定书。")
    shown = outcome.get_by_test_id("refusal-letter")
    expect(shown.get_by_role("heading", name="不予批准决定书")).to_be_visible()
    expect(shown.get_by_test_id("letter-number")).to_have_text(letter.number)
    expect(shown).to_contain_text("广州市住房和城乡建设局")
    expect(shown.get_by_test_id("letter-reasons")).to_contain_text(FIGURE)
    expect(shown.get_by_test_id("letter-reasons")).to_contain_text(
        "数据来源：不动产登记信息（广州市规划和自然资源局）"
    )
    expect(shown.get_by_test_id("letter-records")).to_contain_text(
        "不动产登记信息（广州市规划和自然资源局提供）"
    )
    expect(shown.get_by_test_id("letter-remedies")).to_have_text(REMEDIES)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    with page.expect_download() as caught:
        page.get_by_test_id("letter-download").click()
    download = caught.value
    assert download.suggested_filename == f"不予批准决定书-{case.number}.pdf"
    target = tmp_path / "letter.pdf"
    download.save_as(target)
    text = pdf_text(target.read_bytes())
    for expected in (letter.number, "李志明：", "本机关决定不予批准", FIGURE, REMEDIES):
        assert expected in text, expected


def test_the_property_check_shows_the_fetched_figures_and_the_rule_result(
    browser: Browser, live_server: LiveServer
) -> None:
    case = accepted_case(li_zhiming())
    task = case.tasks.get(element_id="Task_Property")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, staff_for(task), base_url=live_server.url, otp_verified=True)
        page.goto(f"/workbench/tasks/{task.pk}/")
        expect(page.get_by_role("heading", name=task.name, level=1)).to_be_visible()
        check = page.get_by_test_id("check-data")
        expect(check.get_by_test_id("rule-summary")).to_have_text(VERDICT)
        expect(check).to_contain_text("理由：家庭人均住房建筑面积不低于15平方米")
        record = check.locator('[data-resource="gz-ghzyj.property-records"]')
        expect(record).to_contain_text("本环节核查")
        expect(record.locator("dt", has_text="名下住房套数").locator("+ dd")).to_have_text("2")
        expect(record.locator("dt", has_text="住房总建筑面积").locator("+ dd")).to_have_text("186")
        expect(record).to_contain_text("调用记录 EX")
        # the verdict is above the buttons' consequences: still undecided, nothing approved
        expect(page.get_by_role("button", name="同意", exact=True)).to_be_visible()
        assert_accessible(page)
    finally:
        context.close()
