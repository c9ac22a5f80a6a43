"""The operator's console and the knowledge-base editor, as a browser without JavaScript
sees them."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from onewindow.identity.models import User
from onewindow.interaction.models import KnowledgeArticle, Move, Request
from onewindow.interaction.services import Contact, Filing, Location, request_file
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import DepartmentFactory, StaffFactory
from onewindow.testing.hotline import article_make, hotline_operator, knowledge_editor

pytestmark = pytest.mark.django_db

CALLER = "13800138000"


@pytest.fixture
def operator(tree: Any) -> User:
    return hotline_operator()


@pytest.fixture
def console(operator: User) -> Client:
    return staff_client(operator)


def _call(**extra: Any) -> dict[str, Any]:
    return {
        "client_key": "call-1",
        "contact_phone": CALLER,
        "contact_name": "陈先生",
        "kind": "consultation",
        "urgency": "normal",
        "category_code": "housing.fund",
        "region_code": "440106",
        "content": "想问一下租房可以提取住房公积金吗，需要什么材料",
        **extra,
    }


def test_staff_without_the_permission_are_refused(tree: Any) -> None:
    other: Any = StaffFactory()
    assert staff_client(other.user).get("/hotline/console/").status_code == 403


def test_the_callers_earlier_requests_are_found_by_phone(console: Client, operator: User) -> None:
    earlier = request_file(
        user=operator,
        channel=Request.Channel.PHONE,
        filing=Filing(
            kind="complaint",
            content="<script>alert(1)</script> 路灯坏了",
            title="<script>alert(1)</script>",
            location=Location(region_code="440106"),
            contact=Contact(name="陈先生", phone=CALLER),
        ),
    )
    html = console.post("/hotline/console/", _call(action="lookup")).content.decode()
    assert "该号码的历史诉求：1 件" in html
    assert earlier.number in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    other = console.post("/hotline/console/", _call(action="lookup", contact_phone="13900000000"))
    assert "没有找到该号码的历史诉求。" in other.content.decode()


def test_a_knowledge_hit_answers_the_consultation_directly(console: Client) -> None:
    article = article_make(
        title="租房提取住房公积金",
        answer="无房职工租房可每月提取一次住房公积金，带身份证办理。",
        keywords="公积金 租房 提取",
    )
    html = console.post("/hotline/console/", _call(action="search")).content.decode()
    assert "租房提取住房公积金" in html and "用此回答" in html
    chosen = console.post("/hotline/console/", _call(use_article=article.pk)).content.decode()
    assert "无房职工租房可每月提取一次住房公积金，带身份证办理。</textarea>" in chosen
    assert f'name="article_id" value="{article.pk}"' in chosen
    assert not Request.objects.exists()
    response = console.post(
        "/hotline/console/",
        _call(action="answer", answer=article.answer, article_id=article.pk),
        follow=True,
    )
    filed = Request.objects.get()
    assert (filed.status, filed.channel, filed.answer) == ("closed", "phone", article.answer)
    assert f"已直接答复并结束工单 {filed.number}。" in response.content.decode()
    article.refresh_from_db()
    assert article.uses == 1
    assert Move.objects.filter(request=filed, action="direct_answer").exists()


def test_registering_for_dispatch(console: Client) -> None:
    response = console.post(
        "/hotline/console/", _call(action="register", kind="complaint"), follow=True
    )
    filed = Request.objects.get()
    assert (filed.status, filed.channel, filed.contact_phone) == ("registered", "phone", CALLER)
    assert f"已登记工单 {filed.number}，等待派单。" in response.content.decode()
    again = console.post("/hotline/console/", _call(action="register", kind="complaint"))
    assert again.status_code == 302 and Request.objects.count() == 1  # the same form, once


def test_errors_are_shown_at_their_fields_and_nothing_is_written(console: Client) -> None:
    response = console.post(
        "/hotline/console/",
        _call(action="register", contact_phone="12345", content="短", region_code=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p id="id_contact_phone_error" class="field-error">' in html
    assert '<p id="id_content_error" class="field-error">' in html
    assert '<p id="id_region_code_error" class="field-error">' in html
    answer = console.post(
        "/hotline/console/", _call(action="answer", kind="complaint", answer="好")
    )
    assert answer.status_code == 400
    assert "只有咨询和求助可以当场直接答复" in answer.content.decode()
    assert not Request.objects.exists()


@pytest.fixture
def editor(tree: Any) -> Any:
    return knowledge_editor(
        department=cast(Any, DepartmentFactory)(code="gz-gjj", name="广州住房公积金管理中心")
    )


def test_the_editor_writes_and_changes_their_departments_answers(editor: Any) -> None:
    client = staff_client(editor.user)
    refused = client.post("/hotline/answers/edit/new/", {"title": "", "answer": ""})
    assert refused.status_code == 400
    assert '<p id="id_title_error" class="field-error">请填写问题。</p>' in refused.content.decode()
    assert not KnowledgeArticle.objects.exists()
    response = client.post(
        "/hotline/answers/edit/new/",
        {
            "department_id": editor.department_id,
            "title": "<i>租房提取</i>公积金",
            "answer": "每月一次。",
            "category_code": "housing.fund",
            "keywords": "公积金 租房",
            "published": "on",
        },
        follow=True,
    )
    article = KnowledgeArticle.objects.get()
    assert (article.department, getattr(article.category, "code", None)) == (
        editor.department,
        "housing.fund",
    )
    html = response.content.decode()
    assert "&lt;i&gt;租房提取&lt;/i&gt;公积金" in html and "<i>租房" not in html
    client.post(
        f"/hotline/answers/edit/{article.pk}/",
        {
            "department_id": editor.department_id,
            "title": "租房提取公积金",
            "answer": "每月一次，线上办理。",
        },
    )
    article.refresh_from_db()
    assert (article.answer, article.published) == ("每月一次，线上办理。", False)


def test_another_departments_answer_is_not_found(editor: Any) -> None:
    theirs = article_make(
        title="别的部门", answer="口径", department=cast(Any, DepartmentFactory)()
    )
    client = staff_client(editor.user)
    assert client.get(f"/hotline/answers/edit/{theirs.pk}/").status_code == 404
    assert "别的部门" not in client.get("/hotline/answers/edit/").content.decode()
