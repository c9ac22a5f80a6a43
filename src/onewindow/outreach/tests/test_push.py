"""Pushes: the ID-card rule swept over the population in batches (resumable), each person
told once per object, cool-down, quiet hours (the SMS held to 08:00, not dropped), opt-outs,
and why
each push came."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.audit.models import AuditEvent
from onewindow.notify.models import Message, SmsMessage
from onewindow.outreach.models import PushCursor, PushLog, PushRule
from onewindow.outreach.selectors import PushReason, push_reasons, pushes_for_user
from onewindow.outreach.services import (
    push_deliver_due,
    push_rule_opt_out,
    push_sweep_batch,
    push_sweep_run,
)
from onewindow.testing.outreach import resident_with_id_card

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY)  # a Monday, 10:00
NIGHT = datetime.datetime(2026, 12, 7, 23, 0, tzinfo=CITY)
TODAY = MORNING.date()


def on(code: str, **changes: Any) -> PushRule:
    PushRule.objects.filter(code=code).update(enabled=True, **changes)
    return PushRule.objects.get(code=code)


def test_the_sweep_tells_each_resident_whose_id_card_runs_out_within_90_days(
    rules: None, commit: Any
) -> None:
    due = resident_with_id_card(datetime.date(2027, 1, 5))
    later = resident_with_id_card(TODAY + datetime.timedelta(days=120))
    unknown = resident_with_id_card(None)
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 1
    message = Message.objects.get(recipient=due.user)
    assert message.title == "温馨提醒"
    assert (
        message.body == "您的居民身份证将于2027-01-05到期，请在到期前到公安户政窗口或网上预约换领。"
    )
    assert message.reason == "因为您的身份证将于 2027-01-05 到期"
    assert message.link == "/services/id-card-renewal/"
    assert message.source_key == "push:id-card-expiring:2027-01-05"
    sms = SmsMessage.objects.get()
    assert sms.phone == due.phone and sms.source_key == "push:id-card-expiring:2027-01-05"
    assert (sms.template, json.loads(sms.params)) == (
        "push_reminder",
        {"text": "您的居民身份证将于2027-01-05到期，请在到期前到公安户政窗口或网上预约换领。"},
    )
    assert not Message.objects.filter(recipient__in=[later.user, unknown.user]).exists()
    push = PushLog.objects.get()
    assert (push.status, push.reason) == ("sent", "因为您的身份证将于 2027-01-05 到期")
    assert push_reasons(user_id=due.user_id, source_keys=[message.source_key, "case-news:1"]) == {
        "push:id-card-expiring:2027-01-05": PushReason(
            text="因为您的身份证将于 2027-01-05 到期",
            turn_off_url=f"/outreach/mine/#push-{push.pk}",
        )
    }
    assert AuditEvent.objects.filter(action="outreach.push.send").count() == 1


def test_running_the_sweep_again_tells_nobody_twice(rules: None, commit: Any) -> None:
    resident_with_id_card(datetime.date(2027, 1, 5))
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
    PushCursor.objects.all().delete()  # as if the day's sweep had been lost and started over
    with time_machine.travel(MORNING + datetime.timedelta(hours=1), tick=False), commit():
        assert push_sweep_run() == 0
    assert Message.objects.count() == 1 and SmsMessage.objects.count() == 1


def test_a_stopped_sweep_resumes_where_its_cursor_stands(rules: None, commit: Any) -> None:
    people = [resident_with_id_card(datetime.date(2027, 1, 5 + n)) for n in range(5)]
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        first = push_sweep_batch(rule_code="id-card-expiring", batch=2)
        second = push_sweep_batch(rule_code="id-card-expiring", batch=2)
    assert (first.scanned, first.pushes, first.done) == (2, 2, False)
    assert second.pushes == 2
    cursor = PushCursor.objects.get()
    assert cursor.last_person_id == people[3].pk and not cursor.done
    # the worker stops here; the next run carries on from person 5, not from the start
    with time_machine.travel(MORNING + datetime.timedelta(minutes=5), tick=False), commit():
        rest = push_sweep_batch(rule_code="id-card-expiring", batch=2)
    assert (rest.scanned, rest.pushes, rest.done) == (1, 1, True)
    assert sorted(PushLog.objects.values_list("person_id", flat=True)) == [p.pk for p in people]
    assert Message.objects.count() == 5


def test_cool_down_keeps_a_new_object_from_being_told_too_soon(rules: None, commit: Any) -> None:
    person = resident_with_id_card(datetime.date(2027, 1, 5))
    on("id-card-expiring")  # cool-down 30 days
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
    person.id_card_valid_until = datetime.date(2027, 1, 20)  # corrected by the register
    person.save()
    with time_machine.travel(MORNING + datetime.timedelta(days=10), tick=False), commit():
        assert push_sweep_run() == 0
    with time_machine.travel(MORNING + datetime.timedelta(days=31), tick=False), commit():
        assert push_sweep_run() == 1
    assert list(
        Message.objects.filter(recipient=person.user)
        .order_by("created_at")
        .values_list("reason", flat=True)
    ) == ["因为您的身份证将于 2027-01-05 到期", "因为您的身份证将于 2027-01-20 到期"]


def test_at_night_the_message_arrives_and_the_sms_waits_for_eight(rules: None, commit: Any) -> None:
    person = resident_with_id_card(datetime.date(2027, 1, 5))
    on("id-card-expiring")
    with time_machine.travel(NIGHT, tick=False), commit():
        assert push_sweep_run() == 1
        push_deliver_due()
    assert PushLog.objects.get().status == "sent"
    # in the message centre at once (it wakes nobody) ...
    assert Message.objects.get(recipient=person.user).reason == "因为您的身份证将于 2027-01-05 到期"
    # ... the text message held by notify to the end of the resident's quiet hours
    sms = SmsMessage.objects.get()
    assert (sms.status, sms.not_before) == (
        "queued",
        datetime.datetime(2026, 12, 8, 8, 0, tzinfo=CITY),
    )
    assert [p.status for p in pushes_for_user(user_id=person.user_id)] == ["sent"]


def test_a_resident_who_turned_the_rule_off_is_not_told(rules: None, commit: Any) -> None:
    person = resident_with_id_card(datetime.date(2027, 1, 5))
    other = resident_with_id_card(datetime.date(2027, 1, 6))
    on("id-card-expiring")
    push_rule_opt_out(user=person.user, rule_code="id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
        push_deliver_due()
    assert not Message.objects.filter(recipient=person.user).exists()
    assert Message.objects.filter(recipient=other.user).count() == 1
    assert not PushLog.objects.filter(person_id=person.pk).exists()
    assert AuditEvent.objects.filter(action="outreach.push.opt_out").count() == 1


def test_a_rule_turned_off_offers_no_more_turning_off(rules: None, commit: Any) -> None:
    person = resident_with_id_card(datetime.date(2027, 1, 5))
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
    key = "push:id-card-expiring:2027-01-05"
    push_rule_opt_out(user=person.user, rule_code="id-card-expiring")
    assert push_reasons(user_id=person.user_id, source_keys=[key]) == {
        key: PushReason(text="因为您的身份证将于 2027-01-05 到期", turn_off_url="")
    }


def test_the_channels_the_rule_names_are_the_ones_used(rules: None, commit: Any) -> None:
    person = resident_with_id_card(datetime.date(2027, 1, 5))
    on("id-card-expiring", channels=["inapp"])
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
    assert Message.objects.filter(recipient=person.user).count() == 1
    assert not SmsMessage.objects.exists()


def test_a_switched_off_rule_sweeps_nobody(rules: None, commit: Any) -> None:
    resident_with_id_card(datetime.date(2027, 1, 5))
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 0
    assert not PushLog.objects.exists()


def test_the_residents_channel_preferences_narrow_the_rules_channels(
    rules: None, commit: Any
) -> None:
    from onewindow.audit.services import Actor
    from onewindow.notify.services import preferences_update

    person = resident_with_id_card(datetime.date(2027, 1, 5))
    texted = resident_with_id_card(datetime.date(2027, 1, 6))
    preferences_update(
        user_id=person.user_id, actor=Actor.from_user(person.user), channels=["inapp"]
    )
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        push_sweep_run()
    assert Message.objects.filter(recipient=person.user).count() == 1
    assert list(SmsMessage.objects.values_list("phone", flat=True)) == [texted.phone]
