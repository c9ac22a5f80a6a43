"""A second application of a service, as its package's ``repeat:`` allows: refused with the
earlier case named (number, status, link), on the page and through the API; told on the
start page before anything is filled in; a service whose result the applicant already
holds refuses with that licence named."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.repeat_selectors import DuplicateApplication
from onewindow.licences.services import licence_issue
from onewindow.testing.applying import apply, draft, submit
from onewindow.testing.cases import ANSWERS, PDF, SERVICE, definition, publish

pytestmark = pytest.mark.django_db


def service(tmp_path: Path, repeat: Any) -> str:
    uploads = [m for m in SERVICE["materials"] if m["source"] == "upload"]
    publish(tmp_path, service=definition(code="repeat-test", repeat=repeat, materials=uploads))
    return "repeat-test"


def test_one_at_a_time_refuses_a_second_open_application_naming_the_first(tmp_path, resident, city):
    code = service(tmp_path, "one_at_a_time")
    first = apply(resident.user, code)
    assert first.status == Case.Status.IN_PROGRESS
    second = draft(resident.user, code)
    with pytest.raises(DuplicateApplication) as refused:
        submit(resident.user, second)
    assert str(refused.value.message) == (
        f"您已申请过高校毕业生就业报到（测试）：办件编号 {first.number}，状态：办理中。"
        f"请勿重复申请。查看办件：/cases/{first.number}/"
    )
    assert refused.value.status == 409
    second.refresh_from_db()
    assert second.status == Case.Status.DRAFT and not second.number
    # Once the first is concluded, a new application is accepted.
    Case.objects.filter(pk=first.pk).update(status=Case.Status.APPROVED)
    assert submit(resident.user, second).status == Case.Status.IN_PROGRESS


def test_once_refuses_after_an_approved_one_but_not_after_a_rejected_one(tmp_path, resident, city):
    code = service(tmp_path, "once")
    first = apply(resident.user, code)
    Case.objects.filter(pk=first.pk).update(status=Case.Status.REJECTED)
    again = apply(resident.user, code)
    assert again.number
    Case.objects.filter(pk=again.pk).update(status=Case.Status.APPROVED)
    with pytest.raises(DuplicateApplication) as refused:
        apply(resident.user, code)
    assert f"办件编号 {again.number}，状态：已办结（准予）" in str(refused.value.message)


def test_same_answers_make_two_applications_the_same(tmp_path, resident, city):
    code = service(tmp_path, {"allowed": "one_at_a_time", "same": ["degree"]})
    apply(resident.user, code)
    other = apply(resident.user, code, answers={**ANSWERS, "degree": "master"})
    assert other.number  # another degree: not the same application
    with pytest.raises(DuplicateApplication):
        apply(resident.user, code, answers={**ANSWERS, "degree": "master"})


def test_any_accepts_a_second_application(tmp_path, resident, city):
    code = service(tmp_path, "any")
    apply(resident.user, code)
    assert apply(resident.user, code).number


def test_a_held_result_refuses_naming_the_licence(tmp_path, resident, city):
    code = service(tmp_path, {"allowed": "once", "held": ["household-register"]})
    record = licence_issue(
        actor=Actor.system("test"), licence_type_code="household-register", holder_person=resident
    )
    with pytest.raises(DuplicateApplication) as refused:
        apply(resident.user, code)
    assert str(refused.value.message) == (
        f"您已持有居民户口簿（证照编号 {record.number}），本事项的办理结果已经存在。"
        f"不能重复办理。查看证照：/licences/#licence-{record.number}"
    )


def test_the_api_refuses_a_duplicate_with_409_naming_the_case(tmp_path, resident, city):
    code = service(tmp_path, "one_at_a_time")
    client = Client()
    client.force_login(resident.user)
    body = {
        "service": code,
        "form": dict(ANSWERS),
        "materials": [
            {
                "code": "diploma",
                "filename": "d.pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }

    def post(key: str) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                "/api/v1/cases",
                data=json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": key},
            )

    first = post("a")
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    second = post("b")
    assert second.status_code == 409
    error = second.json()["errors"][0]
    assert error["code"] == "duplicate_application"
    assert f"办件编号 {number}，状态：办理中" in error["message"]
    assert f"/cases/{number}/" in error["message"]
    assert Case.objects.count() == 1


def test_the_start_page_tells_before_anything_is_filled_in(tmp_path, resident, city):
    code = service(tmp_path, "one_at_a_time")
    first = apply(resident.user, code)
    client = Client()
    client.force_login(resident.user)
    page = client.get(f"/cases/apply/{code}/").content.decode()
    assert 'data-testid="repeat-refused"' in page
    assert f"办件编号 {first.number}，状态：办理中" in page
    assert f'href="/cases/{first.number}/"' in page
    assert "本事项同一时间只能有一件申请在办理" in page


def test_the_check_page_links_the_earlier_case(tmp_path, resident, city):
    code = service(tmp_path, "one_at_a_time")
    first = apply(resident.user, code)
    second = draft(resident.user, code)
    client = Client()
    client.force_login(resident.user)
    page = client.post(f"/cases/drafts/{second.pk}/review/", {"token": second.submit_token})
    assert page.status_code == 409
    text = page.content.decode()
    assert f"办件编号 {first.number}，状态：办理中。请勿重复申请。查看办件：" in text
    assert f'<a href="/cases/{first.number}/">/cases/{first.number}/</a>' in text
