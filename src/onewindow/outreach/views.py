"""Pages: the operators' push rules (list, edit, preview, switch on), the owning
department's confirmation of a 免申即享 list, and the resident's 我收到的推送."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.audit.services import Actor
from onewindow.core.access import OPERATOR, RESIDENT, STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.core.numbers import is_ascii_number
from onewindow.identity.selectors import staff_departments_for
from onewindow.outreach import selectors, services
from onewindow.outreach.forms import CHANNEL_LABELS, RuleForm, initial_of, trigger_label

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(OPERATOR)
def rule_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [
        {"rule": rule, "trigger": trigger_label(rule.trigger)}
        for rule in selectors.push_rules_all()
    ]
    return render(request, "outreach/rule_list.html", {"rows": rows})


@access(OPERATOR)
def rule_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@access(OPERATOR)
def rule_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _edit(request, code)


def _edit(request: AuthenticatedHttpRequest, code: str | None) -> HttpResponse:
    rule = selectors.push_rule_get(code=code) if code else None
    if code and rule is None:
        raise Http404
    if request.method == "POST":
        form = RuleForm(request.POST)
        if code:
            form.fields["code"].required = False
        if form.is_valid():
            try:
                saved = services.push_rule_save(
                    actor=Actor.from_request(request), code=code, data=form.rule_data()
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("规则已保存。启用前请先预览推送范围。"))
                return redirect("outreach:rule_preview", code=saved.code)
    else:
        form = RuleForm(initial=initial_of(rule) if rule else {"channels": ["inapp"]})
    if code:
        form.fields["code"].disabled = True
    return render(request, "outreach/rule_edit.html", {"form": form, "rule": rule})


@access(OPERATOR)
def rule_preview(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    rule = selectors.push_rule_get(code=code)
    if rule is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "off":
                services.push_rule_switch_off(user=request.user, code=code)
                messages.success(request, _("规则已停用。"))
            else:
                done = services.push_rule_switch_on(user=request.user, code=code)
                if done.enabled:
                    messages.success(request, _("规则已启用。"))
                else:
                    messages.info(
                        request,
                        ngettext(
                            "该规则将推送给 %(reach)d 人，已提交，须由另一名操作员确认后启用。",
                            "该规则将推送给 %(reach)d 人，已提交，须由另一名操作员确认后启用。",
                            done.reach,
                        )
                        % {"reach": done.reach},
                    )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("outreach:rule_preview", code=code)
    preview = selectors.push_rule_preview(code=code)
    threshold = (
        rule.audience_threshold if rule.audience_threshold is not None else services.confirm_above()
    )
    return render(
        request,
        "outreach/rule_preview.html",
        {
            "rule": rule,
            "trigger": trigger_label(rule.trigger),
            "channels": [str(CHANNEL_LABELS.get(c, c)) for c in rule.channels or []],
            "preview": preview,
            "threshold": threshold,
            "needs_two": preview.reach > threshold,
            "asked_by_me": rule.switch_on_requested_by_id == request.user.pk,
        },
    )


@access(STAFF)
def department_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """免申即享: the owning department's staff check the matched list before it is sent."""
    codes = [d.code for d in staff_departments_for(request.user)]
    if request.method == "POST":
        withdraw = [int(v) for v in request.POST.getlist("withdraw") if is_ascii_number(v)]
        try:
            count = services.push_department_confirm(
                user=request.user, rule_code=str(request.POST.get("rule", "")), withdraw=withdraw
            )
            messages.success(
                request,
                ngettext(
                    "已确认名单，%(count)d 人将收到推送。",
                    "已确认名单，%(count)d 人将收到推送。",
                    count,
                )
                % {"count": count},
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("outreach:department_confirm")
    waiting = selectors.push_awaiting_department(department_codes=codes)
    return render(request, "outreach/department_confirm.html", {"waiting": waiting})


@access(RESIDENT)
def my_pushes(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.push_rule_opt_out(
                user=request.user, rule_code=str(request.POST.get("rule", ""))
            )
            messages.success(request, _("已关闭这类推送，今后不再向您发送。"))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("outreach:my_pushes")
    pushes = selectors.pushes_for_user(user_id=request.user.pk)
    return render(request, "outreach/my_pushes.html", {"pushes": pushes})
