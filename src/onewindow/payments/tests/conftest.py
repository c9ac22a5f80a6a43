from __future__ import annotations

import io
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.test import TestCase

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.core.sandbox import sandbox_server
from onewindow.payments.models import PaymentOrder
from onewindow.payments.sandbox import Sandbox, SandboxConfig, make_app
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every payments test stores uploads in memory (``onewindow.testing.fixtures``)."""


@pytest.fixture
def paying_case(city: Any, resident: Any) -> Case:
    """A HK/Macao re-endorsement case approved by the clerk: now waiting for its fee."""
    folder = catalog_dir() / "hk-macau-reendorsement"
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    case = submit_package(resident, version, answers={"permit_number": "C12345678"})
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    case_advance(case_id=case.pk)
    case.refresh_from_db()
    return case


@pytest.fixture
def order(paying_case: Case) -> PaymentOrder:
    return PaymentOrder.objects.get(case=paying_case)


@pytest.fixture
def sandbox(settings: Any) -> Iterator[Sandbox]:
    box = Sandbox(SandboxConfig(delay=0, duplicates=2, shuffle=True), background=False)
    with sandbox_server(make_app(box)).start() as server:
        settings.PAYMENTS_SANDBOX_URL = server.url()
        yield box


def wsgi(
    box: Sandbox, method: str, url: str, params: dict[str, str] | None = None
) -> tuple[str, dict[str, str], str]:
    parts = urllib.parse.urlsplit(url)
    body = urllib.parse.urlencode(params or {}).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    text = b"".join(make_app(box)(environ, start_response)).decode()
    return answer["status"], answer["headers"], text


def pay_in_sandbox(client: Any, box: Sandbox, case: Any, order: PaymentOrder) -> str:
    """Resident clicks 去缴费, sees the cashier page, clicks 确认支付; the sandbox notifies."""
    client.force_login(case.created_by)
    page = client.get(f"/payments/cases/{case.number}/")
    assert "待缴费" in page.content.decode() and "15.00" in page.content.decode()
    response = client.post(f"/payments/cases/{case.number}/", {"order": order.pk})
    assert response.status_code == 302
    cashier = response["Location"]
    with urllib.request.urlopen(cashier) as r:  # noqa: S310 — the local sandbox
        assert "确认支付" in r.read().decode()
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cashier).query))
    notify_path = urllib.parse.urlsplit(params["notify_url"]).path

    def deliver(url: str, note: dict[str, str]) -> str:
        assert urllib.parse.urlsplit(url).path == notify_path
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(notify_path, note).content.decode()

    box.sender = deliver
    status, headers, _text = wsgi(box, "POST", "/pay/confirm", params)
    assert status.startswith("303")
    return headers["Location"]
