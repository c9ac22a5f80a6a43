"""Forms of the reconciliation pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.numbers import AsciiDecimalField
from onewindow.payments.reconciliation import NOTE_MAX


class RunForm(forms.Form):
    day = forms.DateField(
        label=_("对账日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请选择对账日期。"), "invalid": _("请输入有效的日期。")},
    )
    gateway = forms.ChoiceField(
        label=_("支付渠道"),
        error_messages={
            "required": _("请选择支付渠道。"),
            "invalid_choice": _("请选择列出的支付渠道。"),
        },
    )

    def __init__(self, *args: Any, gateways: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gateway"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g, gateway_label(g)) for g in gateways]

    def clean_day(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("对账日期不能晚于今天。"))
        return day


def gateway_label(name: str) -> str:
    labels = {"sandbox": _("沙箱支付"), "alipay": _("支付宝")}
    return str(labels.get(name, name))


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("请填写处理说明。"),
            "max_length": _("处理说明不能超过%(limit_value)d个字符。"),
        },
    )


class RefundForm(forms.Form):
    amount = AsciiDecimalField(
        label=_("退款金额（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("请填写退款金额。"),
            "invalid": _("请输入金额，例如 15.00。"),
            "min_value": _("退款金额应大于 0。"),
            "max_digits": _("请输入金额，例如 15.00。"),
            "max_decimal_places": _("金额最多保留两位小数。"),
            "max_whole_digits": _("请输入金额，例如 15.00。"),
        },
    )
    reason = forms.CharField(
        label=_("退款原因"),
        max_length=200,
        error_messages={
            "required": _("请填写退款原因。"),
            "max_length": _("退款原因不能超过%(limit_value)d个字符。"),
        },
    )

    def amount_fen(self) -> int:
        return int(self.cleaned_data["amount"] * 100)
