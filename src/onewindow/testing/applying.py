"""Short-cuts the case tests share: apply through the case services as the pages do, and act
on a case's tasks as its staff would."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.testing.cases import ANSWERS, PDF

if TYPE_CHECKING:
    from onewindow.identity.models import User


def draft(
    user: User, code: str, *, answers: dict[str, Any] | None = None, company: Any = None
) -> Case:
    case = services.case_draft_start(
        user=user, service_code=code, company_uscc=company.uscc if company else None
    )
    errors = services.case_draft_save_form(
        user=user, case_id=case.pk, data=dict(ANSWERS if answers is None else answers)
    )
    assert not errors, errors
    services.case_material_attach(
        user=user, case_id=case.pk, code="diploma", upload=io.BytesIO(PDF), filename="毕业证.pdf"
    )
    return Case.objects.get(pk=case.pk)


def submit(user: User, case: Case) -> Case:
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_submit(user=user, case_id=case.pk, token=case.submit_token)


def apply(user: User, code: str, **kwargs: Any) -> Case:
    return submit(user, draft(user, code, **kwargs))


def act(user: User, case: Case, element: str, decision: str = "approve", comment: str = "") -> Any:
    task = case.tasks.get(element_id=element, status__in=["open", "claimed"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.task_complete(
            user=user, task_id=task.pk, decision=decision, comment=comment
        )
