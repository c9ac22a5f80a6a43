"""A concluded consultation's answer joins the knowledge base (公开答复): published by a
handler of a department that had a part in it or by the hotline office, with the requester's
personal data masked, audited, on the order's timeline, and found by the knowledge search;
from the staff's order pages as one form."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, PermissionDenied
from onewindow.interaction import audit_events
from onewindow.interaction.models import Kind, KnowledgeArticle, Move, Request
from onewindow.interaction.selectors import articles_search
from onewindow.interaction.services import (
    WrongState,
    request_answer,
    request_conclude,
    request_dispatch,
    request_publish,
    request_sign,
    request_visit,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import StaffFactory
from onewindow.testing.hotline import role_with

pytestmark = pytest.mark.django_db

ANSWER = (
    "李娜您好：新生儿落户可在出生后一个月内到户籍所在地派出所办理，"
    "如有疑问请致电13800000011联系我们。"
)


def _concluded(
    streetlights: Any, dispatcher: Any, dept: Any, person: Any, staff: Any, **fields: Any
) -> Request:
    order = make_request(kind=Kind.CONSULTATION, category=streetlights, person=person, **fields)
    Request.objects.filter(pk=order.pk).update(
        title="新生儿落户需要多久（陈小明咨询）", contact_name="李娜"
    )
    handler = staff("cgj_hotline")
    request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj").pk)
    request_sign(user=handler, request_id=order.pk)
    request_answer(user=handler, request_id=order.pk, answer=ANSWER)
    request_visit(user=dispatcher, request_id=order.pk, solved=True, satisfaction="satisfied")
    request_conclude(user=dispatcher, request_id=order.pk)
    order.refresh_from_db()
    return order


@pytest.fixture
def concluded(streetlights, dispatcher, dept, person, staff) -> Request:
    return _concluded(streetlights, dispatcher, dept, person, staff)


MASKED_TITLE = "新生儿落户需要多久（陈*明咨询）"
MASKED_ANSWER = (
    "李*您好：新生儿落户可在出生后一个月内到户籍所在地派出所办理，"
    "如有疑问请致电138****0011联系我们。"
)


def test_the_lead_departments_handler_publishes_the_masked_answer(concluded, staff, dept):
    handler = staff("cgj_hotline")
    article = request_publish(user=handler, request_id=concluded.pk)
    assert (article.title, article.answer) == (MASKED_TITLE, MASKED_ANSWER)
    assert article.department_id == dept("gz-cgj").pk
    assert article.source_request_id == concluded.pk
    assert article.category_id == concluded.category_id
    assert article.published and article.updated_by_id == handler.pk
    concluded.refresh_from_db()
    assert concluded.published is True
    assert concluded.answer == ANSWER  # the resident's own answer is unchanged
    move = concluded.moves.get(action=Move.Action.PUBLISH)
    assert (move.data, move.public, move.actor_id) == ({"article": article.pk}, False, handler.pk)
    event = AuditEvent.objects.get(action=audit_events.REQUEST_PUBLISH)
    assert event.changes["article"] == article.pk
    assert [h.id for h in articles_search(text="新生儿落户要去哪里办理")] == [article.pk]
    with pytest.raises(Conflict):
        request_publish(user=handler, request_id=concluded.pk)
    assert KnowledgeArticle.objects.count() == 1


def test_the_hotline_office_publishes_into_its_own_knowledge_base(concluded, dispatcher):
    article = request_publish(
        user=dispatcher,
        request_id=concluded.pk,
        title="新生儿落户在哪里办？李娜问",
        answer="到户籍所在地派出所办理。联系人李娜 020-38881234",
    )
    assert article.title == "新生儿落户在哪里办？李*问"
    assert article.answer == "到户籍所在地派出所办理。联系人李* 020-****1234"
    from onewindow.identity.selectors import staff_permission_department_ids

    keeps = staff_permission_department_ids(
        user_id=dispatcher.pk, permission="interaction.change_knowledgearticle"
    )
    assert article.department_id == min(keeps)


def test_who_may_not_publish(concluded, staff, dept):
    # a handler elsewhere, whose department had no part in the order
    with pytest.raises(PermissionDenied):
        request_publish(user=staff("gaj_hotline"), request_id=concluded.pk)
    # a handler of the department without the knowledge-base permission
    only_handles: Any = StaffFactory(
        user__username="handles_only",
        department=dept("gz-cgj"),
        roles=[role_with("handle_only", "只办理", "interaction.handle_requests")],
    ).user
    with pytest.raises(PermissionDenied):
        request_publish(user=only_handles, request_id=concluded.pk)
    assert not KnowledgeArticle.objects.exists()
    assert not AuditEvent.objects.filter(action=audit_events.REQUEST_PUBLISH).exists()


@pytest.mark.parametrize("what", ["complaint", "open", "confidential"])
def test_only_concluded_consultations_not_kept_secret_are_published(
    streetlights, dispatcher, dept, person, staff, what
):
    if what == "complaint":
        order = _concluded(streetlights, dispatcher, dept, person, staff)
        Request.objects.filter(pk=order.pk).update(kind=Kind.COMPLAINT)
    elif what == "open":
        order = make_request(kind=Kind.CONSULTATION, category=streetlights, person=person)
        request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj").pk)
    else:
        order = _concluded(streetlights, dispatcher, dept, person, staff, confidential=True)
    with pytest.raises(WrongState):
        request_publish(user=staff("cgj_hotline"), request_id=order.pk)
    assert not KnowledgeArticle.objects.exists()


# -- the pages --------------------------------------------------------------------------


def test_the_inbox_page_offers_the_masked_answer_and_publishes_it(concluded, staff):
    client = staff_client(staff("cgj_hotline"))
    url = f"/hotline/inbox/{concluded.number}/"
    page = client.get(url).content.decode()
    assert 'data-testid="form-publish"' in page
    assert MASKED_ANSWER in page and "13800000011" not in page.split("form-publish")[1]
    response = client.post(
        url,
        {"action": "publish", "publish-title": "新生儿落户在哪办", "publish-answer": MASKED_ANSWER},
        follow=True,
    )
    assert f"已将工单 {concluded.number} 的答复公开到知识库。" in response.content.decode()
    article = KnowledgeArticle.objects.get()
    assert (article.title, article.answer) == ("新生儿落户在哪办", MASKED_ANSWER)
    assert 'data-testid="form-publish"' not in client.get(url).content.decode()


def test_the_dispatch_page_offers_it_too_and_shows_refusals_at_the_field(concluded, dispatcher):
    client = staff_client(dispatcher)
    url = f"/hotline/dispatch/{concluded.number}/"
    assert 'data-testid="form-publish"' in client.get(url).content.decode()
    response = client.post(
        url, {"action": "publish", "publish-title": "问" * 201, "publish-answer": "答"}
    )
    assert response.status_code == 400
    assert not KnowledgeArticle.objects.exists()


def test_no_form_without_the_knowledge_permission(concluded, dept):
    only_handles: Any = StaffFactory(
        user__username="handles_only",
        department=dept("gz-cgj"),
        roles=[role_with("handle_only", "只办理", "interaction.handle_requests")],
    ).user
    page = staff_client(only_handles).get(f"/hotline/inbox/{concluded.number}/")
    assert page.status_code == 200
    assert 'data-testid="form-publish"' not in page.content.decode()
    refused = staff_client(only_handles).post(
        f"/hotline/inbox/{concluded.number}/", {"action": "publish"}
    )
    assert refused.status_code == 400
    assert not KnowledgeArticle.objects.exists()
