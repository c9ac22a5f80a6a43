"""The resident's step from an approved case to the next service of its chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from onewindow.audit.services import Actor
from onewindow.cases.services import CaseNotFound
from onewindow.cases.services.chain import case_next_start
from onewindow.core.access import RESIDENT, access

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(RESIDENT)
@require_POST
def case_next(request: AuthenticatedHttpRequest, number: str, code: str) -> HttpResponse:
    try:
        draft = case_next_start(
            user=request.user, number=number, service_code=code, actor=Actor.from_request(request)
        )
    except CaseNotFound as exc:
        raise Http404 from exc
    return redirect("cases:draft_form", case_id=draft.pk)
