"""Provider priority held in the database and failover that happens by itself: a provider
that gets slow or starts failing goes to the back for a cool-off, and comes back when it
has recovered; a retry goes to the next provider."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.notify import _routing, services
from onewindow.notify.models import ProviderAttempt, SmsMessage
from onewindow.notify.selectors import providers_status
from onewindow.notify.tests.test_tencent import SECRET_ID, SECRET_KEY, FakeTencent, gateway

pytestmark = pytest.mark.django_db
__all__ = ["gateway"]

OPERATOR = Actor(id=None, kind="operator", label="operator")


def order() -> list[str]:
    return _routing.providers_in_order("sms")


def attempts(provider: str, *, ok: int = 0, failed: int = 0, ms: int = 200) -> None:
    for _ in range(ok):
        _routing.attempt_record(channel="sms", provider=provider, ok=True, elapsed_ms=ms)
    for _ in range(failed):
        _routing.attempt_record(channel="sms", provider=provider, ok=False, elapsed_ms=ms)


@pytest.fixture
def two_vendors() -> None:
    services.provider_priority_set(channel="sms", name="aliyun", priority=10, actor=OPERATOR)
    services.provider_priority_set(channel="sms", name="tencent", priority=20, actor=OPERATOR)


def test_without_rows_the_settings_choose_and_operators_set_the_order(settings: Any) -> None:
    assert order() == [settings.SMS_PROVIDER]
    services.provider_priority_set(channel="sms", name="tencent", priority=5, actor=OPERATOR)
    services.provider_priority_set(channel="sms", name="aliyun", priority=10, actor=OPERATOR)
    assert order() == ["tencent", "aliyun"]
    services.provider_priority_set(
        channel="sms", name="tencent", priority=5, active=False, actor=OPERATOR
    )
    assert order() == ["aliyun"]
    audit = AuditEvent.objects.filter(action="notify.provider.priority_set").last()
    assert audit is not None and audit.changes == {
        "priority": 5,
        "active": False,
        "created": False,
    }
    with pytest.raises(ValidationFailed):
        services.provider_priority_set(
            channel="sms", name="carrier-pigeon", priority=1, actor=OPERATOR
        )


def test_a_failing_provider_goes_to_the_back_and_drifts_back_when_it_recovers(
    two_vendors: None,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempts("aliyun", ok=6, failed=4)  # 40 % errors
        attempts("tencent", ok=10)
        (change,) = services.providers_check()
        assert (change.provider, change.what) == ("aliyun", "degraded")
        assert change.why == "error rate 40% of 10"
        assert order() == ["tencent", "aliyun"]
        status = {s.name: s for s in providers_status()}
        assert status["aliyun"].degraded and status["aliyun"].error_rate == 0.4
    # during the cool-off nothing moves back
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        assert services.providers_check() == []
        assert order() == ["tencent", "aliyun"]
    # after it: only what came since counts; the old failures are behind it
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        (back,) = services.providers_check()
        assert (back.provider, back.what) == ("aliyun", "restored")
        assert order() == ["aliyun", "tencent"]
    failover = AuditEvent.objects.filter(action="notify.provider.failover")
    assert [row.changes["changes"][0]["what"] for row in failover] == ["degraded", "restored"]


def test_a_slow_provider_goes_to_the_back_and_a_still_failing_one_stays_there(
    two_vendors: None,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempts("aliyun", ok=10, ms=8000)
        (change,) = services.providers_check()
        assert change.why == "p90 8000 ms of 10"
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        attempts("aliyun", ok=1, failed=5)  # probed again and still failing
        (again,) = services.providers_check()
        assert again.what == "degraded"
        assert order() == ["tencent", "aliyun"]


def test_few_sends_are_not_enough_to_judge(two_vendors: None) -> None:
    attempts("aliyun", failed=4)
    assert services.providers_check() == []
    assert order() == ["aliyun", "tencent"]


def test_old_attempts_are_forgotten() -> None:
    attempts("aliyun", ok=3)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        services.providers_check()
    assert not ProviderAttempt.objects.exists()


def test_a_send_the_first_vendor_fails_is_retried_at_the_second(
    settings: Any, gateway: str, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY = SECRET_ID, SECRET_KEY
    settings.SMS_TENCENT_APP_ID, settings.SMS_TENCENT_ENDPOINT = "1400006666", gateway
    settings.SMS_TENCENT_TEMPLATES = "login_code:449739"
    services.provider_priority_set(channel="sms", name="fake", priority=10, actor=OPERATOR)
    services.provider_priority_set(channel="sms", name="tencent", priority=20, actor=OPERATOR)
    fake_sms.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        row = services.sms_send(
            phone="13800138000", template="login_code", params={"code": "246810", "minutes": "5"}
        )
    row.refresh_from_db()
    assert row.status == SmsMessage.Status.SENT and row.attempts == 2
    assert row.provider == "tencent" and row.provider_message_id.startswith("5000:")
    assert FakeTencent.received[0]["body"]["TemplateParamSet"] == ["246810", "5"]
    assert list(ProviderAttempt.objects.values_list("provider", "ok")) == [
        ("fake", False),
        ("tencent", True),
    ]
