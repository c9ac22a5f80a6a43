"""The resident's page is kept between views, and every change that alters it is on the
next view: a case that moves, a supplement asked, a fee paid, a licence issued and revoked,
a bill that arrives, a message sent and read, a change made by another process; a new day
recounts the working days; a source that cannot be reached is asked again soon, and its
"x 分钟前更新" counts on while the page is kept."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import Client

from onewindow.bills.services import subscription_sync
from onewindow.cases.models import Case
from onewindow.core.home import (
    HomeSection,
    Unavailable,
    home_section_register,
    home_section_unregister,
)
from onewindow.notify.services import Recipient, notify_tell
from onewindow.portal.models import EVERYONE, HomePageVersion
from onewindow.testing.bills import bind
from onewindow.testing.portal import (
    fee_case_approve,
    fee_case_pay,
    fee_case_revoke,
    fee_case_submitted,
)

pytestmark = pytest.mark.django_db
CITY = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _storage(memory_storage: None) -> None:
    """Materials and licences are stored in memory."""


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _card(client: Client, anchor: str) -> str:
    response = client.get("/")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert f'id="{anchor}"' in page, _text(page)[:3000]
    return _text(page.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0])


def _signed_in(resident: Any) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


def test_the_page_is_kept_until_a_change_is_announced(city: Any, resident: Any) -> None:
    client = _signed_in(resident)
    case = fee_case_submitted(resident)
    assert "办理中" in _card(client, "my-cases")
    # a write that bypasses save() and announces nothing is not seen: the page is kept …
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SUPPLEMENT)
    assert "待补正" not in _card(client, "my-cases")
    # … and seen as soon as the change is announced, here by another process: the version
    # is read from the database on every view, whatever this process's cache holds
    HomePageVersion.objects.update_or_create(user_id=resident.user.pk, defaults={"version": 7})
    cases = _card(client, "my-cases")
    assert "待补正" in cases and "请补正材料" in cases


def test_a_case_moving_a_fee_paid_and_a_licence_issued_and_revoked_are_seen_at_once(
    city: Any, resident: Any
) -> None:
    client = _signed_in(resident)
    case = fee_case_submitted(resident)
    assert "暂无账单" in _card(client, "my-bills")
    assert "暂无证照" in _card(client, "my-licences")

    order = fee_case_approve(case)  # the engine asks for the fee
    bills = _card(client, "my-bills")
    assert "¥15.00" in bills and "去缴费" in bills
    assert "请缴纳费用" in _card(client, "my-cases")

    licence = fee_case_pay(order)  # the gateway's word, then the licence
    assert "¥15.00" not in _card(client, "my-bills")
    assert "往来港澳通行证签注" in _card(client, "my-licences")
    assert "已办结" in _card(client, "my-cases")

    fee_case_revoke(licence)
    assert "暂无证照" in _card(client, "my-licences")


def test_a_supplement_asked_is_on_the_next_view(city: Any, resident: Any) -> None:
    client = _signed_in(resident)
    case = fee_case_submitted(resident)
    assert "暂无待办" in _card(client, "my-tasks")
    case.status = Case.Status.SUPPLEMENT
    case.save(update_fields=["status"])
    tasks = _card(client, "my-tasks")
    assert "往来港澳通行证再次签注需要补正" in tasks and "待补正" in tasks


def test_a_message_sent_and_read_is_on_the_next_view(resident: Any) -> None:
    client = _signed_in(resident)
    assert "暂无未读消息" in _card(client, "my-messages")
    notify_tell(
        recipient=Recipient(user_id=resident.user.pk),
        template="notice",
        params={"text": "您的身份证即将到期，请及时换领。"},
        kind="push",
        source_key="push:test:kept",
        channels={"inapp"},
    )
    messages = _card(client, "my-messages")
    assert "身份证即将到期" in messages and "1 条未读" in messages
    client.post("/messages/read-all/")
    assert "暂无未读消息" in _card(client, "my-messages")


def test_a_bill_that_arrives_is_on_the_next_view(resident: Any, commit: Any) -> None:
    with time_machine.travel(datetime.datetime(2026, 8, 10, 10, 0, tzinfo=CITY), tick=False):
        client = _signed_in(resident)
        assert "暂无账单" in _card(client, "my-bills")
        with commit():
            sub = bind(resident, "gz-water", "4401234567")
        subscription_sync(subscription_id=sub.pk)
        assert "水费" in _card(client, "my-bills")


def test_a_new_day_recounts_the_working_days_left(city: Any, resident: Any) -> None:
    monday = datetime.datetime(2026, 12, 7, 23, 50, tzinfo=CITY)
    with time_machine.travel(monday, tick=False) as clock:
        client = _signed_in(resident)
        case = fee_case_submitted(resident)
        Case.objects.filter(pk=case.pk).update(deadline=datetime.date(2026, 12, 11))
        HomePageVersion.objects.filter(user_id=resident.user.pk).delete()
        assert "剩 4 个工作日" in _card(client, "my-cases")
        clock.shift(datetime.timedelta(minutes=15))  # Tuesday, the page kept from Monday
        assert "剩 3 个工作日" in _card(client, "my-cases")


def test_everyone_s_version_is_part_of_every_page(city: Any, resident: Any) -> None:
    client = _signed_in(resident)
    case = fee_case_submitted(resident)
    assert "办理中" in _card(client, "my-cases")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SUPPLEMENT)
    HomePageVersion.objects.update_or_create(user_id=EVERYONE, defaults={"version": 99})
    assert "待补正" in _card(client, "my-cases")


class _Source:
    """A registered section whose source is down, then back."""

    def __init__(self) -> None:
        self.down = True
        self.last_updated_at = datetime.datetime(2026, 12, 7, 9, 50, tzinfo=CITY)

    def __call__(self, *, user: Any, limit: int) -> HomeSection:
        if self.down:
            return HomeSection(
                key="parking",
                title="停车缴费",
                unavailable=(
                    Unavailable(
                        source="停车平台", kind="停车费", last_updated_at=self.last_updated_at
                    ),
                ),
            )
        return HomeSection(key="parking", title="停车缴费")


@pytest.fixture
def parking() -> Any:
    source = _Source()
    home_section_register("parking", source)
    yield source
    home_section_unregister("parking", source)


def test_a_source_that_is_down_is_asked_again_soon(resident: Any, parking: _Source) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY), tick=False) as t:
        client = _signed_in(resident)
        assert "停车平台（停车费）暂时无法获取，10 分钟前更新" in _card(client, "my-parking")
        parking.down = False
        t.shift(datetime.timedelta(seconds=5))
        assert "暂时无法获取" in _card(client, "my-parking")  # kept a few seconds
        t.shift(datetime.timedelta(seconds=15))
        assert "暂时无法获取" not in _card(client, "my-parking")


def test_a_kept_outage_counts_its_minutes_on(
    resident: Any, parking: _Source, settings: Any
) -> None:
    settings.PORTAL_HOME_OUTAGE_CACHE_SECONDS = 600
    with time_machine.travel(datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY), tick=False) as t:
        client = _signed_in(resident)
        assert "10 分钟前更新" in _card(client, "my-parking")
        t.shift(datetime.timedelta(minutes=3))
        parking.last_updated_at += datetime.timedelta(minutes=3)  # not asked again: kept
        assert "13 分钟前更新" in _card(client, "my-parking")
        api = client.get("/api/v1/me/home").json()["others"]["parking"]["unavailable"][0]
        assert api["minutes_ago"] == 13 and api["text"].endswith("13 分钟前更新")
