"""The operators' message log: masked, searchable, for operators only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.notify import services
from onewindow.notify.selectors import message_log
from onewindow.notify.tests.test_sms import operator_client
from onewindow.testing.factories import make_person, user_of

pytestmark = pytest.mark.django_db

URL = "/notify/log/"


def scene(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_send(
            phone="13800138000", template="login_code", params={"code": "123456", "minutes": "5"}
        )
        services.notify_tell(
            recipient=services.Recipient(
                user_id=None, phone="13900139000", email="li.si@example.com"
            ),
            template="notice",
            params={"text": "您的身份证即将到期。"},
            kind="push",
            source_key="push:1",
            channels={"sms", "email"},
        )


def test_entries_are_masked_and_found_by_the_full_number(
    fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scene(django_capture_on_commit_callbacks)
    everything = message_log()
    assert {(e.channel, e.masked_address, e.template, e.status_label) for e in everything} == {
        ("email", "l***@example.com", "notice", "已发送"),
        ("sms", "139****9000", "notice", "已送达"),
        ("sms", "138****8000", "login_code", "已送达"),
    }
    assert everything[-1].template == "login_code"  # newest first
    assert [e.template for e in message_log(address="13900139000")] == ["notice"]
    assert [e.channel for e in message_log(address="li.si@example.com")] == ["email"]
    assert [e.channel for e in message_log(channel="email")] == ["email"]
    assert message_log(address="13700137000") == []


def test_the_page_is_for_operators_and_shows_no_full_number(
    fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scene(django_capture_on_commit_callbacks)
    operator = operator_client()
    operator.cookies.pop("csrftoken", None)
    page = operator.post(URL, {"address": "13800138000"}).content.decode()
    assert "138****8000" in page and "139****9000" not in page
    assert page.count("13800138000") == 1  # only in the search box the operator filled
    # a number in the URL is ignored: searches by address are posted
    listed = operator.get(URL, {"address": "13800138000"}).content.decode()
    table = listed.split('data-testid="message-log"', 1)[1]
    assert "139****9000" in table and "13800138000" not in table
    assert "li.si@example.com" not in page
    resident = Client()
    resident.force_login(user_of(make_person()))
    assert resident.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_the_page_shows_each_providers_state(fake_sms: Any) -> None:
    from onewindow.audit.services import Actor
    from onewindow.notify import _routing

    operator = Actor(id=None, kind="operator", label="operator")
    services.provider_priority_set(channel="sms", name="aliyun", priority=10, actor=operator)
    services.provider_priority_set(channel="sms", name="tencent", priority=20, actor=operator)
    for _ in range(5):
        _routing.attempt_record(channel="sms", provider="aliyun", ok=False, elapsed_ms=100)
    services.providers_check()
    page = operator_client().get(URL).content.decode()
    providers = page.split('data-testid="providers"', 1)[1]
    assert "已自动降级" in providers and "error rate 100% of 5" in providers
    assert "正常" in providers
    # the providers' table is on the page once, and the window's title is only the title
    assert page.count('data-testid="providers"') == 1
    assert "<title>消息发送记录 · 一网通办</title>" in page
