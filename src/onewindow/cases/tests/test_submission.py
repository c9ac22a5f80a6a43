"""Applying: drafts, field errors, materials checked by content, submission numbering,
deadline in working days, and a second submission never making a second case."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.utils import translation

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial, CaseTask
from onewindow.core.errors import ApplicationError, Conflict, ValidationFailed
from onewindow.testing.applying import apply, draft, submit
from onewindow.testing.cases import EXE, PDF, PNG

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


def test_a_valid_application_becomes_a_numbered_case_with_tasks(parallel_service, resident):
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC)):
        case = apply(resident.user, CODE)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.number is not None and len(case.number) == 19
    assert case.number.startswith("44010020260930")
    assert case.number.endswith("00001")
    # 5 working days from 30 September 2026 skip the National Day week: 8, 9, 10 (make-up
    # Saturday), 12, 13 October.
    assert case.deadline == datetime.date(2026, 10, 13)
    assert case.service_version == parallel_service
    assert case.process_state and "spec" not in case.process_state
    task = case.tasks.get()
    assert (task.element_id, task.department.code, task.role_code) == (
        "accept",
        "gz-rsj",
        "window_clerk",
    )
    assert task.due_date == case.deadline
    exchange = case.materials.get(code="hukou")
    assert exchange.source == CaseMaterial.Source.EXCHANGE and not exchange.file
    assert AuditEvent.objects.filter(action="cases.case.submit", target_id=str(case.pk)).exists()
    assert case.events.filter(kind="submitted").exists()


def test_numbers_follow_each_other_within_a_day(parallel_service, resident):
    first = apply(resident.user, CODE)
    other = apply(resident.user, CODE)
    assert first.number and other.number
    assert int(other.number[-5:]) == int(first.number[-5:]) + 1
    assert other.number[:14] == first.number[:14]


def test_invalid_form_data_gives_field_errors_in_chinese_and_no_case(parallel_service, resident):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    with translation.override("zh-hans"):
        errors = services.case_draft_save_form(
            user=resident.user,
            case_id=case.pk,
            data={"applicant_name": "张伟", "graduation_date": "2026-02-30", "degree": "phd"},
        )
    fields = {e.field for e in errors}
    assert "graduation_date" in fields and "degree" in fields
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(e.message)) for e in errors)
    case.refresh_from_db()
    assert case.step == Case.Step.FORM  # did not move on
    with pytest.raises(ValidationFailed) as caught:
        services.case_submit(user=resident.user, case_id=case.pk, token=case.submit_token)
    assert {e.field for e in caught.value.errors} >= {
        "graduation_date",
        "degree",
        "material.diploma",
    }
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.number is None
    assert not CaseTask.objects.exists()


def test_submitting_twice_gives_one_case(parallel_service, resident):
    case = draft(resident.user, CODE)
    token = case.submit_token
    first = submit(resident.user, case)
    again = services.case_submit(user=resident.user, case_id=case.pk, token=token)
    assert again.pk == first.pk and again.number == first.number
    assert Case.objects.exclude(status=Case.Status.DRAFT).count() == 1
    assert CaseTask.objects.count() == 1
    with pytest.raises(Conflict):
        services.case_submit(user=resident.user, case_id=case.pk, token="another-token")


def test_a_token_from_before_the_last_edit_is_refused(parallel_service, resident):
    case = draft(resident.user, CODE)
    stale = case.submit_token
    services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data={**case.form_data, "applicant_name": "李娜"}
    )
    with pytest.raises(Conflict):
        services.case_submit(user=resident.user, case_id=case.pk, token=stale)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_the_draft_is_resumed_not_duplicated(parallel_service, resident):
    first = services.case_draft_start(user=resident.user, service_code=CODE)
    second = services.case_draft_start(user=resident.user, service_code=CODE)
    assert first.pk == second.pk


@pytest.mark.parametrize(
    ("content", "code"),
    [(EXE, "bad_type"), (b"PK\x03\x04zip", "bad_type"), (b"", "empty")],
)
def test_materials_are_checked_by_content(parallel_service, resident, content, code):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    with pytest.raises(ValidationFailed) as caught:
        services.case_material_attach(
            user=resident.user,
            case_id=case.pk,
            code="diploma",
            upload=io.BytesIO(content),
            filename="毕业证.pdf",  # the name and the browser's type do not matter
        )
    assert caught.value.code == code
    assert caught.value.field == "material.diploma"
    assert not CaseMaterial.objects.exists()


def test_oversize_material_is_refused(parallel_service, resident):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    big = PDF + b"0" * (1024 * 1024)  # the package allows 1 MB
    with pytest.raises(ValidationFailed) as caught:
        services.case_material_attach(
            user=resident.user, case_id=case.pk, code="diploma", upload=io.BytesIO(big)
        )
    assert caught.value.code == "too_large"
    assert "1 MB" in str(caught.value.message)
    assert not CaseMaterial.objects.exists()


def test_png_and_pdf_are_accepted_and_stored_under_a_random_name(parallel_service, resident):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    material = services.case_material_attach(
        user=resident.user,
        case_id=case.pk,
        code="diploma",
        upload=io.BytesIO(PNG),
        filename="../../etc/passwd.png",
    )
    assert material.content_type == "image/png"
    assert material.file.startswith("cases/") and "passwd" not in material.file
    replaced = services.case_material_attach(
        user=resident.user, case_id=case.pk, code="diploma", upload=io.BytesIO(PDF)
    )
    assert list(case.materials.values_list("pk", flat=True)) == [replaced.pk]


def test_another_resident_cannot_touch_the_draft(parallel_service, resident):
    from onewindow.testing.factories import PersonFactory

    other: Any = PersonFactory()
    case = draft(resident.user, CODE)
    for call in (
        lambda: services.case_submit(user=other.user, case_id=case.pk, token=case.submit_token),
        lambda: services.case_draft_save_form(user=other.user, case_id=case.pk, data={}),
        lambda: services.case_material_attach(
            user=other.user, case_id=case.pk, code="diploma", upload=io.BytesIO(PDF)
        ),
    ):
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.status == 404
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_enterprise_service_needs_a_company_the_person_may_act_for(
    city, tmp_path, resident, company_for
):
    from onewindow.testing.cases import definition, publish
    from onewindow.testing.factories import CompanyFactory

    publish(tmp_path, service=definition(code="company-test", kind="enterprise"))
    with pytest.raises(ValidationFailed):
        services.case_draft_start(user=resident.user, service_code="company-test")
    stranger: Any = CompanyFactory()
    with pytest.raises(ApplicationError) as caught:
        services.case_draft_start(
            user=resident.user, service_code="company-test", company_uscc=stranger.uscc
        )
    assert caught.value.status == 403
    company = company_for(resident)
    case = apply(resident.user, "company-test", company=company)
    assert case.applicant_company == company and case.agent == resident
    assert case.applicant_person is None


def test_a_deadline_past_the_holiday_data_is_promised_as_an_estimate(
    parallel_service, resident, staff
):
    """The State Council publishes next year's holidays late in the year: a case submitted
    in late December still gets its promised date (Monday–Friday past the data), marked 预计,
    and the workbench counts the working days left."""
    from django.test import Client
    from django.urls import reverse

    from onewindow.core.calendar import covered_years
    from onewindow.testing.clients import staff_client

    last = max(covered_years())
    submitted = datetime.datetime(last, 12, 28, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(submitted, tick=False):
        case = apply(resident.user, CODE)
        case.refresh_from_db()
        assert case.deadline is not None and case.deadline.year == last + 1
        assert case.deadline_is_estimate is True
        assert case.tasks.get().due_date == case.deadline
        client = Client()
        client.force_login(resident.user)
        page = client.get(reverse("cases:case_detail", kwargs={"number": case.number}))
        workbench = staff_client(staff("rsj_clerk")).get(reverse("cases:workbench"))
    body = page.content.decode()
    assert f"{case.deadline:%Y-%m-%d}" in body
    assert "预计：该年节假日安排公布前按周一至周五计算" in body
    assert "个工作日" in body
    row = workbench.content.decode()
    row = row[row.index(str(case.number)) :]
    assert "—" not in row[: row.index("</tr>")]
