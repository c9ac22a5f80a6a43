"""The next step of a chain: a resident whose case is approved starts the service its package
names next (``next:``, ``catalog.packages.repeat``), the case's answers carried over."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services._common import CaseNotFound
from onewindow.cases.services.submission import case_draft_start
from onewindow.catalog.packages.repeat import carried_answers, next_steps
from onewindow.catalog.selectors import services_online_by_code

if TYPE_CHECKING:
    from onewindow.catalog.models import Service

if TYPE_CHECKING:
    from onewindow.identity.models import User


def case_next_start(
    *, user: User, number: str, service_code: str, actor: Actor | None = None
) -> Case:
    """The draft of ``service_code`` following the resident's approved case ``number``;
    refused as not found for a case that is not theirs, not approved, or whose package does
    not name that service next. The draft is started by :func:`case_draft_start`, the use
    case (its transaction, its audit row)."""
    source = (
        Case.objects.filter(created_by_id=user.pk, number=number, status=Case.Status.APPROVED)
        .select_related("service_version")
        .first()
    )
    if source is None:
        raise CaseNotFound()
    step = next(
        (s for s in next_steps(source.service_version.definition) if s["service"] == service_code),
        None,
    )
    if step is None:
        raise CaseNotFound()
    return case_draft_start(
        user=user,
        service_code=service_code,
        actor=actor,
        answers=carried_answers(step, source.form_data or {}),
        carried_from=number,
    )


def next_services(*, codes: list[str]) -> dict[str, Service]:
    """The services among ``codes`` that are online now, by code."""
    return services_online_by_code(codes=codes)
