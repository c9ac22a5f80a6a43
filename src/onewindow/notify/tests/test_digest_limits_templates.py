"""The daily digest, rate limits on pushes, and templates refused when saved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.notify import services, tasks
from onewindow.notify.messages import render_body, template_params
from onewindow.notify.models import Delivery, Message, SmsMessage, Template
from onewindow.testing.factories import user_of

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOON = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=BEIJING)


def push(user: Any, key: str, text: str = "您的身份证即将到期。") -> services.Told:
    return services.notify_tell(
        recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
        template="notice",
        params={"text": text},
        kind="push",
        source_key=key,
        reason="因为您的身份证将于 2027-01-05 到期",
    )


def test_a_digest_reader_gets_one_sms_a_day_for_the_days_pushes(
    resident: Any, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_of(resident)
    services.preferences_update(user_id=user.pk, actor=Actor.from_user(user), digest=True)
    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert push(user, "push:1").held
            assert push(user, "push:2").held
        assert Message.objects.filter(recipient=user).count() == 2  # in-app at once
        assert not SmsMessage.objects.exists() and len(fake_sms.sent) == 0
        assert Delivery.objects.filter(status="held", channel="sms").count() == 2
    evening = NOON + datetime.timedelta(hours=7)
    with (
        time_machine.travel(evening, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.digest_send.apply().get() == 1
        assert services.digest_send() == 0  # nothing held any more
    (sms,) = SmsMessage.objects.all()
    assert sms.template == "digest" and sms.source_key == f"digest:2026-12-04:{user.pk}"
    ((_id, request),) = fake_sms.sent
    assert request.params == {"count": "2", "titles": "办件通知"}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"digested"}
    assert AuditEvent.objects.get(action="notify.digest.send").changes == {"digests": 1, "held": 2}


def test_pushes_over_the_per_recipient_limit_stay_in_app(
    resident: Any, settings: Any, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_LIMITS_PER_RECIPIENT = [(3600, 2)]
    user = user_of(resident)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        told = [push(user, f"push:{i}") for i in range(3)]
    assert [t.sms for t in told] == [True, True, False]
    assert told[2].limited and told[2].message
    assert SmsMessage.objects.count() == 2 and Message.objects.filter(recipient=user).count() == 3
    # an hour later the window is open again
    with time_machine.travel(NOON + datetime.timedelta(hours=1, minutes=1), tick=False):
        assert push(user, "push:9").sms


def test_pushes_over_the_per_template_limit_stay_in_app(
    resident: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_LIMITS_PER_TEMPLATE = [(60, 1)]
    user = user_of(resident)
    with time_machine.travel(NOON, tick=False):
        assert push(user, "push:a").sms
        assert not push(user, "push:b").sms


def test_news_about_the_persons_own_case_is_not_limited(resident: Any, settings: Any) -> None:
    settings.NOTIFY_LIMITS_PER_RECIPIENT = [(3600, 0)]
    user = user_of(resident)
    told = services.notify_tell(
        recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
        template="notice",
        params={"text": "您的办件已办结。"},
        kind="case",
        source_key="case-news:1",
    )
    assert told.sms and not told.limited


def fields(**kw: Any) -> services.TemplateFields:
    base = {
        "params": ("service", "number"),
        "title": "申请已提交",
        "body": "您申请的{service}（办件编号{number}）已提交。",
    }
    return services.TemplateFields(**(base | kw))


def refusal(code: str, **kw: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationFailed) as refused:
        services.template_save(code=code, fields=fields(**kw), actor=Actor.system("test"))
    return [(e.field, str(e.message)) for e in refused.value.errors]


def test_a_template_with_a_variable_it_does_not_declare_is_refused_at_save() -> None:
    assert refusal("case_submitted", body="您申请的{service}（{numbr}）已提交。") == [
        ("body", "变量“{numbr}”未在参数中声明"),
        ("body", "声明的参数“number”没有出现在正文中"),
    ]
    assert refusal("x", body_en="Your {service} was submitted.") == [
        ("body_en", "英文正文的变量须与中文正文相同")
    ]
    assert refusal("x", body="您申请的{service（{number}）") == [("body", "花括号不成对")]
    long_body = "您申请的{service}（办件编号{number}）已提交。" + "请" * 470
    assert refusal("x", body=long_body) == [("body", "短信最长可达560字，超过500字的上限")]
    assert not Template.objects.exists()


def test_a_saved_template_is_what_is_sent_and_the_sync_keeps_edits(resident: Any) -> None:
    assert services.templates_sync() == len(services._templates._builtin())
    services.template_save(
        code="case_submitted",
        fields=fields(
            body="您的{service}申请已收到，编号{number}。", body_en="Got {service}, {number}."
        ),
        actor=Actor.system("operator"),
    )
    assert render_body("case_submitted", {"service": "婚姻登记", "number": "N1"}) == (
        "您的婚姻登记申请已收到，编号N1。"
    )
    assert (
        render_body("case_submitted", {"service": "婚姻登记", "number": "N1"}, language="en")
        == "Got 婚姻登记, N1."
    )
    assert template_params("case_submitted") == {"service", "number"}
    assert services.templates_sync() == 0
    assert (
        Template.objects.get(code="case_submitted").body
        == "您的{service}申请已收到，编号{number}。"
    )
    assert AuditEvent.objects.filter(action="notify.template.save").count() == 1
