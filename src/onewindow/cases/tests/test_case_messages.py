"""What residents and staff are told about a case, for every service, without a BPMN step:
the submission with its number, each department's decision, the conclusion, by SMS and in
the message centre; escalations go to the task's holder and the supervisors, not the
applicant; the same news twice tells nobody twice; an SMS gateway that is down does not undo
the case step and leaves the SMS queued for retry."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.utils import timezone

from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.signals import PAYMENT_DUE, CaseNews, case_news, news_of
from onewindow.identity.models import Department, Role, Staff, StaffRole, User
from onewindow.notify import services
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.providers.base import SmsProviderError, SmsRequest, SmsResult
from onewindow.notify.services import sms_text
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import TIMER_BPMN, definition, publish
from onewindow.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"
SIGN = "【一网通办】"


def texts_to(phone: str) -> list[str]:
    return [sms_text(row) for row in SmsMessage.objects.order_by("pk") if row.phone == phone]


def inbox(user: Any) -> list[Message]:
    return list(Message.objects.filter(recipient=user).order_by("pk"))


def department_name(code: str) -> str:
    return Department.objects.get(code=code).name


def through_accept(staff: Any, resident: Any) -> Case:
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    return Case.objects.get(pk=case.pk)


def supervisor(department_code: str) -> User:
    """A department head: a role granting cases.supervise_cases in that department."""
    role, _ = Role.objects.get_or_create(code="test_supervisor", defaults={"name": "督办"})
    role.permissions.add(Permission.objects.get(codename="supervise_cases"))
    department = Department.objects.get(code=department_code)
    head: Any = StaffFactory(department=department)
    StaffRole.objects.create(staff=head, role=role, department=department)
    return head.user


def test_a_submitted_case_tells_the_applicant_its_number(parallel_service, resident, fake_sms):
    case = apply(resident.user, CODE)
    assert case.number
    (message,) = inbox(resident.user)
    assert message.kind == "submitted" and message.title == "申请已提交"
    assert message.body == (
        f"您申请的高校毕业生就业报到（测试）（办件编号{case.number}）已提交，我们将尽快审核办理。"
    )
    assert message.link == f"/cases/{case.number}/" and message.read_at is None
    (sms,) = SmsMessage.objects.all()
    assert sms_text(sms) == SIGN + message.body
    assert sms.status == SmsMessage.Status.DELIVERED
    assert [request.phone for _, request in fake_sms.sent] == [resident.phone]


def test_a_departments_rejection_tells_the_reason_and_the_conclusion(
    parallel_service, resident, staff, fake_sms
):
    case = through_accept(staff, resident)
    act(staff("gaj_approver"), case, "police", "reject", "户籍迁入条件不符")
    police = department_name("gz-gaj")
    rsj = department_name("gz-rsj")
    subject = f"您申请的高校毕业生就业报到（测试）（办件编号{case.number}）"
    assert [(m.kind, m.body) for m in inbox(resident.user)] == [
        ("submitted", f"{subject}已提交，我们将尽快审核办理。"),
        ("task_approved", f"{subject}已通过{rsj}审核。"),
        ("task_rejected", f"{subject}未通过{police}审核，理由：户籍迁入条件不符。"),
        ("concluded", f"{subject}已办结，结果为不予办理，理由：户籍迁入条件不符。"),
    ]
    assert texts_to(resident.phone)[-1] == (
        f"{SIGN}{subject}已办结，结果为不予办理，理由：户籍迁入条件不符。"
    )
    assert len(fake_sms.sent) == 4


def test_an_approved_case_tells_each_department_and_the_outcome(
    parallel_service, resident, staff, fake_sms
):
    case = through_accept(staff, resident)
    for element, holder in (("hr", "rsj_approver"), ("edu", "jyj_approver")):
        act(staff(holder), case, element)
    act(staff("gaj_approver"), case, "police")
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED
    messages = inbox(resident.user)
    assert [m.kind for m in messages] == ["submitted"] + ["task_approved"] * 4 + ["concluded"]
    assert messages[-1].title == "办件已办结（准予）"
    assert messages[-1].body.endswith("已办结，结果为准予办理。")
    told = "".join(m.body for m in messages)
    assert all(department_name(code) in told for code in ("gz-rsj", "gz-jyj", "gz-gaj"))
    assert len(texts_to(resident.phone)) == 6


def test_a_withdrawal_is_told_as_withdrawn(parallel_service, resident, fake_sms):
    case = apply(resident.user, CODE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        cases.case_withdraw(user=resident.user, case_id=case.pk)
    last = inbox(resident.user)[-1]
    assert (last.kind, last.title) == ("concluded", "申请已撤回")
    assert last.body.endswith(f"（办件编号{case.number}）已撤回。")


def test_a_company_case_tells_the_agent_who_applied(
    city, tmp_path: Path, resident, company_for, fake_sms
):
    publish(tmp_path, service=definition(code="company-test", kind="enterprise"))
    company = company_for(resident)
    case = apply(resident.user, "company-test", company=company)
    assert case.applicant_company_id == company.pk
    (message,) = inbox(resident.user)
    assert case.number in message.body
    assert [request.phone for _, request in fake_sms.sent] == [resident.phone]


def test_the_same_news_twice_tells_once(parallel_service, resident, fake_sms):
    case = apply(resident.user, CODE)
    row = case.events.get(kind="submitted")
    news = news_of(Case.objects.get(pk=case.pk), row)
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_news.send_robust(sender=CaseNews, news=news)
        case_news.send_robust(sender=CaseNews, news=news)
    assert len(inbox(resident.user)) == 1
    assert SmsMessage.objects.count() == 1 and len(fake_sms.sent) == 1


def test_a_fee_to_pay_tells_the_amount(parallel_service, resident, fake_sms):
    case = Case.objects.get(pk=apply(resident.user, CODE).pk)
    news = news_of(case, case.events.get(kind="submitted"))
    due = dataclasses.replace(
        news, kind=PAYMENT_DUE, event_id=None, message="待缴费", data={"amount": "15"}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_news.send_robust(sender=CaseNews, news=due)
    last = inbox(resident.user)[-1]
    assert (last.kind, last.title) == ("payment_due", "待缴费")
    assert f"（办件编号{case.number}）待缴费15.00元，请登录在线缴费。" in last.body


def test_an_escalation_tells_the_holders_and_the_supervisor_not_the_applicant(
    city, tmp_path: Path, resident, staff, fake_sms
):
    publish(tmp_path, service=definition(code="timer-test"), bpmn=TIMER_BPMN)
    head = supervisor("gz-rsj")
    elsewhere = supervisor("gz-gaj")
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday
    with time_machine.travel(start, tick=False):
        case = apply(resident.user, "timer-test")
    sent_before = len(fake_sms.sent)
    with (
        time_machine.travel(start + datetime.timedelta(days=2, minutes=1), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert cases.cases_sla_sweep()["advanced"] == 1
    escalate = CaseTask.objects.get(case=case, element_id="escalate")
    assert escalate.escalated
    for user in (staff("rsj_admin"), head):  # the role's holders (nobody holds it yet)
        (message,) = [m for m in inbox(user) if m.kind == "escalated"]
        assert message.title == "督办提醒"
        assert case.number in message.body and "已超过办理时限并督办" in message.body
        assert message.link.startswith("/workbench/")
    assert not [m for m in inbox(elsewhere) if m.kind == "escalated"]
    # the approval the timer interrupted is cancelled: its role's holders have nothing to do
    assert not [m for m in inbox(staff("rsj_approver")) if m.kind == "escalated"]
    assert [m.kind for m in inbox(resident.user)] == ["submitted"]
    assert len(fake_sms.sent) == sent_before  # staff have no phone on record: in-app only


def test_an_escalation_of_a_claimed_task_tells_its_holder_not_the_other_holders(
    parallel_service, resident, staff, fake_sms
):
    case = through_accept(staff, resident)
    holder = staff("rsj_approver")
    colleague: Any = StaffFactory(department=Staff.objects.get(user=holder).department)
    StaffRole.objects.create(
        staff=colleague, role=Role.objects.get(code="approver"), department=colleague.department
    )
    head = supervisor("gz-rsj")
    hr = case.tasks.get(element_id="hr")
    with TestCase.captureOnCommitCallbacks(execute=True):
        cases.task_claim(user=holder, task_id=hr.pk)
    row = CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        kind="escalated",
        task=hr,
        message="人社审核：办理时限已到，已督办。",
        public=False,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_news.send_robust(sender=CaseNews, news=news_of(Case.objects.get(pk=case.pk), row))
    (told,) = [m for m in inbox(holder) if m.kind == "escalated"]
    assert "“人社审核”" in told.body and told.link == f"/workbench/tasks/{hr.pk}/"
    assert [m.kind for m in inbox(head)] == ["escalated"]
    assert not inbox(colleague.user)
    assert "escalated" not in [m.kind for m in inbox(resident.user)]


def test_a_stuck_case_tells_the_supervisors_of_the_service_department(
    parallel_service, resident, staff, fake_sms
):
    case = apply(resident.user, CODE)
    head = supervisor("gz-rsj")
    row = CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        kind="stuck",
        message="办件流程停滞，等待督办人员处理：ConnectionError: 数据共享平台无响应",
        data={"error": "ConnectionError: 数据共享平台无响应", "department": "gz-rsj"},
        public=False,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_news.send_robust(sender=CaseNews, news=news_of(Case.objects.get(pk=case.pk), row))
    (told,) = inbox(head)
    assert (told.kind, told.title) == ("stuck", "办件无法继续办理")
    assert told.body == (
        f"办件{case.number}（高校毕业生就业报到（测试））无法继续办理："
        "ConnectionError: 数据共享平台无响应。请尽快处理。"
    )
    assert told.link == f"/workbench/cases/{case.number}/"
    assert [m.kind for m in inbox(resident.user)] == ["submitted"]
    assert not inbox(staff("rsj_clerk"))


def test_the_case_step_survives_an_sms_gateway_that_is_down(
    parallel_service, resident, monkeypatch, fake_sms
):
    class Down:
        name = "fake"

        def send(self, request: SmsRequest) -> SmsResult:
            raise SmsProviderError("gateway unreachable")

    # The worker's first attempt meets the gateway down (Celery would retry it later).
    monkeypatch.setattr(
        services,
        "_enqueue",
        lambda message_id, countdown=None: services.sms_deliver(
            message_id=message_id, provider=Down()
        ),
    )
    case = apply(resident.user, CODE)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    assert [m.kind for m in inbox(resident.user)] == ["submitted"]
    (sms,) = SmsMessage.objects.all()
    assert sms.status == SmsMessage.Status.QUEUED and sms.attempts == 1
    assert "unreachable" in sms.last_error
    monkeypatch.undo()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)):
        assert services.sms_retry_pending() == 1  # the retry job picks it up
    sms.refresh_from_db()
    assert sms.status == SmsMessage.Status.DELIVERED and sms.attempts == 2


def test_a_failing_notification_does_not_reach_the_case_step(
    parallel_service, resident, monkeypatch, caplog
):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("message store unavailable")

    monkeypatch.setattr("onewindow.cases.notifications.case_news_notify", broken)
    with caplog.at_level(logging.ERROR, logger="onewindow.cases.notifications"):
        case = apply(resident.user, CODE)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    assert not Message.objects.exists()
    assert "could not tell about case" in caplog.text


def test_a_rejection_elsewhere_tells_the_holder_of_the_cancelled_check(
    parallel_service, resident, staff, fake_sms
):
    case = through_accept(staff, resident)
    holder = staff("jyj_approver")
    cases.task_claim(user=holder, task_id=case.tasks.get(element_id="edu").pk)
    act(staff("gaj_approver"), case, "police", "reject", "户籍迁入条件不符")
    (message,) = inbox(holder)
    assert (message.kind, message.title) == ("task_cancelled", "任务已取消")
    edu = case.tasks.get(element_id="edu")
    assert message.body == (
        f"办件{case.number}（高校毕业生就业报到（测试））的“{edu.name}”已取消，"
        "无需再办理：户籍迁入条件不符。"
    )
    # hr's check was not claimed: the holders of its role are told.
    assert inbox(staff("rsj_approver"))[-1].kind == "task_cancelled"
    assert all(m.kind != "task_cancelled" for m in inbox(resident.user))
