"""The bill rules on real bindings at the fake providers: a bill due on the day the
subscription asked to be told, an overdue bill, a social-insurance contribution gap; each
bill told once however often the sweep runs, by the channels the resident chose."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.bills.models import Bill
from onewindow.bills.services import subscription_sync
from onewindow.notify.models import Message, SmsMessage
from onewindow.outreach.models import PushCursor, PushLog, PushRule
from onewindow.outreach.services import push_sweep_run
from onewindow.testing.bills import bind
from onewindow.testing.outreach import person_make

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
# July's water bill is issued in August and due on 25 August: three days ahead.
THREE_DAYS_BEFORE = datetime.datetime(2026, 8, 22, 10, 0, tzinfo=CITY)
# April's bill, due on 25 May, is still unpaid two days later.
TWO_DAYS_AFTER = datetime.datetime(2026, 5, 27, 10, 0, tzinfo=CITY)
WATER = "广州市自来水有限公司"


def on(*codes: str) -> None:
    PushRule.objects.filter(code__in=codes).update(enabled=True)


def sweep_at(moment: datetime.datetime, commit: Any) -> int:
    with time_machine.travel(moment, tick=False), commit():
        return push_sweep_run()


def bound(person: Any, provider: str, account: str, **kwargs: Any) -> Any:
    sub = bind(person, provider, account, **kwargs)
    subscription_sync(subscription_id=sub.pk)
    return sub


def test_a_water_bill_due_in_three_days_is_told_once(
    rules: None, commit: Any, fake_sms: Any
) -> None:
    resident = person_make(name="张小明")
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False):
        sub = bound(resident, "gz-water", "4401234567", channels=["inapp", "sms"])
    bill = Bill.objects.get(subscription=sub, period="2026-07")
    assert (bill.due_on, bill.paid) == (datetime.date(2026, 8, 25), False)
    on("bill-due-3-days")
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False), commit():
        assert push_sweep_run() == 1
    PushCursor.objects.all().delete()  # the day's sweep lost and run again
    assert sweep_at(THREE_DAYS_BEFORE + datetime.timedelta(hours=2), commit) == 0
    (message,) = Message.objects.filter(recipient=resident.user)
    assert message.body == (
        f"您2026-07的水费账单（{WATER}）{bill.amount}元将于2026-08-25到期，请按时缴纳。"
    )
    assert message.reason == "因为您订阅的水费账单将于 2026-08-25 到期"
    assert message.link == f"/bills/{sub.pk}/bills/{bill.pk}/"
    assert message.source_key == f"push:bill-due-3-days:bill:{bill.pk}"
    (sms,) = SmsMessage.objects.all()
    assert sms.phone == resident.phone and sms.source_key == message.source_key


def test_a_resident_who_chose_five_days_is_told_five_days_before_and_in_app_only(
    rules: None, commit: Any, fake_sms: Any
) -> None:
    early, usual = person_make(name="王五"), person_make(name="赵六")
    five_days_before = THREE_DAYS_BEFORE - datetime.timedelta(days=2)
    with time_machine.travel(five_days_before, tick=False):
        bound(early, "gz-water", "4401000111", remind_days_before=5)
        bound(usual, "gz-water", "4401000222")
    on("bill-due-3-days")
    with time_machine.travel(five_days_before, tick=False), commit():
        assert push_sweep_run() == 1
    (message,) = Message.objects.all()
    assert message.recipient_id == early.user_id
    assert message.body.endswith("将于2026-08-25到期，请按时缴纳。")
    assert not SmsMessage.objects.exists()  # the binding asked for in-app messages only
    assert PushLog.objects.get().channels == ["inapp"]
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False), commit():
        assert push_sweep_run() == 1
    assert Message.objects.filter(recipient=usual.user).count() == 1
    assert Message.objects.filter(recipient=early.user).count() == 1


def test_an_overdue_bill_is_told_once_unless_the_binding_declined(
    rules: None, commit: Any, fake_sms: Any
) -> None:
    resident, declined = person_make(name="张小明"), person_make(name="李四")
    with time_machine.travel(TWO_DAYS_AFTER, tick=False):
        sub = bound(resident, "gz-water", "4401234567", channels=["sms"])
        other = bound(declined, "gz-water", "4401999888", remind_overdue=False)
    bill = Bill.objects.get(subscription=sub, period="2026-04")
    assert (bill.due_on, bill.paid) == (datetime.date(2026, 5, 25), False)
    assert Bill.objects.filter(subscription=other, period="2026-04", paid=False).exists()
    on("bill-overdue")
    for hours in (0, 3):
        PushCursor.objects.all().delete()
        sweep_at(TWO_DAYS_AFTER + datetime.timedelta(hours=hours), commit)
    (message,) = Message.objects.all()
    assert message.recipient_id == resident.user_id
    assert message.body == (
        f"您2026-04的水费账单（{WATER}）{bill.amount}元已于2026-05-25到期未缴，"
        "请尽快缴纳以免产生滞纳金。"
    )
    assert message.reason == "因为您订阅的水费账单已于 2026-05-25 逾期"
    assert SmsMessage.objects.get().phone == resident.phone  # the channel the binding chose


def test_a_bill_that_arrives_due_on_the_chosen_day_is_told_at_once_and_not_again(
    rules: None, commit: Any, fake_sms: Any
) -> None:
    resident = person_make(name="张小明")
    on("bill-due-3-days")
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False), commit():
        sub = bound(resident, "gz-water", "4401234567")
    bill = Bill.objects.get(subscription=sub, period="2026-07")
    (message,) = Message.objects.filter(recipient=resident.user)
    assert message.source_key == f"push:bill-due-3-days:bill:{bill.pk}"
    assert f"{bill.amount}元将于2026-08-25到期" in message.body
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False), commit():
        assert push_sweep_run() == 0
    assert Message.objects.filter(recipient=resident.user).count() == 1


def test_a_social_insurance_gap_at_the_fake_provider_is_told(rules: None, commit: Any) -> None:
    from onewindow.bills.selectors import contribution_gaps

    resident, unbound = person_make(name="张小明"), person_make(name="李四")
    with time_machine.travel(THREE_DAYS_BEFORE, tick=False):
        bound(resident, "gz-si", "4401234567")
    gaps = contribution_gaps(person_id=resident.pk)
    assert gaps  # the fake's record misses a month now and then
    on("social-insurance-gap")
    for hours in (0, 3):
        PushCursor.objects.all().delete()
        sweep_at(THREE_DAYS_BEFORE + datetime.timedelta(hours=hours), commit)
    (message,) = Message.objects.all()
    assert message.recipient_id == resident.user_id != unbound.user_id
    assert message.body == (
        f"您的社会保险已有{len(gaps)}个月未缴费，断缴可能影响医保待遇和累计缴费年限，请及时续缴。"
    )
    assert message.reason == f"因为您的社会保险有 {len(gaps)} 个月未缴费"
