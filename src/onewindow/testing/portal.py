"""The citizen page's scene, for the portal's tests and the browser tests: a resident's
HK/Macao re-endorsement (往来港澳通行证再次签注), a service with a ¥15 fee, walked through
approval, payment, the licence's issue and its revocation."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_revoke
from onewindow.payments.models import PaymentOrder
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.testing.payments import notification

FEE_SERVICE = "hk-macau-reendorsement"


def fee_case_submitted(resident: Any) -> Case:
    """The resident's re-endorsement, submitted and waiting for the clerk's review."""
    folder = catalog_dir() / FEE_SERVICE
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        case = submit_package(resident, version, answers={"permit_number": "C12345678"})
    return case


def fee_case_approve(case: Case) -> PaymentOrder:
    """The clerk approves; the process asks for the fee. The order waiting to be paid."""
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_advance(case_id=case.pk)
    return PaymentOrder.objects.get(case=case)


def fee_case_pay(order: PaymentOrder) -> Licence:
    """The gateway says the fee is paid: the process issues the endorsement and concludes.
    The licence issued."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client().post("/payments/notify/sandbox/", notification(order))
    assert response.content == b"success", response.content
    return Licence.objects.get(case_id=order.case_id)


def fee_case_revoke(licence: Licence, reason: str = "申请人以欺骗手段取得") -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        licence_revoke(actor=Actor.system("test"), licence_id=licence.pk, reason=reason)
