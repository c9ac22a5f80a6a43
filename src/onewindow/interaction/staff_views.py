"""The staff's pages of the closed loop: the hotline office's dispatch desk (派单台: the queue,
one order with the suggested routing and the knowledge base's answers beside it; dispatch,
merge, decide an objection or an extension) and a department's inbox (工单办理: its parts in
orders with the countdown; sign, return, object, transfer, ask for more time, answer).
Each move is one form posted to the order's page; a refused move shows its error at the
field and changes nothing."""

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
from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed
from onewindow.core.masking import mask_name, mask_phone
from onewindow.identity.selectors import department_list, staff_permission_department_ids
from onewindow.interaction.forms import errors_apply
from onewindow.interaction.models import Assignment
from onewindow.interaction.selectors import (
    articles_search,
    department_inbox,
    department_request_get,
    dispatcher_queue,
)
from onewindow.interaction.selectors.desk import (
    request_attachment_names,
    request_extension_pending,
    request_for_desk,
    request_id_for_number,
    request_parts,
    requests_awaiting_office,
)
from onewindow.interaction.selectors.public import PublishDraft, publish_draft
from onewindow.interaction.selectors.routing import routing_suggestions
from onewindow.interaction.services import request_publish
from onewindow.interaction.services.loop import (
    request_answer,
    request_dispatch,
    request_extension_ask,
    request_extension_decide,
    request_merge,
    request_object,
    request_objection_decide,
    request_return,
    request_sign,
    request_transfer,
)

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

DISPATCH_PERMISSION = "interaction.dispatch_requests"
HANDLE_PERMISSION = "interaction.handle_requests"
KNOWLEDGE_PERMISSION = "interaction.change_knowledgearticle"
HITS = 3


def _department_choices() -> list[tuple[str, str]]:
    return [(str(d.pk), d.name) for d in department_list()]


class DispatchForm(forms.Form):
    department_id = forms.TypedChoiceField(label=gettext_lazy("主办部门"), coerce=int)
    co_department_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("协办部门"), coerce=int, required=False
    )
    note = forms.CharField(label=gettext_lazy("派单说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _department_choices()
        self.fields["department_id"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        self.fields["co_department_ids"].choices = choices  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    into_number = forms.CharField(label=gettext_lazy("并入工单编号"), max_length=32)


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=gettext_lazy("决定"),
        coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("同意")), ("no", gettext_lazy("不同意"))],
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500)


class ObjectionForm(DecideForm):
    """Accepting an objection routes the order again: to which department (主办), with
    which co-handlers."""

    department_id = forms.TypedChoiceField(
        label=gettext_lazy("改派主办部门"), coerce=int, required=False, empty_value=None
    )
    co_department_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("协办部门"), coerce=int, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _department_choices()
        self.fields["department_id"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        self.fields["co_department_ids"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea, required=False)


class TransferForm(ReasonForm):
    department_id = forms.TypedChoiceField(label=gettext_lazy("转至部门"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [("", "—"), *_department_choices()]  # type: ignore[attr-defined]


class ExtensionForm(ReasonForm):
    working_days = forms.IntegerField(label=gettext_lazy("延期工作日数"), min_value=1)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("答复内容"), widget=forms.Textarea, required=False)


class PublishForm(forms.Form):
    """公开到知识库: the question and the answer, masked, as they will be published."""

    title = forms.CharField(label=gettext_lazy("问题"), max_length=200, required=False)
    answer = forms.CharField(
        label=gettext_lazy("答复"),
        widget=forms.Textarea,
        required=False,
        help_text=gettext_lazy("诉求人的姓名、电话和证件号码已隐去，公开前请再核对一遍。"),
    )


def _publishing(
    request: AuthenticatedHttpRequest, pk: int, bound: Any
) -> tuple[PublishDraft | None, PublishForm, Callable[[dict[str, Any]], object]]:
    """The order's publishable answer (for an account keeping a knowledge base), its form
    and the move."""
    draft = publish_draft(request_id=pk) if request.user.has_perm(KNOWLEDGE_PERMISSION) else None
    initial = {"title": draft.title, "answer": draft.answer} if draft else {}
    form = PublishForm(bound, prefix="publish", initial=initial)
    user = request.user

    def move(d: dict[str, Any]) -> object:
        return request_publish(user=user, request_id=pk, title=d["title"], answer=d["answer"])

    return draft, form, move


def _done(action: str, number: str) -> str:
    if action == "publish":
        return _("已将工单 %(number)s 的答复公开到知识库。") % {"number": number}
    return _("已处理工单 %(number)s。") % {"number": number}


def _attempt(form: forms.Form, move: Callable[[dict[str, Any]], object]) -> bool:
    """Run the move with the form's cleaned data; on refusal put the errors on the form."""
    if not form.is_valid():
        return False
    try:
        move(form.cleaned_data)
    except ApplicationError as exc:
        errors_apply(form, exc)
        if not form.errors:
            form.add_error(None, str(exc.message))
        return False
    return True


# -- 派单台 ---------------------------------------------------------------------------


@access(STAFF, perm=DISPATCH_PERMISSION)
def dispatch_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """派单台: the orders waiting for dispatch (urgent first), and those waiting for the
    office's decision on an objection or an extension."""
    return render(
        request,
        "interaction/dispatch_queue.html",
        {"rows": dispatcher_queue(limit=100), "awaiting": requests_awaiting_office()},
    )


@access(STAFF, perm=DISPATCH_PERMISSION)
def dispatch_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    order = request_for_desk(number=number)
    if order is None:
        raise Http404
    suggestions = routing_suggestions(
        text=f"{order.title}\n{order.content}",
        region_code=order.region_code,
        street_code=order.street_code,
    )
    suggested = next((s for s in suggestions if s.department_id), None)
    initial = {"department_id": suggested.department_id} if suggested else {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    posted = request.POST if action else None
    user = request.user
    pk = order.pk
    forms_: dict[str, forms.Form] = {
        "dispatch": DispatchForm(posted if action == "dispatch" else None, initial=initial),
        "merge": MergeForm(posted if action == "merge" else None),
        "objection": ObjectionForm(posted if action == "objection" else None, prefix="objection"),
        "extension": DecideForm(posted if action == "extension" else None, prefix="extension"),
    }
    draft, forms_["publish"], publish = _publishing(
        request, pk, posted if action == "publish" else None
    )

    def merge(d: dict[str, Any]) -> object:
        into = request_id_for_number(number=d["into_number"].strip())
        if into is None:
            message = _("没有这个工单编号。")
            raise ValidationFailed(
                message, errors=[FieldError(code="not_found", message=message, field="into_number")]
            )
        return request_merge(user=user, request_id=pk, into_id=into)

    moves: dict[str, Callable[[dict[str, Any]], object]] = {
        "dispatch": lambda d: request_dispatch(
            user=user,
            request_id=pk,
            department_id=d["department_id"],
            co_department_ids=d["co_department_ids"],
            note=d["note"],
        ),
        "merge": merge,
        "objection": lambda d: request_objection_decide(
            user=user,
            request_id=pk,
            accept=d["accept"],
            department_id=d["department_id"] if d["accept"] else None,
            co_department_ids=d["co_department_ids"] if d["accept"] else (),
            note=d["note"],
        ),
        "extension": lambda d: request_extension_decide(
            user=user, request_id=pk, approve=d["accept"], note=d["note"]
        ),
        "publish": publish,
    }
    status = 200
    if action in moves:
        if _attempt(forms_[action], moves[action]):
            messages.success(request, _done(action, number))
            return redirect("interaction:dispatch_detail", number=number)
        status = 400
    parts = request_parts(request_id=pk)
    return render(
        request,
        "interaction/dispatch_detail.html",
        {
            "order": order,
            "contact_name": mask_name(str(order.contact_name or "")),
            "contact_phone": mask_phone(str(order.contact_phone or "")),
            "attachments": request_attachment_names(request_id=pk),
            "parts": parts,
            "extension": request_extension_pending(request_id=pk),
            "objected": any(p.status == Assignment.Status.OBJECTED for p in parts),
            "suggestions": suggestions,
            "hits": articles_search(text=order.content, limit=HITS),
            "forms": forms_,
            "publish": draft,
        },
        status=status,
    )


# -- 工单办理 ---------------------------------------------------------------------------


def _my_departments(request: AuthenticatedHttpRequest) -> set[int]:
    return staff_permission_department_ids(user_id=request.user.pk, permission=HANDLE_PERMISSION)


@access(STAFF, perm=HANDLE_PERMISSION)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """工单办理: the parts of the user's departments in orders, soonest deadline first."""
    status = request.GET.get("status", "")
    if status not in Assignment.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    rows = department_inbox(
        department_ids=_my_departments(request),
        status=status or None,
        overdue_only=overdue,
        limit=100,
    )
    labels = dict(Assignment.Status.choices)
    return render(
        request,
        "interaction/inbox.html",
        {
            "rows": [{"r": r, "late": -r.days_left, "label": labels.get(r.status)} for r in rows],
            "status": status,
            "overdue": overdue,
            "statuses": Assignment.Status.choices,
        },
    )


@access(STAFF, perm=HANDLE_PERMISSION)
def inbox_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    departments = _my_departments(request)
    pk = request_id_for_number(number=number)
    order = department_request_get(request_id=pk, department_ids=departments) if pk else None
    if order is None or pk is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    user = request.user

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    forms_: dict[str, forms.Form] = {
        "sign": forms.Form(bound("sign")),
        "return": ReasonForm(bound("return"), prefix="return"),
        "object": ReasonForm(bound("object"), prefix="object"),
        "transfer": TransferForm(bound("transfer"), prefix="transfer"),
        "extension": ExtensionForm(bound("extension"), prefix="extension"),
        "answer": AnswerForm(bound("answer")),
    }
    draft, forms_["publish"], publish = _publishing(request, pk, bound("publish"))
    moves: dict[str, Callable[[dict[str, Any]], object]] = {
        "sign": lambda d: request_sign(user=user, request_id=pk),
        "return": lambda d: request_return(user=user, request_id=pk, reason=d["reason"]),
        "object": lambda d: request_object(user=user, request_id=pk, reason=d["reason"]),
        "transfer": lambda d: request_transfer(
            user=user, request_id=pk, to_department_id=d["department_id"], reason=d["reason"]
        ),
        "extension": lambda d: request_extension_ask(
            user=user, request_id=pk, working_days=d["working_days"], reason=d["reason"]
        ),
        "answer": lambda d: request_answer(user=user, request_id=pk, answer=d["answer"]),
        "publish": publish,
    }
    status = 200
    if action in moves:
        if _attempt(forms_[action], moves[action]):
            messages.success(request, _done(action, number))
            if department_request_get(request_id=pk, department_ids=departments) is None:
                return redirect("interaction:inbox")
            return redirect("interaction:inbox_detail", number=number)
        status = 400
    parts = [p for p in request_parts(request_id=pk) if p.department_id in departments]
    active = [p for p in parts if p.status in (Assignment.Status.PENDING, Assignment.Status.SIGNED)]
    return render(
        request,
        "interaction/inbox_detail.html",
        {
            "order": order,
            "parts": parts,
            "part": active[0] if active else None,
            "attachments": request_attachment_names(request_id=pk),
            "forms": forms_,
            "publish": draft,
        },
        status=status,
    )
