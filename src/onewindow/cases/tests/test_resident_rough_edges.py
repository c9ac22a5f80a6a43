"""What a new resident ran into on the application and case pages: old draft links after
submitting, one-tap withdrawal and draft deletion, a withdrawn case's progress, the
timeline's wording (a department named twice, entries without a verb), the rating it
links to (nothing preselected), and a long case page on a phone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent
from onewindow.catalog.models import ServiceVersion
from onewindow.testing.applying import act, apply, draft, submit
from onewindow.testing.cases import PDF, SERVICE, definition, publish

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


@pytest.fixture
def parallel_service(city: None, tmp_path: Any) -> ServiceVersion:
    """The three-department approval with only an uploaded material (no data-exchange
    look-up to set up)."""
    uploads = [m for m in SERVICE["materials"] if m.get("source") == "upload"]
    return publish(tmp_path, service=definition(materials=uploads))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _texts(case: Case) -> list[str]:
    return [
        f"{e.actor_label} {e.message}"
        for e in CaseEvent.objects.filter(case=case).order_by("at", "pk")
    ]


@pytest.mark.parametrize("step", ["draft_form", "draft_materials", "draft_review"])
def test_an_old_draft_link_leads_to_the_submitted_case(parallel_service, resident, step):
    case = submit(resident.user, draft(resident.user, CODE))
    client = _client(resident.user)
    response = client.get(reverse(f"cases:{step}", kwargs={"case_id": case.pk}), follow=True)
    detail = reverse("cases:case_detail", kwargs={"number": case.number})
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert f"该申请已提交（办件编号 {case.number}），草稿不能再修改。" in page
    # Someone else's case stays unknown.
    from onewindow.testing.factories import PersonFactory

    other: Any = PersonFactory()
    url = reverse(f"cases:{step}", kwargs={"case_id": case.pk})
    assert _client(other.user).get(url).status_code == 404


def test_withdrawing_takes_a_second_confirming_tap(parallel_service, resident):
    case = apply(resident.user, CODE)
    client = _client(resident.user)
    url = reverse("cases:case_withdraw", kwargs={"number": case.number})
    detail = reverse("cases:case_detail", kwargs={"number": case.number})
    page = client.get(detail).content.decode()
    assert '<summary class="button danger">撤回申请</summary>' in page
    assert 'name="confirm" value="yes"' in page and "确认撤回" in page
    response = client.post(url, {"reason": ""}, follow=True)  # the first tap alone
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert "申请未撤回：请在“撤回申请”下点击“确认撤回”。" in response.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"reason": "信息填错了", "confirm": "yes"})
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN


def test_a_withdrawn_case_says_who_withdrew_it_and_when(parallel_service, resident):
    case = apply(resident.user, CODE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_withdraw(user=resident.user, case_id=case.pk, reason="信息填错了")
    case.refresh_from_db()
    page = _client(resident.user).get(reverse("cases:case_detail", kwargs={"number": case.number}))
    html = page.content.decode()
    at = case.concluded_at.astimezone().strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    assert f"申请人已于 {at} 撤回申请，办理终止。" in html
    assert "撤回原因：信息填错了" in html
    assert "正在分派到承办部门" not in html


def test_deleting_a_draft_takes_a_second_confirming_tap(parallel_service, resident):
    case = draft(resident.user, CODE)
    client = _client(resident.user)
    url = reverse("cases:draft_discard", kwargs={"case_id": case.pk})
    form = client.get(reverse("cases:draft_form", kwargs={"case_id": case.pk})).content.decode()
    assert '<summary class="button secondary">删除草稿</summary>' in form
    assert "确认删除草稿" in form
    client.post(url)
    assert Case.objects.filter(pk=case.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not Case.objects.filter(pk=case.pk).exists()


def test_the_timeline_names_the_department_once_and_says_what_happened(
    parallel_service, resident, staff
):
    case = apply(resident.user, CODE)
    clerk = staff("rsj_clerk")
    task = case.tasks.get(element_id="accept")
    services.task_claim(user=clerk, task_id=task.pk)
    act(clerk, case, "accept")
    act(staff("rsj_approver"), case, "hr", decision="supplement", comment="毕业证书不清晰")
    case.refresh_from_db()
    services.case_material_attach(
        user=resident.user,
        case_id=case.pk,
        code="diploma",
        upload=io.BytesIO(PDF),
        filename="毕业证.pdf",
    )
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_supplement_submit(
            user=resident.user, case_id=case.pk, form_data=dict(case.form_data), note="已重拍"
        )
    texts = _texts(case)
    department = task.department.name
    assert f"{department} 审核通过：受理" in texts
    assert f"{department} 要求补正（人社审核）：毕业证书不清晰" in texts
    assert not any(text.count(department) > 1 for text in texts), texts
    assert f"{clerk.display_name or clerk.username} 认领了任务：受理" in texts
    assert "申请人 补交了材料：毕业证书" in texts
    assert "申请人 提交了补正材料，说明：已重拍" in texts
    assert not any(text.count("申请人") > 1 for text in texts), texts


def test_staff_see_which_entries_the_applicant_does_not(parallel_service, resident, staff):
    from onewindow.cases.tests.test_views import _staff_client

    case = apply(resident.user, CODE)
    clerk = staff("rsj_clerk")
    task = case.tasks.get(element_id="accept")
    services.task_claim(user=clerk, task_id=task.pk)
    page = _staff_client(clerk).get(reverse("cases:staff_task", kwargs={"task_id": task.pk}))
    html = page.content.decode()
    assert '认领了任务：受理 <span class="badge">仅工作人员可见</span>' in html
    assert '<span class="badge">内部</span>' not in html


def test_the_case_page_links_to_its_rating_and_nothing_is_preselected(
    parallel_service, resident, staff
):
    from onewindow.ratings.models import Rating, Subject

    case = apply(resident.user, CODE)
    for element, user in [
        ("accept", "rsj_clerk"),
        ("hr", "rsj_approver"),
        ("edu", "jyj_approver"),
        ("police", "gaj_approver"),
    ]:
        act(staff(user), case, element)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    subject = Subject.objects.get(kind="case", ref=str(case.pk))
    rate_url = reverse("ratings:rate", kwargs={"subject_id": subject.pk})
    client = _client(resident.user)
    detail = reverse("cases:case_detail", kwargs={"number": case.number})
    page = client.get(detail).content.decode()
    assert "本次服务您满意吗？每件事可评价一次。" in page
    assert f'<a class="button primary" href="{rate_url}">评价</a>' in page
    form = client.get(rate_url).content.decode()
    assert form.count('name="d_overall"') == 5
    assert " checked" not in form
    response = client.post(rate_url, {})
    assert response.status_code == 422 and not Rating.objects.exists()
    assert "请选择整体满意度。" in response.content.decode()
    four = {f"d_{d}": "4" for d in ("overall", "efficiency", "guide", "convenience", "usability")}
    assert client.post(rate_url, four).status_code == 302
    page = client.get(detail).content.decode()
    assert "您的评价：满意" in page and f'<a href="{rate_url}">查看评价</a>' in page


def test_the_case_page_folds_the_earlier_timeline_and_the_application(
    parallel_service, resident, staff
):
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    act(staff("rsj_approver"), case, "hr")
    page = _client(resident.user).get(reverse("cases:case_detail", kwargs={"number": case.number}))
    html = page.content.decode()
    public = CaseEvent.objects.filter(case=case, public=True).count()
    assert public > 4
    earlier = public - 4
    assert f"<summary>查看更早的 {earlier} 条记录</summary>" in html
    assert '<details class="case-section" data-testid="answers-section">' in html
    assert "<summary>查看申请表（5 项）</summary>" in html
    assert '<ul class="item-list" data-testid="materials-section">' in html  # stays in view
