"""Task ids cannot be enumerated: another department's task answers exactly as an unknown
one (404) on the workbench pages and their POST actions (the API: test_api)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case, CaseTask
from onewindow.testing.applying import apply
from onewindow.testing.clients import staff_client

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"
UNKNOWN = 999_999


def _foreign_task(parallel_service: Any, resident: Any) -> CaseTask:
    case: Case = apply(resident.user, CODE)
    return case.tasks.get()  # 人社's 受理, of no concern to public security


def _page(response: Any) -> str:
    """The page without what differs from one request to the next (tokens, nonces)."""
    page = re.sub(r'(nonce|value|content)="[^"]*"', "", response.content.decode())
    return re.sub(r"[A-Za-z0-9]{32,}", "", page)  # the CSRF token in hx-headers


def test_task_pages_answer_404_alike(parallel_service, resident, staff):
    task = _foreign_task(parallel_service, resident)
    outsider = staff_client(staff("gaj_clerk"))
    foreign = reverse("cases:staff_task", kwargs={"task_id": task.pk})
    unknown = reverse("cases:staff_task", kwargs={"task_id": UNKNOWN})
    seen, missing = outsider.get(foreign), outsider.get(unknown)
    assert (seen.status_code, missing.status_code) == (404, 404)
    assert _page(seen) == _page(missing)
    posts: list[dict[str, Any]] = [
        {"action": "claim"},
        {"action": "unclaim"},
        {"action": "approve"},
        {"action": "reject", "comment": "不符合条件"},
        {"action": "supplement", "comment": "请补正"},
        {"action": "comment", "comment": "意见"},
        {"action": "transfer", "to_user": "1"},
        {"action": "reveal", "field": "id_number", "purpose": "核对"},
    ]
    for data in posts:
        seen, missing = outsider.post(foreign, data), outsider.post(unknown, data)
        assert (seen.status_code, missing.status_code) == (404, 404), data
        assert _page(seen) == _page(missing), data
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN and task.claimed_by is None


def _bulk_messages(client: Client, task_id: int, action: str) -> list[str]:
    response = client.post(
        reverse("cases:workbench"), {"task": [str(task_id)], "bulk": action}, follow=True
    )
    assert response.redirect_chain == [(reverse("cases:workbench"), 302)]
    return [str(m).replace(f"#{task_id}", "#<id>") for m in response.context["messages"]]


@pytest.mark.parametrize("action", ["claim", "approve"])
def test_the_workbench_bulk_actions_answer_alike(action, parallel_service, resident, staff):
    task = _foreign_task(parallel_service, resident)
    outsider = staff_client(staff("gaj_clerk"))
    foreign = _bulk_messages(outsider, task.pk, action)
    assert foreign == _bulk_messages(outsider, UNKNOWN, action)
    assert foreign == ["已处理 0 项任务。", "#<id>: 任务不存在或您无权办理。"]
    task.refresh_from_db()
    assert task.status == CaseTask.Status.OPEN


def test_the_staff_case_page_answers_404_alike(parallel_service, resident, staff):
    task = _foreign_task(parallel_service, resident)
    outsider = staff_client(staff("gaj_clerk"))
    number = task.case.number
    seen = outsider.get(reverse("cases:staff_case", kwargs={"number": number}))
    missing = outsider.get(reverse("cases:staff_case", kwargs={"number": "GZ00000000000"}))
    assert (seen.status_code, missing.status_code) == (404, 404)
    assert _page(seen) == _page(missing)
