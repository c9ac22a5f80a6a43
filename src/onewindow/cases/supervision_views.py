"""The supervision overview (督办总览) of a department head: the departments they supervise
and those below, with the tasks that are overdue or were escalated by a timer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render

from onewindow.cases.selectors import supervision_overview
from onewindow.core.access import STAFF, access

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(STAFF, perm="cases.supervise_cases")
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/supervision.html",
        {"overview": supervision_overview(user=request.user)},
    )
