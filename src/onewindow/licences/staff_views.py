"""Staff pages: find a licence their department issued and revoke it (with a reason and a
confirmation step). Licences of other departments answer 404, as if they did not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.audit.services import Actor
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.licences import services, staff_selectors
from onewindow.licences.forms import LicenceSearchForm, RevokeForm
from onewindow.licences.models import Licence
from onewindow.licences.staff_selectors import REVOKE_PERMISSION
from onewindow.licences.verification import licence_particulars

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

RECENT = 20


@access(STAFF, perm=REVOKE_PERMISSION)
@require_http_methods(["GET", "POST"])
def staff_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Searching is a POST, so a citizen ID typed in never lands in a URL (history, access
    logs, referrers); after a search by ID the field is emptied and the ID shown masked."""
    form = LicenceSearchForm(request.POST if request.method == "POST" else None)
    found = None
    if form.is_bound and form.is_valid():
        try:
            found = staff_selectors.licence_search(user=request.user, query=form.cleaned_data["q"])
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            if found.by == "person":
                form = LicenceSearchForm()
            if found.person is not None:
                services.licence_holder_lookup_record(
                    actor=Actor.from_request(request),
                    person=found.person,
                    found=len(found.licences),
                )
    recent = [] if found else list(staff_selectors.revocable_licences(request.user)[:RECENT])
    return render(
        request,
        "licences/staff_search.html",
        {"form": form, "found": found, "recent": recent},
        status=400 if form.is_bound and form.errors else 200,
    )


def _licence(request: AuthenticatedHttpRequest, number: str) -> Licence:
    licence = staff_selectors.licence_for_staff(user=request.user, number=number)
    if licence is None:
        raise Http404
    return licence


@access(STAFF, perm=REVOKE_PERMISSION)
@require_http_methods(["GET", "POST"])
def staff_licence(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """GET: the licence. POST ``step=review``: check the reason and ask to confirm; POST
    ``step=confirm``: revoke (the status list bit is set; verifiers see 已撤销)."""
    licence = _licence(request, number)
    form = RevokeForm(request.POST or None)
    confirming = False
    if request.method == "POST" and licence.status == Licence.Status.VALID and form.is_valid():
        if request.POST.get("step") != "confirm":
            confirming = True
        else:
            try:
                services.licence_revoke_by_staff(
                    user=request.user,
                    licence_id=licence.pk,
                    reason=form.cleaned_data["reason"],
                    actor=Actor.from_request(request),
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("证照已撤销，验证时将显示“已撤销”。"))
                return redirect("licences:staff_licence", number=licence.number)
    return render(
        request,
        "licences/staff_licence.html",
        {
            "licence": licence,
            "form": form,
            "confirming": confirming,
            "particulars": licence_particulars(licence),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
