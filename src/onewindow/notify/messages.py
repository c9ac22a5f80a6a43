"""SMS message templates. A template has a code (what services ask for) and a text with
``{param}`` placeholders; the sign name (签名) is prepended as vendors require: 【一网通办】."""

from __future__ import annotations

import string
from collections.abc import Mapping

from django.conf import settings

SMS_TEMPLATES: dict[str, str] = {
    "login_code": "您的登录验证码是{code}，{minutes}分钟内有效。请勿告诉他人。",
    "case_update": "您的办件{case_no}有新进展：{status}。详情请登录一网通办查看。",
    "notice": "{text}",
    "appointment_reminder": (
        "您已预约{time}到{place}办理业务，地址：{address}。请携带有效证件按时到场。"
    ),
}


class UnknownTemplate(ValueError):
    pass


def template_params(template: str) -> set[str]:
    if template not in SMS_TEMPLATES:
        raise UnknownTemplate(template)
    return {name for _, name, _, _ in string.Formatter().parse(SMS_TEMPLATES[template]) if name}


def render_sms_text(template: str, params: Mapping[str, object], *, sign_name: str = "") -> str:
    """The full text a phone shows, e.g. ``【一网通办】您的登录验证码是123456，…``."""
    needed = template_params(template)
    missing = needed - set(params)
    if missing:
        raise ValueError(f"template {template!r} needs {sorted(missing)}")
    body = SMS_TEMPLATES[template].format(**{name: params[name] for name in needed})
    sign = sign_name if sign_name else settings.SMS_SIGN_NAME
    return f"【{sign}】{body}"
