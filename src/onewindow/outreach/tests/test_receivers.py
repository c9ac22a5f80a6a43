"""A supplement request told by the rule, from the case's news (the cases app's own message
under the same key is not there in this test, so the rule's words are what is told)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases.signals import CaseNews
from onewindow.notify.models import Message
from onewindow.outreach.models import PushRule
from onewindow.outreach.receivers import on_case_news
from onewindow.testing.outreach import person_make

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_supplement_request_is_told_with_its_reason(rules: None, commit: Any) -> None:
    PushRule.objects.filter(code="supplement-requested").update(enabled=True)
    person = person_make()
    news = CaseNews(
        kind="supplement_requested",
        case_id=7,
        case_number="GZ2026120700007",
        service_code="passport",
        service_name="普通护照签发",
        applicant_user_id=person.user_id,
        applicant_person_id=person.pk,
        applicant_company_id=None,
        message="请补正：照片不清晰",
        event_id=812,
        data={"comment": "照片不清晰"},
    )
    with time_machine.travel(MORNING, tick=False), commit():
        on_case_news(sender=CaseNews, news=news)
        on_case_news(sender=CaseNews, news=news)  # the same news twice
    (message,) = Message.objects.filter(recipient=person.user)
    assert message.body == (
        "您申请的普通护照签发（办件编号GZ2026120700007）需要补正：照片不清晰。请登录查看并补正后提交。"
    )
    assert message.reason == "因为您申请的普通护照签发需要补正材料"
    assert message.source_key == "case-news:812"
    assert message.link == "/cases/GZ2026120700007/"
