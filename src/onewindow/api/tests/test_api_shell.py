"""The API's shape: OpenAPI 3.1, one error format in the caller's language, size limits,
bearer tokens for machine clients."""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils.crypto import get_random_string

from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.identity.services import api_token_authenticate, api_token_create, api_token_revoke
from onewindow.testing.factories import PersonFactory, UserFactory

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


# --- the contract's details (penetration test findings) ------------------------------------


def _session_client_with_csrf(person: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    token = get_random_string(32)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = token
    return client, token


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_body_without_boundary_is_400_in_the_error_format(settings, debug, content_type):
    settings.DEBUG = debug
    client, token = _session_client_with_csrf(PersonFactory())
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/cases", data=b"--x--", content_type=content_type, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": "malformed_body", "message": "请求体格式不正确。", "field": None}]
    }


@pytest.mark.parametrize("debug", [False, True])
def test_body_that_is_not_json_is_400_in_the_users_language(client: Client, settings, debug):
    settings.DEBUG = debug
    response = client.post("/api/v1/licences/verify", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": "json_invalid", "message": "请求体不是有效的 JSON。", "field": None}]
    }
    english = client.post(
        "/api/v1/licences/verify",
        data="{nope",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert english.json()["errors"][0]["message"] == "The request body is not valid JSON."


def test_method_not_allowed_says_which_are(client: Client):
    response = client.delete("/api/v1/cases")
    assert response.status_code == 405
    assert sorted(m.strip() for m in response["Allow"].split(",")) == ["GET", "POST"]
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_other_authorization_schemes_are_not_logged(client: Client, settings, caplog):
    settings.DEBUG = True  # django-ninja logged the whole header then
    secret = base64.b64encode(b"clerk:s3cret-pass").decode()
    with caplog.at_level(logging.DEBUG):
        assert client.get("/api/v1/me", headers={"Authorization": f"Basic {secret}"}).status_code
        client.get("/api/v1/me", headers={"Authorization": "ow_abcd1234_rawtokenwithoutscheme"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged and "rawtokenwithoutscheme" not in logged
    assert "scheme Basic ignored (redacted)" in logged


def _openapi(client: Client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def _responses(doc: dict[str, Any], method: str, path: str) -> list[str]:
    return sorted(doc["paths"][path][method]["responses"])


def test_every_operation_documents_its_refusals(client: Client):
    doc = _openapi(client)
    assert _responses(doc, "post", "/api/v1/cases") == [
        "200", "201", "400", "401", "403", "404", "409", "413", "422",
    ]  # fmt: skip
    assert _responses(doc, "get", "/api/v1/cases/{number}") == ["200", "401", "403", "404", "413"]
    assert _responses(doc, "get", "/api/v1/me") == ["200", "401", "413"]
    assert _responses(doc, "get", "/api/v1/services/{code}") == ["200", "404", "413"]
    assert _responses(doc, "post", "/api/v1/tasks/{task_id}/claim") == [
        "200", "400", "401", "403", "404", "409", "413", "422",
    ]  # fmt: skip
    assert _responses(doc, "post", "/api/v1/auth/sms-code") == [
        "202", "400", "413", "415", "422", "429",
    ]  # fmt: skip
    for operations in doc["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorOut"
                    }


def test_submission_documents_its_idempotency_key(client: Client):
    parameters = _openapi(client)["paths"]["/api/v1/cases"]["post"]["parameters"]
    (key,) = [p for p in parameters if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["required"] is True
    assert key["schema"]["maxLength"] == 128


def test_exchange_query_documents_its_body_and_signature_headers(client: Client):
    operation = _openapi(client)["paths"]["/api/v1/exchange/query"]["post"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]}
    assert headers == {
        "X-OW-Consumer", "X-OW-Timestamp", "X-OW-Request-Id", "X-OW-Purpose",
        "X-OW-Signature-Alg", "X-OW-Signature",
    }  # fmt: skip
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["resource", "subject"]
    assert "x-unvalidated" not in operation and "422" not in operation["responses"]


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "+86 138-0013-8000", " 138 0013 8000\n", "12800138000", "1380013800",
     "+8513800138000", "１3800138000", "13800138000x", "", "+86"],
)  # fmt: skip
def test_phone_pattern_says_what_the_login_accepts(client: Client, phone: str):
    schema = _openapi(client)["components"]["schemas"]["SmsCodeIn"]["properties"]["phone"]
    try:
        normalize_phone(phone)
        accepted = True
    except ValidationFailed:
        accepted = False
    assert bool(re.search(schema["pattern"], phone)) is accepted


def test_sms_code_pattern_is_documented(client: Client):
    code = _openapi(client)["components"]["schemas"]["SmsLoginIn"]["properties"]["code"]
    assert code["pattern"] == "^[0-9]{6}$" and code["maxLength"] == 6
