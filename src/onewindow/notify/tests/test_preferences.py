"""A person's preferences: the channels they allow, quiet hours for pushes, and the
selector the preferences page reads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.notify import services
from onewindow.notify.models import Delivery, Message, SmsMessage
from onewindow.notify.selectors import preferences_for
from onewindow.testing.factories import user_of

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
PARAMS = {"text": "您的身份证将于2027-01-05到期，请及时换领。"}


def push(user: Any, key: str, **kw: Any) -> services.Told:
    return services.notify_tell(
        recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
        template="notice",
        params=PARAMS,
        kind="push",
        source_key=key,
        reason="因为您的身份证将于 2027-01-05 到期",
        **kw,
    )


def test_the_defaults_of_a_person_who_chose_nothing(resident: Any) -> None:
    prefs = preferences_for(user_id=user_of(resident).pk)
    assert prefs.channels == {"inapp", "sms"} and not prefs.chosen
    assert (prefs.quiet_start, prefs.quiet_end) == (datetime.time(22), datetime.time(8))
    assert not prefs.digest and prefs.language == "zh-hans" and not prefs.wechat_bound


def test_a_push_at_night_waits_for_the_morning_and_news_does_not(
    resident: Any, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_of(resident)
    night = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=BEIJING)
    with time_machine.travel(night, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            told = push(user, "push:1", quiet_hours=True)
            services.notify_tell(
                recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
                template="notice",
                params={"text": "您的办件已办结。"},
                kind="case",
                source_key="case-news:9",
            )
        assert told.held and told.message
        assert Message.objects.filter(recipient=user).count() == 2  # in-app at once
        held = SmsMessage.objects.get(source_key="push:1")
        assert held.status == SmsMessage.Status.QUEUED
        assert held.not_before == datetime.datetime(2026, 12, 5, 8, 0, tzinfo=BEIJING)
        assert [r.params for _, r in fake_sms.sent] == [{"text": "您的办件已办结。"}]
        assert services.sms_retry_pending() == 0  # still night
    with time_machine.travel(night + datetime.timedelta(hours=9), tick=False):
        assert services.sms_retry_pending() == 1
    assert SmsMessage.objects.get(source_key="push:1").status == SmsMessage.Status.DELIVERED
    assert len(fake_sms.sent) == 2


def test_a_push_that_does_not_ask_ignores_quiet_hours_and_none_chosen_means_none(
    resident: Any, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_of(resident)
    night = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=BEIJING)
    with time_machine.travel(night, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert not push(user, "push:2").held
        services.preferences_update(
            user_id=user.pk, actor=Actor.from_user(user), quiet_start=None, quiet_end=None
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert not push(user, "push:3", quiet_hours=True).held
    assert len(fake_sms.sent) == 2


def test_own_quiet_hours_and_channels_are_kept_and_audited(resident: Any) -> None:
    user = user_of(resident)
    prefs = services.preferences_update(
        user_id=user.pk,
        actor=Actor.from_user(user),
        email="Zhang@Example.com",
        channels={"email"},
        quiet_start=datetime.time(21, 30),
        quiet_end=datetime.time(7),
        digest=True,
    )
    assert prefs == preferences_for(user_id=user.pk)
    assert prefs.channels == {"inapp", "email"} and prefs.digest and prefs.chosen
    assert (prefs.quiet_start, prefs.quiet_end) == (datetime.time(21, 30), datetime.time(7))
    audit = AuditEvent.objects.get(action="notify.preferences.update")
    assert audit.changes == {"changed": ["email", "channels", "quiet_hours", "digest"]}
    with pytest.raises(services.ValidationFailed) as half:
        services.preferences_update(user_id=user.pk, actor=Actor.from_user(user), quiet_end=None)
    assert str(half.value.message) == "免打扰时段须同时填写开始和结束时间"
    with pytest.raises(services.ValidationFailed):
        services.preferences_update(user_id=user.pk, actor=Actor.from_user(user), channels={"fax"})


def test_a_person_who_turned_sms_off_gets_none_for_a_push(resident: Any) -> None:
    user = user_of(resident)
    services.preferences_update(user_id=user.pk, actor=Actor.from_user(user), channels=set())
    told = push(user, "push:4", channels={"inapp", "sms"})
    assert (told.message, told.sms) == (True, False)
    assert not SmsMessage.objects.exists() and not Delivery.objects.exists()


def test_quiet_hours_inside_one_day() -> None:
    prefs = services.Preferences(
        user_id=1, quiet_start=datetime.time(12), quiet_end=datetime.time(14)
    )
    noon = datetime.datetime(2026, 12, 4, 12, 30, tzinfo=BEIJING)
    assert prefs.quiet_until(noon) == datetime.datetime(2026, 12, 4, 14, tzinfo=BEIJING)
    assert prefs.quiet_until(noon + datetime.timedelta(hours=2)) is None
    assert timezone.is_aware(prefs.quiet_until(noon) or noon)


def test_callers_that_time_pushes_themselves_read_channels_and_quiet_hours(resident: Any) -> None:
    from onewindow.notify.selectors import notify_channels_for, quiet_until_for

    user = user_of(resident)
    assert notify_channels_for(user_id=user.pk, channels=["sms", "email", "inapp"]) == [
        "sms",
        "inapp",
    ]
    night = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=BEIJING)
    morning = datetime.datetime(2026, 12, 5, 8, 0, tzinfo=BEIJING)
    assert quiet_until_for(user_id=user.pk, now=night) == morning
    assert quiet_until_for(user_id=None, now=night) == morning
    assert quiet_until_for(user_id=user.pk, now=morning) is None
