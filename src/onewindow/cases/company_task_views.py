"""企业待办: a company's legal representative or agent answers the tasks its part in another
person's case needs (the graduate's employer confirms it takes the graduate on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from onewindow.audit.services import Actor
from onewindow.cases.company_task_selectors import company_task_for_user, company_tasks_for_user
from onewindow.cases.forms import build_fields, masked_answers
from onewindow.cases.services.company_tasks import company_task_complete
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(RESIDENT)
@never_cache
def company_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/company_tasks.html",
        {"tasks": list(company_tasks_for_user(user=request.user))},
    )


@access(RESIDENT)
@never_cache
@require_http_methods(["GET", "POST"])
def company_task(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    task = company_task_for_user(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    error, field, status = "", "", 200
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            company_task_complete(
                user=request.user,
                task_id=task.pk,
                decision=decision,
                comment=request.POST.get("comment", ""),
                actor=Actor.from_request(request),
            )
        except ApplicationError as exc:
            error, field, status = str(exc.message), exc.field or "", exc.status
        else:
            messages.success(request, _("已提交企业意见。"))
            return redirect("cases:company_tasks")
    case = task.case
    fields = build_fields(case.service_version.form_schema or {}, case.form_data or {})
    return render(
        request,
        "cases/company_task.html",
        {
            "task": task,
            "case": case,
            "answers": masked_answers(fields),
            "error": error,
            "error_field": field,
            "posted": request.POST,
        },
        status=status,
    )
