"""The hotline's closed loop on a phone: the dispatcher routes an order with the suggested
routing, the department signs for it and answers, and the resident reads the answer in
我的诉求. Every page axe-clean and without horizontal scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import Department, User
from onewindow.interaction import staff_views
from onewindow.interaction.models import Category, Request
from onewindow.interaction.selectors.routing import RoutingSuggestion
from onewindow.testing.factories import make_person
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_dispatch_sign_answer_and_the_resident_reads_it(
    page: Page, live_server: LiveServer, city: None, monkeypatch: Any
) -> None:
    parent = Category.objects.create(code="city", name="城市管理", department_code="gz-cgj")
    lights = Category.objects.create(code="city.lights", name="路灯不亮", parent=parent)
    person = make_person(name="陈小明", phone="13800138001")
    order = Request.objects.create(
        number=f"{timezone.localdate():%Y%m%d}000001",
        kind="complaint",
        channel=Request.Channel.WEB,
        category=lights,
        title="路灯不亮",
        content="天河路口的路灯一周没亮了。",
        region_code="440106",
        person=person,
        contact_name=person.name,
        contact_phone=str(person.phone),
        registered_at=timezone.now(),
    )
    lead = Department.objects.get(code="gz-cgj-th")
    monkeypatch.setattr(
        staff_views,
        "routing_suggestions",
        lambda **kw: [RoutingSuggestion("city.lights", "路灯不亮", 0.92, lead.pk, lead.name)],
    )

    log_in(
        page,
        User.objects.get(username="zsj_dispatcher"),
        base_url=live_server.url,
        otp_verified=True,
    )
    page.goto("/hotline/dispatch/")
    expect(page.get_by_role("heading", name="派单台", level=1)).to_be_visible()
    check(page)
    page.get_by_role("link", name=f"{order.number} · {order.title}").click()
    expect(page.get_by_test_id("suggestions")).to_contain_text(f"路灯不亮 → {lead.name}")
    expect(page.get_by_label("主办部门")).to_have_value(str(lead.pk))
    check(page)
    page.get_by_test_id("form-dispatch").get_by_role("button", name="派单").click()
    expect(page.get_by_test_id("status")).to_have_text("已派单")
    check(page)

    log_in(
        page,
        User.objects.get(username="cgj_th_hotline"),
        base_url=live_server.url,
        otp_verified=True,
    )
    page.goto("/hotline/inbox/")
    expect(page.get_by_test_id("inbox")).to_contain_text(order.number)
    check(page)
    page.get_by_role("link", name=f"{order.number} · {order.title}").click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("parts")).to_contain_text("办理中")
    check(page)
    page.get_by_label("答复内容").fill("路灯已于今日修复，感谢您的反映。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("parts")).to_contain_text("已答复")
    check(page)
    order.refresh_from_db()
    assert order.status == Request.Status.ANSWERED

    assert person.user is not None
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/hotline/mine/")
    page.get_by_role("link", name=f"投诉 · {order.title}").click()
    expect(page.get_by_test_id("request-answer")).to_have_text("路灯已于今日修复，感谢您的反映。")
    check(page)


def test_a_handler_publishes_a_concluded_consultations_answer_to_the_knowledge_base(
    page: Page, live_server: LiveServer, city: None
) -> None:
    from onewindow.interaction.services import (
        request_answer,
        request_conclude,
        request_dispatch,
        request_sign,
        request_visit,
    )

    parent = Category.objects.create(code="city", name="城市管理", department_code="gz-cgj")
    lights = Category.objects.create(code="city.lights", name="路灯不亮", parent=parent)
    person = make_person(name="陈小明", phone="13800138001")
    order = Request.objects.create(
        number=f"{timezone.localdate():%Y%m%d}000002",
        kind="consultation",
        channel=Request.Channel.WEB,
        category=lights,
        title="路灯报修找哪个部门",
        content="陈小明咨询：小区门口路灯坏了找谁报修？",
        region_code="440106",
        person=person,
        contact_name=person.name,
        contact_phone=str(person.phone),
        registered_at=timezone.now(),
    )
    dispatcher = User.objects.get(username="zsj_dispatcher")
    handler = User.objects.get(username="cgj_hotline")
    request_dispatch(
        user=dispatcher, request_id=order.pk, department_id=Department.objects.get(code="gz-cgj").pk
    )
    request_sign(user=handler, request_id=order.pk)
    request_answer(
        user=handler,
        request_id=order.pk,
        answer="陈小明您好：市政道路路灯由城管部门负责，可拨打12345或致电13800138001联系我们报修。",
    )
    request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="satisfied")
    request_conclude(user=dispatcher, request_id=order.pk)

    log_in(page, handler, base_url=live_server.url, otp_verified=True)
    page.goto(f"/hotline/inbox/{order.number}/")
    form = page.get_by_test_id("form-publish")
    expect(form.get_by_role("heading", name="公开到知识库")).to_be_visible()
    expect(page.get_by_label("答复")).to_have_value(
        "陈*明您好：市政道路路灯由城管部门负责，可拨打12345或致电138****8001联系我们报修。"
    )
    check(page)
    form.get_by_role("button", name="公开答复").click()
    expect(page.get_by_text(f"已将工单 {order.number} 的答复公开到知识库。")).to_be_visible()
    expect(page.get_by_test_id("form-publish")).to_have_count(0)
    check(page)

    page.context.clear_cookies()
    page.goto("/hotline/answers/?q=路灯坏了找谁报修")
    expect(page.get_by_test_id("answers")).to_contain_text("由城管部门负责")
    expect(page.get_by_test_id("answers")).not_to_contain_text("13800138001")


def test_the_hotline_is_reached_from_the_navigation_and_the_workbench(
    page: Page, live_server: LiveServer, city: None
) -> None:
    person = make_person(name="陈小明", phone="13800138001")
    assert person.user is not None
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    nav.get_by_role("link", name="我的诉求", exact=True).click()
    expect(page.get_by_role("heading", name="我的诉求", level=1)).to_be_visible()
    check(page)
    page.get_by_role("link", name="我要留言").click()
    expect(page.get_by_role("heading", name="我要留言", level=1)).to_be_visible()

    log_in(
        page,
        User.objects.get(username="zsj_dispatcher"),
        base_url=live_server.url,
        otp_verified=True,
    )
    page.goto("/workbench/")
    desks = page.get_by_test_id("hotline-links")
    for label in ("热线受理台", "派单台", "知识库维护"):
        expect(desks.get_by_role("link", name=label)).to_be_visible()
    expect(desks.get_by_role("link", name="工单办理")).to_have_count(0)
    check(page)
    desks.get_by_role("link", name="知识库维护").click()
    expect(page.get_by_role("heading", name="知识库维护", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()
    nav.get_by_role("link", name="派单台", exact=True).click()
    expect(page.get_by_role("heading", name="派单台", level=1)).to_be_visible()
    check(page)
