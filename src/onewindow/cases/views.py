from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.cases.selectors import inbox_for, workbench_header_for
from onewindow.core.access import STAFF, access


@access(STAFF)
def workbench(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/workbench.html",
        {
            "header": workbench_header_for(user=request.user),
            "tasks": inbox_for(user=request.user),
        },
    )
