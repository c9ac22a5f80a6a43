"""Forms of the staff revocation page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.licences.services import REASON_MAX


class LicenceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("证照编号、持证人身份证号码或统一社会信用代码"),
        max_length=40,
        error_messages={
            "required": _("请输入证照编号、持证人身份证号码或统一社会信用代码。"),
            "max_length": _("请输入完整的证照编号、18位身份证号码或18位统一社会信用代码。"),
        },
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=REASON_MAX,
        error_messages={
            "required": _("请填写撤销原因。"),
            "max_length": _("撤销原因不能超过%(limit_value)d个字符。"),
        },
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("请填写撤销原因。"))
        return reason
