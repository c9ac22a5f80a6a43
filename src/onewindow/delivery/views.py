"""Resident pages: the address book, correcting where a licence is mailed, booking and
cancelling a courier pickup of paper originals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.audit.services import Actor
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.forms import apply_errors
from onewindow.delivery import selectors, services
from onewindow.delivery.forms import AddressForm, CorrectionForm, PickupForm
from onewindow.delivery.models import Address, Shipment
from onewindow.delivery.services.pickups import (
    open_pickup,
    paper_originals,
    pickup_windows,
)
from onewindow.delivery.services.returns import clean_destination

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _address_initial(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    return {
        "recipient": address.recipient,
        "phone": address.phone,
        "region_code": address.region_code,
        "detail": address.detail,
        "is_default": address.is_default,
    }


@access(RESIDENT)
def address_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "delivery/addresses.html",
        {
            "addresses": selectors.addresses_for_user(user=request.user),
            "next": _next(request, ""),
            "limit": services.addresses.MAX_ADDRESSES,
        },
    )


def _address_form_page(request: AuthenticatedHttpRequest, address: Address | None) -> HttpResponse:
    form = AddressForm(
        request.POST if request.method == "POST" else None, initial=_address_initial(address)
    )
    back = _next(request, reverse("delivery:addresses"))
    if request.method == "POST" and not form.is_valid():
        form.check_with(services.addresses.clean_address)
    elif request.method == "POST":
        values = {
            "recipient": form.cleaned_data["recipient"],
            "phone": form.cleaned_data["phone"],
            "detail": form.cleaned_data["detail"],
            "region_code": form.cleaned_data["region_code"],
            "is_default": form.cleaned_data["is_default"],
            "actor": Actor.from_request(request),
        }
        try:
            if address is None:
                services.address_create(user=request.user, **values)
            else:
                services.address_update(user=request.user, address_id=address.pk, **values)
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("地址已保存。"))
            return redirect(back)
    return render(
        request,
        "delivery/address_form.html",
        {"form": form, "address": address, "next": _next(request, "")},
        status=400 if form.is_bound and form.errors else 200,
    )


@access(RESIDENT)
@require_http_methods(["GET", "POST"])
def address_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _address_form_page(request, None)


def _own_address(request: AuthenticatedHttpRequest, pk: int) -> Address:
    address = selectors.address_for(user=request.user, address_id=pk)
    if address is None:
        raise Http404
    return address


@access(RESIDENT)
@require_http_methods(["GET", "POST"])
def address_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _address_form_page(request, _own_address(request, pk))


@access(RESIDENT)
@require_POST
def address_default(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    address = _own_address(request, pk)
    services.address_set_default(
        user=request.user, address_id=address.pk, actor=Actor.from_request(request)
    )
    messages.success(request, _("已设为默认地址。"))
    return redirect(_next(request, reverse("delivery:addresses")))


@access(RESIDENT)
@require_POST
def address_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    address = _own_address(request, pk)
    services.address_delete(
        user=request.user, address_id=address.pk, actor=Actor.from_request(request)
    )
    messages.success(request, _("地址已删除。"))
    return redirect(_next(request, reverse("delivery:addresses")))


def _case_url(shipment: Shipment) -> str:
    if shipment.case_number:
        return reverse("cases:case_detail", kwargs={"number": shipment.case_number})
    return reverse("portal:home")


@access(RESIDENT)
@require_http_methods(["GET", "POST"])
def shipment_address(request: AuthenticatedHttpRequest, tracking_no: str) -> HttpResponse:
    """Correct where a licence is mailed: before the courier collects it, or after a failed
    delivery or a return."""
    shipment = selectors.shipment_for_owner(user=request.user, tracking_no=tracking_no)
    if shipment is None or shipment.kind != Shipment.Kind.DELIVER:
        raise Http404
    book = selectors.addresses_for_user(user=request.user)
    chosen = next((a for a in book if str(a.pk) == request.GET.get("from", "")), None)
    if chosen is None and request.method == "GET" and shipment.corrected_at is None:
        chosen = next((a for a in book if a.is_default), None)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None, initial=_address_initial(chosen)
    )
    status = 200
    if request.method == "POST" and not form.is_valid():
        form.check_with(clean_destination)
    elif request.method == "POST":
        try:
            following = services.shipment_correct_address(
                user=request.user,
                tracking_no=shipment.tracking_no,
                recipient=form.cleaned_data["recipient"],
                phone=form.cleaned_data["phone"],
                detail=form.cleaned_data["detail"],
                region_code=form.cleaned_data["region_code"],
                actor=Actor.from_request(request),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            if following.pk != shipment.pk:
                messages.success(
                    request,
                    _("收件地址已更正，已重新下单，新运单号 %(no)s。")
                    % {"no": following.tracking_no},
                )
            else:
                messages.success(request, _("收件地址已更正，部门将按新地址重新寄递。"))
            return redirect(_case_url(shipment))
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(
        request,
        "delivery/shipment_address.html",
        {
            "shipment": shipment,
            "form": form,
            "book": book,
            "correctable": selectors.shipment_correctable(shipment),
            "back": _case_url(shipment),
        },
        status=status,
    )


def _window_choices(now: Any = None) -> list[tuple[str, str]]:
    weekdays = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
    out = []
    for window in pickup_windows(now):
        start, end = timezone.localtime(window.start), timezone.localtime(window.end)
        label = f"{start:%m-%d} {weekdays[start.weekday()]} {start:%H:%M}–{end:%H:%M}"
        out.append((window.value, label))
    return out


@access(RESIDENT)
@require_http_methods(["GET", "POST"])
def pickup_book(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Book a courier to collect the case's paper originals from an address book entry."""
    from onewindow.cases.selectors import case_for_user

    case = case_for_user(user=request.user, number=number)
    if case is None:
        raise Http404
    originals = paper_originals(case)
    booked = open_pickup(case) if originals else None
    book = selectors.addresses_for_user(user=request.user)
    form = PickupForm(
        request.POST if request.method == "POST" else None,
        addresses=[(a.pk, f"{a.recipient} {a.full_address}") for a in book],
        windows=_window_choices(),
        initial={"address": next((a.pk for a in book if a.is_default), None)},
    )
    offered = bool(originals) and booked is None and case.is_open
    if request.method == "POST" and offered and form.is_valid():
        try:
            services.pickup_book(
                user=request.user,
                case=case,
                address_id=form.cleaned_data["address"],
                window=form.cleaned_data["window"],
                actor=Actor.from_request(request),
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已预约上门取件，快递员将在预约时间上门。"))
            return redirect("cases:case_detail", number=case.number)
    return render(
        request,
        "delivery/pickup.html",
        {
            "case": case,
            "service": case.service_version.service,
            "originals": originals,
            "booked": booked,
            "offered": offered,
            "form": form,
            "book": book,
        },
        status=400 if form.is_bound and form.errors and offered else 200,
    )


@access(RESIDENT)
@require_POST
def pickup_cancel(request: AuthenticatedHttpRequest, tracking_no: str) -> HttpResponse:
    shipment = selectors.shipment_for_owner(user=request.user, tracking_no=tracking_no)
    if shipment is None or shipment.kind != Shipment.Kind.PICKUP:
        raise Http404
    try:
        services.pickup_cancel(
            user=request.user, tracking_no=shipment.tracking_no, actor=Actor.from_request(request)
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已取消上门取件。"))
    return redirect(_case_url(shipment))
