"""Reads for 企业待办: the tasks held by the companies a resident may act for today."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from onewindow.cases.models import CaseTask

if TYPE_CHECKING:
    from onewindow.identity.models import User


def _company_ids(user: User) -> set[int]:
    from onewindow.identity.selectors import company_ids_for_person, person_for_user

    person = person_for_user(user)
    return company_ids_for_person(person_id=person.pk) if person is not None else set()


def company_tasks_for_user(*, user: User) -> QuerySet[CaseTask]:
    """Open tasks of the companies the user acts for (legal representative, or an agent in
    force), oldest first."""
    return (
        CaseTask.objects.filter(company_id__in=_company_ids(user), status=CaseTask.Status.OPEN)
        .select_related("company", "case__service_version__service", "case__applicant_person")
        .order_by("created_at", "pk")
    )


def company_task_for_user(*, user: User, task_id: int) -> CaseTask | None:
    """One task of a company the user acts for (open or already answered)."""
    return (
        CaseTask.objects.filter(pk=task_id, company_id__in=_company_ids(user))
        .select_related("company", "case__service_version__service", "case__applicant_person")
        .first()
    )
