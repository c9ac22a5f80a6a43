"""The appointment-tomorrow rule: the resident booked for tomorrow is reminded in the
message centre (the appointments app texts the SMS reminder itself)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from onewindow.appointments.models import Slot
from onewindow.notify.models import Message
from onewindow.outreach.models import PushLog, PushRule
from onewindow.outreach.services import push_sweep_run
from onewindow.testing.appointments import MONDAY, apply_with_booking
from onewindow.testing.outreach import person_make

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


def _slot(registry: Any, day: datetime.date, hour: int) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=CST)
    return Slot.objects.get(resource=registry, starts_at=start)


def test_the_resident_booked_for_tomorrow_is_reminded_in_app(
    rules: None, registry: Any, marriage: Any, commit: Any
) -> None:
    tomorrow, later = person_make(name="李四"), person_make(name="王芳")
    apply_with_booking(
        tomorrow, marriage, _slot(registry, MONDAY.date() + datetime.timedelta(days=1), 9)
    )
    apply_with_booking(
        later, marriage, _slot(registry, MONDAY.date() + datetime.timedelta(days=2), 9)
    )
    PushRule.objects.filter(code="appointment-tomorrow").update(enabled=True)
    with commit():
        assert push_sweep_run() == 1
    message = Message.objects.get(recipient=tomorrow.user, kind="push")
    assert message.body.startswith("您已预约09月29日 09:00到")
    assert message.reason.startswith("因为您预约了明天（09月29日 09:00）到")
    assert PushLog.objects.get().channels == ["inapp"]
    assert not Message.objects.filter(recipient=later.user, kind="push").exists()
