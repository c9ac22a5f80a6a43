"""Operators register department systems and rotate their secrets in the admin; the secret
is shown once, stored only as a hash, never written to the audit trail."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Permission
from django.test import Client
from oauth2_provider.models import Application

from onewindow.audit.models import AuditEvent
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import make_staff

pytestmark = pytest.mark.django_db
SECRET = re.compile(r"[A-Za-z0-9]{128}")


def _operator() -> Client:
    staff = make_staff()
    staff.user.is_staff = True
    staff.user.kind = "operator"
    staff.user.save()
    staff.user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["oauth2_provider", "sso"]),
        Permission.objects.get(codename="operate_platform"),
    )
    return staff_client(staff.user)


def _form() -> dict[str, str]:
    return {
        "name": "不动产登记系统",
        "client_type": "confidential",
        "authorization_grant_type": "authorization-code",
        "redirect_uris": "https://bdc.example.gov.cn/oidc/callback",
        "post_logout_redirect_uris": "",
        "allowed_origins": "",
        "algorithm": "RS256",
        "registration_source": "manual",
        "hash_client_secret": "on",
        "sso_policy-TOTAL_FORMS": "1",
        "sso_policy-INITIAL_FORMS": "0",
        "sso_policy-MIN_NUM_FORMS": "0",
        "sso_policy-MAX_NUM_FORMS": "1",
        "sso_policy-0-extra_scopes": '["realname"]',
        "sso_policy-0-department": "",
    }


def test_operator_registers_a_client_and_rotates_its_secret():
    client = _operator()
    added = client.post("/admin/oauth2_provider/application/add/", _form(), follow=True)
    assert added.status_code == 200, added.content[:2000]
    shown = SECRET.findall(added.content.decode())
    assert len(shown) == 1
    application = Application.objects.get(name="不动产登记系统")
    assert check_password(shown[0], application.client_secret)
    assert application.sso_policy.allowed_scopes() >= {"realname"}

    rotated = client.post(
        "/admin/oauth2_provider/application/",
        {"action": "rotate_secret", "_selected_action": [application.pk]},
        follow=True,
    )
    new = SECRET.findall(rotated.content.decode())
    assert len(new) == 1 and new[0] != shown[0]
    application.refresh_from_db()
    assert check_password(new[0], application.client_secret)
    assert not check_password(shown[0], application.client_secret)

    trail = json.dumps(
        list(AuditEvent.objects.filter(action__contains="application").values("changes"))
        + list(AuditEvent.objects.filter(action__startswith="sso.").values("changes")),
        ensure_ascii=False,
    )
    assert shown[0] not in trail and new[0] not in trail
    assert AuditEvent.objects.filter(action="sso.client.rotate_secret").count() == 1
    assert AuditEvent.objects.filter(action="admin.oauth2_provider.application.create").exists()


def test_a_resident_cannot_reach_the_client_admin(client):
    from onewindow.testing.factories import PersonFactory

    person = PersonFactory()
    client.force_login(person.user)
    response = client.get("/admin/oauth2_provider/application/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_type", "public"),
        ("authorization_grant_type", "implicit"),
        ("authorization_grant_type", "openid-hybrid"),
        ("authorization_grant_type", "client-credentials"),
        ("algorithm", "HS256"),
        ("algorithm", ""),
    ],
)
def test_the_admin_offers_only_what_the_provider_serves(field: str, value: str):
    client = _operator()
    form = client.get("/admin/oauth2_provider/application/add/").content.decode()
    assert f'value="{value}"' not in form.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    refused = client.post("/admin/oauth2_provider/application/add/", {**_form(), field: value})
    assert refused.status_code == 200 and not Application.objects.exists()
