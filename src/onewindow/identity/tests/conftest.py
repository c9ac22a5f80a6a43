from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from onewindow.core.pii import phone_index
from onewindow.identity.providers.fake import FakeRealNameVerifier
from onewindow.notify.models import SmsMessage
from onewindow.notify.providers.fake import FakeSmsProvider


@pytest.fixture(autouse=True)
def _clean_fakes(settings) -> Iterator[None]:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    FakeSmsProvider.reset()
    FakeRealNameVerifier.rejected.clear()
    yield
    FakeSmsProvider.reset()
    FakeRealNameVerifier.rejected.clear()


def last_code(phone: str) -> str:
    """Read the login code "sent" to a phone, as a demo user would in the SMS outbox."""
    message = SmsMessage.objects.filter(phone_bidx=phone_index(phone)).order_by("-pk").first()
    assert message is not None, "no SMS queued for this phone"
    return str(json.loads(message.params)["code"])
