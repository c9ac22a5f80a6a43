"""The pages: apply step by step with field errors next to the fields, materials refused by
content, check-your-answers and a double submit, the case page, the workbench inbox and a
staff approval, the home page's 我的办件."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case
from onewindow.testing.cases import ANSWERS, EXE, PDF

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


def _staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def test_apply_step_by_step(parallel_service, resident, staff):
    client = Client()
    client.force_login(resident.user)
    start = client.get(reverse("cases:apply_start", kwargs={"code": CODE}))
    assert start.status_code == 200
    body = start.content.decode()
    assert "由部门共享获取，无需提交" in body and "毕业证书" in body
    response = client.post(reverse("cases:apply_start", kwargs={"code": CODE}))
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:draft_form", kwargs={"case_id": case.pk})
    form_url = response["Location"]
    page = client.get(form_url).content.decode()
    assert '<label for="f-applicant_name">申请人姓名' in page
    assert page.index("f-applicant_name") < page.index("f-id_number") < page.index("f-degree")
    assert "硕士研究生" in page  # enum labels
    bad = client.post(form_url, {**ANSWERS, "graduation_date": "2026-13-45"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert 'id="f-graduation_date-error"' in html and 'aria-invalid="true"' in html
    case.refresh_from_db()
    assert case.form_data["graduation_date"] == "2026-13-45"  # the draft keeps what was typed
    ok = client.post(form_url, ANSWERS)
    materials_url = reverse("cases:draft_materials", kwargs={"case_id": case.pk})
    assert ok["Location"] == materials_url
    refused = client.post(
        materials_url,
        {
            "code": "diploma",
            "action": "upload",
            "file": SimpleUploadedFile("a.pdf", EXE, "application/pdf"),
        },
    )
    assert refused.status_code == 422 and "文件类型不符" in refused.content.decode()
    client.post(
        materials_url,
        {"code": "diploma", "action": "upload", "file": SimpleUploadedFile("毕业证.pdf", PDF)},
    )
    review = client.post(materials_url, {"next": "1"})
    review_url = reverse("cases:draft_review", kwargs={"case_id": case.pk})
    assert review["Location"] == review_url
    page = client.get(review_url).content.decode()
    assert "本科" in page and "毕业证.pdf" in page
    assert "11010519491231002X" in page  # checking one's answers shows them as typed
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(review_url, {"token": case.submit_token})
        second = client.post(review_url, {"token": case.submit_token})
    case.refresh_from_db()
    detail = reverse("cases:case_detail", kwargs={"number": case.number})
    assert first["Location"] == detail and second["Location"] == detail
    assert Case.objects.count() == 1
    page = client.get(detail).content.decode()
    assert case.number and case.number in page and "办理中" in page and "受理" in page
    # After submission the case page masks the ID and phone numbers (shoulder surfing).
    assert "11010519491231002X" not in page and "13800138000" not in page
    assert "1101**********002X" in page and "138****8000" in page
    home = client.get("/").content.decode()
    assert str(case.number) in home


def test_workbench_inbox_and_approval(parallel_service, resident, staff):
    from onewindow.testing.applying import apply

    case = apply(resident.user, CODE)
    clerk = _staff_client(staff("rsj_clerk"))
    page = clerk.get(reverse("cases:workbench")).content.decode()
    assert str(case.number) in page and "暂无待办任务" not in page
    assert resident.masked_name in page and resident.name not in page  # applicant masked
    task = case.tasks.get()
    url = reverse("cases:staff_task", kwargs={"task_id": task.pk})
    clerk_page = clerk.get(url).content.decode()  # masked for clerks too: reveal is audited
    assert "11010519491231002X" not in clerk_page and "1101**********002X" in clerk_page
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = clerk.post(url, {"action": "approve", "comment": ""})
    assert response.status_code == 302
    assert case.tasks.filter(status="open").count() == 3
    hr = case.tasks.get(element_id="hr")
    approver = _staff_client(staff("rsj_approver"))
    hr_page = approver.get(reverse("cases:staff_task", kwargs={"task_id": hr.pk})).content.decode()
    assert "11010519491231002X" not in hr_page and "13800138000" not in hr_page
    assert "各部门并联审批" in hr_page
    outsider = _staff_client(staff("gaj_clerk"))
    assert outsider.get(url).status_code == 404
    material = case.materials.exclude(file="").get()
    download = clerk.get(
        reverse("cases:staff_material", kwargs={"number": case.number, "material_id": material.pk})
    )
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="cases.material.download").count() == 1


def test_another_resident_cannot_see_the_case(parallel_service, resident):
    from onewindow.testing.applying import apply
    from onewindow.testing.factories import PersonFactory

    case = apply(resident.user, CODE)
    other: Any = PersonFactory()
    client = Client()
    client.force_login(other.user)
    assert (
        client.get(reverse("cases:case_detail", kwargs={"number": case.number})).status_code == 404
    )
    response = client.post(reverse("cases:case_withdraw", kwargs={"number": case.number}))
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
