"""Login, logout, the resident profile and the staff view of a person's record."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from onewindow.audit.services import Actor, client_ip
from onewindow.core.access import PUBLIC, RESIDENT, STAFF, access, forbidden
from onewindow.core.errors import ApplicationError, PermissionDenied, RateLimited
from onewindow.core.forms import apply_errors
from onewindow.core.masking import mask_phone
from onewindow.identity import selectors, services
from onewindow.identity.forms import (
    InPersonForm,
    PersonRegisterForm,
    RealNameForm,
    RevealForm,
    SmsLoginForm,
    StaffLoginForm,
)
from onewindow.identity.models import AssuranceLevel, User
from onewindow.identity.services.enrolment import EnrolmentPending
from onewindow.identity.services.login import human_wait, sms_login_resend_wait
from onewindow.identity.staff_views import start_enrolment

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _first_url(names: list[str], fallback: str) -> str:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return fallback


def resident_home_url() -> str:
    return _first_url([settings.LOGIN_REDIRECT_URL, "portal:home"], "/")


def staff_home_url() -> str:
    return _first_url(["cases:workbench", "cases:inbox"], "/")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@access(PUBLIC)
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Resident login: phone → 获取验证码 → 6-digit code → logged in."""
    next_url = _safe_next(request, resident_home_url())
    if request.user.is_authenticated and getattr(request.user, "kind", "") == "resident":
        return redirect(next_url)
    sent_to = ""
    status = 200
    resend_wait = 0  # seconds until 重新获取验证码 may be used again
    too_early = False
    form = SmsLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone, code = form.cleaned_data["phone"], form.cleaned_data["code"]
        try:
            if request.POST.get("action") == "send":
                resend_wait = sms_login_resend_wait(phone=phone)
                if resend_wait:  # asked again too early: the code already sent still works
                    too_early = True
                    status = 429
                else:
                    services.sms_login_code_request(phone=phone, ip=client_ip(request))
                    resend_wait = sms_login_resend_wait(phone=phone)
                    sent_to = mask_phone(phone.strip())
            else:
                user, _created = services.sms_login_verify(
                    phone=phone, code=code, ip=client_ip(request)
                )
                login(request, user, backend=MODEL_BACKEND)
                return redirect(next_url)
        except ApplicationError as exc:
            apply_errors(form, exc)
            status = 429 if isinstance(exc, RateLimited) else 400
    elif request.method == "POST":
        status = 400
    if request.method == "POST" and request.POST.get("action") != "send" and form.is_bound:
        phone = str(form.data.get("phone") or "")
        resend_wait = sms_login_resend_wait(phone=phone) if phone else 0
    context = {
        "form": form,
        "sent_to": sent_to,
        "code_step": bool(sent_to or too_early),
        "too_early": too_early,
        "resend_wait": resend_wait,
        "resend_wait_text": human_wait(resend_wait) if resend_wait else "",
        "next": next_url,
        "ttl_minutes": max(1, int(settings.SMS_CODE_TTL_SECONDS) // 60),
        "outbox_visible": settings.SMS_PROVIDER == "fake" and settings.DEMO,
    }
    return render(request, "identity/login.html", context, status=status)


@access(PUBLIC)
@never_cache
@require_http_methods(["GET", "POST"])
def staff_login_view(request: HttpRequest) -> HttpResponse:
    """Staff login: username + password + TOTP (django-axes counts failures)."""
    next_url = _safe_next(request, staff_home_url())
    form = StaffLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, device = services.staff_login_check(
                request=request,
                username=data["username"],
                password=data["password"],
                token=data["token"],
            )
        except EnrolmentPending as pending:
            return start_enrolment(request, pending, next_url=next_url)
        except ApplicationError as exc:
            apply_errors(form, exc)
            status = 400
        else:
            login(request, user)
            otp_login(request, device)
            services.staff_login_record(request=request, user=user)
            return redirect(next_url)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": next_url, "timed_out": request.GET.get("timeout") == "1"}
    return render(request, "identity/staff_login.html", context, status=status)


def staff_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): how long this username stays
    locked (identity.lockout: the lockout grows with each one in a row)."""
    from axes.helpers import get_client_username

    from onewindow.identity.lockout import base_cool_off, lockout_in_force

    username = get_client_username(request, credentials) or ""
    state = lockout_in_force(str(username)) if username else None
    seconds = (
        (state.locked_until - timezone.now()).total_seconds()
        if state is not None
        else base_cool_off().total_seconds()
    )
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        "identity/locked_out.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


@access(PUBLIC)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_staff = getattr(request.user, "kind", "") in {User.Kind.STAFF, User.Kind.OPERATOR}
    logout(request)
    if was_staff:
        return redirect("identity:staff_login")
    return redirect(resident_home_url())


@access(RESIDENT)
@never_cache
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    """The resident's own record (masked) and the 实名认证 form."""
    person = selectors.person_for_user(request.user)
    form = RealNameForm(request.POST or None)
    status = 200
    if request.method == "POST" and person is not None:
        if form.is_valid():
            try:
                services.person_realname_verify(
                    actor=Actor.from_request(request),
                    person=person,
                    name=form.cleaned_data["name"],
                    id_number=form.cleaned_data["id_number"],
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("实名认证成功。"))
                return redirect("identity:profile")
        else:
            status = 400
    companies = selectors.companies_for_person(person=person) if person else []
    context = {
        "person": person,
        "form": form,
        "companies": companies,
        "verified": person is not None and person.assurance >= AssuranceLevel.REAL_NAME,
    }
    return render(request, "identity/profile.html", context, status=status)


def _person_page(
    request: HttpRequest,
    person: Any,
    *,
    form: RevealForm,
    revealed: Any = None,
    status: int = 200,
    verify_form: InPersonForm | None = None,
) -> HttpResponse:
    response = render(
        request,
        "identity/staff_person.html",
        {
            "person": person,
            "form": form,
            "revealed": revealed,
            "may_reveal": request.user.has_perm("identity.view_pii"),
            "may_verify": request.user.has_perm("identity.verify_in_person"),
            "verify_form": verify_form or InPersonForm(),
            "in_person": AssuranceLevel.IN_PERSON,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@access(STAFF)
@require_http_methods(["GET", "POST"])
def staff_person_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A person's record, masked; every read is audited. POST with a purpose (用途) reveals
    the full ID and phone to holders of ``identity.view_pii`` (audited either way)."""
    person = selectors.person_get(pk=pk)
    if person is None:
        raise Http404
    if request.method == "GET":
        services.person_view_record(actor=Actor.from_request(request), person=person)
        return _person_page(request, person, form=RevealForm())
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, form=form, status=400)
    try:
        revealed = services.person_reveal(
            actor_user=request.user,
            person=person,
            purpose=form.cleaned_data["purpose"],
            ip=client_ip(request),
        )
    except PermissionDenied:
        return forbidden(request)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _person_page(request, person, form=form, status=400)
    return _person_page(request, person, form=RevealForm(), revealed=revealed)


@access(STAFF, perm="identity.verify_in_person")
@require_POST
def staff_person_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """当面核验: a window clerk has checked the person's ID card face to face (level 3)."""
    person = selectors.person_get(pk=pk)
    if person is None:
        raise Http404
    form = InPersonForm(request.POST)
    if form.is_valid():
        try:
            services.person_assurance_in_person(actor=Actor.from_request(request), person=person)
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已完成当面核验，该居民的实名等级为当面核验（L3）。"))
            return redirect("identity:staff_person", pk=person.pk)
    return _person_page(request, person, form=RevealForm(), verify_form=form, status=400)


@access(STAFF, perm="identity.add_person")
@require_http_methods(["GET", "POST"])
def staff_person_new_view(request: HttpRequest) -> HttpResponse:
    """自然人登记 at the window: the person is present with their ID card, so the record
    starts at level 3 (当面核验). A citizen ID already registered points to that record. With
    a phone number the resident can later log in online and find this record."""
    form = PersonRegisterForm(request.POST if request.method == "POST" else None)
    existing = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)  # add_error() takes fields out of cleaned_data
            try:
                person = services.person_register(
                    actor=Actor.from_request(request),
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    assurance=AssuranceLevel.IN_PERSON,
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
                if "id_number" in form.errors:
                    existing = selectors.person_find_by_id_number(id_number=data["id_number"])
            else:
                messages.success(request, _("已登记，实名等级为当面核验（L3）。"))
                return redirect("identity:staff_person", pk=person.pk)
    context = {"form": form, "existing": existing}
    response = render(request, "identity/staff_person_new.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
