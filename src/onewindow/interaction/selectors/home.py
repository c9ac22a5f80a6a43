"""The citizen page's 咨询投诉答复 section (``replies``), filled through the section contract
(core.home): the resident's requests that have an answer or are still waiting for one, those
asking for the resident's word (was it solved?) first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.core.home import HomeItem, HomeSection
from onewindow.interaction.models import Request
from onewindow.interaction.selectors.resident import requests_of_user

if TYPE_CHECKING:
    from onewindow.identity.models import User

SECTION_KEY = "replies"
EXCERPT = 60


def replies_home_section(*, user: User, limit: int) -> HomeSection:
    rows = (
        requests_of_user(user=user)
        .only(
            "number",
            "kind",
            "status",
            "title",
            "registered_at",
            "answered_at",
            "answer",
            "answer_due",
            "concluded_at",
            "solved",
            "merged_into__number",
            "category__name",
            "department__name",
            "category__name",
        )
        .select_related("department", "merged_into")
    )
    total = rows.count()
    items = []
    for request in rows[:limit]:
        answered = request.status in (Request.Status.ANSWERED, Request.Status.CONCLUDED)
        asks = request.status == Request.Status.ANSWERED
        if request.status == Request.Status.MERGED and request.merged_into:
            detail = _("已并入工单 %(number)s 一并办理") % {"number": request.merged_into.number}
        elif answered and request.answer:
            detail = request.answer[:EXCERPT] + ("…" if len(request.answer) > EXCERPT else "")
        else:
            detail = _("工单编号 %(number)s") % {"number": request.number}
        items.append(
            HomeItem(
                title=f"{request.get_kind_display()} · {request.title}",
                url=reverse("interaction:mine_detail", args=[request.number]),
                key=request.number,
                status=str(request.get_status_display()),
                detail=detail,
                at=request.answered_at or request.registered_at,
                due_on=None if answered else request.answer_due,
                urgent=asks,
                next_step=_("请告诉我们问题是否解决") if asks else "",
                holder=request.department.name if request.department else "",
            )
        )
    return HomeSection(
        key=SECTION_KEY,
        title=_("咨询投诉答复"),
        items=tuple(items),
        total=total,
        more_url=reverse("interaction:mine"),
    )
