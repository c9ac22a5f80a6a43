"""The public service list, the service guide and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.catalog.packages.process import engine
from onewindow.catalog.selectors import service_search
from onewindow.catalog.services import service_packages_import
from onewindow.testing.packages import bpmn, files_for, service, write_package

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]


@pytest.fixture
def published(city, actor, tmp_path: Path):
    packages = [
        write_package(tmp_path, files_for(process=bpmn())),
        write_package(
            tmp_path,
            files_for(
                service(
                    code="marriage-registration",
                    name={"zh": "内地居民结婚登记", "en": "Marriage registration"},
                    department="gz-mzj",
                    life_events=["marriage"],
                    topics=["marriage-registration"],
                    tags=["领证"],
                    fees=[],
                    roles={},
                    appointment={"resource": "marriage-registry", "slot_minutes": 30},
                )
            ),
        ),
        write_package(
            tmp_path,
            files_for(
                service(
                    code="company-registration",
                    name={"zh": "企业开办登记", "en": "Company registration"},
                    kind="enterprise",
                    department="gz-scjgj",
                    life_events=["business-startup"],
                    topics=["market-regulation"],
                    roles={},
                )
            ),
        ),
    ]
    return service_packages_import(actor=actor, paths=packages)


def codes(**filters: str) -> list[str]:
    return sorted(s.code for s in service_search(**filters))


def test_search_and_filters(published):
    assert codes() == ["company-registration", "hk-macau-reendorsement", "marriage-registration"]
    assert codes(q="结婚") == ["marriage-registration"]
    assert codes(q="领证") == ["marriage-registration"]  # tags
    assert codes(q="marriage") == ["marriage-registration"]  # English name
    assert codes(life_event="marriage") == ["marriage-registration"]
    assert codes(department="gz-scjgj") == ["company-registration"]
    assert codes(kind="enterprise") == ["company-registration"]
    assert codes(kind="personal", life_event="travel") == ["hk-macau-reendorsement"]
    assert codes(q="没有这个服务") == []


def test_service_list_page_shows_cards_and_filters(published, client: Client):
    response = client.get(reverse("catalog:service_list"), {"q": "签注"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "往来港澳通行证再次签注" in body and "内地居民结婚登记" not in body
    assert 'href="/services/hk-macau-reendorsement/"' in body
    response = client.get(reverse("catalog:service_list"), {"life_event": "marriage"})
    assert "内地居民结婚登记" in response.content.decode()
    empty = client.get(reverse("catalog:service_list"), {"q": "火星"}).content.decode()
    assert "没有找到相符的服务" in empty


def test_guide_page_shows_what_a_resident_needs(published, client: Client):
    body = client.get("/services/hk-macau-reendorsement/").content.decode()
    assert "<h1>往来港澳通行证再次签注</h1>" in body
    assert "持有效往来港澳通行证的本市户籍居民" in body  # conditions
    assert "近期免冠彩色照片" in body and "无需提交，由部门共享获取" in body
    assert "调用电子证照" in body  # marriage certificate from the licence library
    assert "15.00 元" in body
    assert "10 个工作日" in body and "7 个工作日" in body
    assert "四级：全程网上办理" in body
    assert "广州市公安局出入境管理支队各受理点" in body
    assert "《中华人民共和国出境入境管理法》第十条" in body
    steps = body[body.index('id="process-steps"') :]
    assert steps.index("受理") < steps.index("审批")
    assert "广州市公安局 · 审批人员" in steps


def test_guide_links_to_online_application_when_cases_provide_it(published, client: Client):
    body = client.get("/services/hk-macau-reendorsement/").content.decode()
    try:
        url = reverse("cases:apply_start", kwargs={"code": "hk-macau-reendorsement"})
    except Exception:
        assert "在线办理即将开通" in body
    else:
        assert f'href="{url}"' in body and "在线办理" in body


def test_guide_in_english(published, client: Client):
    client.cookies["django_language"] = "en"
    body = client.get(
        "/services/marriage-registration/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Marriage registration" in body


def test_unknown_service_is_404(client: Client, db):
    assert client.get("/services/no-such-thing/").status_code == 404


def test_api_lists_and_shows_services(published, client: Client):
    data = client.get("/api/v1/services", {"kind": "personal", "page_size": "1"}).json()
    assert data["count"] == 2 and len(data["results"]) == 1
    data = client.get("/api/v1/services", {"q": "结婚"}).json()
    assert [r["code"] for r in data["results"]] == ["marriage-registration"]
    detail = client.get("/api/v1/services/hk-macau-reendorsement").json()
    assert detail["version"] == 1
    assert detail["form_schema"]["properties"]["id_number"]["format"] == "citizen-id"
    assert detail["guide"]["promised_days"] == 7
    assert detail["guide"]["materials"][1]["source"] == "exchange"
    missing = client.get("/api/v1/services/nothing-here")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    assert client.get("/api/v1/services", {"kind": "alien"}).status_code in (400, 422)
