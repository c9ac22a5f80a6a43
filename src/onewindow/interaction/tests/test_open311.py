"""The GeoReport v2 interface as a client sees it."""

from __future__ import annotations

import json
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.interaction import audit_events
from onewindow.interaction.models import Category, Open311Key, Request
from onewindow.interaction.open311.keys import open311_key_issue, open311_key_revoke

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def leaf() -> Category:
    root = Category.objects.create(code="urban", name="城市管理")
    return Category.objects.create(
        code="urban.vendor", name="占道经营", parent=root, department_code="cgj"
    )


@pytest.fixture
def key() -> str:
    return open311_key_issue(user=None, name="测试")[1]


def post(key: str, **changes: str) -> dict[str, str]:
    data = {
        "api_key": key,
        "service_code": "urban.vendor",
        "lat": "23.1350",
        "long": "113.3210",
        "address_string": "体育西路191号",
        "attribute[kind]": "complaint",
        "attribute[region_code]": "440106",
        "description": "体育西路口每天晚上都有烧烤摊占道经营，油烟很大。",
        "phone": "13800000011",
        "first_name": "娜",
        "last_name": "李",
    }
    data.update(changes)
    return data


def test_services_list_leaves_with_their_group(leaf) -> None:
    body = Client().get(f"{BASE}/services.json").json()
    assert body == [
        {
            "service_code": "urban.vendor",
            "service_name": "占道经营",
            "description": "占道经营",
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "城市管理",
        }
    ]
    root = ET.fromstring(Client().get(f"{BASE}/services.xml").content)  # noqa: S314 (our own response)
    assert root.tag == "services"
    assert root.findtext("service/service_code") == "urban.vendor"


def test_service_definition_and_unknown_code(leaf) -> None:
    body = Client().get(f"{BASE}/services/urban.vendor.json").json()
    assert [a["code"] for a in body["attributes"]] == ["kind", "region_code"]
    response = Client().get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "没有这个服务代码。"}]


def test_post_files_and_get_hides_the_requester(leaf, key, commit) -> None:
    with commit():
        response = Client().post(f"{BASE}/requests.json", post(key))
    assert response.status_code == 200
    number = response.json()[0]["service_request_id"]
    request = Request.objects.get(number=number)
    assert request.channel == "open311"
    got = Client().get(f"{BASE}/requests/{number}.json").json()[0]
    assert got["status"] == "open"
    assert got["address"] == "天河区体育西路"
    assert "13800000011" not in json.dumps(got, ensure_ascii=False)
    assert "李娜" not in json.dumps(got, ensure_ascii=False)
    assert got["requested_datetime"].endswith("+08:00")
    listed = Client().get(f"{BASE}/requests.xml?status=open").content
    root = ET.fromstring(listed)  # noqa: S314 (our own response)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == number
    assert AuditEvent.objects.filter(action=audit_events.OPEN311_KEY_USE).count() == 1
    assert Open311Key.objects.get().last_used_at is not None


@pytest.mark.parametrize("which", ["missing", "wrong", "revoked"])
def test_bad_keys_are_refused_and_nothing_is_written(leaf, key, which) -> None:
    value = {"missing": "", "wrong": key[:-2] + "xx", "revoked": key}[which]
    if which == "revoked":
        open311_key_revoke(user=None, key_id=Open311Key.objects.get().pk)
    response = Client().post(f"{BASE}/requests.xml", post(value))
    assert response.status_code == 403
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert not Request.objects.exists()


def test_oversized_description_is_refused(leaf, key) -> None:
    response = Client().post(f"{BASE}/requests.json", post(key, description="长" * 4001))
    assert response.status_code == 400
    assert not Request.objects.exists()


def test_script_is_data(leaf, key, commit) -> None:
    text = "<script>alert(1)</script> 门口垃圾没人清理"
    with commit():
        number = (
            Client()
            .post(f"{BASE}/requests.json", post(key, description=text))
            .json()[0]["service_request_id"]
        )
    xml = Client().get(f"{BASE}/requests/{number}.xml").content.decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert Client().get(f"{BASE}/requests/{number}.json").json()[0]["description"] == text


def test_command_prints_a_working_key_and_keeps_only_its_hash(leaf, commit) -> None:
    out = StringIO()
    call_command("open311_key_issue", "合作方", stdout=out)
    plain = out.getvalue().strip()
    stored = Open311Key.objects.get()
    assert plain not in str(list(Open311Key.objects.values()))
    assert stored.prefix in plain
    with commit():
        assert Client().post(f"{BASE}/requests.json", post(plain)).status_code == 200


def test_an_operator_issues_a_key_once_and_revokes_it() -> None:
    from onewindow.testing.clients import staff_client
    from onewindow.testing.outreach import operator_make

    client = staff_client(operator_make())
    page = client.post("/hotline/operators/open311-keys/", {"name": "合作方"})
    stored = Open311Key.objects.get()
    assert "新密钥只显示这一次" in page.content.decode()
    client.post("/hotline/operators/open311-keys/", {"revoke": stored.pk})
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert AuditEvent.objects.filter(action=audit_events.OPEN311_KEY_REVOKE).count() == 1
    assert Client().get("/hotline/operators/open311-keys/").status_code == 302
