"""The hotline's links on the staff workbench: each desk the staff member may use (the same
permissions the pages ask for)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.models import User

register = template.Library()

# (URL name, label, permission): the staff pages of the hotline, in the order of the loop
DESKS: tuple[tuple[str, Promise, str], ...] = (
    ("interaction:console", _("热线受理台"), "interaction.add_request"),
    ("interaction:dispatch", _("派单台"), "interaction.dispatch_requests"),
    ("interaction:inbox", _("工单办理"), "interaction.handle_requests"),
    ("interaction:knowledge_list", _("知识库维护"), "interaction.change_knowledgearticle"),
    ("open311_keys:keys", _("Open311 接口密钥"), "identity.operate_platform"),
)


def hotline_desks(user: User | AnonymousUser | None) -> list[dict[str, str]]:
    """The hotline's staff pages ``user`` may use: ``{"url", "label"}`` each."""
    if user is None or not user.is_authenticated:
        return []
    if getattr(user, "kind", "") not in {"staff", "operator"}:
        return []
    return [
        {"url": reverse(name), "label": str(label)}
        for name, label, perm in DESKS
        if user.has_perm(perm)
    ]


@register.inclusion_tag("interaction/partials/desk_links.html")
def hotline_links(user: User | AnonymousUser | None) -> dict[str, Any]:
    return {"desks": hotline_desks(user)}
