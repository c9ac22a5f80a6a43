"""Authenticator reset by a department administrator and enrolment by the staff member at
their next login; 当面核验 (level 3) by a window clerk."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.test import Client, TestCase
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.identity.models import AssuranceLevel
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import (
    TEST_TOTP_KEY,
    DepartmentFactory,
    make_person,
    make_role,
    make_staff,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/account/staff/login/"
ENROL = "/account/staff/enrol/"


def role_with(code: str, *perms: str) -> Any:
    role = make_role(code=code, name=code)
    role.permissions.add(*Permission.objects.filter(codename__in=perms))
    return role


@pytest.fixture
def city() -> dict[str, Any]:
    """A bureau with a sub-office, an administrator of the bureau, a clerk in the
    sub-office, and another bureau with its own administrator."""
    bureau = DepartmentFactory(code="gz-test")
    office = DepartmentFactory(code="gz-test-office", parent=bureau)
    other = DepartmentFactory(code="gz-other")
    admin_role = role_with("dept_admin", "change_staff", "view_staff")
    return {
        "admin": make_staff(department=bureau, roles=[admin_role]),
        "clerk": make_staff(department=office),
        "other_admin": make_staff(department=other, roles=[admin_role]),
    }


def reset(admin: Any, staff: Any, confirm: bool = True) -> Any:
    client = staff_client(admin.user)
    data = {"confirm": "1"} if confirm else {}
    return client.post(f"/account/staff/people/{staff.pk}/authenticator/", data)


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=-offset * 30):06d}"


def test_the_administrator_resets_and_the_staff_member_enrols_at_next_login(city):
    admin, clerk = city["admin"], city["clerk"]
    listing = staff_client(admin.user).get("/account/staff/people/").content.decode()
    assert clerk.user.username in listing and city["other_admin"].user.username not in listing

    refused = reset(admin, clerk, confirm=False)
    assert refused.status_code == 400 and "请勾选确认" in refused.content.decode()
    assert TOTPDevice.objects.get(user=clerk.user).confirmed  # nothing changed

    done = reset(admin, clerk)
    assert done.status_code == 302
    device = TOTPDevice.objects.get(user=clerk.user)
    assert not device.confirmed and device.key != TEST_TOTP_KEY  # the old one is gone
    assert AuditEvent.objects.filter(action="identity.staff.totp_reset", outcome="ok").exists()
    # the administrator never sees the new key
    page = staff_client(admin.user).get("/account/staff/people/").content.decode()
    assert "待本人绑定" in page and base64.b32encode(device.bin_key).decode()[:8] not in page

    client = Client()
    old_code = f"{totp(bytes.fromhex(TEST_TOTP_KEY)):06d}"
    start = client.post(
        LOGIN, {"username": clerk.user.username, "password": PASSWORD, "token": old_code}
    )
    assert start.status_code == 302 and start["Location"] == ENROL
    assert SESSION_KEY not in client.session  # not logged in yet
    page = client.get(ENROL).content.decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert "<svg" in page and secret[:4] in page
    assert client.get("/workbench/").status_code in (302, 403)

    wrong = client.post(ENROL, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    assert SESSION_KEY not in client.session

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=False):
        ok = client.post(ENROL, {"token": code_for(device)})
    assert ok.status_code == 302
    assert int(client.session[SESSION_KEY]) == clerk.user.pk
    assert client.session[DEVICE_ID_SESSION_KEY]
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="identity.staff.totp_confirm").exists()
    assert client.get(ENROL).status_code == 302  # nothing pending any more

    # From now on the new authenticator is asked for at every login.
    again = Client().post(LOGIN, {"username": clerk.user.username, "password": PASSWORD})
    assert again.status_code == 400 and "请输入6位数字动态口令" in again.content.decode()


def test_an_administrator_of_another_department_cannot_reset(city):
    response = reset(city["other_admin"], city["clerk"])
    assert response.status_code == 404
    assert TOTPDevice.objects.get(user=city["clerk"].user).confirmed
    denied = AuditEvent.objects.get(action="identity.staff.totp_reset")
    assert denied.outcome == "denied"
    assert staff_client(city["clerk"].user).get("/account/staff/people/").status_code == 403


def test_an_enrolment_not_completed_within_72_hours_needs_a_new_reset(city):
    reset(city["admin"], city["clerk"])
    later = timezone.now() + datetime.timedelta(hours=73)
    with time_machine.travel(later, tick=False):
        response = Client().post(
            LOGIN, {"username": city["clerk"].user.username, "password": PASSWORD}
        )
    assert response.status_code == 400 and "请联系本部门管理员" in response.content.decode()


def test_the_enrolment_page_needs_the_password_step_and_forgets_it_after_ten_minutes(city):
    assert Client().get(ENROL)["Location"] == LOGIN
    reset(city["admin"], city["clerk"])
    client = Client()
    client.post(LOGIN, {"username": city["clerk"].user.username, "password": PASSWORD})
    assert client.get(ENROL).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11), tick=False):
        assert client.get(ENROL)["Location"] == LOGIN
    wrong_password = Client().post(
        LOGIN, {"username": city["clerk"].user.username, "password": "not the password"}
    )
    assert wrong_password.status_code == 400


def test_a_window_clerk_confirms_identity_face_to_face(city):
    clerk_role = role_with("window_clerk", "view_person", "verify_in_person")
    clerk = make_staff(roles=[clerk_role])
    person = make_person()
    client = staff_client(clerk.user)
    page = client.get(f"/account/staff/persons/{person.pk}/").content.decode()
    assert "确认当面核验" in page
    unticked = client.post(f"/account/staff/persons/{person.pk}/verify/", {})
    assert (
        unticked.status_code == 400
        and "请当面核对身份证原件后勾选确认" in unticked.content.decode()
    )
    person.refresh_from_db()
    assert person.assurance != AssuranceLevel.IN_PERSON
    done = client.post(f"/account/staff/persons/{person.pk}/verify/", {"confirm": "1"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.IN_PERSON
    assert AuditEvent.objects.filter(action="identity.person.in_person_verify").exists()
    assert "已当面核验（L3）" in client.get(f"/account/staff/persons/{person.pk}/").content.decode()
    # a staff member without the permission sees no form and is refused
    plain = staff_client(make_staff().user)
    assert "确认当面核验" not in plain.get(f"/account/staff/persons/{person.pk}/").content.decode()
    assert (
        plain.post(f"/account/staff/persons/{person.pk}/verify/", {"confirm": "1"}).status_code
        == 403
    )


def test_a_window_clerk_registers_a_person_who_can_then_log_in_online(city):
    from onewindow.identity.models import Person
    from onewindow.identity.services import sms_login_code_request, sms_login_verify
    from onewindow.notify.providers.fake import FakeSmsProvider

    clerk_role = role_with("window_clerk", "view_person", "add_person")
    client = staff_client(make_staff(roles=[clerk_role]).user)
    url = "/account/staff/persons/new/"
    assert "自然人登记" in client.get(url).content.decode()
    data = {"name": "黄淑仪", "id_number": "11010519491231002X", "phone": "13900001111"}
    unticked = client.post(url, data)
    assert (
        unticked.status_code == 400
        and "请当面核对身份证原件后勾选确认" in unticked.content.decode()
    )
    bad = client.post(url, {**data, "id_number": "110105194912310021", "confirm": "1"})
    assert bad.status_code == 400 and 'id="id_id_number_error"' in bad.content.decode()
    assert not Person.objects.filter(name="黄淑仪").exists()

    done = client.post(url, {**data, "confirm": "1"})
    person = Person.objects.get(name="黄淑仪")
    assert done.status_code == 302 and done["Location"] == f"/account/staff/persons/{person.pk}/"
    assert person.assurance == AssuranceLevel.IN_PERSON and person.user is None
    assert AuditEvent.objects.filter(action="identity.person.register").exists()

    again = client.post(url, {**data, "phone": "", "confirm": "1"})
    assert again.status_code == 400
    assert f'href="/account/staff/persons/{person.pk}/"' in again.content.decode()
    assert Person.objects.filter(name="黄淑仪").count() == 1
    assert staff_client(make_staff().user).get(url).status_code == 403

    # The resident logs in online with that phone and finds the record the window made.
    FakeSmsProvider.reset()
    with TestCase.captureOnCommitCallbacks(execute=True):
        sms_login_code_request(phone="13900001111", ip="203.0.113.9")
    code = FakeSmsProvider.sent[-1][1].params["code"]
    user, _created = sms_login_verify(phone="13900001111", code=code, ip="203.0.113.9")
    person.refresh_from_db()
    assert person.user_id == user.pk


def test_doing_it_twice(city):
    """A second reset before enrolment replaces the pending authenticator (the first key no
    longer enrols); a second 当面核验 leaves the person at level 3."""
    admin, clerk = city["admin"], city["clerk"]
    reset(admin, clerk)
    first = TOTPDevice.objects.get(user=clerk.user)
    client = Client()
    client.post(LOGIN, {"username": clerk.user.username, "password": PASSWORD})
    reset(admin, clerk)
    second = TOTPDevice.objects.get(user=clerk.user)
    assert second.pk != first.pk and not second.confirmed
    stale = client.post(ENROL, {"token": code_for(first)})
    assert stale.status_code == 302 and stale["Location"] == LOGIN  # the old key is gone
    assert SESSION_KEY not in client.session

    clerk_role = role_with("window_clerk", "view_person", "verify_in_person")
    staff = staff_client(make_staff(roles=[clerk_role]).user)
    person = make_person()
    url = f"/account/staff/persons/{person.pk}/verify/"
    assert staff.post(url, {"confirm": "1"}).status_code == 302
    assert staff.post(url, {"confirm": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.IN_PERSON
