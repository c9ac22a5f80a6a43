"""The operators' page for Open311 keys: issue (shown once) and revoke."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render

from onewindow.core.access import OPERATOR, access
from onewindow.core.errors import ApplicationError
from onewindow.identity.selectors import department_get
from onewindow.interaction.models import Open311Key
from onewindow.interaction.open311.keys import open311_key_issue, open311_key_revoke

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(OPERATOR)
def key_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plain = ""
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                open311_key_revoke(user=request.user, key_id=int(request.POST["revoke"]))
            else:
                code = request.POST.get("department", "")
                department = department_get(code=code) if code else None
                _key, plain = open311_key_issue(
                    user=request.user,
                    name=request.POST.get("name", ""),
                    department_id=department.pk if department else None,
                )
        except (ApplicationError, ValueError, Open311Key.DoesNotExist) as exc:
            error = str(getattr(exc, "message", "")) or str(exc)
    keys = Open311Key.objects.select_related("department")
    return render(
        request,
        "interaction/open311/keys.html",
        {"keys": keys, "plain": plain, "error": error},
    )
