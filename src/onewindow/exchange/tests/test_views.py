"""The owners' page: pending requests can be approved, calls are listed, tampering shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.exchange.models import AccessRequest, CallLog, Grant, Resource
from onewindow.exchange.services import access_request_create

from .conftest import ACTOR

pytestmark = pytest.mark.django_db


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def test_owner_approves_a_request_with_fewer_fields(call, consumer, owner, person):
    c, _secret = consumer
    req = access_request_create(
        actor=ACTOR,
        consumer=c,
        resource=Resource.objects.get(code="gz-mzj.income-assets"),
        purpose="公租房资格审核",
        fields=["household_size", "monthly_income_per_capita"],
    )
    client = staff_client(owner)
    page = client.get("/exchange/").content.decode()
    assert "公租房资格审核" in page and "调用记录哈希链校验通过" in page
    res = client.post(
        "/exchange/",
        {"request": req.pk, "decision": "approve", "fields": ["household_size"], "rate": "5"},
    )
    assert res.status_code == 302
    grant = Grant.objects.get(request=req)
    assert (grant.fields, grant.rate_per_minute) == (["household_size"], 5)
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"


def test_call_log_and_tampering_shown(call, consumer, owner, person):
    c, _secret = consumer
    body = {"resource": "gz-mzj.marital-status", "subject": {"id_number": person.id_number}}
    call(body, consumer=c.code, secret="wrong")
    page = staff_client(owner).get("/exchange/").content.decode()
    assert "bad_signature" in page
    CallLog.objects.update(purpose="改过的用途")
    page = staff_client(owner).get("/exchange/").content.decode()
    assert "被改动或缺失" in page


def test_other_departments_do_not_see_the_calls(call, consumer, departments, person):
    from onewindow.testing.factories import StaffFactory

    c, secret = consumer
    body = {"resource": "gz-mzj.marital-status", "subject": {"id_number": person.id_number}}
    call(body, consumer=c.code, secret=secret)
    outsider = StaffFactory(department=departments["gz-gaj"]).user
    page = staff_client(outsider).get("/exchange/").content.decode()
    assert "gz-mzj.marital-status" not in page
