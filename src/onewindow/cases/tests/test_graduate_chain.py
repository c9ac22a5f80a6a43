"""The graduate employment express as a chain that feeds forward: the one-stop looks up the
social-insurance record it lists as shared; the police see the permit the bureau just
issued; settled, the case issues the household record to the wallet and offers the next
step (the ID card with its new address) with the answers carried over; the separate
graduate household registration then refuses, naming the household record."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.repeat_selectors import DuplicateApplication
from onewindow.catalog.services import service_packages_import
from onewindow.identity.models import StaffRole
from onewindow.licences.models import Licence
from onewindow.testing.applying import apply
from onewindow.testing.cases import PNG, SERVICE, definition, publish
from onewindow.testing.demo_packages import (
    approve_as_holder,
    catalog_dir,
    run_to_the_end,
    sample_answers,
    submit_package,
)

pytestmark = pytest.mark.django_db

ADDRESS = "广州市天河区华穗路1号"


@pytest.fixture
def chain(city: None) -> dict[str, Any]:
    versions = service_packages_import(
        actor=Actor.system("test"),
        paths=[
            catalog_dir() / code
            for code in (
                "graduate-employment-express",
                "hukou-graduate-settlement",
                "id-card-renewal",
            )
        ],
    )
    return {v.service.code: v for v in versions}


def one_stop(resident: Any, chain: dict[str, Any]) -> Case:
    return submit_package(
        resident, chain["graduate-employment-express"], answers={"target_address": ADDRESS}
    )


def staff_client(task: CaseTask) -> Client:
    chain = [task.department_id] + [d.pk for d in task.department.ancestors()]
    role = StaffRole.objects.filter(role__code=task.role_code, department_id__in=chain).first()
    assert role is not None
    user = role.staff.user
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def test_the_one_stop_looks_up_the_social_insurance_record(chain, resident):
    case = one_stop(resident, chain)
    looked_up = case.events.filter(kind="data_lookup").values_list("data__resource", flat=True)
    assert "gz-rsj.social-insurance" in list(looked_up)
    assert case.tasks.get().element_id == "Task_Register"  # looked up before the review


def test_the_police_task_page_shows_the_permit_just_issued(chain, resident):
    case = one_stop(resident, chain)
    for _round in range(6):
        case.refresh_from_db()
        hukou = case.tasks.filter(element_id="Task_Hukou", status="open").first()
        if hukou is not None:
            break
        for task in case.tasks.filter(status__in=["open", "claimed"]):
            approve_as_holder(task)
    assert hukou is not None
    permit = Licence.objects.get(case=case)
    assert permit.licence_type.code == "settlement-approval"
    page = staff_client(hukou).get(f"/workbench/tasks/{hukou.pk}/").content.decode()
    assert "本件已签发的证照" in page
    section = page.split('data-testid="issued-licences"', 1)[1]
    assert "准予迁入证明" in section and permit.number in section
    assert 'data-testid="licence-status">有效<' in section
    # Heading as the process ran: the bureau, then the police, one after the other.
    assert '<h2 id="branches-title">各部门依次办理</h2>' in page
    assert "各部门并联审批" not in page


def test_a_settled_one_stop_issues_the_household_record_and_offers_the_next_step(chain, resident):
    case = run_to_the_end(one_stop(resident, chain))
    assert case.status == Case.Status.APPROVED
    issued = list(
        Licence.objects.filter(case=case)
        .order_by("issued_at", "pk")
        .values_list("licence_type__code", flat=True)
    )
    assert issued == ["settlement-approval", "household-register"]
    record = Licence.objects.get(case=case, licence_type__code="household-register")
    assert record.holder_person_id == resident.pk and record.valid_until is None
    assert record.claims["particulars"] == [
        {"label": "户口登记地址", "value": ADDRESS, "public": False},
        {"label": "所在区", "value": "荔湾区", "public": True},
        {"label": "户别", "value": "单位集体户", "public": True},
    ]

    client = Client()
    client.force_login(resident.user)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="next-steps"' in page
    assert "办理：居民身份证换领" in page
    assert "户口迁入后，居民身份证的住址随之变更，请换领新证。" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        moved = client.post(f"/cases/{case.number}/next/id-card-renewal/")
    assert moved.status_code == 302
    draft = Case.objects.get(created_by=resident.user, status=Case.Status.DRAFT)
    assert draft.service_version.service.code == "id-card-renewal"
    assert moved["Location"] == f"/cases/drafts/{draft.pk}/form/"
    assert draft.form_data == {"reason": "change", "address": ADDRESS}
    form = client.get(moved["Location"]).content.decode()
    assert ADDRESS in form

    # The next step is only offered for a service the package names.
    assert client.post(f"/cases/{case.number}/next/hukou-graduate-settlement/").status_code == 404


def test_a_second_household_registration_is_refused_naming_the_record(chain, resident):
    case = run_to_the_end(one_stop(resident, chain))
    record = Licence.objects.get(case=case, licence_type__code="household-register")
    permit = Licence.objects.get(case=case, licence_type__code="settlement-approval")

    client = Client()
    client.force_login(resident.user)
    start = client.get("/cases/apply/hukou-graduate-settlement/").content.decode()
    assert 'data-testid="repeat-refused"' in start
    assert f"您已持有居民户口簿（证照编号 {record.number}）" in start

    version = chain["hukou-graduate-settlement"]
    draft = services.case_draft_start(user=resident.user, service_code=version.service.code)
    errors = services.case_draft_save_form(
        user=resident.user, case_id=draft.pk, data=sample_answers(version.form_schema)
    )
    assert not errors
    services.case_material_use_licence(
        user=resident.user, case_id=draft.pk, code="settlement-permit", licence_id=permit.pk
    )
    services.case_material_attach(
        user=resident.user, case_id=draft.pk, code="photo", upload=io.BytesIO(PNG)
    )
    draft.refresh_from_db()
    with pytest.raises(DuplicateApplication) as refused:
        services.case_submit(user=resident.user, case_id=draft.pk, token=draft.submit_token)
    assert str(refused.value.message).startswith(
        f"您已持有居民户口簿（证照编号 {record.number}），本事项的办理结果已经存在。"
    )

    # A second one-stop of the same graduate is refused too, naming the first.
    with pytest.raises(DuplicateApplication) as again:
        one_stop(resident, chain)
    assert f"办件编号 {case.number}，状态：已办结（准予）" in str(again.value.message)


TWO_CLERK_STEPS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="two_steps" name="两步受理" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="register" name="就业报到登记" camunda:candidateGroups="rsj_clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="check" name="接收材料核验" camunda:candidateGroups="rsj_clerk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="rsj_approver">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register"/>
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="approve"/>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("keep", [None, "never"])
def test_consecutive_tasks_of_the_same_role_stay_with_their_holder(city, resident, tmp_path, keep):
    uploads = [m for m in SERVICE["materials"] if m["source"] == "upload"]
    extra = {"keep_holder": keep} if keep else {}
    publish(
        tmp_path,
        service=definition(code="two-steps", materials=uploads, **extra),
        bpmn=TWO_CLERK_STEPS,
    )
    case = apply(resident.user, "two-steps")
    register = case.tasks.get(element_id="register")
    approve_as_holder(register)
    register.refresh_from_db()
    check = case.tasks.get(element_id="check")
    if keep == "never":
        assert check.status == CaseTask.Status.OPEN and check.claimed_by is None
        return
    assert check.status == CaseTask.Status.CLAIMED  # no new claim
    assert check.claimed_by_id == register.completed_by_id
    note = case.events.get(kind="task_claimed", task=check)
    assert note.message == "由同一经办人继续办理：接收材料核验" and not note.public
    approve_as_holder(check)
    assert case.tasks.get(element_id="approve").status == CaseTask.Status.OPEN  # another role


def test_a_one_day_service_is_concluded_by_the_clerk_who_accepted_it(city, resident):
    version = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "graduate-personal-registration"]
    )[0]
    assert version.definition["keep_holder"] == "department"
    case = submit_package(resident, version)
    accept = case.tasks.get(element_id="accept")
    assert accept.status == CaseTask.Status.OPEN
    approve_as_holder(accept)
    accept.refresh_from_db()
    approve = case.tasks.get(element_id="approve")
    assert approve.status == CaseTask.Status.OPEN  # the clerk is not an approver: the pool
    approve_as_holder(approve)
    conclude = case.tasks.get(element_id="conclude")
    assert conclude.status == CaseTask.Status.CLAIMED
    assert conclude.claimed_by_id == accept.completed_by_id


def test_the_permit_of_a_one_stop_in_progress_cannot_be_used_twice(chain, resident):
    case = one_stop(resident, chain)
    for _round in range(6):
        case.refresh_from_db()
        if case.tasks.filter(element_id="Task_Hukou", status="open").exists():
            break
        for task in case.tasks.filter(status__in=["open", "claimed"]):
            approve_as_holder(task)
    permit = Licence.objects.get(case=case, licence_type__code="settlement-approval")
    version = chain["hukou-graduate-settlement"]
    draft = services.case_draft_start(user=resident.user, service_code=version.service.code)
    services.case_draft_save_form(
        user=resident.user, case_id=draft.pk, data=sample_answers(version.form_schema)
    )
    services.case_material_use_licence(
        user=resident.user, case_id=draft.pk, code="settlement-permit", licence_id=permit.pk
    )
    services.case_material_attach(
        user=resident.user, case_id=draft.pk, code="photo", upload=io.BytesIO(PNG)
    )
    draft.refresh_from_db()
    with pytest.raises(DuplicateApplication) as refused:
        services.case_submit(user=resident.user, case_id=draft.pk, token=draft.submit_token)
    assert str(refused.value.message) == (
        "您已申请过高校毕业生就业直通车（报到、接收、落户一件事）："
        f"办件编号 {case.number}，状态：办理中。请勿重复申请。查看办件：/cases/{case.number}/"
    )
