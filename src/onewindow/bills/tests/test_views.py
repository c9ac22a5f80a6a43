"""The resident's bill pages as a browser without JavaScript sees them."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.bills import services
from onewindow.bills.models import Subscription
from onewindow.testing.bills import bind, open_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(resident) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


def test_binding_with_a_wrong_number_shows_the_error_at_the_field(client_of, resident) -> None:
    response = client_of.post(
        "/bills/bind/",
        {
            "provider_code": "gz-water",
            "account_number": "12345678",
            "channels": ["inapp"],
            "remind_days_before": "3",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_account_number_error"' in html
    assert "未在广州市自来水有限公司查到该户号，请核对账单上的户号后重新输入" in html
    assert 'aria-invalid="true"' in html
    assert not Subscription.objects.exists()


def test_binding_and_seeing_the_bill(client_of, resident, summer) -> None:
    open_account("gz-water", "4401234567", resident.name)
    response = client_of.post(
        "/bills/bind/?kind=water",
        {
            "provider_code": "gz-water",
            "account_number": "4401234567",
            "channels": ["inapp", "sms"],
            "remind_days_before": "5",
            "remind_overdue": "on",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已绑定户号，账单已更新。" in html
    assert "2026-07 账单" in html and "待缴费" in html and "用量走势" in html
    sub = Subscription.objects.get()
    assert (sub.channels, sub.remind_days_before) == (["inapp", "sms"], 5)
    home = client_of.get("/bills/").content.decode()
    assert "户号尾号 4567" in home and "0 分钟前更新" in home


def test_notification_preferences_and_unbinding(client_of, resident, summer) -> None:
    sub = bind(resident, "gz-power", "8800112233")
    response = client_of.post(
        f"/bills/{sub.pk}/notify/", {"channels": ["wechat"], "remind_days_before": "40"}
    )
    assert response.status_code == 400
    assert "提前提醒天数应在0至15天之间" in response.content.decode()
    client_of.post(f"/bills/{sub.pk}/notify/", {"channels": ["wechat"], "remind_days_before": "1"})
    sub.refresh_from_db()
    assert (sub.channels, sub.remind_days_before, sub.remind_overdue) == (["wechat"], 1, False)
    assert "确认解除绑定" in client_of.get(f"/bills/{sub.pk}/unbind/").content.decode()
    response = client_of.post(f"/bills/{sub.pk}/unbind/", follow=True)
    assert "已解除绑定。" in response.content.decode()
    assert client_of.get(f"/bills/{sub.pk}/").status_code == 404


def test_refresh_names_a_provider_that_is_down(client_of, resident, summer, settings) -> None:
    sub = bind(resident, "gz-water", "4401234567")
    services.subscription_sync(subscription_id=sub.pk)
    summer.shift(120)
    settings.BILLS_FAKE_FAILING = ("gz-water",)
    html = client_of.post("/bills/refresh/", follow=True).content.decode()
    assert "暂时无法获取广州市自来水有限公司的账单，请稍后再试。" in html
    assert "暂时无法获取，2 分钟前更新" in html


def test_another_residents_account_is_not_found(client_of, neighbour, summer) -> None:
    sub = bind(neighbour, "gz-water", "4401234567")
    assert client_of.get(f"/bills/{sub.pk}/").status_code == 404
    assert client_of.post(f"/bills/{sub.pk}/unbind/").status_code == 404
