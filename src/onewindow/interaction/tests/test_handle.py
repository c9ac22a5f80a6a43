"""A department's moves: sign, answer (co-handlers first), return (at most max_returns
times), object to the dispatch, transfer; each only for the handler's own department."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.interaction import audit_events
from onewindow.interaction.models import Assignment, Move, Request
from onewindow.interaction.services import (
    NotYourOrder,
    WrongState,
    request_answer,
    request_dispatch,
    request_object,
    request_objection_decide,
    request_return,
    request_sign,
    request_transfer,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(streetlights, dispatcher, dept, person):
    request = make_request(category=streetlights, person=person)
    request_dispatch(
        user=dispatcher,
        request_id=request.pk,
        department_id=dept("gz-cgj-th").pk,
        co_department_ids=[dept("gz-shuiwj").pk],
    )
    return request


def test_the_lead_signs_and_the_order_is_in_hand(order, staff):
    request_sign(user=staff("shuiwj_hotline"), request_id=order.pk)
    order.refresh_from_db()
    assert order.status == Request.Status.DISPATCHED  # a co-handler signed: not yet in hand
    request_sign(user=staff("cgj_th_hotline"), request_id=order.pk)
    order.refresh_from_db()
    assert order.status == Request.Status.SIGNED
    lead = order.assignments.get(role="lead")
    assert (lead.status, lead.signed_by) == ("signed", staff("cgj_th_hotline"))
    assert order.moves.filter(action=Move.Action.SIGN).count() == 2
    assert AuditEvent.objects.filter(action=audit_events.REQUEST_SIGN).count() == 2
    with pytest.raises(WrongState):  # signed already
        request_sign(user=staff("cgj_th_hotline"), request_id=order.pk)


def test_a_handler_acts_only_for_their_own_department(order, staff):
    for username in ("cgj_hotline", "gaj_hotline", "cgj_th_clerk"):
        with pytest.raises(NotYourOrder) as refused:
            request_sign(user=staff(username), request_id=order.pk)
        assert str(refused.value.message) == "该工单未派给您所在的部门，不能办理。"


def test_the_lead_answers_after_the_co_handlers_and_the_resident_is_told(
    order, staff, person, commit
):
    lead, co = staff("cgj_th_hotline"), staff("shuiwj_hotline")
    request_sign(user=lead, request_id=order.pk)
    with pytest.raises(WrongState) as unsigned:
        request_answer(user=co, request_id=order.pk, answer="已排查管网")
    assert str(unsigned.value.message) == "请先签收工单，再答复。"
    request_sign(user=co, request_id=order.pk)
    with pytest.raises(Conflict) as waiting:
        request_answer(user=lead, request_id=order.pk, answer="已修复")
    assert str(waiting.value.message) == (
        "协办部门尚未答复：广州市水务局。请待协办部门答复后再答复。"
    )
    request_answer(user=co, request_id=order.pk, answer="已排查管网，无渗漏")
    order.refresh_from_db()
    assert order.status == Request.Status.SIGNED
    with commit():
        request_answer(user=lead, request_id=order.pk, answer="路灯已于今日修复。")
    order.refresh_from_db()
    assert order.status == Request.Status.ANSWERED
    assert order.answer == "路灯已于今日修复。"
    assert order.visit_due == timezone.localdate() + datetime.timedelta(days=1)
    told = Message.objects.get(recipient=person.user, title="诉求已答复")
    assert told.body == (
        f"您反映的诉求（工单编号{order.number}）已由天河区城市管理和综合执法局答复，请登录查看。"
    )
    actions = list(order.moves.values_list("action", flat=True))
    assert actions[-2:] == [Move.Action.CO_HANDLE, Move.Action.ANSWER]


def test_an_answer_is_required(order, staff):
    request_sign(user=staff("cgj_th_hotline"), request_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        request_answer(user=staff("cgj_th_hotline"), request_id=order.pk, answer="  ")
    assert refused.value.errors[0].field == "answer"
    assert str(refused.value.errors[0].message) == "请填写答复内容。"


def test_a_return_goes_back_to_the_dispatcher_at_most_twice(order, staff, dispatcher, dept):
    handler = staff("cgj_th_hotline")
    request_return(user=handler, request_id=order.pk, reason="不属于本部门职责")
    order.refresh_from_db()
    assert (order.status, order.return_count, order.department) == ("registered", 1, None)
    statuses = set(order.assignments.values_list("role", "status"))
    assert statuses == {("lead", "returned"), ("co", "withdrawn")}
    move = order.moves.get(action=Move.Action.RETURN)
    assert (move.note, move.public) == ("不属于本部门职责", False)
    for _ in range(1):
        request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj-th").pk)
        request_return(user=handler, request_id=order.pk, reason="仍不属于本部门")
    request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj-th").pk)
    with pytest.raises(Conflict) as refused:
        request_return(user=handler, request_id=order.pk, reason="再退一次")
    assert str(refused.value.message) == (
        "该工单已退单2次，不能再退单；如认为不属于本部门职责，请提出派单异议。"
    )
    order.refresh_from_db()
    assert (order.status, order.return_count) == ("dispatched", 2)


def test_a_co_handler_cannot_return_the_order(order, staff):
    with pytest.raises(NotYourOrder):
        request_return(user=staff("shuiwj_hotline"), request_id=order.pk, reason="不归我们")


def test_an_objection_accepted_names_a_new_lead(order, staff, dispatcher, dept):
    request_object(user=staff("cgj_th_hotline"), request_id=order.pk, reason="应由水务部门主办")
    assert order.assignments.get(role="lead").status == Assignment.Status.OBJECTED
    request_objection_decide(
        user=dispatcher,
        request_id=order.pk,
        accept=True,
        department_id=dept("gz-shuiwj").pk,
        co_department_ids=[dept("gz-cgj-th").pk],
        note="同意，改由水务局主办",
    )
    order.refresh_from_db()
    assert order.department == dept("gz-shuiwj")
    active = set(order.assignments.filter(status="pending").values_list("department__code", "role"))
    assert active == {("gz-shuiwj", "lead"), ("gz-cgj-th", "co")}
    with pytest.raises(WrongState):  # decided already
        request_objection_decide(user=dispatcher, request_id=order.pk, accept=False, note="x")


def test_an_objection_refused_leaves_the_part_to_sign_for(order, staff, dispatcher):
    request_object(user=staff("shuiwj_hotline"), request_id=order.pk, reason="不涉及供水")
    with pytest.raises(ValidationFailed):
        request_objection_decide(user=dispatcher, request_id=order.pk, accept=False)
    request_objection_decide(
        user=dispatcher, request_id=order.pk, accept=False, note="涉及排水管网，请协办"
    )
    part = order.assignments.get(role="co")
    assert part.status == Assignment.Status.PENDING
    request_sign(user=staff("shuiwj_hotline"), request_id=order.pk)


def test_a_transfer_gives_the_order_another_lead(order, staff, dept, person, commit):
    with commit():
        request_transfer(
            user=staff("cgj_th_hotline"),
            request_id=order.pk,
            to_department_id=dept("gz-cgj-yx").pk,
            reason="事发地在越秀区",
        )
    order.refresh_from_db()
    assert order.department == dept("gz-cgj-yx")
    assert order.status == Request.Status.DISPATCHED
    codes = set(order.assignments.values_list("department__code", "role", "status"))
    assert codes == {
        ("gz-cgj-th", "lead", "transferred"),
        ("gz-shuiwj", "co", "pending"),
        ("gz-cgj-yx", "lead", "pending"),
    }
    told = Message.objects.get(recipient=person.user, title="诉求已派单")
    assert told.body == (
        f"您反映的诉求（工单编号{order.number}）已转交越秀区城市管理和综合执法局办理。"
    )
    with pytest.raises(WrongState):  # the old lead's part is transferred
        request_sign(user=staff("cgj_th_hotline"), request_id=order.pk)
    request_sign(user=staff("cgj_yx_hotline"), request_id=order.pk)
