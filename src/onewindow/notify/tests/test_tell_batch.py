"""The batch front door: many people told in one go, each exactly once, with the same
keys and rate limits as one at a time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from onewindow.notify import services
from onewindow.notify.models import Message, SmsMessage
from onewindow.testing.factories import PersonFactory, user_of

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOON = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=BEIJING)


def tell(user: Any, key: str, phone: str) -> services.Tell:
    return services.Tell(
        recipient=services.Recipient(user_id=user.pk, phone=phone),
        params={"text": "您的身份证即将到期。"},
        source_key=key,
        reason="因为您的身份证将于 2027-01-05 到期",
    )


def test_a_batch_tells_each_person_once_and_sends_each_sms_once(
    fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    users = [user_of(_person()) for _ in range(3)]
    tells = [tell(u, f"push:{n}", f"1380013800{n}") for n, u in enumerate(users)]
    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as handed:
            told = services.notify_tell_batch(tells=tells, template="notice", kind="push")
        assert [(t.message, t.sms) for t in told] == [(True, True)] * 3
        assert len(handed) == 1  # one hand-off for the batch
        again = services.notify_tell_batch(tells=tells, template="notice", kind="push")
    assert [(t.message, t.sms) for t in again] == [(False, False)] * 3
    assert Message.objects.count() == 3 and SmsMessage.objects.count() == 3
    assert sorted(r.phone for _id, r in fake_sms.sent) == [
        "13800138000",
        "13800138001",
        "13800138002",
    ]
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_the_per_recipient_limit_holds_within_a_batch(settings: Any, fake_sms: Any) -> None:
    settings.NOTIFY_LIMITS_PER_RECIPIENT = [(3600, 2)]
    user = user_of(_person())
    with time_machine.travel(NOON, tick=False):
        services.notify_tell(
            recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
            template="notice",
            params={"text": "x"},
            kind="push",
            source_key="push:first",
            reason="因为",
        )
        told = services.notify_tell_batch(
            tells=[tell(user, f"push:{n}", "13800138000") for n in range(3)],
            template="notice",
            kind="push",
        )
    assert [t.sms for t in told] == [True, False, False]
    assert told[1].limited and told[1].message
    assert SmsMessage.objects.count() == 2 and Message.objects.filter(recipient=user).count() == 4


def test_at_night_the_batchs_sms_wait_for_the_morning(settings: Any) -> None:
    user = user_of(_person())
    night = datetime.datetime(2026, 12, 4, 23, 0, tzinfo=BEIJING)
    with time_machine.travel(night, tick=False):
        (told,) = services.notify_tell_batch(
            tells=[tell(user, "push:n", "13800138000")],
            template="notice",
            kind="push",
            quiet_hours=True,
        )
    assert told.held and told.message
    assert SmsMessage.objects.get().not_before == datetime.datetime(
        2026, 12, 5, 8, 0, tzinfo=BEIJING
    )


def _person() -> Any:
    return PersonFactory()
