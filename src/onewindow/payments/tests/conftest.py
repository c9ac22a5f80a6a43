from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.cases.tests.conftest import _memory_storage, city, resident  # noqa: F401
from onewindow.cases.tests.test_demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.catalog.services import service_packages_import
from onewindow.payments.conf import sandbox_key
from onewindow.payments.models import PaymentOrder
from onewindow.payments.providers.sandbox import hmac_sign


@pytest.fixture
def paying_case(city: Any, resident: Any) -> Case:  # noqa: F811
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


def notification(order: PaymentOrder, **changes: str) -> dict[str, str]:
    params = {
        "app_id": "onewindow-demo",
        "notify_id": changes.pop("notify_id", "n-1"),
        "out_trade_no": order.out_trade_no,
        "trade_no": "SBX2026TEST",
        "total_amount": order.amount_yuan,
        "trade_status": "TRADE_SUCCESS",
        "gmt_payment": "2026-11-27 10:00:00",
        "sign_type": "HMAC-SHA256",
        **changes,
    }
    params["sign"] = hmac_sign(params, sandbox_key())
    return params


def post(client: Any, params: dict[str, str], gateway: str = "sandbox") -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/payments/notify/{gateway}/", params)
