"""Licence rules: a licence issued is an event a rule may tell of; one running out within
30 days is found by the daily sweep, told once per licence and expiry date."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.licences.services import licence_issue
from onewindow.notify.models import Message
from onewindow.outreach.models import PushLog, PushRule
from onewindow.outreach.services import push_sweep_run
from onewindow.testing.outreach import person_make

pytestmark = pytest.mark.django_db


def test_a_licence_running_out_within_30_days_is_told_once(rules: None, commit: Any) -> None:
    person = person_make()
    now = timezone.now().replace(hour=2, minute=0)  # 10:00 in the city
    with time_machine.travel(now, tick=False):
        licence = licence_issue(
            actor=Actor.system("test"),
            licence_type_code="residence-permit",
            holder_person=person,
            valid_days=20,
        )
        PushRule.objects.filter(code="licence-expiring").update(enabled=True)
        with commit():
            assert push_sweep_run() == 1
    until = timezone.localtime(licence.valid_until).date().isoformat()
    message = Message.objects.get(recipient=person.user, kind="push")
    assert message.reason == f"因为您的居住证将于 {until} 到期"
    assert licence.number in message.body
    later = now + datetime.timedelta(days=8)  # past the 7 days' cool-down, same licence
    with time_machine.travel(later, tick=False), commit():
        assert push_sweep_run() == 0
    assert PushLog.objects.count() == 1


def test_a_licence_issued_is_an_event_a_rule_tells_of(rules: None, commit: Any) -> None:
    PushRule.objects.create(
        code="licence-issued",
        name="证照签发提醒",
        trigger="licence.issued",
        condition="true",
        variables=["licence_type", "licence_number"],
        template="您的{licence_type}（编号{licence_number}）已签发，已放入证照夹。",
        reason="因为您有新签发的{licence_type}",
        channels=["inapp"],
        enabled=True,
    )
    person = person_make()
    now = timezone.now().replace(hour=2, minute=0)
    with time_machine.travel(now, tick=False), commit():
        licence = licence_issue(
            actor=Actor.system("test"),
            licence_type_code="residence-permit",
            holder_person=person,
        )
    message = Message.objects.get(recipient=person.user, kind="push")
    assert message.body == f"您的居住证（编号{licence.number}）已签发，已放入证照夹。"
    assert message.source_key == f"push:licence-issued:licence:{licence.number}"
