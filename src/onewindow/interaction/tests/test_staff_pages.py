"""The dispatch desk (派单台) and a department's inbox (工单办理) as a browser without
JavaScript sees them: each move is a form post; a refused move shows its error at the field
and changes nothing; other departments and staff without the permission are kept out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.interaction import staff_views
from onewindow.interaction.models import Assignment, Extension, Request
from onewindow.interaction.selectors.routing import RoutingSuggestion
from onewindow.interaction.services import (
    request_dispatch,
    request_extension_ask,
    request_object,
    request_sign,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(dispatcher: Any) -> Client:
    return staff_client(dispatcher)


@pytest.fixture
def order(streetlights: Any, person: Any) -> Request:
    return make_request(category=streetlights, person=person)


@pytest.fixture
def dispatched(order: Request, dispatcher: Any, dept: Any) -> Request:
    request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj-th").pk)
    return order


def _status(order: Request) -> str:
    order.refresh_from_db()
    return order.status


# -- 派单台 ---------------------------------------------------------------------------


def test_the_queue_lists_urgent_orders_first_with_the_overdue_mark(
    desk: Client, streetlights: Any
) -> None:
    import datetime

    from django.utils import timezone

    old = make_request(category=streetlights)
    Request.objects.filter(pk=old.pk).update(
        dispatch_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    urgent = make_request(category=streetlights, urgency="urgent")
    page = desk.get("/hotline/dispatch/").content.decode()
    assert page.index(urgent.number) < page.index(old.number)
    assert "紧急" in page
    assert "已超过派单时限" in page


def test_the_order_page_masks_the_contact_and_defaults_to_the_suggestion(
    desk: Client, order: Request, dept: Any, monkeypatch: Any
) -> None:
    lead = dept("gz-cgj-th")
    monkeypatch.setattr(
        staff_views,
        "routing_suggestions",
        lambda **kw: [RoutingSuggestion("city.lights", "路灯不亮", 0.9, lead.pk, lead.name)],
    )
    page = desk.get(f"/hotline/dispatch/{order.number}/").content.decode()
    assert "天河路口的路灯一周没亮了。" in page
    assert "13800138001" not in page
    assert "138****8001" in page
    assert f"路灯不亮 → {lead.name}" in page
    assert f'<option value="{lead.pk}" selected>' in page


def test_the_dispatcher_dispatches_with_a_co_handler(
    desk: Client, order: Request, dept: Any
) -> None:
    lead, co = dept("gz-cgj-th"), dept("gz-shuiwj")
    response = desk.post(
        f"/hotline/dispatch/{order.number}/",
        {"action": "dispatch", "department_id": lead.pk, "co_department_ids": [co.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert _status(order) == Request.Status.DISPATCHED
    page = response.content.decode()
    assert "已派单" in page
    assert {(a.department_id, a.role) for a in order.assignments.all()} == {
        (lead.pk, "lead"),
        (co.pk, "co"),
    }


def test_dispatching_without_a_department_shows_the_error_at_the_field(
    desk: Client, order: Request
) -> None:
    response = desk.post(f"/hotline/dispatch/{order.number}/", {"action": "dispatch"})
    assert response.status_code == 400
    assert 'id="id_department_id_error"' in response.content.decode()
    assert _status(order) == Request.Status.REGISTERED


def test_the_dispatcher_merges_into_another_order(
    desk: Client, order: Request, streetlights: Any
) -> None:
    other = make_request(category=streetlights)
    response = desk.post(
        f"/hotline/dispatch/{order.number}/",
        {"action": "merge", "into_number": other.number},
        follow=True,
    )
    assert response.status_code == 200
    assert _status(order) == Request.Status.MERGED
    assert "已并单" in response.content.decode()


def test_merging_into_an_unknown_number_shows_the_error_at_the_field(
    desk: Client, order: Request
) -> None:
    response = desk.post(
        f"/hotline/dispatch/{order.number}/", {"action": "merge", "into_number": "nope"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_into_number_error"' in page
    assert "没有这个工单编号。" in page
    assert _status(order) == Request.Status.REGISTERED


def test_a_refused_dispatch_of_a_dispatched_order_changes_nothing(
    desk: Client, dispatched: Request, dept: Any
) -> None:
    response = desk.post(
        f"/hotline/dispatch/{dispatched.number}/",
        {"action": "dispatch", "department_id": dept("gz-shuiwj").pk},
    )
    assert response.status_code == 400
    assert "该工单已派单或已结束，不能再派单。" in response.content.decode()
    assert dispatched.assignments.count() == 1


def test_the_dispatcher_decides_an_objection(desk: Client, dispatched: Request, staff: Any) -> None:
    request_object(user=staff("cgj_th_hotline"), request_id=dispatched.pk, reason="不归我们管")
    assert dispatched.number in desk.get("/hotline/dispatch/").content.decode()
    page = desk.get(f"/hotline/dispatch/{dispatched.number}/").content.decode()
    assert 'data-testid="form-objection"' in page
    refused = desk.post(
        f"/hotline/dispatch/{dispatched.number}/",
        {"action": "objection", "objection-accept": "no"},
    )
    assert refused.status_code == 400  # refusing needs a note
    assert 'id="id_objection-note_error"' in refused.content.decode()
    assert dispatched.assignments.filter(status=Assignment.Status.OBJECTED).count() == 1
    response = desk.post(
        f"/hotline/dispatch/{dispatched.number}/",
        {"action": "objection", "objection-accept": "no", "objection-note": "属于贵单位职责"},
    )
    assert response.status_code == 302
    assert dispatched.assignments.filter(status=Assignment.Status.OBJECTED).count() == 0


def test_the_dispatcher_approves_an_extension(
    desk: Client, dispatched: Request, staff: Any
) -> None:
    handler = staff("cgj_th_hotline")
    request_sign(user=handler, request_id=dispatched.pk)
    request_extension_ask(
        user=handler, request_id=dispatched.pk, working_days=3, reason="需要协调施工"
    )
    page = desk.get(f"/hotline/dispatch/{dispatched.number}/").content.decode()
    assert "申请延期 3 个工作日：需要协调施工" in page
    response = desk.post(
        f"/hotline/dispatch/{dispatched.number}/",
        {"action": "extension", "extension-accept": "yes"},
    )
    assert response.status_code == 302
    assert Extension.objects.get().status == Extension.Status.APPROVED


def test_staff_without_the_dispatch_permission_are_refused(order: Request, staff: Any) -> None:
    other: Any = StaffFactory()
    assert staff_client(other.user).get("/hotline/dispatch/").status_code == 403
    handler = staff_client(staff("cgj_th_hotline"))
    assert handler.get(f"/hotline/dispatch/{order.number}/").status_code == 403


# -- 工单办理 ---------------------------------------------------------------------------


@pytest.fixture
def handler(staff: Any) -> Client:
    return staff_client(staff("cgj_th_hotline"))


def test_the_inbox_lists_the_departments_orders_with_the_countdown(
    handler: Client, dispatched: Request
) -> None:
    page = handler.get("/hotline/inbox/").content.decode()
    assert dispatched.number in page
    assert "个工作日" in page
    assert dispatched.number not in handler.get("/hotline/inbox/?overdue=1").content.decode()
    assert dispatched.number not in handler.get("/hotline/inbox/?status=signed").content.decode()


def test_the_department_signs_and_answers(handler: Client, dispatched: Request) -> None:
    url = f"/hotline/inbox/{dispatched.number}/"
    page = handler.get(url).content.decode()
    assert "13800138001" in page  # not confidential: the handler may call back
    response = handler.post(url, {"action": "sign"}, follow=True)
    assert _status(dispatched) == Request.Status.SIGNED
    assert 'data-testid="form-answer"' in response.content.decode()
    response = handler.post(url, {"action": "answer", "answer": "已修复路灯。"})
    assert response.status_code == 302
    assert _status(dispatched) == Request.Status.ANSWERED


def test_an_empty_answer_shows_the_error_at_the_field(
    handler: Client, dispatched: Request, staff: Any
) -> None:
    request_sign(user=staff("cgj_th_hotline"), request_id=dispatched.pk)
    url = f"/hotline/inbox/{dispatched.number}/"
    response = handler.post(url, {"action": "answer", "answer": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_answer_error"' in page
    assert "请填写答复内容。" in page
    assert _status(dispatched) == Request.Status.SIGNED


def test_the_department_returns_an_order_with_a_reason(
    handler: Client, dispatched: Request
) -> None:
    url = f"/hotline/inbox/{dispatched.number}/"
    refused = handler.post(url, {"action": "return", "return-reason": ""})
    assert refused.status_code == 400
    assert 'id="id_return-reason_error"' in refused.content.decode()
    assert _status(dispatched) == Request.Status.DISPATCHED
    response = handler.post(url, {"action": "return", "return-reason": "不属于本单位"})
    assert response.status_code == 302
    assert _status(dispatched) == Request.Status.REGISTERED


def test_the_department_objects(handler: Client, dispatched: Request) -> None:
    url = f"/hotline/inbox/{dispatched.number}/"
    response = handler.post(url, {"action": "object", "object-reason": "应由水务局办理"})
    assert response.status_code == 302
    assert dispatched.assignments.get().status == Assignment.Status.OBJECTED


def test_the_department_transfers_and_asks_for_more_time(
    handler: Client, dispatched: Request, staff: Any, dept: Any
) -> None:
    request_sign(user=staff("cgj_th_hotline"), request_id=dispatched.pk)
    url = f"/hotline/inbox/{dispatched.number}/"
    response = handler.post(
        url, {"action": "extension", "extension-working_days": "3", "extension-reason": "施工"}
    )
    assert response.status_code == 302
    assert Extension.objects.get().working_days == 3
    same = handler.post(
        url,
        {
            "action": "transfer",
            "transfer-department_id": dept("gz-cgj-th").pk,
            "transfer-reason": "转",
        },
    )
    assert same.status_code == 400
    assert 'id="id_transfer-department_id_error"' in same.content.decode()


def test_a_confidential_order_shows_no_requester(
    handler: Client, streetlights: Any, person: Any, dispatcher: Any, dept: Any
) -> None:
    secret = make_request(category=streetlights, person=person, confidential=True)
    request_dispatch(user=dispatcher, request_id=secret.pk, department_id=dept("gz-cgj-th").pk)
    page = handler.get(f"/hotline/inbox/{secret.number}/").content.decode()
    assert "诉求人信息已隐藏。" in page
    assert "13800138001" not in page
    assert "陈小明" not in page


def test_another_departments_handler_gets_404(dispatched: Request, staff: Any) -> None:
    other = staff_client(staff("gaj_hotline"))
    assert other.get(f"/hotline/inbox/{dispatched.number}/").status_code == 404
    assert other.post(f"/hotline/inbox/{dispatched.number}/", {"action": "sign"}).status_code == 404
    assert _status(dispatched) == Request.Status.DISPATCHED
    assert dispatched.number not in other.get("/hotline/inbox/").content.decode()


def test_staff_without_the_handle_permission_are_refused(dispatched: Request) -> None:
    other: Any = StaffFactory()
    client = staff_client(other.user)
    assert client.get("/hotline/inbox/").status_code == 403
    assert client.get(f"/hotline/inbox/{dispatched.number}/").status_code == 403


def test_the_inbox_countdown_in_working_days(
    handler: Client, dispatched: Request, dept: Any
) -> None:
    import datetime

    from django.utils import timezone

    from onewindow.interaction.selectors import department_inbox

    (row,) = department_inbox(department_ids=[dept("gz-cgj-th").pk])
    assert row.days_left > 0
    assert f"还剩 {row.days_left} 个工作日" in handler.get("/hotline/inbox/").content.decode()
    Assignment.objects.filter(request=dispatched).update(
        answer_due=timezone.localdate() - datetime.timedelta(days=7)
    )
    (late,) = department_inbox(department_ids=[dept("gz-cgj-th").pk], overdue_only=True)
    page = handler.get("/hotline/inbox/?overdue=1").content.decode()
    assert f"已超期 {-late.days_left} 个工作日" in page
    assert dispatched.number in page


def test_signing_twice_is_refused_on_the_page(
    handler: Client, dispatched: Request, staff: Any
) -> None:
    from onewindow.interaction.models import Move

    request_sign(user=staff("cgj_th_hotline"), request_id=dispatched.pk)
    response = handler.post(f"/hotline/inbox/{dispatched.number}/", {"action": "sign"})
    assert response.status_code == 400
    assert 'class="banner error"' in response.content.decode()
    assert dispatched.moves.filter(action=Move.Action.SIGN).count() == 1


def test_accepting_an_objection_routes_the_order_again(
    desk: Client, dispatched: Request, staff: Any, dept: Any
) -> None:
    request_object(user=staff("cgj_th_hotline"), request_id=dispatched.pk, reason="应由水务局办理")
    url = f"/hotline/dispatch/{dispatched.number}/"
    refused = desk.post(url, {"action": "objection", "objection-accept": "yes"})
    assert refused.status_code == 400
    assert 'id="id_objection-department_id_error"' in refused.content.decode()
    assert "请选择主办部门。" in refused.content.decode()
    water = dept("gz-shuiwj")
    response = desk.post(
        url,
        {"action": "objection", "objection-accept": "yes", "objection-department_id": water.pk},
    )
    assert response.status_code == 302
    lead = dispatched.assignments.get(status=Assignment.Status.PENDING)
    assert (lead.department_id, lead.role) == (water.pk, "lead")
