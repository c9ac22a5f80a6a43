"""Public rental housing: after the parallel checks the eligibility decision table decides
by itself; an ineligible household is rejected without anyone deciding, an eligible one
goes on to the housing bureau's confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.services import Actor
from onewindow.cases.engine import ProcessRun
from onewindow.cases.models import Case
from onewindow.cases.tests.test_demo_packages import (
    approve_as_holder,
    catalog_dir,
    submit_package,
)
from onewindow.catalog.services import service_packages_import

pytestmark = pytest.mark.django_db

CODE = "public-rental-housing"
CHECKS = {"Task_Housing", "Task_Property", "Task_Income"}


def open_elements(case: Case) -> set[str]:
    return set(
        case.tasks.filter(status__in=["open", "claimed"]).values_list("element_id", flat=True)
    )


def submit_and_check(resident: Any, **answers: Any) -> Case:
    version = service_packages_import(actor=Actor.system("test"), paths=[catalog_dir() / CODE])[0]
    assert "eligibility" in version.definition["decisions"]
    case = submit_package(resident, version, answers=answers)
    approve_as_holder(case.tasks.get(element_id="Task_Accept"))
    assert open_elements(case) == CHECKS
    for task in case.tasks.filter(element_id__in=CHECKS):
        approve_as_holder(task)
    case.refresh_from_db()
    return case


def test_an_ineligible_household_is_rejected_after_the_parallel_checks(city, resident):
    case = submit_and_check(
        resident,
        household_size=2,
        income_per_capita=80000,
        housing_area_per_capita=10,
        net_assets=20,
    )
    assert case.status == Case.Status.REJECTED
    assert open_elements(case) == set()
    assert not case.tasks.filter(element_id="Task_Decide").exists()
    run = ProcessRun.restore(case.service_version.process_spec, case.process_state or {})
    assert run.outcome() == "rejected"
    assert run.data()["eligible"] is False
    assert run.data()["reason"]["zh"] == "2人户家庭人均年可支配收入超过50000元"


def test_an_eligible_household_goes_on_to_the_confirmation(city, resident):
    case = submit_and_check(
        resident,
        household_size=3,
        income_per_capita=30000,
        housing_area_per_capita=8,
        net_assets=20,
    )
    assert case.status == Case.Status.IN_PROGRESS
    assert open_elements(case) == {"Task_Decide"}
    approve_as_holder(case.tasks.get(element_id="Task_Decide"))
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
