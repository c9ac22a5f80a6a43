"""A concluded case becomes ratable (好差评, 一事一评): registered with ratings inside the
transaction that concludes it, with the snapshot the ratings' statistics need — the
service, its department and who handled the case last."""

from __future__ import annotations

import datetime

from django.urls import reverse

from onewindow.cases.models import Case, CaseTask
from onewindow.ratings.services import subject_expect

RATABLE = frozenset({Case.Status.APPROVED, Case.Status.REJECTED})


def case_rating_expect(
    case: Case, *, now: datetime.datetime, handled_by_id: int | None = None
) -> None:
    """Register the concluded case with ratings (part of the concluding use case; its audit
    row records the conclusion). ``handled_by_id``: who concluded it, when it was not a
    task's holder (a supervisor ending a stuck case); otherwise whoever completed its last
    task. A withdrawn case is not rated."""
    if case.status not in RATABLE or not case.number:
        return
    if handled_by_id is None:
        handled_by_id = (
            CaseTask.objects.filter(case=case, status=CaseTask.Status.COMPLETED)
            .order_by("-completed_at", "-pk")
            .values_list("completed_by_id", flat=True)
            .first()
        )
    service = case.service_version.service
    subject_expect(
        kind="case",
        ref=case.pk,
        number=case.number,
        title=service.name,
        channel="online",
        service_code=service.code,
        service_name=service.name,
        department_id=service.department_id,
        handled_by_id=handled_by_id,
        rater_id=case.created_by_id,
        person_id=case.applicant_person_id or case.agent_id,
        link=reverse("cases:case_detail", kwargs={"number": case.number}),
        concluded_at=case.concluded_at or now,
    )
