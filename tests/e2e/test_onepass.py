"""One account for other public services (一号通行) in a phone browser: a resident opens
我的图书馆 with the same real-name account, binds a library card (a card in someone else's
name is refused at the field), renews a loan and reserves a book; registers as a volunteer,
joins an activity nearby and gets the certificate of hours in the licence wallet."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.onepass.providers.fake import FakeLibrary, FakeVolunteers
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    FakeLibrary.reset()
    FakeVolunteers.reset()
    yield
    FakeLibrary.reset()
    FakeVolunteers.reset()


def test_resident_binds_a_library_card_and_renews_a_loan(
    page: Page, live_server: LiveServer
) -> None:
    person: Any = PersonFactory(name="陈小红")
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/onepass/library/")
    expect(page.get_by_role("heading", name="我的图书馆", level=1)).to_be_visible()
    check(page)

    # 王建国's card: the library knows it, but not in this resident's name.
    page.get_by_label("读者证号").fill("0440100023456")
    page.get_by_label("读者证密码").fill("654321")
    page.get_by_role("button", name="绑定读者证").click()
    expect(page.get_by_text("该读者证登记的姓名与您的实名信息不一致，不能绑定。")).to_be_visible()
    expect(page.get_by_label("读者证号")).to_have_attribute("aria-invalid", "true")
    check(page)

    page.get_by_label("读者证号").fill("0440100012345")
    page.get_by_label("读者证密码").fill("123456")
    page.get_by_role("button", name="绑定读者证").click()
    expect(page.get_by_role("status").filter(has_text="读者证已绑定。")).to_be_visible()
    loans = page.get_by_test_id("loan")
    expect(loans).to_have_count(2)
    today = datetime.date.today()
    expect(loans.first).to_contain_text("《活着》")
    expect(loans.first.get_by_test_id("due-on")).to_have_text(
        (today + datetime.timedelta(days=2)).isoformat()
    )
    expect(loans.nth(1)).to_contain_text("该书已被其他读者预约，不能续借。")
    check(page)

    page.get_by_role("button", name="续借《活着》").click()
    renewed = (today + datetime.timedelta(days=30)).isoformat()
    expect(page.get_by_text(f"《活着》已续借，新的应还日期为 {renewed}。")).to_be_visible()
    alive = loans.filter(has_text="《活着》")
    expect(alive.get_by_test_id("due-on")).to_have_text(renewed)  # now the later of the two
    check(page)
    Screenshots("onepass")(page, "library")

    page.get_by_label("图书条码号").fill("3100128348")
    page.get_by_role("button", name="预约", exact=True).click()
    expect(page.get_by_text("已预约《围城》。")).to_be_visible()
    expect(page.get_by_test_id("hold")).to_contain_text("《围城》")
    page.get_by_label("图书条码号").fill("3100128348")
    page.get_by_role("button", name="预约", exact=True).click()
    expect(page.get_by_text("预约失败：您已预约这一册")).to_be_visible()
    check(page)


def test_the_library_down_shows_the_last_loans_and_when(
    page: Page, live_server: LiveServer
) -> None:
    from onewindow.audit.services import Actor
    from onewindow.onepass.services import library_card_bind

    person: Any = PersonFactory(name="陈小红")
    library_card_bind(
        user=person.user, patron_id="0440100012345", password="123456", actor=Actor.system()
    )
    from onewindow.onepass.models import LibraryCard

    LibraryCard.objects.update(
        synced_at=LibraryCard.objects.get().synced_at - datetime.timedelta(hours=1)
    )
    FakeLibrary.down = True
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/onepass/library/")
    expect(page.get_by_test_id("library-unavailable")).to_have_text(
        "借阅信息暂时无法获取，1\xa0小时前更新。"
    )
    expect(page.get_by_test_id("loan")).to_have_count(2)
    check(page)


def test_resident_volunteers_and_gets_the_certificate_of_hours(
    page: Page, live_server: LiveServer
) -> None:
    person: Any = PersonFactory(name="黄丽", id_number="440106199203150027", region_code="440106")
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/onepass/volunteer/")
    expect(page.get_by_role("heading", name="志愿服务", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="天河区的志愿活动")).to_be_visible()
    check(page)
    page.get_by_role("button", name="登记为志愿者").click()
    expect(page.get_by_text("您已登记为志愿者。")).to_be_visible()
    expect(page.get_by_test_id("total-hours")).to_have_text("7.5 小时")
    page.get_by_role("button", name="报名“社区长者饭堂助餐服务”").click()
    expect(page.get_by_text("已报名“社区长者饭堂助餐服务”。")).to_be_visible()
    expect(page.get_by_test_id("signup")).to_contain_text("社区长者饭堂助餐服务")
    joined = page.get_by_test_id("activity").filter(has_text="社区长者饭堂助餐服务")
    expect(joined).to_contain_text("已报名 6/20")
    expect(page.get_by_test_id("activity").filter(has_text="无偿献血宣传引导")).to_contain_text(
        "名额已满"
    )
    check(page)
    page.get_by_role("button", name="开具志愿服务时长证明").click()
    expect(page.get_by_text("志愿服务时长证明已放入“我的证照”")).to_be_visible()
    check(page)
    Screenshots("onepass")(page, "volunteer")
    page.goto("/licences/")
    licence = page.get_by_test_id("licence")
    expect(licence).to_contain_text("志愿服务时长证明")
    expect(licence).to_contain_text("7.5 小时")
    check(page)


def test_resident_opens_the_librarys_own_site_with_the_same_id_and_renews(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    from onewindow.testing.onepass import library_web_register

    library_web_register(base_url=live_server.url, settings=settings)
    person: Any = PersonFactory(name="周杰", id_number="44010619900307001X")
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/onepass/library/")
    page.get_by_role("button", name="在线开通读者证").click()
    expect(page.get_by_text("读者证已开通")).to_be_visible()
    titles = page.get_by_test_id("loan").all_inner_texts()
    check(page)

    page.goto("/onepass/library-web/")
    check(page)
    page.get_by_role("button", name="使用一网通办账号登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("请求使用您的一网通办账号登录")
    check(page)
    page.get_by_role("button", name="同意并登录").click()
    expect(page.locator("#lw-status")).to_have_text("已通过一网通办登录：周*")
    loans = page.get_by_test_id("lw-loan")
    expect(loans).to_have_count(2)
    first_title = titles[0].split("》")[0] + "》"
    assert first_title.startswith("《")
    expect(loans.first).to_contain_text(first_title)
    check(page)
    title = first_title.strip("《》")
    page.get_by_role("button", name=f"续借《{title}》").click()
    renewed = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    expect(page.get_by_test_id("lw-notice")).to_have_text(
        f"《{title}》续借成功，应还日期 {renewed}。"
    )
    check(page)
