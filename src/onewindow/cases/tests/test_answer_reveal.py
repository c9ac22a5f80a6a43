"""Personal answers on the staff pages: masked for every staff member (also holders of
``identity.view_pii``), revealed one field at a time with a stated purpose and one audit
row; refused without the permission and for a case of another department; masked in the
API's case output."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.cases.audit_events import ANSWER_REVEAL
from onewindow.cases.forms import mask_email, masked_form_data
from onewindow.cases.models import Case
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import ANSWERS
from onewindow.testing.clients import staff_client

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"
ID_NUMBER, PHONE = ANSWERS["id_number"], ANSWERS["phone"]
MASKED_ID, MASKED_PHONE = "1101**********002X", "138****8000"
PURPOSE = "受理时核对申请人身份"


def _task_url(case: Case, element: str = "accept") -> str:
    task = case.tasks.get(element_id=element)
    return reverse("cases:staff_task", kwargs={"task_id": task.pk})


def _case_url(case: Case) -> str:
    return reverse("cases:staff_case", kwargs={"number": case.number})


def _reveal(client: Client, url: str, field: str = "id_number", purpose: str = PURPOSE) -> Any:
    return client.post(url, {"action": "reveal", "field": field, "purpose": purpose})


def _reveals() -> Any:
    return AuditEvent.objects.filter(action=ANSWER_REVEAL)


def test_a_clerk_with_view_pii_sees_masked_answers_by_default(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    clerk = staff("rsj_clerk")
    assert clerk.has_perm("identity.view_pii")
    client = staff_client(clerk)
    for url in (_task_url(case), _case_url(case)):
        page = client.get(url).content.decode()
        assert ID_NUMBER not in page and PHONE not in page
        assert MASKED_ID in page and MASKED_PHONE in page
        # Each masked answer offers its reveal, asking for the purpose.
        assert page.count('name="action" value="reveal"') == 2
        assert 'name="field" value="id_number"' in page and 'name="field" value="phone"' in page
    assert not _reveals().exists()


@pytest.mark.parametrize("where", ["task", "case"])
def test_revealing_with_a_purpose_shows_the_field_and_writes_one_audit_row(
    where, parallel_service, resident, staff
):
    case = apply(resident.user, CODE)
    clerk = staff("rsj_clerk")
    url = _task_url(case) if where == "task" else _case_url(case)
    response = _reveal(staff_client(clerk), url, purpose=f"  {PURPOSE} ")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert ID_NUMBER in page and MASKED_ID not in page  # the field asked for, in full
    assert PHONE not in page and MASKED_PHONE in page  # the others stay masked
    assert "完整信息仅用于您填写的用途，本次查看已记录。" in page
    row = _reveals().get()
    assert row.outcome == AuditEvent.Outcome.OK
    assert (row.target_type, row.target_id) == ("cases.case", str(case.pk))
    assert row.changes == {"case": case.number, "field": "id_number"}
    assert row.purpose == PURPOSE
    assert row.actor_id == clerk.pk
    assert ID_NUMBER not in str(row.changes)  # the audit trail names the field, not its value


def test_a_reveal_needs_a_purpose(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    response = _reveal(staff_client(staff("rsj_clerk")), _task_url(case), purpose="   ")
    assert response.status_code == 400
    page = response.content.decode()
    assert ID_NUMBER not in page and MASKED_ID in page
    assert '<p class="field-error" id="reveal-f-id_number-error">请填写查看用途。</p>' in page
    assert '<details class="reveal" open>' in page
    assert not _reveals().exists()


def test_without_view_pii_the_reveal_is_refused_and_recorded(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    approver = staff("rsj_approver")  # holds the 人社审核 task, not identity.view_pii
    assert not approver.has_perm("identity.view_pii")
    client = staff_client(approver)
    url = _task_url(case, "hr")
    page = client.get(url).content.decode()
    assert MASKED_ID in page and 'value="reveal"' not in page  # no reveal offered
    response = _reveal(client, url)
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    row = _reveals().get()
    assert row.outcome == AuditEvent.Outcome.DENIED
    assert row.changes == {"case": case.number, "field": "id_number"} and row.purpose == PURPOSE


def test_staff_of_another_department_cannot_reveal(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    outsider = staff("gaj_clerk")  # a window clerk with view_pii, of public security
    assert outsider.has_perm("identity.view_pii")
    client = staff_client(outsider)
    for url in (_task_url(case), _case_url(case)):
        response = _reveal(client, url)
        assert response.status_code == 404
        assert ID_NUMBER not in response.content.decode()
    assert not _reveals().filter(outcome=AuditEvent.Outcome.OK).exists()


def test_only_a_personal_answer_can_be_revealed(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    client = staff_client(staff("rsj_clerk"))
    assert _reveal(client, _task_url(case), field="degree").status_code == 404
    assert _reveal(client, _task_url(case), field="nothing").status_code == 404
    assert not _reveals().exists()


def test_the_api_masks_the_answers(parallel_service, resident):
    case = apply(resident.user, CODE)
    client = Client()
    client.force_login(resident.user)
    body = client.get(f"/api/v1/cases/{case.number}").json()
    assert body["form"] == {**ANSWERS, "id_number": MASKED_ID, "phone": MASKED_PHONE}


def test_masked_form_data_by_format():
    schema = {
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email"},
            "uscc": {"type": "string", "format": "uscc"},
            "phones": {"type": "array", "items": {"type": "string", "format": "phone"}},
            "guardian": {
                "type": "object",
                "properties": {"id_number": {"type": "string", "format": "citizen-id"}},
            },
        },
    }
    data = {
        "email": "zhang.wei@example.cn",
        "uscc": "91440101MA59XXXX0X",
        "phones": ["13800138000"],
        "guardian": {"id_number": ID_NUMBER},
        "extra": "kept",
    }
    assert masked_form_data(schema, data) == {
        "email": "z***@example.cn",
        "uscc": "91440101MA59XXXX0X",  # public (printed on the business licence)
        "phones": [MASKED_PHONE],
        "guardian": {"id_number": MASKED_ID},
        "extra": "kept",
    }
    assert mask_email("nobody") == "******"
