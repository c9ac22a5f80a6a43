"""HTML forms. They only check shape; the services do the real validation and their
field errors are put back on the form with ``onewindow.core.forms.apply_errors``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SmsLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages={
            "required": _("请填写手机号码。"),
            "max_length": _("手机号码应为以1开头的11位数字。"),
        },
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        error_messages={"max_length": _("请输入6位数字验证码。")},
    )


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, error_messages={"required": _("请填写用户名。")}
    )
    password = forms.CharField(
        label=_("密码"), max_length=256, strip=False, error_messages={"required": _("请填写密码。")}
    )
    # Not required here: at the first login after an authenticator reset there is none yet
    # (staff_login_check asks for it when the account has one).
    token = forms.CharField(label=_("动态口令"), max_length=10, required=False)


class TotpEnrolForm(forms.Form):
    token = forms.CharField(
        label=_("验证器中显示的6位数字"),
        max_length=10,
        error_messages={"required": _("请填写6位动态口令。")},
    )


class TotpResetForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核实该工作人员的身份，并确认其原有动态口令作废"),
        error_messages={"required": _("请勾选确认后再重置。")},
    )


class InPersonForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("已当面核对居民身份证原件，人证一致"),
        error_messages={"required": _("请当面核对身份证原件后勾选确认。")},
    )


class RealNameForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=64, error_messages={"required": _("请填写姓名。")}
    )
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=32, error_messages={"required": _("请填写身份证号码。")}
    )


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("用途"),
        max_length=200,
        error_messages={
            "required": _("请填写查看用途。"),
            "max_length": _("用途不能超过200个字符。"),
        },
    )


class PersonRegisterForm(forms.Form):
    """A person registered at the window (for residents who do not apply online)."""

    name = forms.CharField(
        label=_("姓名"), max_length=64, error_messages={"required": _("请填写姓名。")}
    )
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=32, error_messages={"required": _("请填写身份证号码。")}
    )
    phone = forms.CharField(label=_("手机号码（选填）"), max_length=20, required=False)
    confirm = forms.BooleanField(
        label=_("已当面核对居民身份证原件，人证一致"),
        error_messages={"required": _("请当面核对身份证原件后勾选确认。")},
    )


class AgentGrantForm(forms.Form):
    """法定代表人授权经办人: whom, and until when."""

    agent_name = forms.CharField(
        label=_("经办人姓名"), max_length=64, error_messages={"required": _("请填写经办人姓名。")}
    )
    agent_id_number = forms.CharField(
        label=_("经办人公民身份号码"),
        max_length=32,
        error_messages={"required": _("请填写经办人的公民身份号码。")},
    )
    valid_until = forms.DateField(
        label=_("授权截止日期"),
        error_messages={
            "required": _("请填写授权截止日期。"),
            "invalid": _("请按“年-月-日”填写日期，例如 2027-06-30。"),
        },
    )
