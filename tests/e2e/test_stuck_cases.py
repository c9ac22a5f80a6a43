"""A department head (部门负责人) opens 停滞办件 on a phone, reads why a case's step failed,
runs it again once the cause is gone, and concludes another case with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.services import steps
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.testing.cases import OWN_ANSWERS, definition, publish
from onewindow.testing.factories import PersonFactory
from onewindow.testing.steps import ACTION, CODE, STEP_BPMN, Script
from onewindow.workflow import register_action
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_department_head_retries_one_stuck_case_and_concludes_another(
    page: Page, live_server: LiveServer, tmp_path: Path, monkeypatch: Any
) -> None:
    city_structure_seed(seed=1)
    script = Script(failures=2)
    register_action(ACTION, script)
    try:
        publish(tmp_path, service=definition(code=CODE, materials=[]), bpmn=STEP_BPMN)
        resident: Any = PersonFactory()
        monkeypatch.setattr(steps, "MAX_ATTEMPTS", 1)
        numbers = []
        for key in ("first", "second"):
            case, _created = services.case_create_and_submit(
                user=resident.user, service_code=CODE, form_data=OWN_ANSWERS, idempotency_key=key
            )
            numbers.append(str(case.number))
        assert Case.objects.filter(stuck_at__isnull=False).count() == 2
        monkeypatch.undo()

        log_in(
            page, User.objects.get(username="rsj_head"), base_url=live_server.url, otp_verified=True
        )
        page.goto("/workbench/stuck/")
        expect(page.get_by_role("heading", name="停滞办件", level=1)).to_be_visible()
        cards = page.get_by_test_id("stuck-case")
        expect(cards).to_have_count(2)
        first = cards.filter(has_text=numbers[0])
        expect(first.get_by_test_id("stuck-error")).to_contain_text("资格库暂时无法连接")
        expect(first).to_contain_text("审核")
        assert has_no_horizontal_scroll(page)
        assert_accessible(page)

        # The cause is gone (the action succeeds now): run the first case's step again.
        first.get_by_role("button", name="重新执行").click()
        expect(page.get_by_role("status")).to_contain_text(f"办件 {numbers[0]} 已重新排队执行")
        expect(cards).to_have_count(1)
        assert Case.objects.get(number=numbers[0]).tasks.filter(element_id="sign").exists()

        # The second is concluded with a reason the applicant reads.
        second = cards.filter(has_text=numbers[1])
        second.get_by_text("作出不予办结决定").click()
        second.get_by_label("办结理由（申请人可见）").fill("资格核验系统已停用，请到窗口办理。")
        second.get_by_role("button", name="办结（不予）").click()
        expect(page.get_by_role("status")).to_contain_text(f"办件 {numbers[1]} 已办结")
        expect(page.get_by_text("没有停滞的办件")).to_be_visible()
        concluded = Case.objects.get(number=numbers[1])
        assert concluded.status == Case.Status.REJECTED
        assert concluded.outcome_note == "资格核验系统已停用，请到窗口办理。"
        assert_accessible(page)
    finally:
        register_action(ACTION, lambda ctx: {"checked": True})
