"""Staff workbench: the inbox of the staff member's department roles, task actions, and the
staff case page (all parallel branches, materials with audited download, masked form data)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import selectors, services
from onewindow.cases.engine.actions import exchange_variable
from onewindow.cases.findings import (
    case_findings,
    decision_results,
    form_fields_for_page,
    task_form,
)
from onewindow.cases.forms import build_fields, flat_answers, masked_answers
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import inbox_for, workbench_header_for
from onewindow.cases.services.process import restore
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.exchange.selectors import case_fetched_records
from onewindow.licences.selectors import licence_related

# What a checkbox or a hand-written link sends for "on" (?overdue=1, ?overdue=true, ?overdue=on).
CHECKED = frozenset({"1", "true", "on", "yes"})


@access(STAFF)
def workbench(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("task") if i.isdigit()]
        action = request.POST.get("bulk", "")
        if not ids:
            messages.error(request, _("请先勾选任务。"))
        else:
            results = services.tasks_bulk(
                user=request.user, task_ids=ids, action=action, actor=Actor.from_request(request)
            )
            done = sum(1 for r in results if r.ok)
            messages.success(request, _("已处理 %(n)s 项任务。") % {"n": done})
            for result in results:
                if not result.ok:
                    messages.error(request, f"#{result.task_id}: {result.message}")
        return redirect(request.get_full_path())
    filters = {
        "status": request.GET.get("status", ""),
        "service": request.GET.get("service", ""),
        "overdue": request.GET.get("overdue", "").strip().lower() in CHECKED,
        "q": request.GET.get("q", "")[:64],
    }
    return render(
        request,
        "cases/workbench.html",
        {
            "header": workbench_header_for(user=request.user),
            "tasks": inbox_for(user=request.user, **filters),
            "filters": filters,
            "services": selectors.inbox_services(user=request.user),
            "statuses": [
                ("", _("全部待办")),
                ("open", pgettext("inbox filter", "待认领")),
                ("mine", _("我已认领")),
                ("waiting", _("等待补正")),
                ("completed", _("已办")),
            ],
        },
    )


def _task(request: HttpRequest, task_id: int) -> CaseTask:
    task = selectors.task_for_staff(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    return task


def _masked_answers(request: HttpRequest, case: Case) -> list:
    fields = build_fields(case.service_version.form_schema or {}, case.form_data)
    if request.user.has_perm("identity.view_pii"):
        return flat_answers(fields)
    return masked_answers(fields)


@access(STAFF)
def staff_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = Actor.from_request(request)
        comment = request.POST.get("comment", "")
        try:
            if action == "claim":
                services.task_claim(user=request.user, task_id=task.pk, actor=actor)
                messages.success(request, _("已认领。"))
            elif action == "unclaim":
                services.task_unclaim(user=request.user, task_id=task.pk, actor=actor)
                messages.success(request, _("已退回待认领。"))
            elif action in {"approve", "reject", "supplement"}:
                services.task_complete(
                    user=request.user,
                    task_id=task.pk,
                    decision=action,
                    comment=comment,
                    findings=_posted_findings(request, task),
                    actor=actor,
                )
                messages.success(
                    request,
                    {
                        "approve": _("已同意。"),
                        "reject": _("已作出不予许可决定。"),
                        "supplement": _("已退回申请人补正。"),
                    }[action],
                )
            elif action == "transfer":
                services.task_transfer(
                    user=request.user,
                    task_id=task.pk,
                    to_user_id=int(request.POST.get("to_user") or 0),
                    actor=actor,
                )
                messages.success(request, _("已转交。"))
            elif action == "comment":
                services.task_comment(
                    user=request.user, task_id=task.pk, comment=comment, actor=actor
                )
                messages.success(request, _("意见已记录。"))
            else:
                return _task_page(request, task, error=_("请选择操作。"), status=400)
        except ApplicationError as exc:
            task.refresh_from_db()
            field_errors = {
                e.field.removeprefix("findings."): str(e.message)
                for e in exc.errors
                if e.field and e.field.startswith("findings.")
            }
            return _task_page(
                request,
                task,
                error=str(exc.message),
                status=exc.status,
                posted=_posted_findings(request, task),
                field_errors=field_errors,
                comment=comment,
            )
        return redirect("cases:staff_task", task_id=task.pk)
    return _task_page(request, task)


FINDING_PREFIX = "finding_"


def _posted_findings(request: HttpRequest, task: CaseTask) -> dict[str, str]:
    """The task form's values as posted (``finding_<name>``), only the form's own fields."""
    fields = (task_form(task.case, task.element_id).get("properties") or {}).keys()
    return {
        name: request.POST.get(FINDING_PREFIX + name, "")
        for name in fields
        if request.POST.get(FINDING_PREFIX + name, "") != ""
    }


def _task_page(
    request: HttpRequest,
    task: CaseTask,
    *,
    error: str = "",
    status: int = 200,
    posted: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    comment: str = "",
) -> HttpResponse:
    case = task.case
    form = task_form(case, task.element_id)
    variables = restore(case).data() if case.process_state else {}
    fields = form_fields_for_page(form, posted if posted is not None else task.findings or {})
    for field in fields:
        field["error"] = (field_errors or {}).get(field["name"], "")
    return render(
        request,
        "cases/staff_task.html",
        {
            "task": task,
            "case": case,
            "service": case.service_version.service,
            "applicant": selectors.applicant_label(case),
            "branches": selectors.case_branches(case),
            "answers": _masked_answers(request, case),
            "materials": case.materials.filter(superseded=False)
            .select_related(*licence_related("licence"))
            .order_by("code"),
            "timeline": selectors.case_timeline(case, public_only=False),
            "may_act": task.is_active and case.is_open,
            "claimed_by_me": task.claimed_by_id == request.user.pk,
            "candidates": selectors.transfer_candidates(
                task=task, exclude_user_id=int(request.user.pk or 0)
            ),
            "days_left": selectors.working_days_left(task.due_date),
            "error": error,
            "task_fields": fields,
            "comment": comment,
            "findings": case_findings(case),
            "fetched": case_fetched_records(
                case.number or "", variables, variable_of=exchange_variable
            ),
            "decided": decision_results(case, variables),
        },
        status=status,
    )


def _staff_case(request: HttpRequest, number: str) -> Case:
    case = Case.objects.filter(number=number).select_related("service_version__service").first()
    if case is None or not selectors.staff_case_visible(user=request.user, case=case):
        raise Http404
    return case


@access(STAFF)
def staff_case(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    scope = selectors.staff_task_scope(request.user)
    mine = list(case.tasks.filter(scope).order_by("-created_at")) if scope is not None else []
    return render(
        request,
        "cases/staff_case.html",
        {
            "case": case,
            "service": case.service_version.service,
            "applicant": selectors.applicant_label(case),
            "branches": selectors.case_branches(case),
            "answers": _masked_answers(request, case),
            "materials": case.materials.all().order_by("code", "created_at"),
            "timeline": selectors.case_timeline(case, public_only=False),
            "my_tasks": mine,
            "days_left": selectors.working_days_left(case.deadline),
            "findings": case_findings(case),
        },
    )


@access(STAFF)
def staff_material_download(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    case = _staff_case(request, number)
    material = case.materials.filter(pk=material_id).exclude(file="").first()
    if material is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            actor=Actor.from_request(request),
            action="cases.material.download",
            target=material,
            changes={"case": case.number, "code": material.code},
            purpose=_("审批办件"),
        )
    response = FileResponse(
        default_storage.open(material.file, "rb"),
        content_type=material.content_type,
        as_attachment=True,
        filename=material.original_name or material.file.rsplit("/", 1)[-1],
    )
    return cast(HttpResponse, response)  # streamed; the access decorator types HttpResponse
