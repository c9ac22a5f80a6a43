"""Pages about the persons named on an application besides the applicant: the requests a
resident is asked to confirm (待我确认的授权) and their answer, and the applicant's SMS-code
path (a code to the phone on the party's real-name record, entered by the applicant). Also
what the application form locks: the applicant's own questions (from the real-name record)
and, after submission, the citizen IDs of the persons named."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.cases import party_selectors, selectors
from onewindow.cases.forms import FormField
from onewindow.cases.models import Case, CaseParty
from onewindow.cases.services import parties
from onewindow.cases.services.persons import REQUIRED_KINDS, applicant_of, bound_fields
from onewindow.catalog.persons import applicant_fields, party_specs
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


def lock_fields(case: Case, fields: list[FormField], *, submitted: bool = False) -> None:
    """Mark the questions the resident cannot change: the applicant's own (shown with the
    real-name record's value) and, once submitted, the citizen ID of each person named."""
    schema = case.service_version.form_schema or {}
    bound = bound_fields(schema, applicant_of(case))
    unfilled = {
        name
        for kind, name in applicant_fields(schema).items()
        if kind in REQUIRED_KINDS and name not in bound
    }
    named = {spec.id_field for spec in party_specs(case.service_version.definition)}
    for item in fields:
        if item.name in bound:
            item.value = bound[item.name]
            item.locked = _("来自您的实名登记信息，不能修改。")
        elif item.name in unfilled:
            item.value = ""
            item.locked = _("由实名登记信息自动填入，请先完成实名认证。")
        elif submitted and item.name in named:
            item.locked = _("提交后不能修改；如填写有误，请撤回后重新申请。")


@access(RESIDENT)
def consent_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(party_selectors.consent_requests_for(user=request.user))
    return render(
        request,
        "cases/consent_list.html",
        {"requests": [(row, party_selectors.requester_name(row)) for row in rows]},
    )


@access(RESIDENT)
def consent_detail(request: AuthenticatedHttpRequest, party_id: int) -> HttpResponse:
    party = party_selectors.consent_request_for(user=request.user, party_id=party_id)
    if party is None:
        raise Http404
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in {"agree", "decline"}:
            error = _("请选择同意或不同意。")
        else:
            try:
                parties.party_consent_decide(
                    user=request.user,
                    party_id=party.pk,
                    agree=answer == "agree",
                    note=request.POST.get("note", ""),
                    actor=Actor.from_request(request),
                )
                messages.success(
                    request,
                    _("您已同意，办件将继续办理。")
                    if answer == "agree"
                    else _("您已拒绝，该申请不会查询您的信息。"),
                )
                return redirect("cases:consent_detail", party_id=party.pk)
            except ApplicationError as exc:
                error = str(exc.message)
        party.refresh_from_db()
    case = party.case
    return render(
        request,
        "cases/consent_detail.html",
        {
            "party": party,
            "case": case,
            "service": case.service_version.service,
            "requester": party_selectors.requester_name(party),
            "records": _records(party),
            "is_open": party.consent == CaseParty.Consent.PENDING
            and case.status == Case.Status.CONSENT,
            "joint": party_selectors.joint_case_for(user=request.user, number=case.number or "")
            is not None,
            "error": error,
        },
        status=400 if error else 200,
    )


@access(RESIDENT)
def joint_case(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The case as a joint applicant sees it (the other party of a marriage, once they
    agreed): its progress, the appointment, the outcome and their own licence from it."""
    party = party_selectors.joint_case_for(user=request.user, number=number)
    if party is None:
        raise Http404
    from onewindow.licences.selectors import licences_for_user

    case = party.case
    return render(
        request,
        "cases/joint_case.html",
        {
            "party": party,
            "case": case,
            "service": case.service_version.service,
            "requester": party_selectors.requester_name(party),
            "timeline": selectors.case_timeline(case, public_only=True),
            "licences": list(licences_for_user(user=request.user).filter(case=case)),
        },
    )


def _records(party: CaseParty) -> list[tuple[str, str]]:
    """(resource, providing department) of each look-up the party is asked about."""
    from onewindow.catalog.packages.vocabulary import vocabulary_load
    from onewindow.identity.selectors import department_list

    vocabulary = vocabulary_load()
    names = {d.code: d.name for d in department_list()}
    out = []
    for code in party.lookups:
        entry = vocabulary.exchange_resources.get(code) or {}
        department = str(entry.get("department") or "")
        out.append(
            (vocabulary.label("exchange_resources", code), names.get(department, department))
        )
    return out


def _own_party(
    request: AuthenticatedHttpRequest, number: str, party_id: int
) -> tuple[Case, CaseParty]:
    case = selectors.case_for_user(user=request.user, number=number)
    party = case.parties.filter(pk=party_id).first() if case is not None else None
    if case is None or party is None:
        raise Http404
    return case, party


@access(RESIDENT)
def party_code_send(request: AuthenticatedHttpRequest, number: str, party_id: int) -> HttpResponse:
    case, party = _own_party(request, number, party_id)
    if request.method == "POST":
        try:
            parties.party_consent_code_send(
                user=request.user,
                case_id=case.pk,
                party_id=party.pk,
                actor=Actor.from_request(request),
            )
            messages.success(request, _("验证码已发送，请对方把收到的验证码告诉您。"))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
    return redirect(f"{_case_url(case)}#party-{party.pk}")


@access(RESIDENT)
def party_code_confirm(
    request: AuthenticatedHttpRequest, number: str, party_id: int
) -> HttpResponse:
    case, party = _own_party(request, number, party_id)
    if request.method == "POST":
        try:
            parties.party_consent_code_verify(
                user=request.user,
                case_id=case.pk,
                party_id=party.pk,
                code=request.POST.get("code", ""),
                actor=Actor.from_request(request),
            )
            messages.success(request, _("%(who)s已同意。") % {"who": party.label})
        except ApplicationError as exc:
            request.session[f"party-code-error-{party.pk}"] = str(exc.message)
    return redirect(f"{_case_url(case)}#party-{party.pk}")


def _case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:case_detail", kwargs={"number": case.number})


def code_error(request: Any, party: CaseParty) -> str:
    """The SMS code's error for the applicant's page, shown once at the code field."""
    session = getattr(request, "session", None)
    return str(session.pop(f"party-code-error-{party.pk}", "")) if session is not None else ""
