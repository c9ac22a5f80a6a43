"""The demo city's own service packages (the ``catalog/`` folder at the repository's root),
applied for as the pages do and run to their end by the staff holding each task's role."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.identity.models import StaffRole
from onewindow.testing.cases import PDF, PNG


def catalog_dir() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "catalog" / "vocabulary.yaml").exists():
            return parent / "catalog"
    raise RuntimeError("catalog folder not found")


def sample_value(prop: dict[str, Any]) -> Any:
    import datetime

    if "enum" in prop:
        return prop["enum"][0]
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "integer":
        return max(int(prop.get("minimum", 1)), 1)
    if kind == "number":
        return max(prop.get("minimum", 100), 100)
    if kind == "boolean":
        return True
    if fmt == "citizen-id":
        return citizen_id_make("440106", datetime.date(1998, 5, 4), 123)
    if fmt == "uscc":
        return uscc_make("91440101MA0000001")
    if fmt == "phone":
        return "13800138000"
    if fmt == "date":
        return "2026-06-30"
    if fmt == "email":
        return "a@example.cn"
    return "测试内容"[: prop.get("maxLength", 50)]


# Values for fields whose pattern the generic sample does not satisfy.
PATTERNED = {"project_code": "2026-440100-44-01-000001"}


def sample_answers(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: PATTERNED.get(k, sample_value(v)) for k, v in schema["properties"].items()}


def run_to_the_end(case: Case) -> Case:
    for _round in range(20):
        case.refresh_from_db()
        if case.is_concluded:
            return case
        open_tasks = list(case.tasks.filter(status__in=["open", "claimed"]))
        assert open_tasks, (
            f"stuck in {case.status}: {case.process_state and case.process_state.get('run')}"
        )
        for task in open_tasks:
            approve_as_holder(task)
    raise AssertionError("did not conclude")


def approve_as_holder(task: Any) -> None:
    """Complete a task as a staff member holding its role in its department (or above)."""
    chain = [task.department_id] + [d.pk for d in task.department.ancestors()]
    holder = StaffRole.objects.filter(role__code=task.role_code, department_id__in=chain).first()
    assert holder is not None, (task.department.code, task.role_code)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_complete(user=holder.staff.user, task_id=task.pk, decision="approve")


def submit_package(
    resident: Any, version: Any, *, company: Any = None, answers: dict[str, Any] | None = None
) -> Case:
    """Apply for a published demo package as the pages do: form, required materials, submit."""
    case = services.case_draft_start(
        user=resident.user,
        service_code=version.service.code,
        company_uscc=company.uscc if company else None,
    )
    data = {**sample_answers(version.form_schema), **(answers or {})}
    errors = services.case_draft_save_form(user=resident.user, case_id=case.pk, data=data)
    assert not errors, errors
    for spec in services.material_specs(version.definition):
        if spec.source != "exchange" and spec.required:
            content = PDF if "application/pdf" in spec.accept else PNG
            services.case_material_attach(
                user=resident.user, case_id=case.pk, code=spec.code, upload=io.BytesIO(content)
            )
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_submit(user=resident.user, case_id=case.pk, token=case.submit_token)
