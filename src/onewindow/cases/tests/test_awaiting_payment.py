"""What payments asks of a case (``cases.selectors``): whether its process waits for its fee —
read from the run's record of the payment step, not from the text of an error."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.selectors import (
    case_awaits_payment,
    case_id_for_number,
    cases_awaiting_payment,
)
from onewindow.cases.services import case_advance
from onewindow.cases.tests.test_demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.catalog.services import service_packages_import
from onewindow.payments.models import PaymentOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def paying_case(city: Any, resident: Any) -> Case:
    """A HK/Macao re-endorsement case approved by the clerk: its order created, its run at
    the payment step (``payments.await``)."""
    folder = catalog_dir() / "hk-macau-reendorsement"
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    case = submit_package(resident, version, answers={"permit_number": "C12345678"})
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    case_advance(case_id=case.pk)
    case.refresh_from_db()
    return case


def test_a_case_at_its_payment_step_awaits_payment_until_it_moves_on(paying_case: Case) -> None:
    assert case_advance(case_id=paying_case.pk) == ["action_failed:Await_Payment"]
    assert case_awaits_payment(case_id=paying_case.pk)
    assert cases_awaiting_payment(case_ids=[paying_case.pk, 0]) == {paying_case.pk}

    PaymentOrder.objects.filter(case=paying_case).update(status="paid")
    case_advance(case_id=paying_case.pk)  # paid: the run passes the step and concludes
    assert Case.objects.get(pk=paying_case.pk).status == Case.Status.APPROVED
    assert not case_awaits_payment(case_id=paying_case.pk)
    assert cases_awaiting_payment(case_ids=[]) == set()


def test_another_failed_step_is_not_a_payment_awaited(paying_case: Case) -> None:
    state = dict(paying_case.process_state or {})
    state["run"] = {**state["run"], "errors": {"Ship": "CourierUnavailable: down"}}
    Case.objects.filter(pk=paying_case.pk).update(process_state=state)
    assert not case_awaits_payment(case_id=paying_case.pk)


def test_a_case_is_found_by_its_number(paying_case: Case) -> None:
    assert case_id_for_number(number=str(paying_case.number)) == paying_case.pk
    assert case_id_for_number(number="GZ-NO-SUCH-CASE") is None
    assert case_id_for_number(number="") is None
