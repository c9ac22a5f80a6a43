"""SMS sending: row first, then a task after commit; guarded status changes; retries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.notify import services, tasks
from onewindow.notify.messages import render_sms_text
from onewindow.notify.models import SmsMessage
from onewindow.notify.providers.base import DeliveryReceipt, SmsRequest, SmsResult
from onewindow.notify.providers.fake import FakeSmsProvider
from onewindow.testing.factories import make_person, make_staff, user_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _reset_fake() -> Iterator[None]:
    FakeSmsProvider.reset()
    yield
    FakeSmsProvider.reset()


def queue(**params: str) -> SmsMessage:
    return services.sms_send(
        phone=PHONE, template="login_code", params={"code": "123456", "minutes": "5"} | params
    )


def test_text_is_rendered_from_the_template_with_the_sign_name():
    text = render_sms_text("login_code", {"code": "123456", "minutes": 5})
    assert text == "【一网通办】您的登录验证码是123456，5分钟内有效。请勿告诉他人。"


def test_row_is_written_before_the_send_and_delivered_after_commit(
    django_capture_on_commit_callbacks,
):
    seen: list[str] = []
    original = FakeSmsProvider.send

    def spy(self: FakeSmsProvider, request: SmsRequest) -> SmsResult:
        seen.append(SmsMessage.objects.get(pk=request.message_id).status)
        return original(self, request)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeSmsProvider, "send", spy)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = queue()
        # the row exists and nothing has been sent before the transaction commits
        assert SmsMessage.objects.get(pk=message.pk).status == SmsMessage.Status.QUEUED
        assert seen == [] and len(callbacks) == 1
        callbacks[0]()
    assert seen == [SmsMessage.Status.SENDING]
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.DELIVERED
    assert message.provider == "fake" and message.provider_message_id.startswith("fake-")
    assert message.attempts == 1 and message.delivered_at is not None
    assert [req.phone for _, req in FakeSmsProvider.sent] == [PHONE]


def test_phone_and_params_are_encrypted_at_rest():
    message = queue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, params FROM notify_smsmessage WHERE id = %s", [message.pk])
        raw_phone, raw_params = cursor.fetchone()
    assert PHONE not in raw_phone and "123456" not in raw_params


def test_duplicate_task_delivery_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue()
    assert tasks.sms_deliver.apply(args=[message.pk]).get() == "sent"
    assert tasks.sms_deliver.apply(args=[message.pk]).get() == "skipped"
    assert len(FakeSmsProvider.sent) == 1


def test_failures_are_retried_with_backoff_then_delivered(django_capture_on_commit_callbacks):
    FakeSmsProvider.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.DELIVERED
    assert message.attempts == 3
    assert services.sms_backoff_seconds(1) == 10 and services.sms_backoff_seconds(3) == 40
    assert services.sms_backoff_seconds(20) == 600


def test_gives_up_after_the_maximum_attempts(django_capture_on_commit_callbacks):
    FakeSmsProvider.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.attempts == services.SMS_MAX_ATTEMPTS
    assert "simulated failure" in message.last_error
    assert FakeSmsProvider.sent == type(FakeSmsProvider.sent)()


def test_failure_rate_setting_makes_the_fake_fail(settings):
    settings.SMS_FAKE_FAILURE_RATE = 1.0
    result = FakeSmsProvider().send(SmsRequest(message_id=1, phone=PHONE, template="x"))
    assert not result.accepted and result.retryable


def test_retry_job_resends_rows_stuck_in_queued_or_sending(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        stuck_queued = queue()
        stuck_sending = queue()
        fresh = queue()
    long_ago = timezone.now() - timedelta(minutes=10)
    SmsMessage.objects.filter(pk__in=[stuck_queued.pk, stuck_sending.pk]).update(
        created_at=long_ago
    )
    SmsMessage.objects.filter(pk=stuck_sending.pk).update(
        status=SmsMessage.Status.SENDING, claimed_at=long_ago
    )
    assert tasks.sms_retry_pending.apply().get() == 2
    statuses = dict(SmsMessage.objects.values_list("pk", "status"))
    assert statuses[stuck_queued.pk] == SmsMessage.Status.DELIVERED
    assert statuses[stuck_sending.pk] == SmsMessage.Status.DELIVERED
    assert statuses[fresh.pk] == SmsMessage.Status.QUEUED
    # a second run finds nothing more to do
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.sms_retry_pending() == 1  # only the fresh one, now stale
    assert len(FakeSmsProvider.sent) == 3


def test_delivery_receipt_is_applied_once():
    message = queue()
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsMessage.Status.SENT, provider="aliyun", provider_message_id="biz-1"
    )
    receipt = DeliveryReceipt(provider_message_id="biz-1", delivered=True)
    first = services.sms_receipts_apply(provider="aliyun", receipts=[receipt])
    again = services.sms_receipts_apply(provider="aliyun", receipts=[receipt])
    assert (first.applied, again.applied, again.repeated) == (1, 0, 1)


# --- outbox page -----------------------------------------------------------------------------

OUTBOX = "/notify/sms-outbox/"


def operator_client() -> Client:
    staff = make_staff()
    staff.user.kind = "operator"
    staff.user.save()
    staff.user.user_permissions.add(Permission.objects.get(codename="operate_platform"))
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff.user).persistent_id
    session.save()
    return client


def test_outbox_in_demo_mode_is_public_and_marked(settings, django_capture_on_commit_callbacks):
    settings.DEMO = True
    with django_capture_on_commit_callbacks(execute=True):
        queue(code="654321")
    response = Client().get(OUTBOX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "演示短信发件箱 — 这些短信没有真正发出" in page
    assert "【一网通办】您的登录验证码是654321，5分钟内有效。请勿告诉他人。" in page
    assert "138****8000" in page and PHONE not in page


def test_outbox_outside_demo_is_for_operators_only(settings):
    settings.DEMO = False
    queue()
    assert Client().get(OUTBOX).status_code == 404
    resident = Client()
    resident.force_login(user_of(make_person()))
    assert resident.get(OUTBOX).status_code == 404
    assert operator_client().get(OUTBOX).status_code == 200


def test_outbox_is_gone_with_a_real_provider(settings):
    settings.DEMO = True
    settings.SMS_PROVIDER = "aliyun"
    assert Client().get(OUTBOX).status_code == 404
    assert operator_client().get(OUTBOX).status_code == 404
