"""Message templates. A template has a code (what services ask for) and a text with
``{param}`` placeholders; the sign name (签名) is prepended as vendors require: 【一网通办】.
The same text (without the sign) is the body of the in-app message, under its title.
A real SMS vendor needs each template approved and mapped (``SMS_ALIYUN_TEMPLATES``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from onewindow.notify import _templates

# The one-time rating link of an invitation (ratings), with the site's public address.
_RATING_LINK = f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}/ratings/r/{{token}}/"

SMS_TEMPLATES: dict[str, str] = {
    "login_code": "您的登录验证码是{code}，{minutes}分钟内有效。请勿告诉他人。",
    "case_update": "您的办件{case_no}有新进展：{status}。详情请登录一网通办查看。",
    "notice": "{text}",
    "appointment_reminder": (
        "您已预约{time}到{place}办理业务，地址：{address}。请携带有效证件按时到场。"
    ),
    # What the platform tells the applicant about every case (cases.notifications).
    "case_submitted": "您申请的{service}（办件编号{number}）已提交，我们将尽快审核办理。",
    "case_supplement": (
        "您申请的{service}（办件编号{number}）需要补正：{reason}。请登录查看并补正后提交。"
    ),
    "case_task_approved": "您申请的{service}（办件编号{number}）已通过{department}审核。",
    "case_task_rejected": (
        "您申请的{service}（办件编号{number}）未通过{department}审核，理由：{reason}。"
    ),
    "case_payment_due": "您申请的{service}（办件编号{number}）待缴费{amount}，请登录在线缴费。",
    "case_approved": "您申请的{service}（办件编号{number}）已办结，结果为准予办理。",
    "case_rejected": (
        "您申请的{service}（办件编号{number}）已办结，结果为不予办理，理由：{reason}。"
    ),
    "case_withdrawn": "您申请的{service}（办件编号{number}）已撤回。",
    # Told to staff (in-app; staff have no phone on record).
    "case_escalated": "办件{number}（{service}）“{step}”已超过办理时限并督办，请尽快处理。",
    "case_stuck": "办件{number}（{service}）无法继续办理：{reason}。请尽快处理。",
    "case_task_cancelled": "办件{number}（{service}）的“{step}”已取消，无需再办理：{reason}。",
    # Told to the operators and department administrators (identity.lockout).
    "staff_locked_out": (
        "工作人员账号{name}（{username}）登录连续失败，已锁定{minutes}分钟"
        "（连续第{count}次锁定，最近一次来自{ip}）。如非本人操作，请核实并处置。"
    ),
    # Sent by the catalogue's notify.send steps.
    "sla_escalation": "督办提醒：办件{number}（{service}）已超过办理时限，请尽快办理。",
    "housing_eligibility_publicity": (
        "您申请的{service}（办件编号{number}）资格审核已通过，审核结果将依规公示，请留意公示信息。"
    ),
    "case_shipped": (
        "您申请的{service}（办件编号{number}）办理结果已寄出，运单号{tracking_no}，请注意查收。"
    ),
    # Asked of a person named on an application whose records the process looks up
    # (cases.services.parties): in the message centre and by SMS, and the code that an
    # applicant at the window types in for them.
    "consent_request": (
        "{applicant}申请办理“{service}”（办件编号{number}），须经您同意后查询您的{records}。"
        "请于{date}前登录一网通办，在“待我确认的授权”中同意或拒绝。"
    ),
    "consent_code": (
        "{applicant}申请办理“{service}”（办件编号{number}），须查询您的{records}。"
        "如您同意，请将验证码{code}告诉申请人，{minutes}分钟内有效；如不同意，请勿告知。"
    ),
    # The daily digest of pushes held for a person who chose one (notify.services).
    "digest": "您今天有{count}条新消息：{titles}。请登录一网通办查看。",
    # A push rule's reminder (outreach): the text the rule made for the resident.
    "push_reminder": "{text}",
    # A library loan due soon, due today, or overdue (onepass).
    "library_due": "您借阅的《{title}》将于{due}到期，还有{days}天，可在一网通办续借。",
    "library_due_today": "您借阅的《{title}》今天（{due}）到期，请及时归还或续借。",
    "library_overdue": "您借阅的《{title}》已于{due}到期，请尽快归还或续借。",
    # What the citizen page tells of fees and licences (portal.news).
    "payment_received": "您已缴纳{subject} {amount} 元（办件编号{number}），电子票据已开具。",
    "licence_issued": "您的{licence}已签发，证照编号尾号{tail}，可在“我的证照”中查看。",
    "licence_revoked": "您的{licence}（证照编号尾号{tail}）已被撤销，原因：{reason}。",
    # The rectification of a bad rating (ratings, 好差评整改): the rater is asked in-app to
    # rate the fix (the SMS carries a one-time link, as a notice); the department's rectifiers
    # and the platform office are told of an overdue rectification.
    "rating_fix_invite": (
        "您对{title}（编号{number}）的评价，{department}已反馈整改情况，请对整改结果进行评价。"
    ),
    # The SMS carries the one-time link (no sign-in needed): the site's address is part of the
    # text, as vendors approve links; only the token is a parameter.
    "rating_fix_invite_sms": (
        "您对“{title}”（编号{number}）的评价，{department}已反馈整改情况，请对整改结果作出评价"
        "（链接30天内有效，仅可使用一次）："
        + f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}/ratings/fix/r/{{token}}/"
    ),
    "rating_rectification_overdue": (
        "差评整改{number}（{title}）已超过整改期限（{due}），已列入督办，请尽快整改反馈。"
    ),
    "rating_visit_overdue": (
        "差评整改{number}（{title}）未在期限（{due}）内回访，已列入督办，请尽快回访。"
    ),
    # The 12345 hotline's receipts (interaction)
    "request_registered": "您的诉求已受理，工单编号{number}，我们将于{due}前答复您。",
    "request_answered_direct": "您咨询的问题（工单{number}）答复如下：{answer}详情请登录查看。",
    "request_joined": (
        "您反映的问题已有工单{order}在办理，您的诉求{number}已并入该工单，进展将同步告知您。"
    ),
    # The 12345 hotline's closed loop (interaction): told to the requester of an order and of
    # every request merged into it.
    "request_dispatched": "您反映的诉求（工单编号{number}）已转交{department}办理。",
    "request_answered": "您反映的诉求（工单编号{number}）已由{department}答复，请登录查看。",
    "request_visit": ("您反映的诉求（工单编号{number}）已答复，请评价问题是否解决及您的满意程度。"),
    "request_concluded": "您反映的诉求（工单编号{number}）已办结，感谢您的监督和支持。",
    "request_reopened": "您反映的诉求（工单编号{number}）将重新办理，预计{due}前答复您。",
    "request_merged": (
        "您反映的诉求（工单编号{number}）与工单{target}反映的问题相同，已合并办理，"
        "办理进展将一并告知您。"
    ),
    "request_extended": "您反映的诉求（工单编号{number}）办理期限已延长至{due}。",
    # Told to the lead department's order handlers (in-app; interaction.services.staff_notices).
    "request_chased": "工单{number}（{title}）已超过答复期限{due}，请尽快办理并答复。",
    "request_escalated": (
        "工单{number}（{title}）催办后仍未答复，已超时升级并列入督办，请尽快办理。"
    ),
    "request_supervised": "工单{number}（{title}）已列入督办：{note}。请尽快办理。",
    # The invitation to rate (ratings): a case or request concluded three days ago, unrated.
    # The SMS carries the one-time link (no sign-in needed): the site's address is part of
    # the text, as vendors approve links, and only the link's token is a parameter (within a
    # vendor's limit for one). The message centre's message links to the rating page.
    "rating_invite": (
        "您的“{title}”（编号{number}）已办结，请对本次服务作出评价"
        "（链接15天内有效，仅可使用一次）：" + _RATING_LINK
    ),
    "rating_invite_inapp": "您的“{title}”（编号{number}）已办结，欢迎对本次服务作出评价。",
}

# The templates of a case's outcome (by the outcome recorded), and the reason a refusal's
# message gives when none was recorded.
OUTCOME_TEMPLATES: dict[str, str] = {
    "approved": "case_approved",
    "rejected": "case_rejected",
    "withdrawn": "case_withdrawn",
}
NO_REASON = "详见办件详情"

# Templates only ever told in-app (to staff, who have no phone on record; a fee received,
# which the payer saw confirmed by the gateway): a vendor needs no SMS template approved.
IN_APP_ONLY = frozenset(
    {
        "case_escalated",
        "case_stuck",
        "case_task_cancelled",
        "request_chased",
        "request_escalated",
        "request_supervised",
        "sla_escalation",
        "staff_locked_out",
        "payment_received",
        "rating_invite_inapp",  # the SMS of the invitation is rating_invite, with its link
        "rating_fix_invite",
        "rating_rectification_overdue",
        "rating_visit_overdue",
    }
)

# The title of the in-app message (站内消息) a template's text is the body of.
MESSAGE_TITLES: dict[str, str] = {
    "case_update": "办件进展",
    "notice": "办件通知",
    "case_submitted": "申请已提交",
    "case_supplement": "需要补正",
    "case_task_approved": "部门审核通过",
    "case_task_rejected": "部门审核未通过",
    "case_payment_due": "待缴费",
    "case_approved": "办件已办结（准予）",
    "case_rejected": "办件已办结（不予）",
    "case_withdrawn": "申请已撤回",
    "case_escalated": "督办提醒",
    "case_stuck": "办件无法继续办理",
    "case_task_cancelled": "任务已取消",
    "staff_locked_out": "账号锁定提醒",
    "sla_escalation": "督办提醒",
    "housing_eligibility_publicity": "资格审核通过",
    "case_shipped": "办理结果已寄出",
    "consent_request": "待您确认的授权",
    "consent_code": "授权验证码",
    "digest": "今日消息汇总",
    "push_reminder": "温馨提醒",
    "library_due": "图书到期提醒",
    "library_due_today": "图书到期提醒",
    "library_overdue": "图书逾期提醒",
    "payment_received": "缴费成功",
    "licence_issued": "证照签发",
    "licence_revoked": "证照撤销",
    "rating_fix_invite": "请评价整改结果",
    "rating_fix_invite_sms": "请评价整改结果",
    "rating_rectification_overdue": "差评整改督办",
    "rating_visit_overdue": "差评回访督办",
    "request_registered": "诉求已受理",
    "request_joined": "诉求已并单",
    "request_answered_direct": "咨询已答复",
    "request_dispatched": "诉求已派单",
    "request_answered": "诉求已答复",
    "request_visit": "邀请您评价",
    "request_concluded": "诉求已办结",
    "request_reopened": "诉求重新办理",
    "request_merged": "诉求合并办理",
    "request_extended": "办理期限延长",
    "request_chased": "工单催办",
    "request_escalated": "工单超时升级",
    "request_supervised": "工单督办",
    "rating_invite": "邀请您评价",
    "rating_invite_inapp": "邀请您评价",
}

# English texts (title, body) of the built-in templates, for residents who read English.
EN_TEXTS: dict[str, tuple[str, str]] = {
    "login_code": (
        "Login code",
        "Your login code is {code}, valid for {minutes} minutes. Do not tell anyone.",
    ),
    "case_update": (
        "Case update",
        "Your case {case_no} has news: {status}. Log in to OneWindow for details.",
    ),
    "notice": ("Notice", "{text}"),
    "appointment_reminder": (
        "Appointment reminder",
        "You have an appointment at {time} at {place}, {address}. Please bring valid ID.",
    ),
    "case_submitted": (
        "Application submitted",
        "Your application for {service} (case {number}) has been submitted; "
        "we will review it soon.",
    ),
    "case_supplement": (
        "Supplement needed",
        "Your application for {service} (case {number}) needs a supplement: {reason}. "
        "Please log in, add it and resubmit.",
    ),
    "case_task_approved": (
        "Approved by a department",
        "Your application for {service} (case {number}) was approved by {department}.",
    ),
    "case_task_rejected": (
        "Not approved by a department",
        "Your application for {service} (case {number}) was not approved by {department}: "
        "{reason}.",
    ),
    "case_payment_due": (
        "Payment due",
        "Your application for {service} (case {number}) has a fee of {amount} due; "
        "please pay online.",
    ),
    "case_approved": (
        "Case concluded (approved)",
        "Your application for {service} (case {number}) is concluded: approved.",
    ),
    "case_rejected": (
        "Case concluded (refused)",
        "Your application for {service} (case {number}) is concluded: refused, because {reason}.",
    ),
    "case_withdrawn": (
        "Application withdrawn",
        "Your application for {service} (case {number}) has been withdrawn.",
    ),
    "case_escalated": (
        "Overdue reminder",
        'Case {number} ({service}): "{step}" is past its deadline and escalated; please act soon.',
    ),
    "case_stuck": (
        "Case cannot continue",
        "Case {number} ({service}) cannot continue: {reason}. Please act soon.",
    ),
    "case_task_cancelled": (
        "Task cancelled",
        'Case {number} ({service}): "{step}" is cancelled and needs no more work: {reason}.',
    ),
    "staff_locked_out": (
        "Account locked",
        "Staff account {name} ({username}) is locked for {minutes} minutes after failed logins "
        "(lock number {count}, last from {ip}). If this was not you, check and act.",
    ),
    "sla_escalation": (
        "Overdue reminder",
        "Reminder: case {number} ({service}) is past its deadline; please act soon.",
    ),
    "housing_eligibility_publicity": (
        "Eligibility approved",
        "Your application for {service} (case {number}) passed the eligibility review; the "
        "result will be published as the rules require.",
    ),
    "case_shipped": (
        "Result shipped",
        "The result of your application for {service} (case {number}) has been shipped, "
        "tracking number {tracking_no}.",
    ),
    "consent_request": (
        "Consent requested",
        '{applicant} applied for "{service}" (case {number}) and needs your consent to look '
        'up your {records}. Log in before {date} and agree or refuse under "Consents for me".',
    ),
    "consent_code": (
        "Consent code",
        '{applicant} applied for "{service}" (case {number}) and needs to look up your '
        "{records}. If you agree, tell the applicant the code {code} (valid {minutes} minutes); "
        "if not, do not.",
    ),
    "digest": ("Today's messages", "You have {count} new messages: {titles}. Log in to read them."),
    "push_reminder": ("Reminder", "{text}"),
    "library_due": (
        "Library book due",
        "{title}, which you borrowed, is due on {due}, in {days} days; "
        "you can renew it on OneWindow.",
    ),
    "library_due_today": (
        "Library book due",
        "{title}, which you borrowed, is due today ({due}); please return or renew it.",
    ),
    "library_overdue": (
        "Library book overdue",
        "{title}, which you borrowed, was due on {due}; please return or renew it soon.",
    ),
    "payment_received": (
        "Payment received",
        "You have paid {amount} yuan for {subject} (case {number}); the e-receipt has been issued.",
    ),
    "licence_issued": (
        "Licence issued",
        'Your {licence} has been issued (number ending {tail}); see it under "My licences".',
    ),
    "licence_revoked": (
        "Licence revoked",
        "Your {licence} (number ending {tail}) has been revoked: {reason}.",
    ),
    "rating_fix_invite": (
        "Please rate the fix",
        "{department} has reported what it did about your rating of {title} ({number}); "
        "please rate the result.",
    ),
    "rating_fix_invite_sms": (
        "Please rate the fix",
        "{department} has reported what it did about your rating of {title} ({number}); "
        "please rate the result (the link is valid for 30 days, once): "
        + f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}/ratings/fix/r/{{token}}/",
    ),
    "rating_rectification_overdue": (
        "Rectification overdue",
        "The rectification {number} ({title}) was due by {due} and is now supervised; "
        "please report what was done soon.",
    ),
    "rating_visit_overdue": (
        "Return visit overdue",
        "The return visit of rectification {number} ({title}) was due by {due} and is now "
        "supervised; please call the resident soon.",
    ),
    "request_registered": (
        "Request received",
        "Your request has been registered as order {number}; we will answer by {due}.",
    ),
    "request_answered_direct": (
        "Question answered",
        "The answer to your question (order {number}): {answer} See the details online.",
    ),
    "request_joined": (
        "Request joined",
        "What you reported is already being handled as order {order}; your request {number} "
        "has been joined to it and you will be told of its progress.",
    ),
    "request_dispatched": (
        "Request dispatched",
        "Your request (order {number}) has been passed to {department}.",
    ),
    "request_answered": (
        "Request answered",
        "Your request (order {number}) has been answered by {department}; log in to read it.",
    ),
    "request_visit": (
        "Please rate the answer",
        "Your request (order {number}) has been answered; please tell us whether it was "
        "solved and how satisfied you are.",
    ),
    "request_concluded": (
        "Request concluded",
        "Your request (order {number}) is concluded. Thank you for your support.",
    ),
    "request_reopened": (
        "Request re-opened",
        "Your request (order {number}) will be handled again; expect an answer by {due}.",
    ),
    "request_merged": (
        "Request merged",
        "Your request (order {number}) raises the same problem as order {target} and is "
        "handled with it; you will be told of its progress.",
    ),
    "request_extended": (
        "Time limit extended",
        "The time limit of your request (order {number}) has been extended to {due}.",
    ),
    "request_chased": (
        "Order overdue",
        "Order {number} ({title}) is past its answer deadline of {due}; please handle and "
        "answer it soon.",
    ),
    "request_escalated": (
        "Order escalated",
        "Order {number} ({title}) is still unanswered after the reminder and is now under "
        "supervision; please handle it soon.",
    ),
    "request_supervised": (
        "Order under supervision",
        "Order {number} ({title}) has been put under supervision: {note}. Please handle it soon.",
    ),
    "rating_invite": (
        "Please rate our service",
        '"{title}" ({number}) is concluded; please rate our service (the link is valid '
        "for 15 days, once): " + _RATING_LINK,
    ),
    "rating_invite_inapp": (
        "Please rate our service",
        '"{title}" ({number}) is concluded; you are welcome to rate our service.',
    ),
}

# Vendors limit each template variable (Aliyun: 35 characters); the in-app message keeps
# the whole text, the SMS a shortened one.
SMS_PARAM_MAX = _templates.SMS_PARAM_MAX
SMS_TEXT_MAX = _templates.SMS_TEXT_MAX


class UnknownTemplate(ValueError):
    pass


def template_text(template: str) -> _templates.TemplateText:
    """The template as it is now (an operator's edit of its row, or the built-in text)."""
    found = _templates.current(template)
    if found is None:
        raise UnknownTemplate(template)
    return found


def template_params(template: str) -> set[str]:
    return set(template_text(template).params)


def render_sms_text(template: str, params: Mapping[str, object], *, sign_name: str = "") -> str:
    """The full text a phone shows, e.g. ``【一网通办】您的登录验证码是123456，…``."""
    sign = sign_name if sign_name else settings.SMS_SIGN_NAME
    return f"【{sign}】{render_body(template, params)}"


def render_body(template: str, params: Mapping[str, object], *, language: str = "") -> str:
    """The template's text without the sign name: the body of an in-app message."""
    text = template_text(template)
    missing = text.params - set(params)
    if missing:
        raise ValueError(f"template {template!r} needs {sorted(missing)}")
    _title, body = text.text(language)
    return body.format(**{name: params[name] for name in text.params})


def message_title(template: str, *, language: str = "") -> str:
    found = _templates.current(template) or _templates.current("notice")
    assert found is not None
    title, _body = found.text(language)
    return title.format_map(_Blank()) if "{" in title else title


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def clip(value: object, limit: int = SMS_PARAM_MAX) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sms_params_clipped(template: str, params: Mapping[str, object]) -> dict[str, str]:
    """The template's parameters as an SMS carries them: each within the vendor's limit."""
    text = template_text(template)
    return {name: clip(params[name], min(text.limit(name), text.limit(""))) for name in text.params}
