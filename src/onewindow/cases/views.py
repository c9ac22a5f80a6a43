"""Staff workbench: the inbox of the staff member's department roles, task actions, and the
staff case page (all parallel branches, materials with audited download, masked form data).

The form's personal answers (citizen ID numbers, phone numbers, email addresses) are masked
for every staff member; on the task and case pages a holder of ``identity.view_pii`` reveals
one answer at a time with a stated purpose (POST ``action=reveal``, ``field``, ``purpose``),
audited by ``case_answer_reveal``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.appointments.selectors import in_person_block
from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events, selectors, services
from onewindow.cases.check_data import task_check_data
from onewindow.cases.findings import case_findings, form_fields_for_page, task_form
from onewindow.cases.forms import FormField, build_fields, masked_answers
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import inbox_for, workbench_header_for
from onewindow.cases.services.process import restore
from onewindow.cases.services.reveal import RevealedAnswer, case_answer_reveal
from onewindow.core.access import STAFF, access, forbidden
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.numbers import is_ascii_number, parse_id
from onewindow.licences.selectors import licence_related

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

# What a checkbox or a hand-written link sends for "on" (?overdue=1, ?overdue=true, ?overdue=on).
CHECKED = frozenset({"1", "true", "on", "yes"})


@access(STAFF)
def workbench(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("task") if is_ascii_number(i)]
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


def _task(request: AuthenticatedHttpRequest, task_id: int) -> CaseTask:
    task = selectors.task_for_staff(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    return task


@dataclass(frozen=True)
class Reveal:
    """What a reveal POST gave: the answer shown in full, or the error at its purpose field
    (``field``: the answer it was for, ``purpose``: what was typed)."""

    answer: RevealedAnswer | None = None
    field: str = ""
    purpose: str = ""
    error: str = ""


def _answers_context(request: HttpRequest, case: Case, reveal: Reveal | None) -> dict[str, Any]:
    """The application's answers, personal ones masked for everyone (the one just revealed
    shown in full), and what the answers partial needs for its reveal forms."""
    fields = build_fields(case.service_version.form_schema or {}, case.form_data)
    answers: list[FormField] = masked_answers(fields)
    revealed = reveal.answer if reveal else None
    for item in answers:
        if revealed is not None and item.name == revealed.field:
            item.value, item.masked = revealed.value, False
    return {
        "answers": answers,
        "may_reveal": request.user.has_perm("identity.view_pii"),
        "revealed_field": revealed.field if revealed else "",
        "reveal": reveal if reveal and reveal.error else None,
    }


def _reveal(request: AuthenticatedHttpRequest, case: Case) -> Reveal | HttpResponse:
    """POST ``action=reveal``: one personal answer in full for a holder of
    ``identity.view_pii`` who sees the case and states a purpose (audited either way)."""
    field = request.POST.get("field", "")
    purpose = request.POST.get("purpose", "")
    try:
        answer = case_answer_reveal(
            user=request.user,
            case=case,
            field=field,
            purpose=purpose,
            actor=Actor.from_request(request),
        )
    except PermissionDenied:
        return forbidden(request)
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        return Reveal(field=field, purpose=purpose[:200], error=str(exc.message))
    return Reveal(answer=answer, field=field)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@access(STAFF)
def staff_task(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    if request.method == "POST" and request.POST.get("action") == "reveal":
        reveal = _reveal(request, task.case)
        if isinstance(reveal, HttpResponse):
            return reveal
        status = 400 if reveal.error else 200
        return _no_store(_task_page(request, task, reveal=reveal, status=status))
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
                    to_user_id=parse_id(request.POST.get("to_user")) or 0,
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
    request: AuthenticatedHttpRequest,
    task: CaseTask,
    *,
    error: str = "",
    status: int = 200,
    posted: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    comment: str = "",
    reveal: Reveal | None = None,
) -> HttpResponse:
    case = task.case
    form = task_form(case, task.element_id)
    run = restore(case) if case.process_state else None
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
            **_answers_context(request, case, reveal),
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
            "check": task_check_data(user=request.user, task=task, run=run),
            "not_present": in_person_block(
                case=case, element_id=task.element_id, decision="approve", now=timezone.now()
            )
            if task.is_active
            else "",
        },
        status=status,
    )


def _staff_case(request: AuthenticatedHttpRequest, number: str) -> Case:
    case = Case.objects.filter(number=number).select_related("service_version__service").first()
    if case is None or not selectors.staff_case_visible(user=request.user, case=case):
        raise Http404
    return case


@access(STAFF)
def staff_case(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    reveal: Reveal | None = None
    if request.method == "POST" and request.POST.get("action") == "reveal":
        result = _reveal(request, case)
        if isinstance(result, HttpResponse):
            return result
        reveal = result
    scope = selectors.staff_task_scope(request.user)
    mine = list(case.tasks.filter(scope).order_by("-created_at")) if scope is not None else []
    response = render(
        request,
        "cases/staff_case.html",
        {
            "case": case,
            "service": case.service_version.service,
            "applicant": selectors.applicant_label(case),
            "branches": selectors.case_branches(case),
            **_answers_context(request, case, reveal),
            "materials": case.materials.all().order_by("code", "created_at"),
            "timeline": selectors.case_timeline(case, public_only=False),
            "my_tasks": mine,
            "days_left": selectors.working_days_left(case.deadline),
            "findings": case_findings(case),
        },
        status=400 if reveal and reveal.error else 200,
    )
    return _no_store(response) if reveal else response


@access(STAFF)
def staff_material_download(
    request: AuthenticatedHttpRequest, number: str, material_id: int
) -> HttpResponse:
    case = _staff_case(request, number)
    material = case.materials.filter(pk=material_id).exclude(file="").first()
    if material is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            actor=Actor.from_request(request),
            action=audit_events.MATERIAL_DOWNLOAD,
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
