"""The demo city comes with the housing bureau's system as a data-exchange consumer: an
approved grant on the civil affairs bureau's income check and its first signed calls, so the
owners' page and the call log have rows; seeding again changes nothing. Roles seeded by an
older version gain the permissions added since."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.demo import exchange as demo_exchange
from onewindow.demo.services import demo_city_seed
from onewindow.exchange.calllog import calllog_verify
from onewindow.exchange.models import AccessRequest, CallLog, Consumer, Grant
from onewindow.identity.models import Role, User

pytestmark = pytest.mark.django_db


def _owner_page(username: str) -> str:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    response = client.get("/exchange/")
    assert response.status_code == 200
    return response.content.decode()


def test_seed_registers_the_housing_system_with_a_grant_and_calls() -> None:
    report = demo_city_seed(residents=40, companies=1, seed=7)
    assert report.exchange_calls_added == 4
    consumer = Consumer.objects.get(code=demo_exchange.CONSUMER)
    assert consumer.department is not None and consumer.department.code == "gz-zjj"
    request = AccessRequest.objects.get(consumer=consumer)
    assert request.status == "approved" and request.decided_by is not None
    assert request.decided_by.username == demo_exchange.APPROVER
    grant = Grant.objects.get(consumer=consumer)
    assert grant.resource.code == demo_exchange.RESOURCE
    assert grant.fields == sorted(demo_exchange.GRANTED)

    calls = list(CallLog.objects.filter(consumer_id_value=consumer.code).order_by("seq"))
    assert [(c.resource_code, c.outcome, c.reason) for c in calls] == [
        (demo_exchange.RESOURCE, "ok", ""),
        (demo_exchange.RESOURCE, "ok", ""),
        (demo_exchange.RESOURCE, "ok", ""),
        (demo_exchange.NOT_GRANTED_RESOURCE, "denied", "no_grant"),
    ]
    assert all("financial_assets" not in c.fields for c in calls)  # never granted
    assert calllog_verify() is None

    page = _owner_page(demo_exchange.APPROVER)  # the owning department's page
    assert "居民家庭经济状况核对信息" in page and demo_exchange.CONSUMER in page
    assert "no_grant" in page and page.count(demo_exchange.CONSUMER) >= 4


def test_seeding_again_adds_no_calls_and_no_audit_rows() -> None:
    demo_city_seed(residents=40, companies=1, seed=7)
    events, calls = AuditEvent.objects.count(), CallLog.objects.count()
    report = demo_city_seed(residents=40, companies=1, seed=7)
    assert report.exchange_calls_added == 0 and not report.changed
    assert (AuditEvent.objects.count(), CallLog.objects.count()) == (events, calls)
    assert Consumer.objects.filter(code=demo_exchange.CONSUMER).count() == 1
    assert Grant.objects.filter(consumer__code=demo_exchange.CONSUMER).count() == 1


def test_seed_demo_command_reports_the_calls() -> None:
    out = io.StringIO()
    call_command("seed_demo", residents=40, companies=1, seed=7, no_progress=True, stdout=out)
    assert "+4 data exchange calls" in out.getvalue()


def test_a_role_seeded_earlier_gains_new_permissions() -> None:
    demo_city_seed(residents=0, companies=0, seed=7)
    operator = Role.objects.get(code="platform_operator")
    reconcile = Permission.objects.get(codename="reconcile_payments")
    operator.permissions.remove(reconcile)  # as seeded before reconciliation pages existed
    demo_city_seed(residents=0, companies=0, seed=7)
    assert operator.permissions.filter(pk=reconcile.pk).exists()
    assert Role.objects.get(code="approver").permissions.filter(codename="revoke_licence").exists()
