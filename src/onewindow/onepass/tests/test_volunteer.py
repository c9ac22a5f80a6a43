"""Volunteering: registering with the real-name record, activities in the resident's
district, joining, hours and the certificate of hours in the licence wallet; and the HTTP
adapter of the published provider interface against a local platform that serves it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ApplicationError
from onewindow.licences.selectors import licence_claim_lines, licences_for_user
from onewindow.onepass import selectors, services
from onewindow.onepass.providers.base import ProviderError, ProviderRefused
from onewindow.onepass.providers.fake import FakeVolunteers
from onewindow.onepass.providers.volunteer_http import VolunteerHttp
from onewindow.onepass.volunteer_server import DEMO_SECRET, KEY_ID, VolunteerServer
from onewindow.testing.factories import PersonFactory

TODAY = datetime.date.today()


def resident(**kwargs: Any) -> Any:
    values = {"name": "黄丽", "id_number": "440106199203150027", "region_code": "440106"} | kwargs
    return PersonFactory(**values)


def register(person: Any) -> Any:
    return services.volunteer_register(user=person.user, actor=Actor.from_user(person.user))


@pytest.mark.django_db
def test_registering_takes_the_district_and_the_hours_already_served() -> None:
    person = resident()
    volunteer = register(person)
    assert volunteer.region_code == "440106"
    assert volunteer.total_hours == Decimal("7.5")
    assert [h.hours for h in selectors.service_hours_of(volunteer=volunteer)] == [
        Decimal("3.0"),
        Decimal("4.5"),
    ]
    assert AuditEvent.objects.filter(action="onepass.volunteer.register").get().changes == {
        "region_code": "440106",
        "hours": "7.5",
    }
    with pytest.raises(ApplicationError, match="您已登记为志愿者"):
        register(person)


@pytest.mark.django_db
def test_no_district_on_record_is_refused() -> None:
    with pytest.raises(ApplicationError) as caught:
        register(resident(region_code=""))
    assert str(caught.value.message) == "您的实名信息中没有所在区县，请先完善后再登记。"


@pytest.mark.django_db
def test_activities_near_are_in_the_residents_district_and_joining_one() -> None:
    person = resident()
    register(person)
    near = selectors.activities_near(user=person.user, today=TODAY)
    assert {a.region_code for a in near.activities} == {"440106"}
    assert near.activities[0].organiser == "天河区长者综合服务中心"
    first = near.activities[0]
    signup = services.activity_join(
        user=person.user, activity_id=first.activity_id, actor=Actor.system()
    )
    assert signup.title == "社区长者饭堂助餐服务"
    section = selectors.volunteer_home_section(user=person.user)
    assert section.registered and section.total_hours == Decimal("7.5")
    assert section.upcoming == ((signup.title, signup.starts_at),)
    with pytest.raises(ApplicationError, match="您已报名该活动"):
        services.activity_join(
            user=person.user, activity_id=first.activity_id, actor=Actor.system()
        )
    full = next(a for a in near.activities if a.full)
    with pytest.raises(ApplicationError) as caught:
        services.activity_join(user=person.user, activity_id=full.activity_id, actor=Actor.system())
    assert str(caught.value.message) == "报名失败：活动名额已满"


@pytest.mark.django_db
def test_the_certificate_of_hours_is_a_licence_in_the_wallet() -> None:
    person = resident()
    register(person)
    certificate = services.hours_certificate_issue(
        user=person.user, actor=Actor.from_user(person.user)
    )
    licence = licences_for_user(user=person.user).get()
    assert licence.number == certificate.licence_number
    assert licence.licence_type.name_zh == "志愿服务时长证明"
    assert ("累计志愿服务时长", "7.5 小时") in licence_claim_lines(licence)
    again = services.hours_certificate_issue(user=person.user, actor=Actor.from_user(person.user))
    assert again.pk == certificate.pk and licences_for_user(user=person.user).count() == 1


@pytest.mark.django_db
def test_a_platform_that_cannot_be_reached() -> None:
    person = resident()
    FakeVolunteers.down = True
    with pytest.raises(ApplicationError, match="志愿服务平台暂时无法连接"):
        register(person)
    assert selectors.activities_near(user=person.user, today=TODAY).unavailable


# --- over HTTP ---------------------------------------------------------------------------


@pytest.fixture
def platform() -> Iterator[VolunteerServer]:
    with VolunteerServer() as server:
        yield server


def client(server: VolunteerServer, **kwargs: Any) -> VolunteerHttp:
    values: dict[str, Any] = {
        "base_url": server.url,
        "key_id": KEY_ID,
        "secret": DEMO_SECRET,
        "timeout": 3.0,
    }
    return VolunteerHttp(**(values | kwargs))


def test_http_register_browse_join_and_hours(platform: VolunteerServer) -> None:
    api = client(platform)
    profile = api.volunteer_register(
        id_number="440106199203150027", name="黄丽", phone="13800138000", region_code="440106"
    )
    assert profile.volunteer_id.startswith("GZV") and profile.total_hours == 7.5
    activities = api.activities_near(region_code="440106", on_or_after=TODAY)
    assert [a.title for a in activities][:2] == ["社区长者饭堂助餐服务", "图书馆少儿阅读推广志愿者"]
    assert activities[0].starts_at.tzinfo is not None
    joined = api.activity_join(
        volunteer_id=profile.volunteer_id, activity_id=activities[0].activity_id
    )
    assert joined.activity_id == activities[0].activity_id
    with pytest.raises(ProviderRefused) as refused:
        api.activity_join(volunteer_id=profile.volunteer_id, activity_id=activities[0].activity_id)
    assert refused.value.reason == "您已报名该活动"
    hours = api.hours_get(volunteer_id=profile.volunteer_id)
    assert hours.total_hours == 7.5 and len(hours.records) == 2


def test_http_a_wrong_secret_is_refused_and_the_answer_not_trusted(
    platform: VolunteerServer,
) -> None:
    with pytest.raises(ProviderError, match="bad signature"):
        client(platform, secret="not-the-secret").hours_get(volunteer_id="GZV1")


@pytest.mark.parametrize(
    ("wrong", "match"),
    [
        ({"error_500": 1}, "answered 500"),
        ({"garbage": 1}, "not JSON"),
        ({"bad_signature": 1}, "bad signature"),
        ({"wrong_shape": 1}, "malformed"),
        ({"delay": 3.5}, "too late"),
    ],
)
def test_http_a_late_failing_or_hostile_answer_is_never_data(
    platform: VolunteerServer, wrong: dict[str, Any], match: str
) -> None:
    for name, value in wrong.items():
        setattr(platform.misbehaviour, name, value)
    with pytest.raises(ProviderError, match=match):
        client(platform).activities_near(region_code="440106", on_or_after=TODAY)


def test_http_a_replayed_nonce_is_refused(
    platform: VolunteerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secrets

    monkeypatch.setattr(secrets, "token_hex", lambda n: "ab" * n)
    api = client(platform)
    api.hours_get(volunteer_id="GZV1")
    with pytest.raises(ProviderError, match="answered 401"):
        api.hours_get(volunteer_id="GZV1")


@pytest.mark.django_db
def test_the_services_over_http(settings: Any, platform: VolunteerServer) -> None:
    settings.ONEPASS_VOLUNTEERS = "http"
    settings.ONEPASS_VOLUNTEER_URL = platform.url
    settings.ONEPASS_VOLUNTEER_SECRET = DEMO_SECRET
    person = resident()
    volunteer = register(person)
    assert volunteer.provider == "http" and volunteer.total_hours == Decimal("7.5")
    platform.misbehaviour.error_500 = 1
    assert not services.volunteer_hours_sync(volunteer_pk=volunteer.pk)
    assert selectors.volunteer_home_section(user=person.user).unavailable


def test_the_published_document_describes_what_the_adapter_speaks() -> None:
    from pathlib import Path

    import yaml

    import onewindow

    root = Path(onewindow.__file__).resolve().parents[2]
    document = yaml.safe_load((root / "docs" / "volunteer-provider-openapi.yaml").read_text())
    assert document["openapi"] == "3.1.0"
    assert {(path, method) for path, ops in document["paths"].items() for method in ops} == {
        ("/v1/volunteers", "post"),
        ("/v1/activities", "get"),
        ("/v1/activities/{activity_id}/signups", "post"),
        ("/v1/volunteers/{volunteer_id}/hours", "get"),
    }
    text = document["info"]["description"]
    for header in (
        "X-OneWindow-Key",
        "X-OneWindow-Timestamp",
        "X-OneWindow-Nonce",
        "X-OneWindow-Signature",
        "X-Provider-Timestamp",
        "X-Provider-Signature",
        "HMAC-SHA256",
    ):
        assert header in text


@pytest.mark.django_db
def test_the_volunteer_page_says_when_the_hours_were_last_had(client: Any) -> None:
    person = resident()
    volunteer = register(person)
    from onewindow.onepass.models import Volunteer

    Volunteer.objects.filter(pk=volunteer.pk).update(
        synced_at=volunteer.synced_at - datetime.timedelta(hours=2)
    )
    FakeVolunteers.down = True
    client.force_login(person.user)
    page = client.get("/onepass/volunteer/").content.decode()
    assert "服务时长暂时无法获取，2\xa0小时前更新。" in page
    assert "7.5 小时" in page
    assert "志愿服务平台暂时无法获取活动，请稍后再试。" in page
