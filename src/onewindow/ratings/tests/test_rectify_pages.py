"""The rectification pages as a browser without JavaScript sees them: a department's inbox
and one rectification (its own department only; never the rater unless revealed for the
visit), the office's appeals, the rater's rating of the fix, the public statistics and the
service guide's ratings panel."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.catalog.services import service_packages_import
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rectification
from onewindow.ratings.services.rectify import rectification_answer
from onewindow.ratings.tests.rectify_scene import (
    CST,
    Scene,
    rating_make,
    rectification_make,
    scene_make,
)
from onewindow.testing.clients import staff_client
from onewindow.testing.fixtures import OnCommit
from onewindow.testing.packages import files_for, service, write_package

pytestmark = pytest.mark.django_db

Status = Rectification.Status


@pytest.fixture
def scene() -> Scene:
    return scene_make()


@pytest.fixture
def rect(scene: Scene) -> Rectification:
    return rectification_make(scene)


def _resident(scene: Scene) -> Client:
    client = Client()
    assert scene.resident.user is not None
    client.force_login(scene.resident.user)
    return client


# -- the department's inbox and page -----------------------------------------------------------


def test_the_inbox_lists_its_own_departments_soonest_due_first_and_flags_the_overdue(
    scene: Scene,
) -> None:
    late = rectification_make(scene, now=datetime.datetime(2026, 1, 5, 10, tzinfo=CST))
    fresh = rectification_make(scene)
    other = rectification_make(scene, department=scene.dept_b)
    page = staff_client(scene.rectifier_a).get("/ratings/work/").content.decode()
    late_number = late.rating.subject.number
    fresh_number = fresh.rating.subject.number
    assert page.index(late_number) < page.index(fresh_number)
    assert other.rating.subject.number not in page
    assert "已超期" in page and "回访超时" in page
    assert "还剩 15 个工作日" in page
    overdue = staff_client(scene.rectifier_a).get("/ratings/work/?overdue=1").content.decode()
    assert late_number in overdue and fresh_number not in overdue


def test_another_department_gets_404_and_staff_without_the_permission_403(
    scene: Scene, rect: Rectification
) -> None:
    assert staff_client(scene.rectifier_b).get(f"/ratings/work/{rect.pk}/").status_code == 404
    handler = staff_client(scene.handler_a)
    assert handler.get(f"/ratings/work/{rect.pk}/").status_code == 403
    assert handler.get("/ratings/work/").status_code == 403
    response = handler.post(
        f"/ratings/work/{rect.pk}/", {"action": "answer", "outcome": "fixed", "answer": "x"}
    )
    assert response.status_code == 403
    rect.refresh_from_db()
    assert rect.status == Status.OPEN
    assert staff_client(scene.rectifier_a).get("/ratings/work/appeals/").status_code == 403


def test_the_page_shows_the_rating_but_not_the_rater(scene: Scene, rect: Rectification) -> None:
    page = staff_client(scene.rectifier_a).get(f"/ratings/work/{rect.pk}/").content.decode()
    assert "不满意" in page
    assert "办理时间过长、超过承诺时限、需要多次跑动或反复提交" in page
    assert "材料交了三次，每次都说缺东西。" in page
    assert "办事效率" in page and "办事指南准确度" in page
    assert "陈小明" not in page and "13800138001" not in page
    assert "查看评价人联系方式" in page


def test_the_contact_is_shown_on_request_and_the_look_audited(
    scene: Scene, rect: Rectification
) -> None:
    client = staff_client(scene.rectifier_a)
    response = client.post(f"/ratings/work/{rect.pk}/", {"action": "contact"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "陈小明 13800138001" in page
    assert AuditEvent.objects.filter(action=audit_events.RECTIFICATION_VIEW_CONTACT).count() == 1
    again = client.get(f"/ratings/work/{rect.pk}/").content.decode()
    assert "13800138001" not in again  # shown on that response only


def test_the_visit_and_the_answer_are_posted(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    client = staff_client(scene.rectifier_a)
    url = f"/ratings/work/{rect.pk}/"
    visited = client.post(url, {"action": "visit", "visit-note": "已电话致歉。"}, follow=True)
    assert "已电话致歉。" in visited.content.decode()
    with commit():
        answered = client.post(
            url,
            {"action": "answer", "outcome": "fixed", "answer": "已一次性告知材料清单。"},
            follow=True,
        )
    page = answered.content.decode()
    assert "已反馈，待追评" in page and "已一次性告知材料清单。" in page
    assert 'data-testid="form-answer"' not in page
    rect.refresh_from_db()
    assert (rect.status, rect.visit_note) == (Status.ANSWERED, "已电话致歉。")


def test_a_refused_answer_shows_its_error_at_the_field(scene: Scene, rect: Rectification) -> None:
    response = staff_client(scene.rectifier_a).post(
        f"/ratings/work/{rect.pk}/",
        {"action": "answer", "outcome": "explained", "answer": "无法办理。"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_legal_basis_error"' in page
    assert "请填写解释所依据的法律法规或政策文件。" in page
    rect.refresh_from_db()
    assert rect.status == Status.OPEN


# -- the office's appeals ------------------------------------------------------------------


def test_the_office_decides_an_appeal_on_its_page(scene: Scene, rect: Rectification) -> None:
    rectification_answer(
        user=scene.rectifier_a, rectification_id=rect.pk, outcome="appeal", answer="评价对象有误。"
    )
    office = staff_client(scene.reviewer)
    queue = office.get("/ratings/work/appeals/").content.decode()
    assert rect.rating.subject.number in queue
    page = office.get(f"/ratings/work/appeals/{rect.pk}/").content.decode()
    assert "评价对象有误。" in page and "复核期限" in page
    refused = office.post(f"/ratings/work/appeals/{rect.pk}/", {"upheld": "no"})
    assert refused.status_code == 400
    assert "请填写不予支持的理由。" in refused.content.decode()
    done = office.post(
        f"/ratings/work/appeals/{rect.pk}/", {"upheld": "no", "note": "评价属实。"}, follow=True
    )
    assert "没有待复核的申诉。" in done.content.decode()
    rect.refresh_from_db()
    assert (rect.status, rect.appeal_note) == (Status.OPEN, "评价属实。")
    dept_page = staff_client(scene.rectifier_a).get(f"/ratings/work/{rect.pk}/").content.decode()
    assert "评价属实。" in dept_page and 'data-testid="form-answer"' in dept_page


def test_a_rectification_never_appealed_is_not_on_the_offices_pages(
    scene: Scene, rect: Rectification
) -> None:
    assert staff_client(scene.reviewer).get(f"/ratings/work/appeals/{rect.pk}/").status_code == 404


# -- the rater's rating of the fix -----------------------------------------------------------------


def test_the_rater_rates_the_fix_once_on_the_page(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    client = _resident(scene)
    pending = client.get(f"/ratings/fix/{rect.pk}/").content.decode()
    assert "部门正在整改" in pending and 'data-testid="form-fix"' not in pending
    with commit():
        rectification_answer(
            user=scene.rectifier_a, rectification_id=rect.pk, outcome="fixed", answer="已整改。"
        )
    page = client.get(f"/ratings/fix/{rect.pk}/").content.decode()
    assert "测试区市场监督管理局的整改反馈" in page and "已整改。" in page
    missing = client.post(f"/ratings/fix/{rect.pk}/", {})
    assert missing.status_code == 400
    assert "请选择对整改结果的满意程度。" in missing.content.decode()
    done = client.post(f"/ratings/fix/{rect.pk}/", {"level": "4", "text": "好多了"}, follow=True)
    assert "整改已办结，感谢您的监督。" in done.content.decode()
    again = client.post(f"/ratings/fix/{rect.pk}/", {"level": "1"})
    assert again.status_code == 400
    rect.refresh_from_db()
    assert (rect.status, rect.fix_level) == (Status.CLOSED, 4)


def test_another_resident_gets_404_on_the_fix_page(scene: Scene, rect: Rectification) -> None:
    from onewindow.testing.factories import make_person

    other = make_person(name="王芳")
    client = Client()
    assert other.user is not None
    client.force_login(other.user)
    assert client.get(f"/ratings/fix/{rect.pk}/").status_code == 404
    assert Client().get("/ratings/fix/r/nothing-here/").status_code == 404


def test_an_appeal_reason_is_not_shown_to_the_rater(scene: Scene, rect: Rectification) -> None:
    rectification_answer(
        user=scene.rectifier_a, rectification_id=rect.pk, outcome="appeal", answer="恶意差评。"
    )
    page = _resident(scene).get(f"/ratings/fix/{rect.pk}/").content.decode()
    assert "恶意差评。" not in page and "部门正在整改" in page


# -- the public statistics and the guide's panel ---------------------------------------------------


def test_the_statistics_page_has_tables_and_no_rater(scene: Scene) -> None:
    for level in (5, 4, 2):
        rating_make(scene, level=level)
    page = Client().get("/ratings/stats/").content.decode()
    assert "测试区市场监督管理局" in page and "个体工商户设立登记" in page
    assert 'data-testid="departments"' in page and 'data-testid="services"' in page
    assert "66.7%" in page
    assert "陈小明" not in page
    month = Client().get("/ratings/stats/?month=2019-01").content.decode()
    assert "66.7%" in month  # a month not offered: all time


def test_the_guide_shows_the_services_ratings(scene: Scene, tmp_path: Path) -> None:
    from onewindow.demo.city import city_structure_seed

    city_structure_seed(seed=1)
    guided = service()
    service_packages_import(
        actor=Actor.system("test"), paths=[write_package(tmp_path, files_for(guided))]
    )
    code = str(guided["code"])
    before = Client().get(f"/services/{code}/").content.decode()
    assert 'data-testid="guide-ratings"' not in before
    for level in (5, 5, 2):
        rating_make(scene, level=level, service_code=code, service_name="港澳再次签注")
    cache.clear()  # the panel's figures are kept for a few minutes
    page = Client().get(f"/services/{code}/").content.decode()
    assert 'data-testid="guide-ratings"' in page
    assert "66.7%" in page and "/ratings/stats/" in page
