"""Forms of the bills pages: they collect the values; the services check them and name each
wrong field (apply_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.bills.models import Channel
from onewindow.core.numbers import AsciiIntegerField


class NotifyFields(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("提醒方式"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["inapp"],
    )
    remind_days_before = AsciiIntegerField(
        label=_("到期前几天提醒"),
        initial=3,
        error_messages={"required": _("请填写提前提醒天数"), "invalid": _("请填写0至15之间的整数")},
    )
    remind_overdue = forms.BooleanField(label=_("逾期未缴时提醒我"), required=False, initial=True)


class BindForm(NotifyFields):
    provider_code = forms.ChoiceField(
        label=_("账单机构"), error_messages={"required": _("请选择账单机构")}
    )
    account_number = forms.CharField(
        label=_("户号"),
        max_length=40,
        error_messages={"required": _("请填写户号")},
    )
    field_order = ["provider_code", "account_number", "channels", "remind_days_before"]

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("请选择")), *providers]


class NotifyForm(NotifyFields):
    pass
