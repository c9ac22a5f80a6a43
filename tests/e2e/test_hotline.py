"""The 12345 hotline on a phone: a resident files a complaint with their location and a
photo, sees the receipt and the request in 我的诉求; an operator takes a call (the caller's
history by phone, a knowledge-base answer, registration for dispatch). Every page axe-clean
and without horizontal scrolling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.interaction.models import Request
from onewindow.testing.factories import PersonFactory
from onewindow.testing.hotline import article_make, category_tree, hotline_operator
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_a_resident_files_a_complaint_with_location_and_photo(
    page: Page, live_server: LiveServer, tmp_path: Path, settings: Any
) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": MEMORY["default"]}
    category_tree()
    person: Any = PersonFactory(name="张小明")
    log_in(page, person.user, base_url=live_server.url)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 23.1321, "longitude": 113.3214})

    page.goto("/hotline/new/")
    expect(page.get_by_role("heading", name="我要留言", level=1)).to_be_visible()
    check(page)
    page.get_by_label("诉求类型").select_option("complaint")
    page.get_by_label("问题分类").select_option("city.noise")
    page.get_by_label("所在区").select_option("440106")
    page.get_by_label("诉求内容").fill("吵")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("请把诉求写清楚，至少 5 个字。")).to_be_visible()
    expect(page.get_by_label("诉求内容")).to_have_attribute("aria-invalid", "true")
    check(page)
    page.get_by_label("诉求内容").fill("楼下工地每天晚上十一点以后还在施工，噪声很大。")
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="确认并提交", level=2)).to_be_visible()
    page.get_by_label("详细地址").fill("天河区天河路 100 号")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.get_by_label("纬度")).to_have_value("23.132100")
    expect(page.get_by_label("经度")).to_have_value("113.321400")
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)
    page.get_by_label("照片或文件（选填）").set_input_files(str(photo))
    check(page)
    page.get_by_role("button", name="提交诉求").click()

    expect(page.get_by_role("heading", name="诉求已受理", level=1)).to_be_visible()
    filed = Request.objects.get()
    expect(page.get_by_test_id("receipt-number")).to_have_text(filed.number)
    expect(page.get_by_test_id("receipt-due")).to_have_text(f"{filed.answer_due:%Y-%m-%d} 前答复")
    check(page)
    page.get_by_role("link", name="我的诉求").click()
    expect(page.get_by_test_id("my-requests")).to_contain_text(filed.number)
    check(page)
    page.get_by_role("link", name=f"投诉 · {filed.title}").click()
    expect(page.get_by_test_id("request-attachments")).to_have_text("现场.png")
    expect(page.get_by_test_id("request-timeline")).to_contain_text("受理")
    check(page)


def test_an_operator_takes_a_phone_request(page: Page, live_server: LiveServer) -> None:
    category_tree()
    operator = hotline_operator()
    article_make(
        title="夜间施工噪声怎么投诉",
        answer="夜间施工须有许可，无许可的由住建部门查处。",
        keywords="施工 噪声 夜间",
    )
    log_in(page, operator, base_url=live_server.url, otp_verified=True)

    page.goto("/hotline/console/")
    expect(page.get_by_role("heading", name="热线受理台", level=1)).to_be_visible()
    check(page)
    page.get_by_label("来电号码").fill("13800138000")
    page.get_by_label("来电人姓名").fill("陈先生")
    page.get_by_role("button", name="查询历史诉求").click()
    expect(page.get_by_text("没有找到该号码的历史诉求。")).to_be_visible()
    page.get_by_label("诉求类型").select_option("complaint")
    page.get_by_label("所在区").select_option("440106")
    page.get_by_label("诉求内容").fill("工地夜间施工噪声很大，晚上十一点以后还在施工")
    page.get_by_label("知识库检索").fill("夜间施工噪声")
    page.get_by_role("button", name="搜索知识库").click()
    expect(page.get_by_test_id("console-hits")).to_contain_text("夜间施工噪声怎么投诉")
    expect(page.get_by_label("来电人姓名")).to_have_value("陈先生")  # kept across the steps
    check(page)
    page.get_by_role("button", name="用此回答").click()
    expect(page.get_by_label("答复内容")).to_have_value(
        "夜间施工须有许可，无许可的由住建部门查处。"
    )
    page.get_by_role("button", name="登记并派单").click()
    filed = Request.objects.get()
    expect(page.get_by_text(f"已登记工单 {filed.number}，等待派单。")).to_be_visible()
    assert (filed.channel, filed.contact_phone, filed.status) == (
        "phone",
        "13800138000",
        "registered",
    )
    check(page)
    page.get_by_label("来电号码").fill("13800138000")
    page.get_by_role("button", name="查询历史诉求").click()
    expect(page.get_by_test_id("caller-history")).to_contain_text(filed.number)
    check(page)


def test_the_knowledge_base_page(page: Page, live_server: LiveServer) -> None:
    article_make(title="公积金租房提取", answer="每月一次。", keywords="公积金 租房")
    page.goto("/hotline/answers/?q=公积金租房")
    expect(page.get_by_test_id("answers")).to_contain_text("公积金租房提取")
    check(page)
