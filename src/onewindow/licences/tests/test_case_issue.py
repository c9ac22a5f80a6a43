"""A real demo package ends with a licence in the applicant's wallet."""

from __future__ import annotations

import pytest

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import _memory_storage, city, resident  # noqa: F401
from onewindow.cases.tests.test_demo_packages import catalog_dir, run_to_the_end, submit_package
from onewindow.catalog.services import service_packages_import
from onewindow.licences.models import Licence
from onewindow.licences.selectors import licences_for_user
from onewindow.licences.verification import licence_verify

pytestmark = pytest.mark.django_db


def test_hk_macau_reendorsement_ends_with_a_verifiable_licence(city, resident):  # noqa: F811
    folder = catalog_dir() / "hk-macau-reendorsement"
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    case = run_to_the_end(submit_package(resident, version, answers={"permit_number": "C12345678"}))
    assert case.status == Case.Status.APPROVED
    wallet = list(licences_for_user(user=resident.user))
    assert len(wallet) == 1
    licence = wallet[0]
    assert licence.licence_type.code == "hk-macau-endorsement"
    assert licence.case_id == case.pk and licence.holder_person_id == resident.pk
    assert licence.kid.startswith("sm2-")  # travel endorsements are signed with SM2
    assert licence.claims["caseNumber"] == case.number
    assert licence_verify(licence.jws).result == "valid"
    # the process variables carry the licence the service task issued
    assert Licence.objects.count() == 1
