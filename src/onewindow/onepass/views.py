"""Resident pages: 我的图书馆 (bind or open a card, loans, renew, reserve) and 志愿服务
(register, activities near you, join, hours, the certificate of hours)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.audit.services import Actor
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.core.regions import region_name
from onewindow.onepass import selectors, services
from onewindow.onepass.forms import BindCardForm, HoldForm

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user, ip=request.META.get("REMOTE_ADDR", ""))


def _library_page(
    request: AuthenticatedHttpRequest,
    *,
    bind_form: BindCardForm | None = None,
    hold_form: HoldForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    card = selectors.library_card_for(user=request.user)
    if (
        card is not None
        and request.method == "GET"
        and selectors.library_card_stale(card=card, now=timezone.now())
    ):
        services.library_card_sync(card_id=card.pk)
        card = selectors.library_card_for(user=request.user)
    context: dict[str, Any] = {
        "card": card,
        "bind_form": bind_form or BindCardForm(),
        "hold_form": hold_form or HoldForm(),
        "error": error,
        "today": timezone.localdate(),
    }
    if card is not None:
        context |= {
            "loans": selectors.loans_of(card=card),
            "holds": selectors.holds_of(card=card),
            "unavailable": selectors.library_unavailable(card),
        }
    return render(request, "onepass/library.html", context, status=status)


@access(RESIDENT)
def library(request: HttpRequest) -> HttpResponse:
    return _library_page(cast("AuthenticatedHttpRequest", request))


@access(RESIDENT)
@require_POST
def card_bind(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    form = BindCardForm(request.POST)
    if form.is_valid():
        try:
            services.library_card_bind(
                user=req.user,
                patron_id=form.cleaned_data["patron_id"],
                password=form.cleaned_data["password"],
                actor=_actor(request),
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("读者证已绑定。"))
            return redirect("onepass:library")
    return _library_page(req, bind_form=form, status=422)


@access(RESIDENT)
@require_POST
def card_open(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    try:
        card = services.library_card_open(user=req.user, actor=_actor(request))
    except ApplicationError as exc:
        return _library_page(req, error=str(exc.message), status=422)
    messages.success(
        request,
        _("读者证已开通，证号 %(patron)s，可凭身份证到馆借书。") % {"patron": card.patron_id},
    )
    return redirect("onepass:library")


@access(RESIDENT)
@require_POST
def loan_renew(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    try:
        loan = services.loan_renew(
            user=req.user, item_id=request.POST.get("item_id", ""), actor=_actor(request)
        )
    except ApplicationError as exc:
        return _library_page(req, error=str(exc.message), status=422)
    messages.success(
        request,
        _("《%(title)s》已续借，新的应还日期为 %(due)s。")
        % {"title": loan.title, "due": loan.due_on.isoformat()},
    )
    return redirect("onepass:library")


@access(RESIDENT)
@require_POST
def hold_place(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            hold = services.hold_place(
                user=req.user, item_id=form.cleaned_data["item_id"], actor=_actor(request)
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已预约《%(title)s》。") % {"title": hold.title})
            return redirect("onepass:library")
    return _library_page(req, hold_form=form, status=422)


# --- volunteering ------------------------------------------------------------------------


def _volunteer_page(
    request: AuthenticatedHttpRequest, *, error: str = "", status: int = 200
) -> HttpResponse:
    volunteer = selectors.volunteer_for(user=request.user)
    if (
        volunteer is not None
        and request.method == "GET"
        and selectors.volunteer_stale(volunteer=volunteer, now=timezone.now())
    ):
        services.volunteer_hours_sync(volunteer_pk=volunteer.pk)
        volunteer = selectors.volunteer_for(user=request.user)
    near = selectors.activities_near(user=request.user, today=timezone.localdate())
    context: dict[str, Any] = {
        "volunteer": volunteer,
        "near": near,
        "district": region_name(near.region_code, "广州市"),
        "error": error,
    }
    if volunteer is not None:
        signups = selectors.signups_of(volunteer=volunteer)
        context |= {
            "signups": signups,
            "joined_ids": {s.activity_id for s in signups},
            "hours": selectors.service_hours_of(volunteer=volunteer),
            "hours_unavailable": selectors.volunteer_unavailable(volunteer),
        }
    return render(request, "onepass/volunteer.html", context, status=status)


@access(RESIDENT)
def volunteer(request: HttpRequest) -> HttpResponse:
    return _volunteer_page(cast("AuthenticatedHttpRequest", request))


@access(RESIDENT)
@require_POST
def volunteer_register(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    try:
        services.volunteer_register(user=req.user, actor=_actor(request))
    except ApplicationError as exc:
        return _volunteer_page(req, error=str(exc.message), status=422)
    messages.success(request, _("您已登记为志愿者。"))
    return redirect("onepass:volunteer")


@access(RESIDENT)
@require_POST
def activity_join(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    try:
        signup = services.activity_join(
            user=req.user, activity_id=request.POST.get("activity_id", ""), actor=_actor(request)
        )
    except ApplicationError as exc:
        return _volunteer_page(req, error=str(exc.message), status=422)
    messages.success(request, _("已报名“%(title)s”。") % {"title": signup.title})
    return redirect("onepass:volunteer")


@access(RESIDENT)
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    req = cast("AuthenticatedHttpRequest", request)
    try:
        certificate = services.hours_certificate_issue(user=req.user, actor=_actor(request))
    except ApplicationError as exc:
        return _volunteer_page(req, error=str(exc.message), status=422)
    messages.success(
        request,
        _("志愿服务时长证明已放入“我的证照”，证照编号 %(number)s。")
        % {"number": certificate.licence_number},
    )
    return redirect("onepass:volunteer")
