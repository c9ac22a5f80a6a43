"""Telling one person: the channels a call names, and the reason a pushed message carries."""

from __future__ import annotations

import pytest

from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.services import Recipient, notify_tell
from onewindow.testing.factories import user_of

pytestmark = pytest.mark.django_db

PARAMS = {"text": "您的身份证即将到期，请及时换领。"}


def test_in_app_only_writes_the_message_and_queues_no_sms(resident):
    user = user_of(resident)
    told = notify_tell(
        recipient=Recipient(user_id=user.pk, phone="13800138000"),
        template="notice",
        params=PARAMS,
        kind="push",
        source_key="push:id-expiry:1",
        channels={"inapp"},
        reason="因为您的身份证将于 2027-01-05 到期",
    )
    assert (told.message, told.sms) == (True, False)
    message = Message.objects.get(recipient=user)
    assert message.reason == "因为您的身份证将于 2027-01-05 到期"
    assert not SmsMessage.objects.exists()


def test_default_channels_are_in_app_and_sms(resident):
    user = user_of(resident)
    told = notify_tell(
        recipient=Recipient(user_id=user.pk, phone="13800138000"),
        template="notice",
        params=PARAMS,
        kind="push",
        source_key="push:id-expiry:2",
    )
    assert (told.message, told.sms) == (True, True)
    assert Message.objects.get(recipient=user).reason == ""


def test_an_unknown_channel_is_refused_and_nothing_written(resident):
    user = user_of(resident)
    with pytest.raises(ValueError, match="fax"):
        notify_tell(
            recipient=Recipient(user_id=user.pk, phone="13800138000"),
            template="notice",
            params=PARAMS,
            kind="push",
            source_key="push:id-expiry:3",
            channels={"inapp", "fax"},
        )
    assert not Message.objects.exists()
    assert not SmsMessage.objects.exists()
