from __future__ import annotations

from typing import cast

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.cases.selectors import inbox_for, workbench_header_for
from onewindow.identity.models import Person, Staff
from onewindow.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    RoleFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def _login_verified(client: Client, staff: Staff) -> None:
    client.force_login(staff.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff.user).persistent_id
    session.save()


@pytest.fixture
def staff() -> Staff:
    department = DepartmentFactory(code="gz-police", name="广州市公安局", name_en="Police")
    role = RoleFactory(code="approver", name="审批人员", name_en="Approver")
    member = cast(Staff, StaffFactory(department=department, roles=[role], title="科员"))
    member.user.display_name = "陈工"
    member.user.save()
    return member


def test_verified_staff_see_their_workbench(client: Client, staff: Staff) -> None:
    _login_verified(client, staff)
    response = client.get(reverse("cases:workbench"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "陈工" in body
    assert "广州市公安局" in body
    assert "审批人员" in body
    assert "暂无待办任务" in body
    for column in ("办件编号", "事项", "申请人", "环节", "剩余工作日"):
        assert f'<th scope="col">{column}</th>' in body
    assert "工作台" in body and "我的账单" not in body


def test_staff_without_a_verified_second_factor_do_not_get_in(client: Client, staff: Staff) -> None:
    client.force_login(staff.user)
    response = client.get(reverse("cases:workbench"))
    assert response.status_code in {302, 403}
    assert "暂无待办任务" not in response.content.decode()


def test_residents_get_the_forbidden_page(client: Client) -> None:
    person = cast(Person, PersonFactory())
    assert person.user is not None
    client.force_login(person.user)
    response = client.get(reverse("cases:workbench"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body
    assert 'href="/"' in body


def test_header_selector_lists_department_and_roles(staff: Staff) -> None:
    header = workbench_header_for(user=staff.user)
    assert header.name == "陈工"
    assert header.department == "广州市公安局"
    assert [r.name for r in header.roles] == ["审批人员"]
    assert inbox_for(user=staff.user) == []


def test_header_selector_speaks_english_when_asked(staff: Staff) -> None:
    from django.utils import translation

    with translation.override("en"):
        header = workbench_header_for(user=staff.user)
    assert header.department == "Police"
    assert [r.name for r in header.roles] == ["Approver"]
