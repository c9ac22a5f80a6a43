"""Forms of the library and volunteer pages: they collect the values; the services check
them with the library and name each wrong field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BindCardForm(forms.Form):
    patron_id = forms.CharField(
        label=_("读者证号"), max_length=20, error_messages={"required": _("请填写读者证号。")}
    )
    password = forms.CharField(
        label=_("读者证密码"),
        max_length=32,
        widget=forms.PasswordInput,
        error_messages={"required": _("请填写读者证密码。")},
    )


class HoldForm(forms.Form):
    item_id = forms.CharField(
        label=_("图书条码号"), max_length=32, error_messages={"required": _("请填写图书条码号。")}
    )
