"""The hotline API: filing (idempotent), my requests, one of them, the knowledge base."""

from __future__ import annotations

import base64
import json
from typing import Any, cast

import pytest
from django.test import Client

from onewindow.interaction.models import Attachment, Request
from onewindow.interaction.tests.conftest import PNG
from onewindow.testing.factories import PersonFactory
from onewindow.testing.hotline import article_make

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "complaint",
    "content": "天河路的路灯坏了一个星期，晚上很黑。",
    "category": "city.road",
    "region_code": "440106",
    "address": "天河区天河路 200 号",
    "latitude": "23.1321",
    "longitude": "113.3214",
    "attachments": [{"filename": "灯.png", "content_base64": base64.b64encode(PNG).decode()}],
}


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        "/api/v1/requests", data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_filing_answers_201_then_200_for_the_same_key(resident_client: Client, tree: Any) -> None:
    first = _post(resident_client, {**BODY, "client_key": "k1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "registered" and data["category"] == "city.road"
    assert data["attachments"] == [
        {"name": "灯.png", "content_type": "image/png", "size": len(PNG)}
    ]
    assert [m["label"] for m in data["timeline"]] == ["受理"]
    again = _post(resident_client, {**BODY, "client_key": "k1"})
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    header = _post(resident_client, BODY, **{"Idempotency-Key": "h1"})
    header_again = _post(resident_client, BODY, **{"Idempotency-Key": "h1"})
    assert (header.status_code, header_again.status_code) == (201, 200)
    assert Request.objects.count() == 2


def test_field_errors_name_the_field_and_nothing_is_written(
    resident_client: Client, tree: Any
) -> None:
    bad = {
        **BODY,
        "kind": "nonsense",
        "region_code": "999999",
        "attachments": [
            {"filename": "a.jpg", "content_base64": base64.b64encode(b"MZ fake").decode()}
        ],
    }
    response = _post(resident_client, bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "region_code", "attachments.0"} <= fields
    assert not Request.objects.exists() and not Attachment.objects.exists()


def test_my_requests_and_one_of_them(resident_client: Client, tree: Any) -> None:
    number = _post(resident_client, BODY).json()["number"]
    listed = resident_client.get("/api/v1/requests").json()
    assert [r["number"] for r in listed] == [number]
    one = resident_client.get(f"/api/v1/requests/{number}").json()
    assert one["content"] == BODY["content"] and one["address"] == BODY["address"]
    other = Client()
    other.force_login(cast(Any, PersonFactory()).user)
    refused = other.get(f"/api/v1/requests/{number}")
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["code"] == "request_not_found"
    assert other.get("/api/v1/requests").json() == []


def test_anonymous_callers_are_refused_but_the_knowledge_base_is_open(db: Any) -> None:
    assert Client().get("/api/v1/requests").status_code == 401
    article_make(title="公积金租房提取", answer="每月一次。", keywords="公积金 租房")
    hits = Client().get("/api/v1/knowledge", {"q": "公积金租房"}).json()
    assert [h["title"] for h in hits] == ["公积金租房提取"]
    assert Client().get("/api/v1/knowledge").json() == []


def test_the_openapi_document_lists_the_operations(db: Any) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/requests"])
    assert "404" in paths["/api/v1/requests/{number}"]["get"]["responses"]
    assert not paths["/api/v1/knowledge"]["get"].get("security")
