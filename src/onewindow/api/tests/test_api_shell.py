"""The API's shape: OpenAPI 3.1, one error format in the caller's language, size limits,
bearer tokens for machine clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.audit.services import Actor
from onewindow.identity.tokens import api_token_authenticate, api_token_create, api_token_revoke
from onewindow.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_openapi_document_is_3_1(client: Client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


def test_docs_page_is_served(client: Client):
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_path_uses_error_format_in_chinese_by_default(client: Client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.json()
    assert body["errors"][0]["code"] == "not_found"
    assert body["errors"][0]["message"] == "请求的资源不存在。"


def test_error_messages_follow_accept_language(client: Client):
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"] == "The requested resource does not exist."


def test_oversize_body_refused_before_parsing(client: Client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    response = client.post("/api/v1/openapi.json", data="x" * 4096, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "body_too_large"


def test_bearer_token_lifecycle():
    user: Any = UserFactory(kind="machine", username="housing-system")
    token, raw = api_token_create(actor=Actor.system(), user=user, name="housing")
    assert raw.startswith("ow_") and raw not in token.token_hash
    assert api_token_authenticate(raw_token=raw) == user
    assert api_token_authenticate(raw_token=raw[:-1] + ("a" if raw[-1] != "a" else "b")) is None
    assert api_token_authenticate(raw_token="ow_nothing_here") is None
    api_token_revoke(actor=Actor.system(), token=token)
    assert api_token_authenticate(raw_token=raw) is None
