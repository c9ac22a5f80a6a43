"""The flagship demo packages run end to end through the case services: the graduate
employment chain and company registration (departments in parallel)."""

from __future__ import annotations

import pytest

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.testing.demo_packages import (
    approve_as_holder,
    catalog_dir,
    run_to_the_end,
    submit_package,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code",
    [
        "graduate-employment-express",
        "company-registration-one-stop",
        "enterprise-investment-approval",
    ],
)
def test_flagship_package_runs_to_approval(city, resident, company_for, code):
    folder = catalog_dir() / code
    if not folder.exists():
        pytest.skip(f"demo package {code} not present")
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    company = company_for(resident) if version.service.kind == "enterprise" else None
    # The agent is the legal representative here: a person named on the form who is the
    # applicant needs no consent (another person's would, see test_parties).
    answers = (
        {"legal_rep_id_number": resident.id_number}
        if "legal_rep_id_number" in version.form_schema["properties"]
        else None
    )
    case = submit_package(resident, version, company=company, answers=answers)
    first = set(case.tasks.values_list("department__code", flat=True))
    assert first == {version.service.department.code}
    case = run_to_the_end(case)
    depts = set(case.tasks.values_list("department__code", flat=True))
    assert case.status == Case.Status.APPROVED
    assert depts >= {version.service.department.code, *version.definition.get("co_departments", [])}


def test_countersign_sends_each_instance_to_its_own_department(city, resident, company_for):
    folder = catalog_dir() / "enterprise-investment-approval"
    if not folder.exists():
        pytest.skip("demo package not present")
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    case = submit_package(resident, version, company=company_for(resident))
    approve_as_holder(case.tasks.get(status="open"))
    signers = case.tasks.filter(status="open").order_by("instance_index")
    assert [t.department.code for t in signers] == ["gz-ghzyj", "gz-sthjj", "gz-zjj"]
