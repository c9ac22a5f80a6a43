"""Short Chinese strings that mean different things in different places carry a context, so
English reads right in each: 同意 is "Approve" on the staff member's button and "Approved"
in a step's history; 不予许可 "Refuse" as an action and "Refused" as a branch's state;
办理中 is a case "In progress" but a task "Claimed"; 待认领 "Unclaimed" as a task's state
and "To claim" as an inbox filter; 待缴费 "Awaiting payment" for an order, "Fees to pay" as
a heading; 未到场 "No-show" for a booking, "Mark no-show" on the desk's button."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.appointments.models import Booking
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import Branch
from onewindow.payments.models import PaymentOrder
from onewindow.testing.applying import apply

pytestmark = pytest.mark.django_db


def test_labels_in_english_by_context() -> None:
    with translation.override("en"):
        assert str(CaseTask.Decision.APPROVE.label) == "Approved"
        assert str(CaseTask.Decision.SUPPLEMENT.label) == "Returned for supplements"
        assert str(Case.Status.IN_PROGRESS.label) == "In progress"
        assert str(CaseTask.Status.CLAIMED.label) == "Claimed"
        assert str(CaseTask.Status.OPEN.label) == "Unclaimed"
        assert str(PaymentOrder.Status.CREATED.label) == "Awaiting payment"
        assert str(Booking.Status.NO_SHOW.label) == "No-show"
        assert translation.pgettext("action button", "未到场") == "Mark no-show"
        assert translation.pgettext("heading", "待缴费") == "Fees to pay"
        branches = [Branch(department="Tax", steps=[], status="rejected")]
        html = render_to_string("cases/partials/branches.html", {"branches": branches})
        assert "Refused" in html and "Refuse<" not in html
    with translation.override("zh-hans"):
        assert str(CaseTask.Decision.APPROVE.label) == "同意"
        assert str(CaseTask.Status.CLAIMED.label) == "办理中"


def _staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    client.cookies["django_language"] = "en"
    return client


def test_the_staff_pages_in_english_use_the_action_and_filter_forms(
    parallel_service, resident, staff
):
    case = apply(resident.user, "grad-employment-test")
    task = case.tasks.get(element_id="accept")
    client = _staff_client(staff("rsj_clerk"))
    page = client.get(f"/workbench/tasks/{task.pk}/").content.decode()
    for button in (">Approve<", ">Refuse<", ">Request supplementary materials<"):
        assert button in page
    inbox = client.get("/workbench/").content.decode()
    assert ">To claim<" in inbox  # the filter
    assert "Unclaimed" in inbox  # the task's state
