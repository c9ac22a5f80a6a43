"""Staff management pages: the department's staff and their authenticators (动态口令), and
the authenticator enrolment a staff member completes at their first login after a reset."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import client_ip
from onewindow.core.access import PUBLIC, STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.identity import selectors, services
from onewindow.identity.forms import TotpEnrolForm, TotpResetForm
from onewindow.identity.models import Staff, User
from onewindow.identity.services.enrolment import (
    EnrolmentPending,
    StaffNotFound,
    secret_text,
    staff_totp_confirm,
    staff_totp_reset,
)

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

SESSION_KEY = "staff_enrolment"
ENROL_SECONDS = 600  # the password step counts for this long


def start_enrolment(request: HttpRequest, pending: EnrolmentPending, *, next_url: str) -> Any:
    """After a right password on an account waiting for its authenticator: remember who (not
    logged in) for ``ENROL_SECONDS`` and go to the enrolment page."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "user": pending.user.pk,
        "device": pending.device.pk,
        "until": int(time.time()) + ENROL_SECONDS,
        "next": next_url,
    }
    return redirect("identity:staff_enrol")


def _pending(request: HttpRequest) -> tuple[User, TOTPDevice] | None:
    state = request.session.get(SESSION_KEY) or {}
    if not state or int(state.get("until", 0)) < time.time():
        return None
    device = (
        TOTPDevice.objects.select_related("user")
        .filter(pk=state.get("device"), user_id=state.get("user"), confirmed=False)
        .first()
    )
    return (device.user, device) if device is not None else None


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    label = _("动态口令二维码：请用验证器应用扫描")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


@never_cache
@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def staff_enrol_view(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key) into an authenticator app, then enter its code."""
    found = _pending(request)
    if found is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("请先用用户名和密码登录，再开通动态口令。"))
        return redirect("identity:staff_login")
    user, device = found
    form = TotpEnrolForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                confirmed = staff_totp_confirm(
                    user_id=user.pk,
                    device_id=device.pk,
                    token=form.cleaned_data["token"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
            else:
                next_url = request.session.pop(SESSION_KEY, {}).get("next") or "/"
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                otp_login(request, confirmed)
                services.staff_login_record(request=request, user=user)
                messages.success(request, _("动态口令已开通，以后登录请输入验证器中的6位数字。"))
                return redirect(next_url)
    context = {
        "form": form,
        "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - our own SVG
        "secret": secret_text(device),
        "account": user.get_username(),
    }
    response = render(request, "identity/staff_enrol.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@access(STAFF, perm="identity.change_staff")
def staff_people_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff of the departments this administrator manages, with their authenticator."""
    scope = selectors.staff_manageable_department_ids(request.user)
    rows = selectors.staff_with_authenticators(department_ids=scope)
    return render(request, "identity/staff_people.html", {"rows": rows})


@access(STAFF, perm="identity.change_staff")
@require_http_methods(["GET", "POST"])
def staff_totp_reset_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff = Staff.objects.select_related("user", "department").filter(pk=pk).first()
    if staff is None:
        raise Http404
    form = TotpResetForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:  # the service checks the administrator's departments (and audits a refusal)
                staff_totp_reset(actor_user=request.user, staff=staff, ip=client_ip(request))
            except StaffNotFound as exc:
                raise Http404 from exc
            messages.success(
                request,
                _("已重置 %(name)s 的动态口令：请其用用户名和密码登录，按提示在72小时内重新绑定。")
                % {"name": staff.user.display_name or staff.user.get_username()},
            )
            return redirect("identity:staff_people")
    scope = selectors.staff_manageable_department_ids(request.user)
    if scope is not None and staff.department_id not in scope:
        raise Http404  # not shown to other departments (a confirmed reset audits the refusal)
    context = {"staff": staff, "form": form}
    return render(request, "identity/staff_totp_reset.html", context, status=status)
