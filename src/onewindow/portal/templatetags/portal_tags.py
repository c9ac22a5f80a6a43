"""Template helpers of the citizen page: a section's empty-state words and its sources'
freshness line."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.core.home import HomeSection, Unavailable

register = template.Library()


def _empty() -> dict[str, tuple[str, str]]:
    return {
        "cases": (_("暂无办件"), _("您申请的服务事项和办理进度会显示在这里。")),
        "tasks_for_me": (_("暂无待办"), _("需要您补正材料、授权或确认的事项会显示在这里。")),
        "payments_due": (_("暂无待缴费用"), ""),
        "licences": (_("暂无证照"), _("办结后发放给您的电子证照会保存在这里。")),
        "bills": (_("暂无账单"), _("需要缴纳的费用和水电气等账单会显示在这里。")),
        "messages": (_("暂无未读消息"), _("办件进度、补正通知和政府推送的信息会发到这里。")),
        "replies": (_("暂无答复"), _("您的咨询、投诉和建议的答复会显示在这里。")),
        "appointments": (_("暂无预约"), _("您预约的窗口办理时间会显示在这里。")),
        "shipments": (_("暂无快递"), _("邮寄给您的证件会显示在这里。")),
        "recommendations": (_("暂无推荐"), _("根据您的情况推荐的服务会显示在这里。")),
    }


@register.filter
def section_empty(section: HomeSection) -> str:
    return _empty().get(section.key, (_("暂无内容"), ""))[0]


@register.filter
def section_empty_hint(section: HomeSection) -> str:
    return _empty().get(section.key, ("", ""))[1]


@register.filter
def outage_text(outage: Unavailable) -> str:
    """“国网广州供电局（电费）暂时无法获取，12 分钟前更新”."""
    name = outage.source + (f"（{outage.kind}）" if outage.kind else "")
    minutes = outage.minutes_ago(timezone.now())
    if minutes is None:
        return _("%(name)s暂时无法获取") % {"name": name}
    return ngettext(
        "%(name)s暂时无法获取，%(n)d 分钟前更新",
        "%(name)s暂时无法获取，%(n)d 分钟前更新",
        minutes,
    ) % {"name": name, "n": minutes}


@register.filter
def kind_label(kind: str) -> str:
    from onewindow.portal.inbox import kind_label as label

    return label(kind)


@register.filter
def section_of(page: object, key: str) -> HomeSection | None:
    """``page.sections[key]`` for a key held in a variable."""
    return getattr(page, "sections", {}).get(key)


@register.filter
def why_of(why: dict[int, object], message_id: int) -> object:
    return why.get(message_id)
