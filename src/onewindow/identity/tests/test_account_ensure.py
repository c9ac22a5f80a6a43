"""A real-name record's resident account made before the first login (the demo city), and
the first SMS login then using it."""

from __future__ import annotations

import json

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.identity import audit_events
from onewindow.identity.models import User
from onewindow.identity.services import (
    resident_account_ensure,
    sms_login_code_request,
    sms_login_verify,
)
from onewindow.notify.models import SmsMessage
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_account_is_made_once_and_linked_with_an_audit_row():
    person = make_person(user=None, phone="13800138011")
    user = resident_account_ensure(person_id=person.pk, actor=Actor.system("demo"))
    again = resident_account_ensure(person_id=person.pk, actor=Actor.system("demo"))
    person.refresh_from_db()
    assert user.pk == again.pk == person.user_id
    assert user.kind == User.Kind.RESIDENT and not user.has_usable_password()
    links = AuditEvent.objects.filter(
        action=audit_events.PERSON_LINK_USER, target_id=str(person.pk)
    )
    assert links.count() == 1


def test_the_first_sms_login_finds_that_account():
    person = make_person(user=None, phone="13800138012")
    user = resident_account_ensure(person_id=person.pk, actor=Actor.system("demo"))
    sms_login_code_request(phone="13800138012", ip="127.0.0.1")
    code = SmsMessage.objects.latest("created_at")
    logged_in, created = sms_login_verify(
        phone="13800138012", code=json.loads(code.params)["code"], ip="127.0.0.1"
    )
    assert (logged_in.pk, created) == (user.pk, False)
