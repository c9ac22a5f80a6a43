"""A window clerk sees the applicant's ID and phone numbers masked on the task page, reveals
the ID number with a stated purpose (one audit row), and the phone stays masked; axe-clean
at phone width with the reveal form open and after the reveal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.models import AuditEvent
from onewindow.cases.audit_events import ANSWER_REVEAL
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import User
from onewindow.testing.applying import apply
from onewindow.testing.cases import ANSWERS, publish
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

MASKED_ID, MASKED_PHONE = "1101**********002X", "138****8000"
PURPOSE_LABEL = re.compile(r"^用途\s*（身份证号码）$")  # the label names its answer


def test_a_clerk_reveals_one_answer_with_a_purpose(
    page: Page, live_server: LiveServer, tmp_path: Path, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    city_structure_seed(seed=1)
    publish(tmp_path)
    # The applicant's answers come from the real-name record: the same ID and phone.
    person: Any = PersonFactory(
        name=ANSWERS["applicant_name"], id_number=ANSWERS["id_number"], phone=ANSWERS["phone"]
    )
    case = apply(person.user, "grad-employment-test")
    task = case.tasks.get()
    log_in(
        page, User.objects.get(username="rsj_clerk"), base_url=live_server.url, otp_verified=True
    )
    page.goto(f"/workbench/tasks/{task.pk}/")
    id_answer = page.locator('[data-answer="id_number"]')
    phone_answer = page.locator('[data-answer="phone"]')
    expect(id_answer.locator(".answer-value")).to_have_text(MASKED_ID)
    expect(phone_answer.locator(".answer-value")).to_have_text(MASKED_PHONE)
    expect(page.get_by_text(ANSWERS["id_number"])).to_have_count(0)

    id_answer.get_by_text("查看完整信息").click()
    purpose = id_answer.get_by_role("textbox", name=PURPOSE_LABEL)
    expect(purpose).to_be_visible()
    assert_accessible(page)
    # Without a purpose: refused at the field, nothing shown, nothing recorded.
    id_answer.get_by_role("button", name="查看").click()
    expect(id_answer.locator(".field-error")).to_have_text("请填写查看用途。")
    expect(id_answer.get_by_role("textbox", name=PURPOSE_LABEL)).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(id_answer.locator(".answer-value")).to_have_text(MASKED_ID)
    assert not AuditEvent.objects.filter(action=ANSWER_REVEAL).exists()

    id_answer.get_by_role("textbox", name=PURPOSE_LABEL).fill("受理时核对申请人身份")
    id_answer.get_by_role("button", name="查看").click()
    expect(page.get_by_role("status")).to_contain_text("本次查看已记录")
    expect(id_answer.locator(".answer-value")).to_have_text(ANSWERS["id_number"])
    expect(id_answer.get_by_text("查看完整信息")).to_have_count(0)
    expect(phone_answer.locator(".answer-value")).to_have_text(MASKED_PHONE)
    row = AuditEvent.objects.get(action=ANSWER_REVEAL)
    assert row.changes == {"case": case.number, "field": "id_number"}
    assert row.purpose == "受理时核对申请人身份"
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
