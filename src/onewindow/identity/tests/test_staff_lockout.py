"""Staff lockout per username, never per address: failures from many addresses lock the
username, a colleague behind the same NAT address is not locked with it; each lockout in a
row lasts twice as long as the one before (30 min, 1 h, 2 h …); every lockout is an alert
(WARNING log line, audit row, in-app message to the operators and the department's
administrators)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp.oath import totp

from onewindow.audit.models import AuditEvent
from onewindow.identity.models import LoginLockout, StaffRole, User
from onewindow.notify.models import Message
from onewindow.testing.factories import (
    TEST_TOTP_KEY,
    DepartmentFactory,
    UserFactory,
    make_role,
    make_staff,
)

pytestmark = pytest.mark.django_db

URL = "/account/staff/login/"
PASSWORD = "correct horse battery staple"
START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def token() -> str:
    return f"{totp(bytes.fromhex(TEST_TOTP_KEY)):06d}"


def attempt(username: str, *, ip: str = "10.0.0.1", password: str = PASSWORD) -> Any:
    return Client(REMOTE_ADDR=ip).post(
        URL, {"username": username, "password": password, "token": token()}
    )


def fail(username: str, times: int = 5, *, ips: list[str] | None = None) -> list[int]:
    addresses = ips or ["10.0.0.1"] * times
    return [attempt(username, ip=ip, password="wrong password!").status_code for ip in addresses]


def locked_minutes(response: Any) -> int:
    assert response.status_code == 429
    return int(response["Retry-After"]) // 60


def test_failures_from_many_addresses_lock_the_username() -> None:
    staff = make_staff()
    name = staff.user.username
    statuses = fail(name, ips=[f"203.0.113.{i}" for i in range(1, 6)])
    assert statuses == [400, 400, 400, 400, 429]
    right = attempt(name, ip="198.51.100.7")  # the right password, from yet another address
    assert right.status_code == 429 and SESSION_KEY not in right.wsgi_request.session
    page = right.content.decode()
    assert "账号已暂时锁定" in page and "请在30分钟后再试" in page


def test_a_colleague_behind_the_same_address_is_not_locked_with_them() -> None:
    department: Any = DepartmentFactory()
    locked, colleague = make_staff(department=department), make_staff(department=department)
    fail(locked.user.username, ips=["10.1.1.1"] * 5)
    assert attempt(locked.user.username, ip="10.1.1.1").status_code == 429
    response = attempt(colleague.user.username, ip="10.1.1.1")
    assert response.status_code == 302 and response["Location"] == "/workbench/"


def test_each_lockout_in_a_row_lasts_twice_as_long_and_a_login_starts_again() -> None:
    staff = make_staff()
    name = staff.user.username
    with time_machine.travel(START, tick=False) as clock:
        fail(name)
        assert locked_minutes(attempt(name)) == 30
        clock.shift(datetime.timedelta(minutes=20))
        assert locked_minutes(attempt(name)) == 10  # attempts while locked extend nothing
        clock.shift(datetime.timedelta(minutes=11))
        assert fail(name) == [400, 400, 400, 400, 429]  # counting starts again at zero
        assert locked_minutes(attempt(name)) == 60
        clock.shift(datetime.timedelta(minutes=61))
        fail(name)
        assert locked_minutes(attempt(name)) == 120
        assert LoginLockout.objects.get(username=name).streak == 3
        clock.shift(datetime.timedelta(minutes=121))
        assert attempt(name).status_code == 302  # a login ends the streak
        assert not LoginLockout.objects.filter(username=name).exists()
        fail(name)
        assert locked_minutes(attempt(name)) == 30


def test_the_lockout_grows_to_a_day_at_most_and_a_quiet_day_starts_again(settings: Any) -> None:
    staff = make_staff()
    name = staff.user.username
    with time_machine.travel(START, tick=False) as clock:
        for expected in (30, 60, 120, 240, 480, 960, 1440, 1440):
            fail(name)
            assert locked_minutes(attempt(name)) == expected
            clock.shift(datetime.timedelta(minutes=expected + 1))
        clock.shift(datetime.timedelta(hours=25))
        fail(name)
        assert locked_minutes(attempt(name)) == 30


def test_a_lockout_alerts_the_operators_and_the_department_admins(caplog: Any) -> None:
    department: Any = DepartmentFactory(code="gz-test-bureau")
    staff = make_staff(department=department)
    staff.user.display_name = "李明"
    staff.user.save()
    admin_role = make_role(code="dept_admin", name="部门管理员")
    admin_role.permissions.add(Permission.objects.get(codename="change_staff"))
    admin = make_staff(department=department)
    StaffRole.objects.create(staff=admin, role=admin_role, department=department)
    bystander = make_staff(department=department)
    operator: Any = UserFactory(username="ops1", kind=User.Kind.OPERATOR)

    with caplog.at_level(logging.WARNING, logger="onewindow.identity.lockout"):
        fail(staff.user.username, ips=["203.0.113.9"] * 5)
        attempt(staff.user.username)  # during the lockout: no second alert

    lines = [r for r in caplog.records if r.name == "onewindow.identity.lockout"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert f"username={staff.user.username} lockout=1" in lines[0].getMessage()

    audit = AuditEvent.objects.get(action="identity.login.lockout")
    assert audit.outcome == AuditEvent.Outcome.DENIED
    assert audit.target_id == str(staff.user.pk) and audit.ip == "203.0.113.9"
    assert audit.changes["lockouts_in_a_row"] == 1 and audit.changes["minutes"] == 30

    told = Message.objects.filter(kind="staff_locked_out")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [operator.pk, admin.user.pk]
    )
    assert bystander.user.pk not in told.values_list("recipient_id", flat=True)
    message = told.get(recipient=admin.user)
    assert message.title == "账号锁定提醒"
    assert message.body == (
        f"工作人员账号李明（{staff.user.username}）登录连续失败，已锁定30分钟"
        "（连续第1次锁定，最近一次来自203.0.113.9）。如非本人操作，请核实并处置。"
    )


def test_locking_an_unknown_username_alerts_nobody_but_is_audited() -> None:
    UserFactory(username="ops1", kind=User.Kind.OPERATOR)
    fail("nobody-here")
    assert attempt("nobody-here").status_code == 429
    audit = AuditEvent.objects.get(action="identity.login.lockout")
    assert audit.target_id == "nobody-here" and audit.changes["notified"] == 0
    assert not Message.objects.exists()


def test_deleting_the_lockout_lifts_it() -> None:
    staff = make_staff()
    fail(staff.user.username)
    assert attempt(staff.user.username).status_code == 429
    LoginLockout.objects.filter(username=staff.user.username).delete()
    assert attempt(staff.user.username).status_code == 302


def test_a_totp_code_in_other_digits_is_refused_as_malformed() -> None:
    staff = make_staff()
    arabic = token().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = Client().post(
        URL, {"username": staff.user.username, "password": PASSWORD, "token": arabic}
    )
    assert response.status_code == 400
    assert "请输入6位数字动态口令" in " ".join(response.context["form"].errors["token"])
    assert SESSION_KEY not in response.wsgi_request.session
