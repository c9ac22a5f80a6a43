"""The resident's hotline pages as a browser without JavaScript sees them: 我要留言 in two
steps, the receipt, 我的诉求, one request, the public knowledge base."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.identity.models import Person
from onewindow.interaction.models import Attachment, KnowledgeArticle, Request
from onewindow.interaction.services import Filing, Location, request_file
from onewindow.interaction.tests.conftest import PNG
from onewindow.testing.factories import PersonFactory
from onewindow.testing.hotline import article_make

pytestmark = pytest.mark.django_db

NOISE = "小区楼下的工地每天晚上十一点以后还在施工，噪声很大，影响休息。"


def _describe(**extra: Any) -> dict[str, Any]:
    return {
        "step": "check",
        "client_key": "form-1",
        "kind": "complaint",
        "category_code": "city.noise",
        "region_code": "440106",
        "content": NOISE,
        **extra,
    }


def _file(**extra: Any) -> dict[str, Any]:
    return {**_describe(), "step": "file", "address": "天河区天河路 100 号", **extra}


def test_the_form_offers_the_kinds_the_leaf_categories_by_parent_and_the_districts(
    resident_client: Client, tree: Any
) -> None:
    html = resident_client.get("/hotline/new/").content.decode()
    assert '<option value="complaint">投诉</option>' in html
    assert '<optgroup label="城市管理">' in html
    assert '<option value="city.noise">噪声扰民</option>' in html
    assert 'value="city"' not in html  # a parent is not a choice
    assert '<option value="440106">天河区</option>' in html
    assert 'name="client_key"' in html


def test_filing_needs_a_login() -> None:
    response = Client().get("/hotline/new/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_first_step_shows_each_error_at_its_field_and_writes_nothing(
    resident_client: Client, tree: Any
) -> None:
    response = resident_client.post(
        "/hotline/new/", _describe(kind="", region_code="999999", content="吵")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p id="id_kind_error" class="field-error">请选择诉求类型。</p>' in html
    assert '<p id="id_content_error" class="field-error">请把诉求写清楚，至少 5 个字。</p>' in html
    assert 'id="id_region_code_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Request.objects.exists()


def test_a_parent_category_is_refused_at_the_category(resident_client: Client, tree: Any) -> None:
    response = resident_client.post("/hotline/new/", _describe(category_code="city"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_category_code_error"' in html


def test_the_check_step_shows_answers_and_similar_requests_nearby(
    resident_client: Client, tree: Any
) -> None:
    article_make(
        title="夜间施工噪声扰民怎么办",
        answer="夜间（22时至次日6时）施工须持夜间施工许可，可向住建部门投诉。",
        keywords="施工 噪声 夜间",
    )
    other: Any = PersonFactory()
    earlier = request_file(
        user=other.user,
        channel=Request.Channel.WEB,
        filing=Filing(
            kind="complaint",
            content="天河路工地晚上十一点以后还在施工，噪声很大",
            category_code="city.noise",
            location=Location(region_code="440106", address="天河区天河路 98 号"),
        ),
    )
    response = resident_client.post(
        "/hotline/new/", _describe(content="天河路工地夜间施工噪声很大，晚上十一点以后还在施工")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "这些回答可能已经解决您的问题" in html
    assert "夜间施工噪声扰民怎么办" in html
    assert "问题已解决，不再提交" in html
    assert "附近已有类似诉求" in html
    assert earlier.title in html and "天河区天河路" in html
    assert "98 号" not in html  # the street, never the door
    assert f'name="join_number" value="{earlier.number}"' in html
    assert "加入该工单" in html
    assert Request.objects.count() == 1  # the check files nothing


def test_the_answer_was_enough_counts_it_once_and_files_nothing(
    resident_client: Client, tree: Any
) -> None:
    article = article_make(title="夜间施工噪声", answer="可向住建部门投诉。")
    for _ in range(2):
        response = resident_client.post(
            "/hotline/new/",
            {"step": "solved", "article_id": article.pk, "client_key": "form-1"},
            follow=True,
        )
    assert "很高兴问题已经解决，您的留言没有提交。" in response.content.decode()
    article.refresh_from_db()
    assert article.uses == 1
    assert not Request.objects.exists()


def test_filing_shows_the_receipt_and_the_request_in_my_requests(
    resident_client: Client, tree: Any, person: Person
) -> None:
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = resident_client.post(
        "/hotline/new/",
        _file(latitude="23.132100", longitude="113.321400", attachments=[photo]),
    )
    assert response.status_code == 302
    filed = Request.objects.get()
    assert response["Location"] == f"/hotline/new/{filed.number}/receipt/"
    assert (filed.person, filed.channel, getattr(filed.category, "code", None)) == (
        person,
        "web",
        "city.noise",
    )
    assert str(filed.latitude) == "23.132100"
    assert filed.attachments.get().name == "现场.png"
    receipt = resident_client.get(response["Location"]).content.decode()
    assert filed.number in receipt
    assert f"{filed.answer_due:%Y-%m-%d} 前答复" in receipt
    mine = resident_client.get("/hotline/mine/").content.decode()
    assert filed.number in mine and "已受理" in mine
    assert "个工作日答复" in mine
    detail = resident_client.get(f"/hotline/mine/{filed.number}/").content.decode()
    assert "现场.png" in detail and "受理" in detail and "天河区天河路 100 号" in detail


def test_a_second_submit_with_the_same_key_files_once(resident_client: Client, tree: Any) -> None:
    first = resident_client.post("/hotline/new/", _file(client_key="twice"))
    second = resident_client.post("/hotline/new/", _file(client_key="twice"))
    assert Request.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_another_residents_key_does_not_answer_their_request(tree: Any) -> None:
    a, b = Client(), Client()
    a.force_login(cast(Any, PersonFactory()).user)
    b.force_login(cast(Any, PersonFactory()).user)
    a.post("/hotline/new/", _file(client_key="same"))
    b.post("/hotline/new/", _file(client_key="same"))
    assert Request.objects.count() == 2


def test_an_attachment_that_lies_about_its_type_is_refused_at_the_field(
    resident_client: Client, tree: Any
) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = resident_client.post("/hotline/new/", _file(attachments=[fake]))
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p id="id_attachments_error" class="field-error">photo.jpg：文件类型不符' in html
    assert not Request.objects.exists() and not Attachment.objects.exists()


def test_bad_coordinates_are_refused_at_their_field(resident_client: Client, tree: Any) -> None:
    response = resident_client.post("/hotline/new/", _file(latitude="abc", longitude="113.3"))
    assert response.status_code == 400
    assert (
        '<p id="id_latitude_error" class="field-error">请填写数字。</p>'
        in response.content.decode()
    )
    response = resident_client.post("/hotline/new/", _file(latitude="23.1"))
    assert "经纬度需同时填写。" in response.content.decode()
    assert not Request.objects.exists()


def test_joining_an_open_request_merges_into_it(resident_client: Client, tree: Any) -> None:
    other: Any = PersonFactory()
    earlier = request_file(
        user=other.user,
        channel=Request.Channel.WEB,
        filing=Filing(kind="complaint", content=NOISE, location=Location(region_code="440106")),
    )
    response = resident_client.post(
        "/hotline/new/", _describe(step="join", join_number=earlier.number)
    )
    assert response.status_code == 302
    joined = Request.objects.exclude(pk=earlier.pk).get()
    assert (joined.status, joined.merged_into) == ("merged", earlier)
    receipt = resident_client.get(response["Location"]).content.decode()
    assert f"您反映的问题已并入工单 {earlier.number} 一并办理" in receipt


def test_anonymous_filing_says_no_answer_is_sent(resident_client: Client, tree: Any) -> None:
    form = resident_client.post("/hotline/new/", _describe()).content.decode()
    assert "办理结果也不会通过短信或站内信告诉您" in form
    response = resident_client.post("/hotline/new/", _file(anonymous="on"), follow=True)
    filed = Request.objects.get()
    assert filed.anonymous and filed.person is None
    html = response.content.decode()
    assert filed.number in html and "这是匿名诉求" in html


def test_script_in_the_text_is_shown_escaped(resident_client: Client, tree: Any) -> None:
    resident_client.post("/hotline/new/", _file(content="<script>alert(1)</script> 路灯坏了很多天"))
    filed = Request.objects.get()
    html = resident_client.get(f"/hotline/mine/{filed.number}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_residents_request_is_not_found(resident_client: Client, tree: Any) -> None:
    other: Any = PersonFactory()
    theirs = request_file(
        user=other.user,
        channel=Request.Channel.WEB,
        filing=Filing(kind="complaint", content=NOISE, location=Location(region_code="440106")),
    )
    assert resident_client.get(f"/hotline/mine/{theirs.number}/").status_code == 404
    assert resident_client.get(f"/hotline/new/{theirs.number}/receipt/").status_code == 404
    assert theirs.number not in resident_client.get("/hotline/mine/").content.decode()


def test_the_knowledge_base_is_open_to_everyone(db: Any) -> None:
    article_make(
        title="公积金怎么提取用于租房", answer="租房提取每月一次。", keywords="公积金 租房"
    )
    article_make(title="未公开的回答", answer="内部口径", keywords="公积金", published=False)
    html = Client().get("/hotline/answers/?q=公积金租房").content.decode()
    assert "公积金怎么提取用于租房" in html and "租房提取每月一次。" in html
    assert "未公开的回答" not in html
    html = Client().get("/hotline/answers/?q=<b>无关</b>").content.decode()
    assert "没有找到相关回答。" in html and "&lt;b&gt;" in html
    assert "公积金怎么提取用于租房" in Client().get("/hotline/answers/").content.decode()
    assert KnowledgeArticle.objects.count() == 2
