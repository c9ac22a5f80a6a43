"""A resident finds a service on a phone and reads its guide, with the process diagram (and
the diagram of each process a call activity calls) when the bpmn-js asset was built (or the
list of steps without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from onewindow.audit.services import Actor
from onewindow.catalog.services import service_packages_import
from onewindow.catalog.views import diagram_available
from onewindow.demo.city import city_structure_seed
from onewindow.testing.called_process import CODE as JOINT_CODE
from onewindow.testing.called_process import JOINT_BPMN, PROCESS_BPMN, package_files
from onewindow.testing.packages import files_for, service, write_package
from tests.e2e.conftest import assert_accessible


@pytest.fixture
def services(tmp_path: Path) -> None:
    city_structure_seed(seed=1)
    service_packages_import(
        actor=Actor.system("e2e"),
        paths=[
            write_package(tmp_path, files_for()),  # the default process, drawn
            write_package(
                tmp_path,
                files_for(
                    service(
                        code="marriage-registration",
                        name={"zh": "内地居民结婚登记", "en": "Marriage registration"},
                        department="gz-mzj",
                        life_events=["marriage"],
                        tags=["领证"],
                        roles={},
                        fees=[],
                    )
                ),
            ),
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_find_a_service_and_read_its_guide_on_a_phone(page: Page, services: None) -> None:
    page.goto("/services/")
    expect(page.get_by_role("heading", name="办事服务")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("搜索服务").fill("签注")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("link", name="往来港澳通行证再次签注")).to_be_visible()
    expect(page.get_by_role("link", name="内地居民结婚登记")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="往来港澳通行证再次签注").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("往来港澳通行证再次签注")
    expect(page.get_by_text("无需提交，由部门共享获取")).to_be_visible()
    steps = page.locator("#process-steps li")
    # the default process first looks up the shared-data material the package declares
    expect(steps.first).to_contain_text("调取户口簿信息")
    expect(steps.first).to_contain_text("系统自动")
    expect(steps.nth(1)).to_contain_text("受理")
    expect(steps.nth(2)).to_contain_text("审批")
    if diagram_available():
        diagram = page.locator("#bpmn-diagram")
        expect(diagram).to_have_attribute("data-state", "ready")
        expect(diagram.locator("svg .djs-element").first).to_be_attached()
    else:
        expect(page.locator("#bpmn-diagram")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


@pytest.fixture
def joint_check(tmp_path: Path) -> None:
    """A service whose process calls a process of another file of the package."""
    city_structure_seed(seed=1)
    service_packages_import(
        actor=Actor.system("e2e"),
        paths=[
            write_package(
                tmp_path,
                package_files(process=PROCESS_BPMN, others={"joint_check.bpmn": JOINT_BPMN}),
            )
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_the_guide_lists_and_draws_a_called_process(page: Page, joint_check: None) -> None:
    page.goto(f"/services/{JOINT_CODE}/")
    called = page.locator("#process-steps > li", has_text="联合核查")
    expect(called.locator("ol li")).to_have_count(2)
    expect(called.locator("ol li").first).to_contain_text("户籍核查")
    expect(called.locator("ol li").nth(1)).to_contain_text("出入境记录核验")
    if diagram_available():
        main = page.locator("#bpmn-diagram")
        expect(main).to_have_attribute("data-state", "ready")
        second = page.locator("#bpmn-diagram-1")
        expect(second).to_have_attribute("data-state", "ready")
        expect(second.locator("svg")).not_to_have_count(0)
        # The second viewer draws the called process, not the main one again.
        expect(second.locator('[data-element-id="household_check"]')).to_be_attached()
        expect(second.locator('[data-element-id="accept"]')).to_have_count(0)
        expect(page.get_by_text("子流程“联合核查流程”的流程图")).to_be_visible()
    else:
        expect(page.locator(".bpmn-diagram")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
