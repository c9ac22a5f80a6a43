"""Company registration in the browser: a resident applies to set up a company (their own
application: the company exists once registered), market regulation accepts, then tax,
social security and public security approve in parallel from their own workbenches; the
resident follows each department's status and sees the outcome."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases.models import Case
from onewindow.cases.services.parties import party_consent_decide
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.identity.models import Company
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import log_in
from tests.e2e.test_apply_flows import (
    apply_in_browser,
    approve_in_workbench,
    approve_until_concluded,
    publish,
    see_outcome_and_rate,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The citizen ID fill_form writes into every ID question (the legal representative's here).
LEGAL_REP_ID = citizen_id_make("440106", datetime.date(1998, 5, 4), 123)


def _resident_view(page: Page, live_server: LiveServer, case: Case, person: Any) -> None:
    page.context.clear_cookies()
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    assert_accessible(page)


def test_company_registration_departments_approve_in_parallel(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    version = publish("company-registration-one-stop")
    person = PersonFactory()
    case = apply_in_browser(page, live_server, version, tmp_path, person)
    assert case.applicant_person == person and case.applicant_company is None
    # The legal representative named on the form agrees to the check of his identity.
    assert case.status == Case.Status.CONSENT
    legal_rep = PersonFactory(id_number=LEGAL_REP_ID, id_number_bidx=id_number_index(LEGAL_REP_ID))
    party = case.parties.get(code="legal_representative")
    party_consent_decide(user=legal_rep.user, party_id=party.pk, agree=True)
    # Market regulation accepts; the case fans out to the co-departments.
    accept = case.tasks.get()
    approve_in_workbench(page, live_server, accept)
    parallel = list(case.tasks.filter(status="open").select_related("department"))
    departments = {t.department.code for t in parallel}
    assert {"gz-swj", "gz-rsj", "gz-gaj"} <= departments
    _resident_view(page, live_server, case, person)
    branches = page.get_by_test_id("branches")
    expect(page.get_by_role("heading", name="各部门并联审批")).to_be_visible()
    expect(branches.locator('[data-branch-status="working"]')).to_have_count(len(departments))
    # One department approves; the others are still working, in any order.
    first = next(t for t in parallel if t.department.code == "gz-gaj")
    approve_in_workbench(page, live_server, first)
    _resident_view(page, live_server, case, person)
    expect(branches.locator('[data-branch-status="approved"]')).to_have_count(1)
    expect(branches.locator('[data-branch-status="working"]')).to_have_count(len(departments) - 1)
    rest = approve_until_concluded(page, live_server, case)
    assert {"gz-swj", "gz-rsj"} <= set(rest)
    # The company now exists, its legal representative the person the form named.
    company = Company.objects.get(established_by_case=case.number)
    assert company.legal_representative == case.form_data["legal_rep_name"]
    see_outcome_and_rate(page, live_server, case, person)
