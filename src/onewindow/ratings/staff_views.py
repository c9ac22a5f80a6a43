"""The staff's pages of rectification (差评整改): a department's inbox (its own rectifications,
soonest due first, the overdue marked) and one rectification — the rating as rated (never
who rated), the return visit (the rater's contact shown on request, each look audited) and
the answer; and the platform office's queue of appeals with its decision. Each move is one
form posted to the page; a refused move shows its error at the field and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.access import STAFF, access
from onewindow.core.forms import form_attempt
from onewindow.identity.selectors import staff_permission_department_ids
from onewindow.ratings.models import Rectification
from onewindow.ratings.rectify_rules import LIVE, RECTIFY, REVIEW
from onewindow.ratings.selectors.rectify import (
    appeal_queue,
    rectification_for_department,
    rectification_for_office,
    rectification_inbox,
)
from onewindow.ratings.services.rectify import (
    RaterContact,
    rectification_answer,
    rectification_appeal_decide,
    rectification_contact_view,
    rectification_visit,
)

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

Outcome = Rectification.Outcome
Status = Rectification.Status


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("整改结果"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    answer = forms.CharField(
        label=gettext_lazy("整改情况、解释说明或申诉理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("解释依据（法律法规或政策文件）"),
        help_text=gettext_lazy("选择“解释说明”时必填：评价人的诉求为什么没有依据，依据哪条规定。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class VisitForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("回访情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class DecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("复核结论"),
        coerce=lambda v: v == "yes",
        choices=[
            ("yes", gettext_lazy("申诉成立：撤销差评，不计入统计")),
            ("no", gettext_lazy("申诉不成立：退回部门继续整改")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("复核意见"),
        help_text=gettext_lazy("申诉不成立时必填，部门将看到这条意见。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


def _my_departments(request: AuthenticatedHttpRequest) -> set[int]:
    return staff_permission_department_ids(user_id=request.user.pk, permission=RECTIFY)


INBOX_STATUSES = (Status.OPEN, Status.APPEALED, Status.ANSWERED, Status.CLOSED, Status.VOIDED)


@access(STAFF, perm=RECTIFY)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """差评整改: the rectifications of the user's departments, soonest due first."""
    status = request.GET.get("status", "")
    if status not in INBOX_STATUSES:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    rows = rectification_inbox(
        department_ids=_my_departments(request),
        status=status or None,
        overdue_only=overdue,
        limit=100,
    )
    labels = dict(Status.choices)
    return render(
        request,
        "ratings/staff_inbox.html",
        {
            "rows": rows,
            "status": status,
            "overdue": overdue,
            "statuses": [(s, labels[s]) for s in INBOX_STATUSES],
        },
    )


@access(STAFF, perm=RECTIFY)
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    departments = _my_departments(request)
    item = rectification_for_department(rectification_id=pk, department_ids=departments)
    if item is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    user = request.user

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    forms_: dict[str, forms.Form] = {
        "answer": AnswerForm(bound("answer")),
        "visit": VisitForm(bound("visit"), prefix="visit"),
        "contact": forms.Form(bound("contact")),
    }
    contact: list[RaterContact] = []

    def reveal(_data: dict[str, Any]) -> object:
        contact.append(rectification_contact_view(user=user, rectification_id=pk))
        return None

    moves: dict[str, Callable[[dict[str, Any]], object]] = {
        "answer": lambda d: rectification_answer(
            user=user,
            rectification_id=pk,
            outcome=d["outcome"],
            answer=d["answer"],
            legal_basis=d["legal_basis"],
        ),
        "visit": lambda d: rectification_visit(user=user, rectification_id=pk, note=d["note"]),
        "contact": reveal,
    }
    status = 200
    if action in moves:
        if form_attempt(forms_[action], moves[action]):
            if action != "contact":  # the contact is shown on this response, never kept
                messages.success(request, _("已保存。"))
                return redirect("ratings_staff:detail", pk=pk)
        else:
            status = 400
        item = rectification_for_department(rectification_id=pk, department_ids=departments)
        assert item is not None
    return render(
        request,
        "ratings/staff_detail.html",
        {
            "item": item,
            "forms": forms_,
            "contact": contact[0] if contact else None,
            "answerable": item.status == Status.OPEN,
            "contactable": item.real_name and item.visit_due is not None and item.status in LIVE,
            "visitable": item.real_name
            and item.visit_due is not None
            and item.visited_at is None
            and item.status in LIVE,
        },
        status=status,
    )


@access(STAFF, perm=REVIEW)
def appeals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """申诉复核: the departments' appeals against ratings, oldest first."""
    return render(request, "ratings/staff_appeals.html", {"rows": appeal_queue(limit=100)})


@access(STAFF, perm=REVIEW)
def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = rectification_for_office(rectification_id=pk)
    if item is None or (item.outcome != Outcome.APPEAL and item.appeal_decided_at is None):
        raise Http404
    form = DecideForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        move = form_attempt(
            form,
            lambda d: rectification_appeal_decide(
                user=request.user, rectification_id=pk, upheld=d["upheld"], note=d["note"]
            ),
        )
        if move:
            messages.success(request, _("已作出复核决定。"))
            return redirect("ratings_staff:appeals")
        status = 400
    return render(
        request,
        "ratings/staff_appeal_detail.html",
        {"item": item, "form": form, "decidable": item.status == Status.APPEALED},
        status=status,
    )
