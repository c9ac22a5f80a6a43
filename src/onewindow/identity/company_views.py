"""我的企业: the companies a resident acts for, authorisations waiting for them, and — for a
company's legal representative — its agents (法定代表人授权经办人: grant, revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.audit.services import Actor
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import apply_errors
from onewindow.identity import selectors, services
from onewindow.identity.forms import AgentGrantForm
from onewindow.identity.models import Person


def _person(request: HttpRequest) -> Person:
    person = selectors.person_for_user(request.user)
    if person is None:
        raise Http404
    return person


@access(RESIDENT)
@never_cache
def my_companies_view(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    return render(
        request,
        "identity/my_companies.html",
        {
            "roles": selectors.company_roles_for_person(person=person),
            "pending": selectors.agent_grants_pending_for(person=person),
        },
    )


@access(RESIDENT)
@never_cache
@require_http_methods(["GET", "POST"])
def my_company_view(request: HttpRequest, uscc: str) -> HttpResponse:
    """A company's agents, for its legal representative: authorise one, revoke one."""
    person = _person(request)
    company = selectors.company_represented_by(person=person, uscc=uscc)
    if company is None:
        raise Http404
    form = AgentGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.company_agent_grant(
                    actor=Actor.from_request(request),
                    representative=person,
                    company=company,
                    agent_name=form.cleaned_data["agent_name"],
                    agent_id_number=form.cleaned_data["agent_id_number"],
                    valid_until=form.cleaned_data["valid_until"],
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已发出授权，经办人确认后即可代表企业办理业务。"))
                return redirect("identity:my_company", uscc=company.uscc)
        else:
            status = 400
    return render(
        request,
        "identity/my_company.html",
        {
            "company": company,
            "grants": selectors.agent_grants_of_company(company=company),
            "form": form,
        },
        status=status,
    )


@access(RESIDENT)
@require_POST
def agent_grant_answer_view(request: HttpRequest, grant_id: int, answer: str) -> HttpResponse:
    """The agent accepts or declines an authorisation."""
    person = _person(request)
    act = {
        "accept": services.company_agent_accept,
        "decline": services.company_agent_decline,
    }.get(answer)
    if act is None:
        raise Http404
    try:
        act(actor=Actor.from_request(request), agent=person, grant_id=grant_id)
    except NotFound as exc:  # another person's grant: answered like one that does not exist
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("您已成为该企业的经办人。") if answer == "accept" else _("您已拒绝该授权。"),
        )
    return redirect("identity:my_companies")


@access(RESIDENT)
@require_POST
def agent_grant_revoke_view(request: HttpRequest, uscc: str, grant_id: int) -> HttpResponse:
    person = _person(request)
    company = selectors.company_represented_by(person=person, uscc=uscc)
    if company is None:
        raise Http404
    try:
        services.company_agent_revoke(
            actor=Actor.from_request(request), representative=person, grant_id=grant_id
        )
    except NotFound as exc:  # a grant of another company
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤销授权，该经办人不能再代表企业办理业务。"))
    return redirect("identity:my_company", uscc=company.uscc)
