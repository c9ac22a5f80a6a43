"""停滞办件: the stuck cases of the departments a supervisor (``cases.supervise_cases``)
oversees, with what went wrong, and the two ways out: run the step again (on the case's
version, or on the service's newer version) or conclude the case with a reason. A case
outside the supervisor's departments answers 404 (the refusal is audited by the service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

ACTIONS = ("retry", "retry_current", "conclude")


@access(STAFF, perm="cases.supervise_cases")
def stuck_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    action = request.POST.get("action", "")
    number = request.POST.get("case", "").strip()[:32]
    if action not in ACTIONS or not number:
        return _page(request, error=_("请选择办件和处理方式。"), status=400)
    actor = Actor.from_request(request)
    try:
        if action == "conclude":
            services.case_stuck_conclude(
                user=request.user,
                number=number,
                reason=request.POST.get("reason", "")[:500],
                actor=actor,
            )
            messages.success(request, _("办件 %(number)s 已办结。") % {"number": number})
        else:
            services.case_stuck_retry(
                user=request.user,
                number=number,
                current_version=action == "retry_current",
                actor=actor,
            )
            messages.success(request, _("办件 %(number)s 已重新排队执行。") % {"number": number})
    except services.CaseNotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return _page(request, error=str(exc.message), failed=number, status=exc.status)
    return redirect("cases:stuck_cases")


def _page(
    request: AuthenticatedHttpRequest, *, error: str = "", failed: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cases/stuck_cases.html",
        {
            "cases": services.stuck_cases_for(user=request.user),
            "error": error,
            "failed": failed,
            "reason": request.POST.get("reason", "") if failed else "",
        },
        status=status,
    )
