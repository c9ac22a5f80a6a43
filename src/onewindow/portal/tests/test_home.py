from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.config import urls as root_urls
from onewindow.identity.models import Person, Staff, User
from onewindow.portal.sections import KEYS
from onewindow.portal.selectors import HomePage, home_page_for
from onewindow.portal.views import server_error
from onewindow.testing.factories import PersonFactory, StaffFactory, UserFactory, user_of

pytestmark = pytest.mark.django_db


def _person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def test_anonymous_visitor_sees_the_public_landing_page(client: Client) -> None:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.templates[0].name == "portal/landing.html"
    body = response.content.decode()
    assert "一网通办" in body
    assert "热门服务" in body
    assert "即将上线" not in body  # no placeholder tiles that lead nowhere
    assert 'lang="zh-Hans"' in body


def test_resident_is_greeted_by_their_own_name_in_full(client: Client) -> None:
    person = _person(name="陈晓欣")
    assert person.user is not None
    client.force_login(person.user)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "您好，陈晓欣" in body
    assert "陈*欣" not in body
    for empty in ("暂无办件", "暂无证照", "暂无账单", "暂无未读消息"):
        assert empty in body
    # the resident navigation, and a logout form rather than a logout link
    assert "我的办件" in body and "我的账单" in body
    assert "工作人员登录" not in body


def test_resident_navigation_links_their_profile(client: Client) -> None:
    person = _person(name="陈晓欣")
    assert person.user is not None
    client.force_login(person.user)
    body = client.get("/").content.decode()
    nav = body[body.index('<nav class="site-nav"') : body.index("</nav>")]
    assert '<a href="/account/profile/">我的信息</a>' in nav
    assert 'action="/account/logout/" method="post"' in nav
    profile = client.get("/account/profile/").content.decode()
    assert '<a href="/account/profile/" aria-current="page">我的信息</a>' in profile


def test_resident_without_real_name_record_is_still_greeted(client: Client) -> None:
    user = cast(User, UserFactory(kind=User.Kind.RESIDENT, display_name="李四光"))
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "您好，李四光" in response.content.decode()


def test_staff_visiting_home_are_sent_to_the_workbench(client: Client) -> None:
    staff = cast(Staff, StaffFactory())
    client.force_login(staff.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff.user).persistent_id
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:workbench")


def test_home_sections_start_empty_and_typed() -> None:
    person = _person(name="王芳")
    page = home_page_for(user=user_of(person))
    assert isinstance(page, HomePage)
    assert page.greeting_name == "王芳"
    # the platform's ten sections, and those the apps add (the library's loans)
    assert set(KEYS) <= set(page.sections) == set(page.order)
    for key in ("cases", "tasks_for_me", "payments_due", "licences", "messages", "bills"):
        assert page[key].items == () and page[key].available, key
    # the hotline fills replies (none yet); without a library card the library has
    # nothing to show: not "nothing for you"
    assert page["replies"].available and page["replies"].items == ()
    assert not page["library"].available


def test_elder_mode_cookie_marks_the_page(client: Client) -> None:
    client.cookies["ow_elder"] = "1"
    body = client.get("/").content.decode()
    assert 'class="elder"' in body
    assert 'aria-pressed="true"' in body


def test_elder_mode_toggle_flips_the_cookie_and_returns_to_the_page(client: Client) -> None:
    response = client.post(reverse("core:elder_mode"), {"next": "/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/?x=1"
    assert response.cookies["ow_elder"].value == "1"
    response = client.post(reverse("core:elder_mode"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["ow_elder"].value == "0"


def test_english_is_served_when_chosen(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Popular services" in body
    assert "热门服务" not in body


def test_forms_carry_csrf_for_htmx_and_posts(client: Client) -> None:
    body = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert "vendor/htmx.min.js" in body and " defer" in body


def test_unknown_page_is_a_chinese_404_with_a_way_home(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'href="/"' in body


def test_server_error_page_is_chinese_and_links_home() -> None:
    assert root_urls.handler500 == "onewindow.portal.views.server_error"
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务暂时不可用" in body
    assert 'href="/"' in body


def test_server_error_page_survives_a_broken_request() -> None:
    # A request missing everything middleware adds must still get an answer.
    response = server_error(object())  # type: ignore[arg-type]
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


def test_messages_are_announced_as_alerts_or_status(client: Client) -> None:
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.error(request, "验证码不正确")
    messages.success(request, "实名认证成功。")
    html = render_to_string("portal/landing.html", request=request)
    assert '<div class="banner error" role="alert">验证码不正确</div>' in html
    assert '<div class="banner success" role="status">实名认证成功。</div>' in html
