"""The operators' rule form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.outreach import rules

TRIGGER_LABELS = {
    rules.SCHEDULE: _("每日定时（全体居民）"),
    rules.CASE_STATUS_CHANGED: _("办件状态变化"),
    rules.CASE_SUPPLEMENT_REQUESTED: _("需要补正"),
    rules.PAYMENT_DUE: _("待缴费"),
    rules.LICENCE_ISSUED: _("证照签发"),
    rules.LICENCE_EXPIRING: _("证照即将到期（每日）"),
    rules.BILL_DUE: _("账单即将到期（每日）"),
    rules.BILL_OVERDUE: _("账单逾期（每日）"),
    rules.POLICY_PUBLISHED: _("政策发布"),
}
CHANNEL_LABELS = {
    "inapp": _("站内信"),
    "sms": _("短信"),
    "email": _("邮件"),
    "wechat": _("微信"),
}


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger))


class RuleForm(forms.Form):
    code = forms.CharField(label=_("规则编码"), max_length=64)
    name = forms.CharField(label=_("规则名称"), max_length=100)
    trigger = forms.ChoiceField(label=_("触发条件"), choices=list(TRIGGER_LABELS.items()))
    condition = forms.CharField(label=_("适用条件（表达式）"), widget=forms.Textarea)
    variables = forms.CharField(label=_("模板变量（以逗号分隔）"), required=False)
    template = forms.CharField(label=_("推送内容模板"), widget=forms.Textarea)
    reason = forms.CharField(label=_("推送原因"), max_length=200)
    object = forms.CharField(label=_("推送对象标识"), max_length=200, required=False)
    source_key = forms.CharField(
        label=_("消息标识（留空则为 push:规则:对象）"), max_length=200, required=False
    )
    link = forms.CharField(label=_("链接"), max_length=300, required=False)
    channels = forms.MultipleChoiceField(
        label=_("推送渠道"),
        choices=list(CHANNEL_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    cooldown_days = forms.IntegerField(label=_("冷却天数"), min_value=0, initial=0)
    department = forms.CharField(label=_("免申即享确认部门编码"), max_length=64, required=False)
    audience_threshold = forms.IntegerField(
        label=_("超过多少人须第二名操作员确认"), min_value=0, required=False
    )

    def rule_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["variables"] = [
            v.strip()
            for v in str(data.get("variables") or "").replace("，", ",").split(",")
            if v.strip()
        ]
        data["channels"] = list(data.get("channels") or [])
        data["cooldown_days"] = int(data.get("cooldown_days") or 0)
        if data.get("audience_threshold") is None:
            data.pop("audience_threshold", None)
        return data


def initial_of(rule: Any) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "trigger": rule.trigger,
        "condition": rule.condition,
        "variables": ", ".join(rule.variables or []),
        "template": rule.template,
        "reason": rule.reason,
        "object": rule.object_key,
        "source_key": rule.source_key,
        "link": rule.link,
        "channels": list(rule.channels or []),
        "cooldown_days": rule.cooldown_days,
        "department": rule.department_code,
        "audience_threshold": rule.audience_threshold,
    }
