"""What the resident and the operator are shown before filing: knowledge-base answers,
similar open requests nearby; a caller's earlier requests; the citizen page's replies."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.home import home_section_collect
from onewindow.identity.models import Department
from onewindow.interaction.models import Category, KnowledgeArticle, Request
from onewindow.interaction.selectors import (
    articles_search,
    requests_by_phone,
    requests_similar,
)
from onewindow.interaction.services import Contact, Filing, Location, article_save, request_file
from onewindow.testing.factories import make_person, make_role, make_staff, user_of

pytestmark = pytest.mark.django_db

TIANHE = "440106"
YUEXIU = "440104"


def file(person, content: str, *, region: str = TIANHE, category=None, **kw) -> Request:
    return request_file(
        user=user_of(person),
        channel="web",
        filing=Filing(
            kind=kw.pop("kind", "complaint"),
            content=content,
            location=Location(region_code=region, address=kw.pop("address", "")),
            category_code=category.code if category else "",
            **kw,
        ),
    )


@pytest.fixture
def vendor() -> Category:
    return Category.objects.create(code="urban.vendor", name="占道经营")


@pytest.fixture
def fund_staff():
    department = Department.objects.create(
        code="gjj", name="广州住房公积金管理中心", region_code="440100"
    )
    role = make_role(code="kb_editor")
    from django.contrib.auth.models import Permission

    role.permissions.add(Permission.objects.get(codename="change_knowledgearticle"))
    staff = make_staff(department=department)
    from onewindow.identity.models import StaffRole

    StaffRole.objects.create(staff=staff, role=role, department=department)
    return staff


def test_knowledge_answers_are_found_by_meaning_not_exact_words(fund_staff) -> None:
    for title, answer in (
        ("租房提取住房公积金需要什么条件？", "无房职工租房自住可申请提取，每年一次，在线办理。"),
        ("公积金贷款额度怎么计算？", "按账户余额的倍数和还款能力计算，最高不超过规定上限。"),
        ("居住证怎么办理？", "在居住地连续居住半年以上，向社区警务室申请。"),
    ):
        article_save(
            user=fund_staff.user, department_id=fund_staff.department_id, title=title, answer=answer
        )
    hits = articles_search(text="我在天河租房住，想把公积金取出来交房租可以吗")
    assert [hit.title for hit in hits][:1] == ["租房提取住房公积金需要什么条件？"]
    assert all("居住证" not in hit.title for hit in hits)
    assert articles_search(text="的了吗") == []


def test_an_expired_or_unpublished_answer_is_not_offered(fund_staff) -> None:
    article_save(
        user=fund_staff.user,
        department_id=fund_staff.department_id,
        title="公积金提取",
        answer="旧政策",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    article_save(
        user=fund_staff.user,
        department_id=fund_staff.department_id,
        title="公积金提取草稿",
        answer="未发布",
        published=False,
    )
    assert articles_search(text="公积金提取") == []


def test_only_the_departments_own_staff_keep_its_answers(fund_staff) -> None:
    other = Department.objects.create(code="other", name="其他部门", region_code="440100")
    with pytest.raises(PermissionDenied):
        article_save(user=fund_staff.user, department_id=other.pk, title="问", answer="答")
    with pytest.raises(ValidationFailed) as caught:
        article_save(
            user=fund_staff.user, department_id=fund_staff.department_id, title="", answer=""
        )
    assert {e.field for e in caught.value.errors} == {"title", "answer"}
    assert not KnowledgeArticle.objects.exists()


def test_similar_open_requests_nearby_are_offered_to_join(vendor) -> None:
    a, b = make_person(), make_person()
    near = file(
        a, "体育西路地铁口每晚烧烤摊占道经营，油烟很大", category=vendor, address="体育西路191号"
    )
    file(a, "体育西路地铁口每晚烧烤摊占道经营，油烟很大", region=YUEXIU, category=vendor)
    other_topic = file(b, "小区电梯经常坏，物业不修", category=vendor)
    closed = file(b, "体育西路烧烤摊占道经营油烟", category=vendor)
    Request.objects.filter(pk=closed.pk).update(status=Request.Status.CONCLUDED)
    found = requests_similar(
        text="体育西路烧烤摊晚上占道，油烟呛人", region_code=TIANHE, category_id=vendor.pk
    )
    assert [item.number for item in found] == [near.number]
    assert found[0].address == "体育西路"  # no door number
    assert other_topic.number not in [item.number for item in found]


def test_the_operator_finds_a_callers_earlier_requests_by_phone() -> None:
    operator = make_staff()
    mine = request_file(
        user=operator.user,
        channel="phone",
        filing=Filing(
            kind="help",
            content="家里老人走失了，请帮忙联系派出所",
            location=Location(region_code=TIANHE),
            contact=Contact(phone="138 0000 0021"),
        ),
    )
    resident = make_person(phone="13800000021")
    by_web = file(resident, "门口路灯坏了一个星期了")
    found = requests_by_phone(phone="+86 13800000021")
    assert [r.number for r in found] == [by_web.number, mine.number]
    assert requests_by_phone(phone="13800000099") == []


def test_the_citizen_page_shows_the_residents_replies(vendor) -> None:
    person = make_person()
    waiting = file(person, "门口路灯坏了一个星期了")
    answered = file(person, "体育西路烧烤摊占道经营油烟很大", category=vendor)
    Request.objects.filter(pk=answered.pk).update(
        status=Request.Status.ANSWERED,
        answer="已安排执法队员每晚巡查。",
        answered_at=timezone.now(),
    )
    section = home_section_collect("replies", user=user_of(person), limit=5)
    assert section.available
    assert [item.key for item in section.items] == [answered.number, waiting.number]
    first = section.items[0]
    assert (first.status, first.urgent, first.detail) == (
        "已答复",
        True,
        "已安排执法队员每晚巡查。",
    )
    assert first.next_step == "请告诉我们问题是否解决"
    assert section.items[1].due_on == waiting.answer_due
    assert home_section_collect("replies", user=user_of(make_person()), limit=5).items == ()


def test_an_answer_is_on_the_residents_kept_page_at_once(client) -> None:
    person = make_person()
    request = file(person, "门口路灯坏了一个星期了，晚上很黑")
    client.force_login(person.user)
    page = client.get("/").content.decode()
    assert request.number in page and "已答复" not in page
    request.status = Request.Status.ANSWERED
    request.answer = "路灯已于今日修复。"
    request.answered_at = timezone.now()
    request.save()
    page = client.get("/").content.decode()
    assert "路灯已于今日修复。" in page
