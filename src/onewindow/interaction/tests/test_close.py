"""Extensions (asked before the deadline, bounded, moving it by working days), the return
visit, conclusion and re-opening; the solved rate is not the closed rate."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.interaction.models import Assignment, Extension, Move, Request
from onewindow.interaction.services import (
    WrongState,
    request_answer,
    request_conclude,
    request_dispatch,
    request_extension_ask,
    request_extension_decide,
    request_reopen,
    request_sign,
    request_supervise,
    request_visit,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=CST)


@pytest.fixture
def signed(streetlights, dispatcher, dept, person, staff):
    with time_machine.travel(MONDAY, tick=False):
        request = make_request(category=streetlights, person=person)
        request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-cgj").pk)
        request_sign(user=staff("cgj_hotline"), request_id=request.pk)
    request.refresh_from_db()
    return request


def _answered(request, staff):
    request_answer(user=staff("cgj_hotline"), request_id=request.pk, answer="已修复。")
    request.refresh_from_db()
    return request


def test_an_approved_extension_moves_the_deadline_by_working_days(
    signed, staff, dispatcher, person, commit
):
    # 13 working days from Monday 2026-11-02: Thursday 2026-11-19
    assert signed.answer_due == datetime.date(2026, 11, 19)
    with time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=CST), tick=False):
        extension = request_extension_ask(
            user=staff("cgj_hotline"), request_id=signed.pk, working_days=5, reason="需协调供电"
        )
        with pytest.raises(Conflict) as pending:
            request_extension_ask(
                user=staff("cgj_hotline"), request_id=signed.pk, working_days=1, reason="再延"
            )
        assert str(pending.value.message) == "已有一项延期申请待审核。"
        with commit():
            request_extension_decide(user=dispatcher, request_id=signed.pk, approve=True)
    extension.refresh_from_db()
    signed.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert signed.answer_due == datetime.date(2026, 11, 26)  # five working days later
    assert signed.assignments.get().answer_due == datetime.date(2026, 11, 26)
    told = Message.objects.get(recipient=person.user, title="办理期限延长")
    assert told.body == f"您反映的诉求（工单编号{signed.number}）办理期限已延长至2026-11-26。"


def test_an_extension_is_asked_before_the_deadline_and_within_the_bound(signed, staff, dispatcher):
    handler = staff("cgj_hotline")
    late_day = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=CST)
    with time_machine.travel(late_day, tick=False), pytest.raises(Conflict) as late:
        request_extension_ask(user=handler, request_id=signed.pk, working_days=3, reason="来不及")
    assert str(late.value.message) == "办理期限（2026-11-19）已过，不能再申请延期。"
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(ValidationFailed) as too_long:
            request_extension_ask(
                user=handler, request_id=signed.pk, working_days=11, reason="工程量大"
            )
        assert too_long.value.errors[0].field == "working_days"
        assert str(too_long.value.errors[0].message) == (
            "延期最多可申请10个工作日（已延期0个工作日）。"
        )
        request_extension_ask(user=handler, request_id=signed.pk, working_days=8, reason="工程")
        request_extension_decide(user=dispatcher, request_id=signed.pk, approve=True)
        with pytest.raises(ValidationFailed) as beyond:
            request_extension_ask(user=handler, request_id=signed.pk, working_days=3, reason="再")
        assert str(beyond.value.errors[0].message) == (
            "延期最多可申请10个工作日（已延期8个工作日）。"
        )
        request_extension_ask(user=handler, request_id=signed.pk, working_days=2, reason="再")
        with pytest.raises(ValidationFailed):  # a refusal gives its reason
            request_extension_decide(user=dispatcher, request_id=signed.pk, approve=False)
        request_extension_decide(
            user=dispatcher, request_id=signed.pk, approve=False, note="请按期办结"
        )
    signed.refresh_from_db()
    assert signed.answer_due == datetime.date(2026, 12, 1)  # 8 working days after 11-19


def test_the_visit_then_the_conclusion(signed, staff, dispatcher, person, commit):
    order = _answered(signed, staff)
    with pytest.raises(Conflict) as first:
        request_conclude(user=dispatcher, request_id=order.pk)
    assert str(first.value.message) == "请先回访，再办结。"
    with pytest.raises(ValidationFailed):
        request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="great")
    request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="satisfied")
    with commit():
        request_conclude(user=dispatcher, request_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.solved, order.satisfaction) == (
        "concluded",
        True,
        "satisfied",
    )
    assert order.concluded_at is not None
    told = Message.objects.get(recipient=person.user, title="诉求已办结")
    assert told.body == f"您反映的诉求（工单编号{order.number}）已办结，感谢您的监督和支持。"
    with pytest.raises(WrongState):
        request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="satisfied")


def test_the_requester_may_give_the_visit_themselves_but_nobody_else(signed, staff, person):
    order = _answered(signed, staff)
    from onewindow.testing.factories import make_person, user_of

    other = make_person(name="路人甲")
    with pytest.raises(PermissionDenied):
        request_visit(
            user=user_of(other), request_id=order.pk, solved=False, satisfaction="satisfied"
        )
    request_visit(user=person.user, request_id=order.pk, solved=False, satisfaction="dissatisfied")
    order.refresh_from_db()
    assert (order.solved, order.satisfaction) == (False, "dissatisfied")


def test_not_solved_the_order_is_reopened_and_goes_round_again(
    signed, staff, dispatcher, person, commit
):
    order = _answered(signed, staff)
    request_visit(user=dispatcher, request_id=order.pk, solved=False, satisfaction="dissatisfied")
    with (
        time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=CST), tick=False),
        commit(),
    ):
        request_reopen(user=dispatcher, request_id=order.pk, reason="居民反映路灯仍不亮")
    order.refresh_from_db()
    assert (order.status, order.reopen_count, order.solved, order.satisfaction) == (
        "dispatched",
        1,
        None,
        "",
    )
    assert order.answer_due == datetime.date(2026, 12, 10)  # 13 working days from 11-23
    assert order.assignments.filter(status=Assignment.Status.PENDING).count() == 1
    told = Message.objects.get(recipient=person.user, title="诉求重新办理")
    assert told.body == (
        f"您反映的诉求（工单编号{order.number}）将重新办理，预计2026-12-10前答复您。"
    )
    reopen = order.moves.get(action=Move.Action.REOPEN)
    assert reopen.data["solved"] is False
    # round two: answered, told again (a message of its own), solved this time
    request_sign(user=staff("cgj_hotline"), request_id=order.pk)
    with commit():
        request_answer(user=staff("cgj_hotline"), request_id=order.pk, answer="已更换灯具。")
    told = Message.objects.get(recipient=person.user, title="诉求已答复")
    assert told.source_key == f"interaction:{order.number}:answer:1"  # round two's own
    request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="very_satisfied")
    request_conclude(user=dispatcher, request_id=order.pk)


def test_an_unsolved_order_may_be_concluded_and_counts_as_closed_not_solved(
    signed, staff, dispatcher, streetlights, dept
):
    order = _answered(signed, staff)
    request_visit(user=dispatcher, request_id=order.pk, solved=False, satisfaction="basically")
    request_conclude(user=dispatcher, request_id=order.pk, note="政策所限，已解释")
    concluded = Request.objects.filter(status=Request.Status.CONCLUDED)
    assert concluded.count() == 1
    assert concluded.filter(solved=True).count() == 0


def test_an_order_nobody_can_be_asked_about_is_concluded_without_a_visit(
    streetlights, dispatcher, dept, staff, commit
):
    order = make_request(category=streetlights, anonymous=True)
    request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj").pk)
    request_sign(user=staff("cgj_hotline"), request_id=order.pk)
    with commit():
        request_answer(user=staff("cgj_hotline"), request_id=order.pk, answer="已处理。")
        request_conclude(user=dispatcher, request_id=order.pk)
    order.refresh_from_db()
    assert order.status == Request.Status.CONCLUDED
    assert Message.objects.count() == 0  # anonymous: told nothing


def test_supervision(signed, staff, dispatcher):
    with pytest.raises(PermissionDenied):
        request_supervise(user=staff("cgj_hotline"), request_id=signed.pk, note="快办")
    request_supervise(user=dispatcher, request_id=signed.pk, note="群众反映强烈，请加快办理")
    signed.refresh_from_db()
    assert signed.supervised is True
    assert signed.moves.filter(action=Move.Action.SUPERVISE).count() == 1
