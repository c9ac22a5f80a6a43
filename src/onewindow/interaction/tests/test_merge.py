"""A duplicate merged into the order answering the same problem: its requester is told now
and of the order's progress from then on."""

from __future__ import annotations

import pytest

from onewindow.interaction.models import Assignment, Request
from onewindow.interaction.services import (
    WrongState,
    request_answer,
    request_dispatch,
    request_merge,
    request_sign,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message, SmsMessage
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_both_requesters_are_told_of_the_merged_order(
    streetlights, dispatcher, dept, staff, person, commit
):
    neighbour = make_person(name="黄阿姨", phone="13800138002")
    target = make_request(category=streetlights, person=person)
    duplicate = make_request(category=streetlights, person=neighbour)
    caller = make_request(category=streetlights, phone="13900001111")  # no account: SMS
    request_dispatch(user=dispatcher, request_id=target.pk, department_id=dept("gz-cgj").pk)
    request_dispatch(user=dispatcher, request_id=duplicate.pk, department_id=dept("gz-cgj").pk)
    with commit():
        request_merge(user=dispatcher, request_id=duplicate.pk, into_id=target.pk, note="同一路灯")
        request_merge(user=dispatcher, request_id=caller.pk, into_id=target.pk)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Request.Status.MERGED, target)
    assert set(duplicate.assignments.values_list("status", flat=True)) == {
        Assignment.Status.WITHDRAWN
    }
    merged = Message.objects.get(recipient=neighbour.user, title="诉求合并办理")
    assert merged.body == (
        f"您反映的诉求（工单编号{duplicate.number}）与工单{target.number}反映的问题相同，"
        "已合并办理，办理进展将一并告知您。"
    )
    assert not Message.objects.filter(recipient=person.user, title="诉求合并办理").exists()
    request_sign(user=staff("cgj_hotline"), request_id=target.pk)
    with commit():
        request_answer(user=staff("cgj_hotline"), request_id=target.pk, answer="已修复。")
    answered = {m.recipient_id: m.body for m in Message.objects.filter(title="诉求已答复")}
    assert answered == {
        person.user_id: f"您反映的诉求（工单编号{target.number}）已由广州市城市管理和综合执法局"
        "答复，请登录查看。",
        neighbour.user_id: f"您反映的诉求（工单编号{duplicate.number}）已由"
        "广州市城市管理和综合执法局答复，请登录查看。",
    }
    sms = SmsMessage.objects.filter(template="request_answered")
    assert str(caller.contact_phone) in {str(m.phone) for m in sms}


def test_a_merge_needs_an_open_duplicate_and_a_live_target(streetlights, dispatcher):
    a, b = make_request(category=streetlights), make_request(category=streetlights)
    with pytest.raises(WrongState):
        request_merge(user=dispatcher, request_id=a.pk, into_id=a.pk)
    request_merge(user=dispatcher, request_id=a.pk, into_id=b.pk)
    with pytest.raises(WrongState):  # merged already
        request_merge(user=dispatcher, request_id=a.pk, into_id=b.pk)
    c = make_request(category=streetlights)
    with pytest.raises(WrongState) as refused:
        request_merge(user=dispatcher, request_id=c.pk, into_id=a.pk)
    assert str(refused.value.message) == "目标工单已合并或已结束，请选择其他工单。"
