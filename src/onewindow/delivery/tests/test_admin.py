"""Operators set a department's receiving window in the admin (phone and region checked,
the change audited without the phone); shipments stay read-only there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.delivery.models import DepartmentWindow
from onewindow.delivery.selectors import window_party
from onewindow.identity.models import Department
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    staff: Any = StaffFactory()
    staff.user.is_staff = True
    staff.user.is_superuser = True
    staff.user.save()
    return staff_client(staff.user)


WINDOW = {
    "name": "测试局收件窗口",
    "contact": "测试局窗口",
    "phone": "020-83000000",
    "region_code": "440104",
    "address": "广东省广州市越秀区府前路1号",
}


def test_a_window_is_set_in_the_admin_and_audited(admin_client: Client, department: Department):
    response = admin_client.post(
        "/admin/delivery/departmentwindow/add/", {"department": department.pk, **WINDOW}
    )
    assert response.status_code == 302, response.content[:400]
    window = DepartmentWindow.objects.get()
    assert window_party(department).address == "广东省广州市越秀区府前路1号"
    event = AuditEvent.objects.get(action="admin.delivery.departmentwindow.create")
    assert event.target_id == str(window.pk) and event.changes["phone"] == "changed"


def test_a_bad_window_phone_or_region_is_refused(admin_client: Client, department: Department):
    response = admin_client.post(
        "/admin/delivery/departmentwindow/add/",
        {"department": department.pk, **WINDOW, "phone": "83000000", "region_code": "999999"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "带区号的固定电话" in text and "所在地区不是现行的行政区划代码" in text
    assert not DepartmentWindow.objects.exists()


def test_shipments_are_read_only_in_the_admin(admin_client: Client):
    assert admin_client.get("/admin/delivery/shipment/").status_code == 200
    assert admin_client.get("/admin/delivery/shipment/add/").status_code == 403
    assert admin_client.get("/admin/delivery/courierpush/").status_code == 200
