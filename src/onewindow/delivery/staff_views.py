"""Staff pages (``delivery.manage_returns``): the returned mail of their departments — re-ship
it to the corrected address, hold it at the window, record its collection. Shipments of other
departments answer 404, as if they did not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.audit.services import Actor
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.forms import apply_errors
from onewindow.core.masking import mask_name, mask_phone
from onewindow.delivery import selectors, services
from onewindow.delivery.forms import DestinationForm
from onewindow.delivery.models import Shipment
from onewindow.delivery.selectors import RETURNS_PERMISSION, window_label
from onewindow.delivery.services.returns import clean_destination

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


def _row(shipment: Shipment) -> dict[str, Any]:
    returned = next((e for e in reversed(shipment.events.all()) if e.status == "returned"), None)
    return {
        "shipment": shipment,
        "recipient": mask_name(shipment.recipient),
        "phone": mask_phone(shipment.phone),
        "returned_at": returned.at if returned else shipment.updated_at,
    }


@access(STAFF, perm=RETURNS_PERMISSION)
def returns_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [_row(s) for s in selectors.returns_for_staff(user=request.user)[:200]]
    return render(
        request,
        "delivery/staff_returns.html",
        {
            "waiting": [r for r in rows if r["shipment"].resolution == ""],
            "held": [r for r in rows if r["shipment"].resolution == Shipment.Resolution.COUNTER],
            "resolved": selectors.returns_recently_resolved(user=request.user),
        },
    )


def _initial(shipment: Shipment) -> dict[str, Any]:
    if shipment.corrected_at is not None:
        return {
            "recipient": shipment.corrected_recipient,
            "phone": shipment.corrected_phone,
            "detail": shipment.corrected_address,
        }
    return {
        "recipient": shipment.recipient,
        "phone": shipment.phone,
        "region_code": shipment.region_code,
        "detail": shipment.address,
    }


@access(STAFF, perm=RETURNS_PERMISSION)
@require_http_methods(["GET", "POST"])
def return_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.return_for_staff(user=request.user, shipment_id=pk)
    if shipment is None:
        raise Http404
    action = request.POST.get("action", "")
    form = DestinationForm(request.POST if action == "reship" else None, initial=_initial(shipment))
    status, error = 200, ""
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            if action == "reship":
                if not form.is_valid():
                    form.check_with(clean_destination)
                    raise ValidationFailed(_("请核对收件信息。"))
                following = services.shipment_reship(
                    user=request.user,
                    shipment_id=shipment.pk,
                    recipient=form.cleaned_data["recipient"],
                    phone=form.cleaned_data["phone"],
                    detail=form.cleaned_data["detail"],
                    region_code=form.cleaned_data["region_code"],
                    actor=actor,
                )
                messages.success(
                    request, _("已重新寄出，新运单号 %(no)s。") % {"no": following.tracking_no}
                )
            elif action == "counter":
                services.shipment_hold_at_counter(
                    user=request.user, shipment_id=shipment.pk, actor=actor
                )
                messages.success(request, _("已留存窗口，并短信通知申请人领取。"))
            elif action == "collected":
                services.shipment_counter_collected(
                    user=request.user, shipment_id=shipment.pk, actor=actor
                )
                messages.success(request, _("已记录申请人在窗口领取。"))
            else:
                raise ValidationFailed(_("请选择要进行的处理。"))
        except ApplicationError as exc:
            status = 400 if isinstance(exc, ValidationFailed) else exc.status
            if action == "reship" and form.is_bound and any(e.field for e in exc.errors):
                apply_errors(form, exc)
            elif not (action == "reship" and form.is_bound and form.errors):
                error = str(exc.message)
        else:
            return redirect("delivery:return_detail", pk=shipment.pk)
    return render(
        request,
        "delivery/staff_return.html",
        {
            "shipment": shipment,
            "row": _row(shipment),
            "form": form,
            "window": window_label(shipment),
            "following": shipment.reshipments.all()[:1],
            "error": error,
        },
        status=status,
    )
