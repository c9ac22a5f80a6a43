"""Every error of the GeoReport v2 interface is the specification's ``[{"code",
"description"}]`` (``<errors><error>…`` in XML) with the right status, in the caller's
language: unknown paths, unsupported methods, bad parameters, unknown service codes."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import translation

from onewindow.interaction.models import Request
from onewindow.interaction.tests.test_open311 import BASE, key, leaf, post

pytestmark = pytest.mark.django_db
__all__ = ["key", "leaf"]  # fixtures


def en(message: str) -> str:
    """The English the interface answers for ``message`` (the catalogue's translation)."""
    with translation.override("en"):
        return translation.gettext(message)


def xml_error(response) -> tuple[str | None, str | None]:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == "errors"
    return root.findtext("error/code"), root.findtext("error/description")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "servicerequestupdates.json"),
        ("put", "requests.json"),
        ("delete", "requests/20261204000001.json"),
        ("post", "services.json"),
        ("post", "discovery.json"),
        ("patch", "tokens/1.json"),
    ],
)
def test_unsupported_methods_answer_405_in_the_format_asked(method, path) -> None:
    client = Client(enforce_csrf_checks=True)  # no CSRF page: callers are systems
    response = getattr(client, method)(f"{BASE}/{path}")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"]
    assert response.json()[0]["code"] == 405
    xml = getattr(client, method)(f"{BASE}/{path.replace('.json', '.xml')}")
    assert xml.status_code == 405
    assert xml_error(xml)[0] == "405"


def test_posting_updates_is_refused_with_its_reason_in_english() -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{BASE}/servicerequestupdates.xml", {"update": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Language"] == "en"
    assert xml_error(response) == ("405", en("暂不接受通过接口提交的办理进展。"))


def test_an_unsupported_method_is_described_in_english() -> None:
    response = Client().put(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == [
        {"code": 405, "description": "This request method is not supported."}
    ]
    response = Client().put(f"{BASE}/requests.json")
    assert response.json() == [{"code": 405, "description": "不支持该请求方法。"}]


def test_unknown_paths_and_formats_answer_404_in_the_format_asked() -> None:
    response = Client().get(f"{BASE}/nothing.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == [
        {"code": 404, "description": "The requested resource does not exist."}
    ]
    html = Client().get(f"{BASE}/requests.html")
    assert html.status_code == 404
    assert xml_error(html) == ("404", "请求的资源不存在。")
    assert Client().post(f"{BASE}/requests/x/y.json").json()[0]["code"] == 404


def test_a_failure_is_a_500_in_the_format_not_a_page(monkeypatch) -> None:
    from onewindow.interaction.open311 import views

    def broken():
        raise RuntimeError("database away")

    monkeypatch.setattr(views, "_services", broken)
    response = Client().get(f"{BASE}/services.xml", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert xml_error(response) == ("500", "Internal server error. Please try again later.")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "start_date=yesterday",
            "start_date must be a date and time with a time zone, "
            "for example 2026-12-01T00:00:00+08:00.",
        ),
        (
            "end_date=2026-13-45T00:00:00Z",
            "end_date must be a date and time with a time zone, "
            "for example 2026-12-01T00:00:00+08:00.",
        ),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "start_date to end_date cannot be more than 90 days.",
        ),
        (
            "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "end_date cannot be earlier than start_date.",
        ),
        ("status=pending", "status must be open or closed."),
    ],
)
def test_bad_query_parameters_answer_400_in_english(query, message) -> None:
    name = query.split("=", 1)[0]  # the parameter at fault
    for path in ("requests", "servicerequestupdates"):
        if path == "servicerequestupdates" and name == "status":
            continue
        response = Client().get(f"{BASE}/{path}.json?{query}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, path
        assert response["Content-Language"] == "en"
        assert response.json() == [{"code": 400, "description": message}]


def test_the_window_and_the_lists_follow_the_specification(leaf) -> None:
    ok = Client().get(
        f"{BASE}/requests.json?status=open,closed&service_code=urban.vendor,other"
        "&start_date=2026-01-01T00:00:00%2B08:00"
    )
    assert ok.status_code == 200
    assert Client().get(f"{BASE}/requests.json?status=&start_date=").status_code == 200


def test_posting_an_unknown_service_code_answers_404_in_english(leaf, key) -> None:
    response = Client().post(
        f"{BASE}/requests.xml", post(key, service_code="nope"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert xml_error(response) == ("404", en("没有这个服务代码。"))
    assert not Request.objects.exists()
    missing = Client().post(
        f"{BASE}/requests.json", post(key, service_code=""), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert missing.status_code == 400
    assert missing.json() == [{"code": 400, "description": en("缺少服务代码 service_code。")}]


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"api_key": ""}, 403, "接口密钥无效或已停用。"),
        (
            {"lat": "", "long": "", "address_string": ""},
            400,
            "请给出位置：经纬度、地址或地址编号。",
        ),
        ({"lat": "north", "long": "113.3"}, 400, "经纬度格式不对。"),
        ({"attribute[kind]": ""}, 400, "请选择诉求类型。"),
        ({"attribute[region_code]": "110101"}, 400, "请选择本市的一个区。"),
    ],
)
def test_refused_filings_are_described_in_english(leaf, key, changes, status, message) -> None:
    response = Client().post(
        f"{BASE}/requests.json", post(key, **changes), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == status
    assert response["Content-Language"] == "en"
    assert response.json() == [{"code": status, "description": en(message)}]
    assert not Request.objects.exists()


def test_the_definition_is_described_in_english(leaf) -> None:
    body = Client().get(f"{BASE}/services/urban.vendor.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [a["description"] for a in body["attributes"]] == [en("诉求类型"), en("所在区")]
