"""A concluded case is registered with ratings in the transaction that concludes it: who
handled it (the last task's holder, or whoever ended it); a withdrawn case is not rated."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.services.ratable import case_rating_expect
from onewindow.ratings.models import Subject
from onewindow.testing.applying import act, apply

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


def test_a_rejection_is_rated_too_and_names_who_rejected(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    act(staff("gaj_approver"), case, "police", decision="reject", comment="户籍材料不符")
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    subject = Subject.objects.get(kind="case", ref=str(case.pk))
    assert subject.handled_by == staff("gaj_approver")
    assert subject.concluded_at == case.concluded_at
    assert subject.service_code == CODE and subject.person == resident


def test_whoever_ended_it_handled_it_when_no_task_did(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    supervisor = staff("rsj_approver")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REJECTED, concluded_at=timezone.now())
    case.refresh_from_db()
    with transaction.atomic():
        case_rating_expect(case, now=timezone.now(), handled_by_id=supervisor.pk)
    assert Subject.objects.get().handled_by == supervisor


def test_a_withdrawn_case_is_not_rated(parallel_service, resident, staff):
    case = apply(resident.user, CODE)
    services.case_withdraw(user=resident.user, case_id=case.pk)
    case.refresh_from_db()
    with transaction.atomic():
        case_rating_expect(case, now=timezone.now())
    assert not Subject.objects.exists()
