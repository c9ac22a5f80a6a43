"""``GET /api/v1/me/home``: the page's sections as top-level keys, in the OpenAPI document;
and the sections other apps fill through the section contract (the hotline's replies, the
bills), including a source that is down."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.core.home import (
    HomeItem,
    HomeSection,
    Unavailable,
    home_section_keys,
    home_section_providers,
    home_section_register,
    home_section_unregister,
)
from onewindow.portal.sections import KEYS
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def client_of() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def registered() -> Iterator[None]:
    """Providers a test registers are taken off afterwards; the apps' own stay."""
    before = {key: home_section_providers(key) for key in home_section_keys()}
    yield
    for key in home_section_keys():
        for provider in home_section_providers(key):
            if provider not in before.get(key, ()):
                home_section_unregister(key, provider)


def _replies(*, user: Any, limit: int) -> HomeSection:
    return HomeSection(
        key="replies",
        title="咨询投诉答复",
        items=(
            HomeItem(
                key="12345-1",
                title="关于小区噪音的投诉已答复",
                url="/interaction/requests/1/",
                status="待评价",
                urgent=True,
                at=timezone.now(),
            ),
        ),
    )


def _bills_down(*, user: Any, limit: int) -> HomeSection:
    return HomeSection(
        key="bills",
        title="生活账单",
        unavailable=(
            Unavailable(
                source="广州供电局",
                kind="电费",
                last_updated_at=timezone.now() - datetime.timedelta(minutes=12),
            ),
        ),
    )


def _broken(*, user: Any, limit: int) -> HomeSection:
    raise TimeoutError("the hotline does not answer")


def test_the_api_answers_every_section_with_its_freshness(client_of) -> None:
    person: Any = PersonFactory(name="何青")
    body = client_of(person.user).get("/api/v1/me/home").json()
    # the platform's ten sections, then those other apps add (the library's loans)
    assert set(KEYS) <= set(body) and set(KEYS) <= set(body["order"])
    assert set(body["order"]) - set(KEYS) == set(body["others"])
    assert body["greeting_name"] == "何青"
    cases = body["cases"]
    assert (cases["items"], cases["count"], cases["available"], cases["live"]) == (
        [],
        0,
        True,
        True,
    )
    # the hotline fills replies: available, and none for a resident who asked nothing
    assert (body["replies"]["available"], body["replies"]["items"]) == (True, [])


def test_the_api_is_for_residents(client_of, city: Any) -> None:
    from onewindow.identity.models import User

    staff = User.objects.filter(kind="staff").first()
    assert staff is not None
    response = client_of(staff).get("/api/v1/me/home")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "residents_only"
    assert Client().get("/api/v1/me/home").status_code == 401


def test_the_operation_is_in_the_openapi_document() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/me/home"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403"}
    schema = doc["components"]["schemas"]["HomeOut"]
    assert set(KEYS) <= set(schema["properties"])
    assert {"updated_at", "unavailable", "items"} <= set(
        doc["components"]["schemas"]["SectionOut"]["properties"]
    )


def test_a_registered_section_fills_the_page_and_the_api(client_of, registered) -> None:
    home_section_register("replies", _replies)
    home_section_register("bills", _bills_down)
    person: Any = PersonFactory()
    client = client_of(person.user)
    home = client.get("/").content.decode()
    replies = _text(home.split('id="my-replies"', 1)[1].split("</section>", 1)[0])
    assert "关于小区噪音的投诉已答复" in replies and "待评价" in replies
    bills = _text(home.split('id="my-bills"', 1)[1].split("</section>", 1)[0])
    assert "广州供电局（电费）暂时无法获取，12 分钟前更新" in bills
    assert "暂无账单" not in bills  # not an empty list when the source is down
    body = client.get("/api/v1/me/home").json()
    assert body["replies"]["items"][0]["title"] == "关于小区噪音的投诉已答复"
    assert body["order"][0] == "replies"  # the only urgent section comes first
    (outage,) = body["bills"]["unavailable"]
    assert (outage["source"], outage["minutes_ago"]) == ("广州供电局", 12)
    assert outage["text"] == "广州供电局（电费）暂时无法获取，12 分钟前更新"


def test_a_provider_that_fails_does_not_break_the_page(client_of, registered) -> None:
    home_section_register("replies", _broken, name="12345 热线")
    person: Any = PersonFactory()
    response = client_of(person.user).get("/")
    assert response.status_code == 200
    replies = _text(response.content.decode().split('id="my-replies"', 1)[1].split("</section>")[0])
    assert "12345 热线暂时无法获取" in replies


def test_a_section_beyond_the_platforms_own_is_shown_too(client_of, registered) -> None:
    def museum(*, user: Any, limit: int) -> HomeSection:
        return HomeSection(
            key="museum", title="博物馆预约", items=(HomeItem(title="广州博物馆 12-20 参观"),)
        )

    home_section_register("museum", museum)
    person: Any = PersonFactory()
    client = client_of(person.user)
    page = _text(client.get("/").content.decode())
    assert "博物馆预约" in page and "广州博物馆 12-20 参观" in page
    body = client.get("/api/v1/me/home").json()
    assert body["others"]["museum"]["items"][0]["title"] == "广州博物馆 12-20 参观"
    assert "museum" in body["order"]
