"""Staff login: password + TOTP, lockout after repeated failures, idle timeout."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from onewindow.audit.models import AuditEvent
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import TEST_TOTP_KEY, make_person, make_staff, user_of

pytestmark = pytest.mark.django_db

URL = "/account/staff/login/"
PASSWORD = "correct horse battery staple"


def token(offset: int = 0) -> str:
    return f"{totp(bytes.fromhex(TEST_TOTP_KEY), t0=-offset * 30):06d}"


def wrong_token() -> str:
    right = token()
    return "000000" if right != "000000" else "111111"


def post(client, username, password=PASSWORD, otp=None):
    return client.post(
        URL,
        {"username": username, "password": password, "token": otp if otp is not None else token()},
    )


def test_totp_login_makes_an_otp_verified_session():
    staff = make_staff()
    client = Client()
    response = post(client, staff.user.username)
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert int(client.session[SESSION_KEY]) == staff.user.pk
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert AuditEvent.objects.filter(action="identity.login.staff", outcome="ok").exists()
    person = make_person()
    assert client.get(f"/account/staff/persons/{person.pk}/").status_code == 200


def test_wrong_totp_is_refused_and_counted():
    staff = make_staff()
    client = Client()
    response = post(client, staff.user.username, otp=wrong_token())
    assert response.status_code == 400
    assert "动态口令不正确" in " ".join(response.context["form"].errors["token"])
    assert SESSION_KEY not in client.session
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username=staff.user.username).failures_since_start == 1


def test_wrong_password_is_refused_without_saying_which_part_was_wrong():
    staff = make_staff()
    response = post(Client(), staff.user.username, password="wrong password!")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()


def test_staff_without_a_totp_device_cannot_log_in():
    staff = make_staff(totp=False)
    response = post(Client(), staff.user.username)
    assert response.status_code == 400
    assert "请联系本部门管理员" in response.content.decode()


def test_resident_account_cannot_use_staff_login():
    person = make_person()
    response = post(Client(), user_of(person).username)
    assert response.status_code == 400


def test_lockout_after_five_failures_even_with_the_right_password():
    staff = make_staff()
    client = Client()
    for _ in range(4):
        assert post(client, staff.user.username, password="wrong password!").status_code == 400
    fifth = post(client, staff.user.username, password="wrong password!")
    assert fifth.status_code == 429
    response = post(client, staff.user.username)
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定" in page and "30分钟" in page
    assert SESSION_KEY not in client.session


def test_wrong_totp_codes_also_lead_to_lockout():
    staff = make_staff()
    client = Client()
    for _ in range(5):
        post(client, staff.user.username, otp=wrong_token())
    assert post(client, staff.user.username).status_code == 429
    assert SESSION_KEY not in client.session


def test_idle_timeout_logs_staff_out(settings):
    staff = make_staff()
    person = make_person()
    client = staff_client(staff.user)
    assert client.get(f"/account/staff/persons/{person.pk}/").status_code == 200
    session = client.session
    session["_ow_last_seen"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get(f"/account/staff/persons/{person.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith("/account/staff/login/?timeout=1")
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "因长时间未操作，已自动退出" in page.content.decode()


def test_logout_is_post_only_and_ends_the_session():
    staff = make_staff()
    client = staff_client(staff.user)
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response["Location"] == URL
    assert SESSION_KEY not in client.session
