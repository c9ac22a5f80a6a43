"""The hotline office dispatches: the catalogue's suggestion (the most specific rule wins),
one dispatch per order, no functional duty pushed down to a street office, urgent orders
dispatched on registration."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.interaction import audit_events
from onewindow.interaction.models import Assignment, DispatchRule, Move, Request, Urgency
from onewindow.interaction.services import (
    WrongState,
    dispatch_suggest,
    request_dispatch,
    request_dispatch_auto,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message

pytestmark = pytest.mark.django_db

TH, SHIPAI = "440106", "440106001"


def test_the_category_default_department_is_suggested_without_a_rule(streetlights, dept):
    suggestion = dispatch_suggest(category_id=streetlights.pk, region_code=TH)
    assert suggestion is not None
    assert (suggestion.department_id, suggestion.rule_id) == (dept("gz-cgj").pk, None)
    assert dispatch_suggest(category_id=None, region_code=TH) is None


def test_a_street_rule_wins_over_the_district_and_the_city(streetlights, dept):
    city = DispatchRule.objects.create(category=streetlights, department=dept("gz-cgj"))
    district = DispatchRule.objects.create(
        category=streetlights, region_code=TH, department=dept("gz-cgj-th")
    )
    street = DispatchRule.objects.create(
        category=streetlights,
        region_code=TH,
        street_code=SHIPAI,
        department=dept("gz-th-shipai"),
        functional=False,
        co_department_ids=[dept("gz-cgj-th").pk],
    )
    DispatchRule.objects.create(  # inactive: never chosen
        category=streetlights, street_code=SHIPAI, department=dept("gz-gaj"), active=False
    )

    def chosen(region: str, street: str) -> int | None:
        found = dispatch_suggest(
            category_id=streetlights.pk, region_code=region, street_code=street
        )
        return found.rule_id if found else None

    assert chosen(TH, SHIPAI) == street.pk
    assert chosen(TH, "440106002") == district.pk
    assert chosen("440104", "") == city.pk
    found = dispatch_suggest(category_id=streetlights.pk, region_code=TH, street_code=SHIPAI)
    assert found is not None
    assert found.co_department_ids == (dept("gz-cgj-th").pk,)
    assert found.functional is False


def test_dispatch_gives_the_lead_and_co_handlers_their_parts(
    streetlights, dispatcher, dept, person, commit
):
    request = make_request(category=streetlights, person=person)
    with commit():
        request_dispatch(
            user=dispatcher,
            request_id=request.pk,
            department_id=dept("gz-cgj-th").pk,
            co_department_ids=[dept("gz-th-shipai").pk],
            note="请核查路灯",
        )
    request.refresh_from_db()
    assert request.status == Request.Status.DISPATCHED
    assert request.department == dept("gz-cgj-th")
    parts = list(
        request.assignments.order_by("pk").values_list("department__code", "role", "status")
    )
    assert parts == [("gz-cgj-th", "lead", "pending"), ("gz-th-shipai", "co", "pending")]
    part = request.assignments.get(role="lead")
    assert part.sign_due_at - part.created_at == pytest.approx(
        datetime.timedelta(hours=24), abs=datetime.timedelta(seconds=5)
    )
    assert part.answer_due == request.answer_due
    assert request.moves.get().action == Move.Action.DISPATCH
    audit = AuditEvent.objects.get(action=audit_events.REQUEST_DISPATCH)
    assert (audit.actor_label, audit.target_id) == ("zsj_dispatcher", str(request.pk))
    message = Message.objects.get(recipient=person.user)
    assert message.title == "诉求已派单"
    assert message.body == (
        f"您反映的诉求（工单编号{request.number}）已转交天河区城市管理和综合执法局办理。"
    )


def test_a_second_dispatch_of_the_same_order_is_refused(streetlights, dispatcher, dept):
    request = make_request(category=streetlights)
    request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-cgj").pk)
    with pytest.raises(WrongState) as refused:
        request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-shuiwj").pk)
    assert str(refused.value.message) == "该工单已派单或已结束，不能再派单。"
    assert Assignment.objects.filter(request=request).count() == 1
    assert AuditEvent.objects.filter(action=audit_events.REQUEST_DISPATCH).count() == 1


def test_only_the_hotline_office_dispatches(streetlights, staff, dept):
    request = make_request(category=streetlights)
    with pytest.raises(PermissionDenied) as refused:
        request_dispatch(
            user=staff("cgj_hotline"), request_id=request.pk, department_id=dept("gz-cgj").pk
        )
    assert str(refused.value.message) == "您没有热线派单权限。"


def test_a_functional_duty_is_not_pushed_down_to_a_street_office(streetlights, dispatcher, dept):
    DispatchRule.objects.create(category=streetlights, department=dept("gz-cgj"))
    request = make_request(category=streetlights)
    with pytest.raises(ValidationFailed) as refused:
        request_dispatch(
            user=dispatcher, request_id=request.pk, department_id=dept("gz-th-shipai").pk
        )
    (error,) = refused.value.errors
    assert error.field == "department_id"
    assert str(error.message) == (
        "该事项属于职能部门职责，不能派至街道（镇）或社区，请派给职能部门。"
    )
    request.refresh_from_db()
    assert request.status == Request.Status.REGISTERED
    # a street's own duty (a rule that is not functional) goes to the street office
    DispatchRule.objects.create(
        category=streetlights,
        region_code=TH,
        street_code=SHIPAI,
        department=dept("gz-th-shipai"),
        functional=False,
    )
    street_request = make_request(category=streetlights, street_code=SHIPAI)
    request_dispatch(
        user=dispatcher, request_id=street_request.pk, department_id=dept("gz-th-shipai").pk
    )
    street_request.refresh_from_db()
    assert street_request.status == Request.Status.DISPATCHED


def test_an_urgent_order_with_a_rule_is_dispatched_on_registration(streetlights, dept):
    DispatchRule.objects.create(
        category=streetlights,
        region_code=TH,
        department=dept("gz-cgj-th"),
        co_department_ids=[dept("gz-shuiwj").pk],
    )
    at = timezone.now()
    request = make_request(category=streetlights, urgency=Urgency.URGENT, registered_at=at)
    assert request_dispatch_auto(request_id=request.pk) is not None
    request.refresh_from_db()
    assert request.status == Request.Status.DISPATCHED
    lead = request.assignments.get(role="lead")
    assert lead.department == dept("gz-cgj-th")
    assert request.assignments.get(role="co").department == dept("gz-shuiwj")
    assert lead.sign_due_at - lead.created_at == pytest.approx(
        datetime.timedelta(hours=2), abs=datetime.timedelta(seconds=5)
    )
    audit = AuditEvent.objects.get(action=audit_events.REQUEST_DISPATCH)
    assert audit.actor_kind == "system"
    # dispatched once; a normal order, or one without a rule, waits for the dispatcher
    assert request_dispatch_auto(request_id=request.pk) is None
    assert request_dispatch_auto(request_id=make_request(category=streetlights).pk) is None
    no_rule = make_request(urgency=Urgency.URGENT)
    assert request_dispatch_auto(request_id=no_rule.pk) is None
