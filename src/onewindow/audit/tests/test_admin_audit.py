"""Changes made through the admin are audited like any other write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.audit.selectors import audit_chain_verify
from onewindow.identity.models import Department
from onewindow.testing.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    staff: Any = StaffFactory()
    staff.user.is_staff = True
    staff.user.is_superuser = True
    staff.user.save()
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff.user).persistent_id
    session.save()
    return client


def test_admin_change_writes_an_audit_row(admin_client: Client):
    dept: Any = DepartmentFactory(code="hrss", name="人社局", region_code="440100")
    response = admin_client.post(
        f"/admin/identity/department/{dept.pk}/change/",
        {"code": "hrss", "name": "人力资源和社会保障局", "name_en": "", "region_code": "440100"},
    )
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(action="admin.identity.department.change")
    assert event.target_id == str(dept.pk)
    assert event.changes["name"] == "人力资源和社会保障局"
    assert audit_chain_verify() is None


def test_admin_bulk_delete_writes_one_row_per_object(admin_client: Client):
    a: Any = DepartmentFactory(code="d1")
    b: Any = DepartmentFactory(code="d2")
    response = admin_client.post(
        "/admin/identity/department/",
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Department.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert AuditEvent.objects.filter(action="admin.identity.department.delete").count() == 2
