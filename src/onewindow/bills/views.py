"""The resident's bill pages: 我的账单 by kind, binding an account, a bill with the account's
history and usage, notification preferences, unbinding, and 刷新."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.bills import selectors, services
from onewindow.bills.forms import BindForm, NotifyForm
from onewindow.bills.models import Kind, Subscription
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.forms import apply_errors

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

CHART_W, CHART_H, CHART_TOP = 320, 140, 20


@access(RESIDENT)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    subs = list(selectors.subscriptions_for_user(user=request.user))
    down = selectors.outages_for(subs)
    groups = []
    for kind in Kind:
        accounts = []
        for sub in (s for s in subs if s.kind == kind.value):
            accounts.append(
                {
                    "sub": sub,
                    "provider_name": selectors.provider_name(sub.provider_code),
                    "latest": selectors.bills_of(subscription=sub).first(),
                    "latest_contribution": selectors.contributions_of(subscription=sub).first(),
                    "down": down[sub.pk],
                    "minutes": selectors.since(sub.last_synced_at),
                }
            )
        groups.append({"kind": kind.value, "label": kind.label, "accounts": accounts})
    groups.sort(key=lambda group: not group["accounts"])  # bound kinds first
    section = selectors.bill_home_section(user=request.user)
    return render(
        request,
        "bills/home.html",
        {
            "groups": groups,
            "section": section,
            "minutes": selectors.since(section.updated_at),
            "outages": [(o, selectors.since(o.last_updated_at)) for o in section.unavailable],
        },
    )


@access(RESIDENT)
def bind(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    if kind not in Kind.values:
        kind = None
    choices = selectors.provider_choices(kind=kind) or selectors.provider_choices()
    initial: dict[str, Any] = {"channels": ["inapp"], "remind_days_before": 3}
    if len(choices) == 1:
        initial["provider_code"] = choices[0][0]
    form = BindForm(request.POST or None, providers=choices, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                sub = services.subscription_bind(
                    user=request.user,
                    provider_code=data["provider_code"],
                    account_number=data["account_number"],
                    channels=data["channels"],
                    remind_days_before=data["remind_days_before"],
                    remind_overdue=data["remind_overdue"],
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
                status = 400
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                synced = services.subscription_sync(subscription_id=sub.pk).status == "ok"
                if synced:
                    messages.success(request, _("已绑定户号，账单已更新。"))
                else:
                    messages.info(request, _("已绑定户号，账单稍后更新。"))
                return redirect("bills:subscription", subscription_id=sub.pk)
        else:
            status = 400
    return render(
        request,
        "bills/bind.html",
        {"form": form, "kind_label": selectors.kind_label(kind) if kind else ""},
        status=status,
    )


def _own(request: AuthenticatedHttpRequest, subscription_id: int) -> Subscription:
    sub = selectors.subscription_for_user(user=request.user, subscription_id=subscription_id)
    if sub is None:
        raise Http404
    return sub


def _chart(bills: list[Any]) -> dict[str, Any] | None:
    points = [b for b in reversed(bills[:12]) if b.usage is not None]
    if len(points) < 2:
        return None
    top = max(b.usage for b in points) or Decimal(1)
    width = CHART_W // len(points)
    bars = []
    for i, bill in enumerate(points):
        height = int((bill.usage / top) * (CHART_H - CHART_TOP)) or 1
        bars.append(
            {
                "x": i * width + 2,
                "y": CHART_H - height,
                "w": max(4, width - 4),
                "h": height,
                "label": bill.period[5:],
                "label_x": i * width + width // 2,
                "value": bill.usage,
            }
        )
    return {"bars": bars, "width": CHART_W, "height": CHART_H + 16, "unit": points[0].usage_unit}


@access(RESIDENT)
def subscription(
    request: AuthenticatedHttpRequest, subscription_id: int, bill_id: int | None = None
) -> HttpResponse:
    sub = _own(request, subscription_id)
    bills = list(selectors.bills_of(subscription=sub)[:24])
    current = None
    if bill_id is not None:
        current = next((b for b in bills if b.pk == bill_id), None)
        if current is None:
            current = selectors.bills_of(subscription=sub).filter(pk=bill_id).first()
            if current is None:
                raise Http404
    elif bills:
        current = bills[0]
    contributions = list(selectors.contributions_of(subscription=sub)[:24])
    gaps = {g.period for g in selectors.contribution_gaps(person_id=sub.person_id, kind=sub.kind)}
    return render(
        request,
        "bills/subscription.html",
        {
            "sub": sub,
            "provider_name": selectors.provider_name(sub.provider_code),
            "kind_label": selectors.kind_label(sub.kind),
            "bill": current,
            "bills": bills,
            "chart": _chart(bills),
            "contributions": contributions,
            "gaps": sorted(gaps),
            "down": selectors.outages_for([sub])[sub.pk],
            "minutes": selectors.since(sub.last_synced_at),
        },
    )


@access(RESIDENT)
def notify(request: AuthenticatedHttpRequest, subscription_id: int) -> HttpResponse:
    sub = _own(request, subscription_id)
    form = NotifyForm(
        request.POST or None,
        initial={
            "channels": sub.channels,
            "remind_days_before": sub.remind_days_before,
            "remind_overdue": sub.remind_overdue,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscription_notify_set(
                    user=request.user,
                    subscription_id=sub.pk,
                    channels=data["channels"],
                    remind_days_before=data["remind_days_before"],
                    remind_overdue=data["remind_overdue"],
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("提醒设置已保存。"))
                return redirect("bills:subscription", subscription_id=sub.pk)
        else:
            status = 400
    return render(
        request,
        "bills/notify.html",
        {"form": form, "sub": sub, "provider_name": selectors.provider_name(sub.provider_code)},
        status=status,
    )


@access(RESIDENT)
def unbind(request: AuthenticatedHttpRequest, subscription_id: int) -> HttpResponse:
    sub = _own(request, subscription_id)
    if request.method == "POST":
        services.subscription_unbind(user=request.user, subscription_id=sub.pk)
        messages.success(request, _("已解除绑定。"))
        return redirect("bills:home")
    return render(
        request,
        "bills/unbind.html",
        {
            "sub": sub,
            "provider_name": selectors.provider_name(sub.provider_code),
            "kind_label": selectors.kind_label(sub.kind),
        },
    )


@require_POST
@access(RESIDENT)
def refresh(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = services.bills_refresh(user=request.user)
    if result.unavailable:
        messages.warning(
            request,
            _("暂时无法获取%(providers)s的账单，请稍后再试。")
            % {"providers": "、".join(result.unavailable)},
        )
    else:
        messages.success(request, _("账单已刷新。"))
    return redirect("bills:home")
