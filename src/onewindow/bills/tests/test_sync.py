"""Sync: backoff per provider, the circuit breaker (opens after N consecutive failures,
one half-open trial after the cool-off), quarantine of what fails the checks, the
``bill_arrived`` signal after commit, the beat job and the resident's 刷新."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from onewindow.bills import conf, services
from onewindow.bills.models import Bill, ProviderSyncState, Quarantine, Subscription
from onewindow.bills.providers.base import (
    BillBatch,
    ProviderError,
    ProviderMalformed,
    bill_from,
)
from onewindow.bills.providers.fake import FakeProvider
from onewindow.bills.signals import bill_arrived
from onewindow.testing.bills import bind

pytestmark = pytest.mark.django_db


class Flaky(FakeProvider):
    """The fake, failing while ``failing`` is set, counting the calls it gets."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failing = False
        self.calls = 0
        self.answer: Any = None

    def fetch(self, *, account_number: str, period: str) -> BillBatch:
        self.calls += 1
        if self.failing:
            raise ProviderError("503 Service Unavailable")
        if self.answer is not None:
            return self.answer(account_number, period)
        return super().fetch(account_number=account_number, period=period)


@pytest.fixture
def flaky(monkeypatch) -> Flaky:
    provider = Flaky(code="gz-power", kind="electricity")
    real = conf.provider
    monkeypatch.setattr(
        conf, "provider", lambda code: provider if code == "gz-power" else real(code)
    )
    return provider


@pytest.fixture
def power(resident, summer) -> Subscription:
    return bind(resident, "gz-power", "8800112233")


def _state() -> ProviderSyncState:
    return ProviderSyncState.objects.get(provider_code="gz-power")


def test_failures_back_off_then_open_the_circuit_and_a_trial_closes_it(
    power, flaky, summer, settings
) -> None:
    settings.BILLS_CIRCUIT_THRESHOLD = 3
    settings.BILLS_CIRCUIT_COOLOFF = 600
    flaky.failing = True
    assert services.subscription_sync(subscription_id=power.pk).status == "failed"
    state = _state()
    assert state.consecutive_failures == 1 and state.circuit == "closed"
    assert state.last_error == "503 Service Unavailable"
    # Within the backoff (30 s after the first failure) the provider is not asked again.
    summer.shift(datetime.timedelta(seconds=10))
    assert services.subscription_sync(subscription_id=power.pk).status == "skipped"
    assert flaky.calls == 1
    summer.shift(datetime.timedelta(seconds=25))
    services.subscription_sync(subscription_id=power.pk)
    assert _state().consecutive_failures == 2
    summer.shift(datetime.timedelta(seconds=61))  # the second backoff is 60 s
    services.subscription_sync(subscription_id=power.pk)
    state = _state()
    assert state.consecutive_failures == 3 and state.circuit == "open"
    assert flaky.calls == 3
    # Open: nobody asks it until the cool-off is over, not even a resident's 刷新.
    summer.shift(datetime.timedelta(seconds=300))
    assert services.bills_refresh(user=power.user).unavailable == ["广州供电局"]
    assert flaky.calls == 3
    # After the cool-off one trial goes through; it fails and the circuit opens again.
    summer.shift(datetime.timedelta(seconds=301))
    services.subscription_sync(subscription_id=power.pk)
    assert flaky.calls == 4 and _state().circuit == "open"
    assert services.subscription_sync(subscription_id=power.pk).status == "skipped"
    # The next trial succeeds: closed, failures forgotten, bills stored.
    summer.shift(datetime.timedelta(seconds=601))
    flaky.failing = False
    outcome = services.subscription_sync(subscription_id=power.pk)
    state = _state()
    assert outcome.status == "ok" and state.circuit == "closed"
    assert state.consecutive_failures == 0 and state.last_success_at is not None
    assert Bill.objects.filter(subscription=power).count() == 12


def test_only_one_caller_gets_the_half_open_trial(power, summer) -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    ProviderSyncState.objects.update_or_create(
        provider_code="gz-power",
        defaults={"circuit": "open", "open_until": now - datetime.timedelta(seconds=1)},
    )
    assert services.provider_may_call(provider_code="gz-power", now=now) is True
    assert services.provider_may_call(provider_code="gz-power", now=now) is False
    assert _state().circuit == "half_open"


def test_hostile_items_are_quarantined_and_never_shown(power, flaky, summer, caplog) -> None:
    def answer(account: str, period: str) -> BillBatch:
        raw = [
            {"id": f"ok-{period}", "period": period, "amount": "120.50", "due_on": "2026-08-25"},
            {"id": f"huge-{period}", "period": period, "amount": "99999999.00"},
            {"id": f"usd-{period}", "period": period, "amount": "10.00", "currency": "USD"},
            {
                "id": f"other-{period}",
                "period": period,
                "amount": "10.00",
                "account_number": "1234567",
            },
            {"id": f"neg-{period}", "period": period, "amount": "-5"},
        ]
        from onewindow.bills.providers.base import batch_from

        return batch_from(
            bills=raw,
            contributions=[],
            kind="electricity",
            account_number=account,
            today=datetime.date(2026, 8, 10),
            period=period,
        )

    flaky.answer = answer
    services.subscription_sync(subscription_id=power.pk)
    assert set(Bill.objects.filter(subscription=power).values_list("amount", flat=True)) == {
        Decimal("120.50")
    }
    reasons = set(Quarantine.objects.filter(subscription=power).values_list("reason", flat=True))
    assert reasons == {
        "金额超出合理范围：99999999.00",
        "币种不是人民币：USD",
        "账单户号与绑定户号不一致",
        "金额超出合理范围：-5",
    }
    excerpt = Quarantine.objects.filter(reason="币种不是人民币：USD")[0].payload_excerpt
    assert '"currency": "USD"' in excerpt
    assert "quarantined data from gz-power" in caplog.text


def test_a_garbage_answer_is_quarantined_whole_and_counts_as_a_failure(
    power, flaky, summer
) -> None:
    def answer(account: str, period: str) -> BillBatch:
        raise ProviderMalformed("应答不是JSON", "<html>502 Bad Gateway</html>")

    flaky.answer = answer
    assert services.subscription_sync(subscription_id=power.pk).status == "failed"
    row = Quarantine.objects.get()
    assert (row.reason, row.payload_excerpt) == ("应答不是JSON", "<html>502 Bad Gateway</html>")
    assert _state().consecutive_failures == 1
    assert not Bill.objects.exists()


def test_checks_of_one_item() -> None:
    today = datetime.date(2026, 8, 10)

    def check(**raw: Any) -> str:
        item = bill_from(
            {"id": "x", "period": "2026-07", "amount": "1.00", **raw},
            kind="water",
            account_number="4401",
            today=today,
        )
        return getattr(item, "reason", "ok")

    assert check() == "ok"
    assert check(amount="1e3") == "金额格式不正确"
    assert check(amount="12.345") == "金额格式不正确"
    assert check(amount=True) == "金额格式不正确"
    assert check(period="2026-13") == "账期格式不正确"
    assert check(period="2027-01") == "账期不在合理范围内"
    assert check(due_on="next week") == "缴费截止日期格式不正确"
    assert check(paid="yes") == "缴费状态不正确"
    assert check(usage="-3") == "用量不正确"
    assert check(id="") == "账单编号缺失"


def test_new_bills_are_announced_after_commit(
    resident, summer, django_capture_on_commit_callbacks
) -> None:
    heard: list[Any] = []

    def receiver(sender: Any, bill: Any, **kwargs: Any) -> None:
        heard.append(bill)

    bill_arrived.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sub = bind(resident, "gz-water", "4401234567")
            services.subscription_sync(subscription_id=sub.pk)
        # The first sync brings a year of history: only what is still unpaid is news.
        unpaid = Bill.objects.filter(subscription=sub, paid=False).count()
        assert len(heard) == unpaid >= 1
        july = next(b for b in heard if b.period == "2026-07")
        assert (july.person_id, july.user_id, july.kind_label) == (
            resident.pk,
            resident.user_id,
            "水费",
        )
        assert july.url == f"/bills/{sub.pk}/bills/{july.bill_id}/"
        heard.clear()
        summer.shift(datetime.timedelta(days=25))  # September: August's bill is out
        with django_capture_on_commit_callbacks(execute=True):
            services.subscription_sync(subscription_id=sub.pk)
        assert [b.period for b in heard] == ["2026-08"]
        with django_capture_on_commit_callbacks(execute=True):
            services.subscription_sync(subscription_id=sub.pk)
        assert [b.period for b in heard] == ["2026-08"]  # nothing twice
    finally:
        bill_arrived.disconnect(receiver)


def test_the_beat_job_syncs_what_is_due_and_spares_a_failing_provider(
    resident, neighbour, summer, settings
) -> None:
    water = bind(resident, "gz-water", "4401234567")
    power_a = bind(resident, "gz-power", "8800112233")
    power_b = bind(neighbour, "gz-power", "8800445566")
    settings.BILLS_FAKE_FAILING = ("gz-power",)
    assert services.bills_sync_due() == 1
    water.refresh_from_db()
    power_a.refresh_from_db()
    power_b.refresh_from_db()
    assert water.last_synced_at is not None
    assert water.next_sync_at - water.last_synced_at == datetime.timedelta(hours=6)
    # The failing provider was asked once, not once per account.
    assert _state().consecutive_failures == 1
    assert power_a.last_synced_at is None and power_b.last_synced_at is None
    assert services.bills_sync_due() == 0  # water not due yet; power in backoff


def test_the_task_and_beat_entry(settings) -> None:
    from onewindow.bills import tasks

    assert tasks.sync_due.name == "bills.sync_due"
    assert settings.CELERY_BEAT_SCHEDULE["bills-sync-due"]["task"] == "bills.sync_due"
