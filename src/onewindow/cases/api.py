"""Cases API: submit (idempotent with an ``Idempotency-Key`` header), list and read one's own
cases, withdraw, present a wallet licence for a material; the staff inbox, claim and complete
tasks."""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from onewindow.api.auth import session_or_bearer
from onewindow.audit.services import Actor
from onewindow.cases import selectors, services
from onewindow.cases.findings import task_form
from onewindow.cases.forms import masked_form_data
from onewindow.cases.models import Case, CaseMaterial
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.licences.selectors import licence_related

router = Router(tags=["cases"])
tasks_router = Router(tags=["tasks"])
AUTH = session_or_bearer


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class MaterialIn(StrictSchema):
    code: str = Field(max_length=64)
    filename: str = Field(default="", max_length=200)
    content_base64: str = Field(default="", description="file content, base64")
    licence_id: int | None = Field(
        default=None,
        description="instead of a file, for a material of source licence: the id of one of "
        "your licences (GET /api/v1/licences)",
    )


class CaseIn(StrictSchema):
    service: str = Field(max_length=64, description="service code")
    company: str | None = Field(default=None, max_length=18, description="USCC, enterprise")
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=20)
    appointment_slot: int | None = Field(
        default=None,
        description="slot id from GET /api/v1/services/{code}/slots, for services that "
        "need an appointment",
    )


class TaskOut(Schema):
    id: int
    case: str
    service: str
    name: str
    department: str
    status: str
    decision: str
    due_date: datetime.date | None
    working_days_left: int | None = None
    overdue: bool
    escalated: bool
    escalated_at: datetime.datetime | None = None
    form: dict[str, Any] = Field(
        default_factory=dict,
        description="The task form (JSON Schema): what the holder records when completing "
        "(a department's finding); its values go in `findings` of the completion",
    )
    findings: dict[str, Any] = Field(
        default_factory=dict, description="What the holder recorded (the task form's values)"
    )


class LicenceRef(Schema):
    number: str
    type: str
    status: str  # valid | revoked | altered, verified when read


class MaterialOut(Schema):
    code: str
    name: str
    source: str  # upload | exchange | licence
    superseded: bool
    licence: LicenceRef | None = None


class UseLicenceIn(StrictSchema):
    licence_id: int = Field(description="id of one of your licences (GET /api/v1/licences)")


class CaseOut(Schema):
    number: str
    service: str
    service_version: int
    status: str
    submitted_at: datetime.datetime | None
    concluded_at: datetime.datetime | None
    deadline: datetime.date | None
    form: dict[str, Any] = Field(
        description="The form answers; citizen ID numbers, phone numbers and email addresses "
        "masked (as on the case page)"
    )
    tasks: list[TaskOut]
    materials: list[MaterialOut] = Field(default_factory=list)


class CaseBrief(Schema):
    number: str
    service: str
    status: str
    submitted_at: datetime.datetime | None
    deadline: datetime.date | None


class CompleteIn(StrictSchema):
    decision: str = Field(pattern="^(approve|reject|supplement)$")
    comment: str = Field(default="", max_length=2000)
    findings: dict[str, Any] = Field(
        default_factory=dict,
        description="Values of the task's form (`form` of the task, a JSON Schema), e.g. "
        '`{"income_ok": true}`; they become process variables. Required fields are '
        "required to approve; errors name the field as `findings.<name>`",
    )


class WithdrawIn(StrictSchema):
    reason: str = Field(default="", max_length=500)


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    errors: list[ErrorItem]


def _task_out(task: Any) -> dict[str, Any]:
    return {
        "id": task.pk,
        "case": task.case.number or "",
        "service": task.case.service_version.service.code,
        "name": task.name,
        "department": task.department.code,
        "status": task.status,
        "decision": task.decision,
        "due_date": task.due_date,
        "working_days_left": selectors.working_days_left(task.due_date),
        "overdue": task.overdue,
        "escalated": task.escalated,
        "escalated_at": task.escalated_at,
        "form": task_form(task.case, task.element_id),
        "findings": task.findings or {},
    }


def _material_out(material: CaseMaterial) -> dict[str, Any]:
    from onewindow.licences.selectors import licence_check

    licence = material.licence
    return {
        "code": material.code,
        "name": material.name,
        "source": material.source,
        "superseded": material.superseded,
        "licence": {
            "number": licence.number,
            "type": licence.licence_type.code,
            "status": licence_check(licence=licence).result,
        }
        if licence is not None
        else None,
    }


def _case_out(case: Case) -> dict[str, Any]:
    tasks = case.tasks.select_related("department", "case__service_version__service").order_by(
        "created_at", "pk"
    )
    return {
        "number": case.number or "",
        "service": case.service_version.service.code,
        "service_version": case.service_version.number,
        "status": case.status,
        "submitted_at": case.submitted_at,
        "concluded_at": case.concluded_at,
        "deadline": case.deadline,
        "form": masked_form_data(case.service_version.form_schema or {}, case.form_data),
        "tasks": [_task_out(t) for t in tasks],
        "materials": [
            _material_out(m)
            for m in case.materials.select_related(*licence_related("licence")).order_by(
                "code", "created_at"
            )
        ],
    }


def _resident(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") != "resident":
        raise PermissionDenied(_("只有居民账号可以办理申请。"), code="residents_only")
    return user


def _staff(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") not in {"staff", "operator"}:
        raise PermissionDenied(_("只有工作人员可以办理任务。"), code="staff_only")
    return user


def _errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The refusals of an operation's own use case; the API adds the ones every operation of
    its shape can give (400, 401, 403 CSRF, 413, 422: onewindow.api.openapi)."""
    return {status: ErrorOut for status in statuses}


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": "One key per application: the same key with the same body answers the "
    "case it made (200), with another body 409 `idempotency_mismatch`. Surrounding "
    "whitespace is ignored.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "\\S"},
}


@router.post(
    "/cases",
    auth=AUTH,
    response={200: CaseOut, 201: CaseOut, **_errors(403, 404, 409)},
    summary="Submit an application (Idempotency-Key header required)",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def case_create(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = _resident(request)
    materials, licences = [], []
    for item in payload.materials:
        if item.licence_id is not None:
            if item.content_base64:
                raise ValidationFailed(
                    _("一项材料只能提交文件或选用电子证照，不能同时提交。"),
                    code="invalid",
                    field=f"material.{item.code}",
                )
            licences.append((item.code, item.licence_id))
            continue
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(
                _("材料内容不是有效的 base64。"), code="invalid", field=f"material.{item.code}"
            ) from exc
        materials.append((item.code, item.filename, content))
    case, created = services.case_create_and_submit(
        user=user,
        service_code=payload.service,
        company_uscc=payload.company,
        form_data=payload.form,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        materials=materials,
        licences=licences,
        appointment_slot=payload.appointment_slot,
        actor=Actor.from_request(request),
    )
    case.refresh_from_db()
    return Status(201 if created else 200, _case_out(case))


@router.get(
    "/cases", auth=AUTH, response={200: list[CaseBrief], **_errors(403)}, summary="My cases"
)
def case_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = _resident(request)
    return [
        {
            "number": c.number,
            "service": c.service_version.service.code,
            "status": c.status,
            "submitted_at": c.submitted_at,
            "deadline": c.deadline,
        }
        for c in selectors.cases_for_user(user=user, include_drafts=False)[:200]
    ]


def _own(request: HttpRequest, number: str) -> Case:
    case = selectors.case_for_user(user=_resident(request), number=number)
    if case is None:
        raise NotFound(_("办件不存在或您无权查看。"), code="case_not_found")
    return case


@router.get(
    "/cases/{number}",
    auth=AUTH,
    response={200: CaseOut, **_errors(403, 404)},
    summary="One of my cases",
)
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _case_out(_own(request, number))


@router.post(
    "/cases/{number}/withdraw",
    auth=AUTH,
    response={200: CaseOut, **_errors(403, 404, 409)},
    summary="Withdraw my case",
)
def case_withdraw(request: HttpRequest, number: str, payload: WithdrawIn) -> dict[str, Any]:
    case = _own(request, number)
    services.case_withdraw(
        user=_resident(request),
        case_id=case.pk,
        reason=payload.reason,
        actor=Actor.from_request(request),
    )
    case.refresh_from_db()
    return _case_out(case)


@router.post(
    "/cases/{number}/materials/{code}/licence",
    auth=AUTH,
    response={200: MaterialOut, **_errors(403, 404, 409)},
    summary="Use a licence from my wallet for a material (电子证照免提交), while the case "
    "waits for supplements",
)
def case_material_licence(
    request: HttpRequest, number: str, code: str, payload: UseLicenceIn
) -> dict[str, Any]:
    case = _own(request, number)
    material = services.case_material_use_licence(
        user=_resident(request),
        case_id=case.pk,
        code=code,
        licence_id=payload.licence_id,
        actor=Actor.from_request(request),
    )
    return _material_out(material)


@tasks_router.get(
    "/tasks", auth=AUTH, response={200: list[TaskOut], **_errors(403)}, summary="My task inbox"
)
def task_inbox(
    request: HttpRequest, status: str = "", service: str = "", overdue: bool = False
) -> list[dict[str, Any]]:
    user = _staff(request)
    rows = selectors.inbox_tasks(user=user, status=status, service=service, overdue=overdue)
    return [_task_out(t) for t in rows]


@tasks_router.post(
    "/tasks/{task_id}/claim",
    auth=AUTH,
    response={200: TaskOut, **_errors(403, 404, 409)},
    summary="Claim",
)
def task_claim(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = services.task_claim(
        user=_staff(request), task_id=task_id, actor=Actor.from_request(request)
    )
    return _task_out(task)


@tasks_router.post(
    "/tasks/{task_id}/complete",
    auth=AUTH,
    response={200: TaskOut, **_errors(403, 404, 409)},
    summary="Approve, reject or return for supplements",
)
def task_complete(request: HttpRequest, task_id: int, payload: CompleteIn) -> dict[str, Any]:
    task = services.task_complete(
        user=_staff(request),
        task_id=task_id,
        decision=payload.decision,
        comment=payload.comment,
        findings=payload.findings,
        actor=Actor.from_request(request),
    )
    task.refresh_from_db()
    return _task_out(task)
