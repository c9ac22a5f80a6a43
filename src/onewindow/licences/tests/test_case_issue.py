"""A real demo package ends with a licence in the applicant's wallet."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.licences.models import Licence
from onewindow.licences.selectors import licences_for_user
from onewindow.licences.verification import licence_verify
from onewindow.testing.demo_packages import (
    approve_as_holder,
    catalog_dir,
    run_to_the_end,
    submit_package,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("memory_storage")]


def _pay(client: Any, case: Case) -> None:
    """Pay the case's fee through the sandbox gateway's signed notification."""
    from onewindow.payments.models import PaymentOrder
    from onewindow.testing.payments import notification, post

    order = PaymentOrder.objects.get(case=case)
    assert post(client, notification(order)).status_code == 200


def test_hk_macau_reendorsement_ends_with_a_verifiable_licence(client, city, resident):
    folder = catalog_dir() / "hk-macau-reendorsement"
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    case = submit_package(resident, version, answers={"permit_number": "C12345678"})
    approve_as_holder(case.tasks.get(element_id="Task_Review"))
    case_advance(case_id=case.pk)
    assert not Licence.objects.exists()  # nothing is issued before the fee is paid
    _pay(client, case)
    case_advance(case_id=case.pk)
    case = run_to_the_end(case)
    assert case.status == Case.Status.APPROVED
    wallet = list(licences_for_user(user=resident.user))
    assert len(wallet) == 1
    licence = wallet[0]
    assert licence.licence_type.code == "hk-macau-endorsement"
    assert licence.case_id == case.pk and licence.holder_person_id == resident.pk
    assert licence.department_id == version.service.department_id is not None  # may revoke it
    assert licence.kid.startswith("sm2-")  # travel endorsements are signed with SM2
    assert licence.claims["caseNumber"] == case.number
    assert licence_verify(licence.jws).result == "valid"
    # a retried service task does not issue a second licence
    case_advance(case_id=case.pk)
    assert Licence.objects.count() == 1
