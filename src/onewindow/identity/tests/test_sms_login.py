"""Resident login by phone + SMS code, through the page and the JSON API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from onewindow.core.pii import phone_index
from onewindow.identity.models import AssuranceLevel, Person, SmsLoginCode, User
from onewindow.identity.tests.conftest import last_code
from onewindow.notify.models import SmsMessage
from onewindow.testing.factories import make_person, user_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
LOGIN = "/account/login/"


def send(client, phone=PHONE, **extra):
    return client.post(LOGIN, {"phone": phone, "action": "send"}, **extra)


def enter(client, code, phone=PHONE):
    return client.post(LOGIN, {"phone": phone, "code": code, "action": "login"})


def code_error(response) -> str:
    return " ".join(response.context["form"].errors.get("code", []))


def test_new_phone_logs_in_and_gets_a_resident_account(client, django_capture_on_commit_callbacks):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "获取验证码" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(client)
    assert sent.status_code == 200
    assert "验证码已发送至 138****8000" in sent.content.decode()
    message = SmsMessage.objects.get(phone_bidx=phone_index(PHONE))
    assert message.status == SmsMessage.Status.DELIVERED

    response = enter(client, last_code(PHONE))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")  # the resident's own home page
    user = User.objects.get(pk=client.session[SESSION_KEY])
    assert user.kind == User.Kind.RESIDENT
    assert not user.has_usable_password()
    person = Person.objects.get(user=user)
    assert person.phone == PHONE
    assert person.assurance == AssuranceLevel.PHONE


def test_known_phone_logs_into_the_existing_account(client):
    person = make_person(phone=PHONE)
    send(client)
    enter(client, last_code(PHONE))
    assert int(client.session[SESSION_KEY]) == user_of(person).pk
    assert Person.objects.count() == 1


def test_only_an_hmac_of_the_code_is_stored(client):
    send(client)
    code = last_code(PHONE)
    row = SmsLoginCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert PHONE not in row.phone_bidx


def test_wrong_code_is_refused_with_a_clear_error(client):
    send(client)
    right = last_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    response = enter(client, wrong)
    assert response.status_code == 400
    assert "验证码不正确，还可以再试4次" in code_error(response)
    assert SESSION_KEY not in client.session
    assert 'aria-describedby="id_code_hint id_code_error"' in response.content.decode()


def test_malformed_code_is_refused(client):
    send(client)
    response = enter(client, "12ab")
    assert response.status_code == 400
    assert "6位数字" in code_error(response)


def test_expired_code_is_refused(client):
    send(client)
    code = last_code(PHONE)
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = enter(client, code)
    assert response.status_code == 400
    assert "验证码已过期" in code_error(response)
    assert SESSION_KEY not in client.session


def test_a_used_code_cannot_be_used_again(client):
    send(client)
    code = last_code(PHONE)
    assert enter(client, code).status_code == 302
    client.logout()
    response = enter(client, code)
    assert response.status_code == 400
    assert "已使用" in code_error(response)
    assert SESSION_KEY not in client.session


def test_too_many_wrong_codes_lock_the_code(client):
    send(client)
    right = last_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        enter(client, wrong)
    response = enter(client, right)
    assert response.status_code == 400
    assert "错误次数过多" in code_error(response)
    assert SESSION_KEY not in client.session
    assert SmsLoginCode.objects.get().attempts == 5


def test_per_phone_send_limit_says_how_long_to_wait(client):
    assert send(client).status_code == 200
    response = send(client)
    assert response.status_code == 429
    # Not an error at the phone number: the code already sent still works (its field stays).
    assert not response.context["form"].errors
    page = response.content.decode()
    assert "还不能重新获取验证码。请输入已收到的验证码，或在" in page and "秒后重新获取。" in page
    assert 'name="code"' in page
    assert SmsLoginCode.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    # after the minute the next one is allowed
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert send(client).status_code == 200


def test_per_phone_hourly_limit(client, settings):
    settings.SMS_SEND_LIMITS_PER_PHONE = [(60, 1), (3600, 3)]
    start = timezone.now()
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=2 * minute), tick=False):
            assert send(client).status_code == 200
    with time_machine.travel(start + timedelta(minutes=7), tick=False):
        response = send(client)
    assert response.status_code == 429
    body = response.content.decode()
    assert "或在53分钟后重新获取。" in body


def test_per_ip_send_limit(client, settings):
    settings.SMS_SEND_LIMITS_PER_IP = [(3600, 3)]
    for n in range(3):
        assert send(client, phone=f"1390000000{n}").status_code == 200
    response = send(client, phone="13900000009")
    assert response.status_code == 429
    assert "当前网络获取验证码过于频繁" in " ".join(response.context["form"].errors["phone"])
    # another network is not affected
    assert send(client, phone="13900000009", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_malformed_phone_gives_a_field_error_and_writes_nothing(client):
    response = send(client, phone="12345")
    assert response.status_code == 400
    assert "手机号码应为以1开头的11位数字" in " ".join(response.context["form"].errors["phone"])
    assert SmsLoginCode.objects.count() == 0
    assert SmsMessage.objects.count() == 0


def test_staff_phone_cannot_log_in_as_resident(client):
    person = make_person(phone=PHONE)
    user_of(person).kind = User.Kind.STAFF
    user_of(person).save()
    send(client)
    response = enter(client, last_code(PHONE))
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_next_parameter_is_followed_only_within_the_site(client):
    send(client)
    code = last_code(PHONE)
    response = client.post(
        LOGIN, {"phone": PHONE, "code": code, "action": "login", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


# --- API -------------------------------------------------------------------------------------


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def test_api_sms_login_and_me_is_masked(client):
    make_person(phone=PHONE, name="张三丰")
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE})
    assert response.status_code == 202
    assert response.json() == {"sent_to": "138****8000", "expires_in": 300}
    response = post_json(
        client, "/api/v1/auth/sms-login", {"phone": PHONE, "code": last_code(PHONE)}
    )
    assert response.status_code == 200
    me = client.get("/api/v1/me").json()
    assert me["kind"] == "resident"
    assert me["person"]["phone"] == "138****8000"
    assert me["person"]["name"] == "张*丰"
    assert "*" in me["person"]["id_number"]
    body = json.dumps(me, ensure_ascii=False)
    person = Person.objects.get()
    assert person.id_number not in body and PHONE not in body


def test_api_wrong_code_is_a_field_error(client):
    post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE})
    right = last_code(PHONE)
    response = post_json(
        client,
        "/api/v1/auth/sms-login",
        {"phone": PHONE, "code": "000000" if right != "000000" else "111111"},
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "code" and error["code"] == "code_wrong"
    assert "验证码不正确" in error["message"]


def test_api_refuses_unknown_fields_and_writes_nothing(client):
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE, "admin": True})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "admin"
    assert response.json()["errors"][0]["message"] == "不允许的字段。"
    assert SmsLoginCode.objects.count() == 0


def test_api_bad_phone_is_a_chinese_field_error(client):
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": "not-a-phone"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "phone" and "手机号码" in error["message"]
    assert SmsMessage.objects.count() == 0


def test_api_oversize_json_is_refused_and_writes_nothing(client):
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE, "pad": "x" * 300_000})
    assert 400 <= response.status_code < 500
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": "1" * 5000})
    assert response.status_code == 422
    assert SmsLoginCode.objects.count() == 0


def test_api_rate_limit_answers_429_with_retry_after(client):
    post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE})
    response = post_json(client, "/api/v1/auth/sms-code", {"phone": PHONE})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["field"] == "phone"


def test_api_login_needs_json_not_a_form_post(client):
    response = client.post("/api/v1/auth/sms-login", {"phone": PHONE, "code": "123456"})
    assert 400 <= response.status_code < 500
    assert SESSION_KEY not in client.session


def test_api_me_needs_login(client):
    assert client.get("/api/v1/me").status_code == 401


def test_asking_again_too_early_keeps_the_code_field_and_counts_down(client):
    """Resending before the minute is up once hid the code field, so the code already
    received could not be typed."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(client)
    code = last_code(PHONE)
    with time_machine.travel(start + timedelta(seconds=15), tick=False):
        response = send(client)
    page = response.content.decode()
    assert 'name="code"' in page
    assert 'id="resend-wait" data-countdown="45"' in page
    assert "45秒后可重新获取" in page
    assert "还不能重新获取验证码。请输入已收到的验证码，或在45秒后重新获取。" in page
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        done = enter(client, code)
    assert done.status_code == 302 and SESSION_KEY in client.session


def test_the_code_page_says_when_a_new_code_may_be_asked_for(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        page = send(client).content.decode()
    assert 'data-countdown="60"' in page and "60秒后可重新获取" in page
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        wrong = enter(client, "000000").content.decode()
    assert 'data-countdown="30"' in wrong
