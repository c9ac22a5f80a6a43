"""Rating a service (好差评) on a phone (390 px), axe-checked:

- a resident rates a concluded case from its page: nothing is preselected, what is missing
  is said at its field, the reasons appear once the rating is bad, and the case page then
  shows the rating;
- the invitation's one-time link rates without signing in, once; used again, it says so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.ratings.models import Rating, RatingLink, Subject
from onewindow.ratings.services import subject_expect
from onewindow.ratings.services.links import link_issue
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import ANSWERS, SERVICE, definition
from onewindow.testing.cases import publish as publish_package
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "grad-employment-test"
ONLINE = ("整体满意度", "办事效率", "办事指南准确度", "办事便捷度", "平台操作性")


@pytest.fixture
def resident() -> Any:
    return PersonFactory(
        name=ANSWERS["applicant_name"], id_number=ANSWERS["id_number"], phone=ANSWERS["phone"]
    )


@pytest.fixture
def parallel_service(tmp_path: Path) -> Any:
    city_structure_seed(seed=1)
    uploads = [m for m in SERVICE["materials"] if m.get("source") == "upload"]
    return publish_package(tmp_path, service=definition(materials=uploads))


def _group(page: Page, legend: str) -> Any:
    return page.get_by_role("group", name=re.compile(f"^{legend}"))


def _choose(page: Page, legend: str, level: str) -> None:
    _group(page, legend).get_by_label(level, exact=True).check()


def test_a_resident_rates_a_concluded_case_from_its_page(
    page: Page, live_server: LiveServer, parallel_service: Any, resident: Any
) -> None:
    case = apply(resident.user, CODE)
    for element, username in [
        ("accept", "rsj_clerk"),
        ("hr", "rsj_approver"),
        ("edu", "jyj_approver"),
        ("police", "gaj_approver"),
    ]:
        act(User.objects.get(username=username), case, element)
    log_in(page, resident.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    outcome = page.get_by_test_id("outcome")
    expect(outcome.get_by_test_id("case-rating")).to_have_text(
        "本次服务您满意吗？每件事可评价一次。"
    )
    check(page)
    outcome.get_by_role("link", name="评价", exact=True).click()

    expect(page.get_by_role("heading", name="评价本次服务", level=1)).to_be_visible()
    form = page.get_by_test_id("rating-form")
    expect(form.locator("input[type=radio]")).to_have_count(25)
    expect(form.locator("input[type=radio]:checked")).to_have_count(0)
    expect(page.get_by_test_id("rating-reasons")).to_be_hidden()
    check(page)
    form.get_by_role("button", name="提交评价").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_have_text("评价未提交：请按下面的提示修改。")
    expect(_group(page, "整体满意度")).to_contain_text("请选择整体满意度。")
    expect(_group(page, "平台操作性")).to_contain_text("请为“平台操作性”选择满意度。")
    check(page)
    assert not Rating.objects.exists()

    _choose(page, "整体满意度", "不满意")
    reasons = page.get_by_test_id("rating-reasons")
    expect(reasons).to_be_visible()  # a bad rating asks why
    for legend in ONLINE[1:]:
        _choose(page, legend, "基本满意")
    reasons.get_by_label("需要多次跑动或反复提交").check()
    page.get_by_label("评价内容（可选）").fill("<b>跑了两趟</b>")
    check(page)
    page.get_by_role("button", name="提交评价").click()

    given = page.get_by_test_id("rating-given")
    expect(given).to_contain_text("整体满意度")
    expect(given).to_contain_text("需要多次跑动或反复提交")
    expect(page.get_by_test_id("rating-text")).to_have_text("<b>跑了两趟</b>")  # as typed
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价。")
    check(page)
    rating = Rating.objects.get()
    assert (rating.level, rating.reasons, rating.subject.ref) == (2, ["many_trips"], str(case.pk))
    page.get_by_role("link", name="返回办件").click()
    expect(page.get_by_test_id("case-rating")).to_contain_text("您的评价：不满意")
    check(page)


def test_the_invitations_link_rates_without_signing_in_once(
    page: Page, live_server: LiveServer, resident: Any
) -> None:
    with transaction.atomic():
        subject_id = subject_expect(
            kind="case",
            ref="e2e-link",
            number="440106202611020001",
            title="居住证申领",
            channel="online",
            rater_id=resident.user_id,
            person_id=resident.pk,
            link="/cases/440106202611020001/",
            concluded_at=timezone.now(),
        )
        token = link_issue(subject_id=subject_id)
    page.goto(f"/ratings/r/{token}/")
    expect(page.get_by_test_id("rating-subject")).to_contain_text("居住证申领")
    expect(page.get_by_role("link", name="我的评价")).to_have_count(0)
    check(page)
    for legend in ONLINE:
        _choose(page, legend, "非常满意")
    expect(page.get_by_test_id("rating-reasons")).to_be_hidden()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("rating-thanks")).to_have_text(
        "您的评价已提交。我们会根据您的评价改进服务。"
    )
    check(page)
    assert Rating.objects.get().subject == Subject.objects.get(pk=subject_id)
    assert RatingLink.objects.get().used_at is not None

    page.goto(f"/ratings/r/{token}/")  # the same link again
    expect(page.get_by_test_id("link-problem")).to_have_text(
        "该评价链接已使用过，每个链接只能使用一次。"
    )
    check(page)
