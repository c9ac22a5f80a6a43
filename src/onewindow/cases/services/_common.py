"""Helpers shared by the case services: errors, the per-case lock, timeline rows, and keeping
the task table in step with the engine's open user tasks."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor
from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.signals import publish
from onewindow.catalog.selectors import candidate_group_target
from onewindow.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied

if TYPE_CHECKING:
    from onewindow.identity.models import User


class CaseNotFound(NotFound):
    code = "case_not_found"

    def __init__(self) -> None:
        super().__init__(_("办件不存在或您无权查看。"))


class TaskNotFound(NotFound):
    code = "task_not_found"

    def __init__(self) -> None:
        super().__init__(_("任务不存在或您无权办理。"))


class CaseFinished(Conflict):
    code = "case_finished"

    def __init__(self) -> None:
        super().__init__(_("该办件已办结或已撤回，不能再操作。"))


class TaskFinished(Conflict):
    code = "task_finished"

    def __init__(self) -> None:
        super().__init__(_("该任务已办理完毕，不能重复操作。"))


class StaleCase(Conflict):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(_("办件已被他人更新，请刷新后重试。"))


class NotYourTask(PermissionDenied):
    code = "not_your_task"

    def __init__(self) -> None:
        super().__init__(_("您没有办理该任务的角色。"))


class ProcessConfigError(ApplicationError):
    status = 500
    code = "process_config"


class NotAgentAnyMore(PermissionDenied):
    code = "not_agent"

    def __init__(self) -> None:
        super().__init__(_("您对该企业的经办人授权已撤销或已过期，不能再代表该企业办理此件。"))


def own_case(case: Case, user: User) -> None:
    """The user may act on the case: they applied for it and, for a company's case, their
    authorisation to act for the company is still in force (the legal representative's
    revocation, or its last day passing, ends it)."""
    if case.created_by_id != user.pk:
        raise CaseNotFound()
    if case.applicant_company_id is None:
        return
    from onewindow.identity.selectors import company_ids_for_person

    if case.agent_id is None or case.applicant_company_id not in company_ids_for_person(
        person_id=case.agent_id
    ):
        raise NotAgentAnyMore()


def actor_for(user: User, actor: Actor | None) -> Actor:
    return actor or Actor.from_user(user)


CASE_RELATED = ("service_version__service__department",)


def lock_case(case_id: int, *, fresh_service: bool = False) -> Case:
    """Take the per-case lock (a row lock on PostgreSQL; SQLite already serialises writers
    with BEGIN IMMEDIATE) and return the fresh row, with its service version, service and
    owning department (read by the engine context and the task table).

    The version comes from the process-local cache of published versions (they never
    change); ``fresh_service`` reads the service and department from the database instead,
    for callers that need the version in force at this moment (submitting a draft)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must be called inside transaction.atomic")
    cases = Case.objects.select_for_update(of=("self",))
    if fresh_service:
        cases = cases.select_related(*CASE_RELATED)
    case = cases.filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound()
    if not fresh_service:
        _attach_version(case)
    return case


def lock_case_of_task(task_id: int) -> Case | None:
    """The per-case lock taken through one of the case's tasks, in one query (the task's
    ``case_id`` never changes, so reading it inside the locking statement is safe)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case_of_task must be called inside transaction.atomic")
    case = (
        Case.objects.select_for_update(of=("self",))
        .filter(pk=Subquery(CaseTask.objects.filter(pk=task_id).values("case_id")[:1]))
        .first()
    )
    if case is not None:
        _attach_version(case)
    return case


def _attach_version(case: Case) -> None:
    from onewindow.catalog.versions import service_version_cached

    case.service_version = service_version_cached(case.service_version_id)


def save_case(case: Case, *fields: str) -> None:
    """Compare-and-set on ``lock_version``: a write based on a stale read is refused."""
    values = {name: getattr(case, name) for name in fields}
    updated = Case.objects.filter(pk=case.pk, lock_version=case.lock_version).update(
        **values, lock_version=F("lock_version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleCase()
    case.lock_version += 1
    case_home_changed(case=case)


def event_row(
    case: Case,
    kind: str,
    *,
    user: User | None = None,
    actor_label: str = "",
    task: CaseTask | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    at: datetime.datetime | None = None,
) -> CaseEvent:
    """A timeline row, not yet saved (``apply_run`` inserts a use case's rows together)."""
    label = actor_label
    if not label and getattr(user, "kind", "") == "resident":
        label = str(_("申请人"))  # the timeline never shows an account name
    elif not label and user is not None:
        label = str(getattr(user, "display_name", "") or user.get_username())
    return CaseEvent(
        case=case,
        at=at or timezone.now(),
        kind=kind,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=label[:150],
        task=task,
        message=str(message),
        data=data or {},
        public=public,
    )


def event(case: Case, kind: str, **kwargs: Any) -> CaseEvent:
    row = event_row(case, kind, **kwargs)
    row.save(force_insert=True)
    publish(case, [row])
    return row


def group_target(group: str, *, definition: dict[str, Any]) -> tuple[str, str]:
    """A BPMN candidate group → (department code, role code), by the catalogue's one rule
    (:func:`onewindow.catalog.selectors.candidate_group_target`, the rule the validator
    checks packages with); a group it cannot place is a configuration error."""
    target = candidate_group_target(group, roles=(definition or {}).get("roles") or {})
    if target is None:
        raise group_error(group)
    return target


def group_error(group: str) -> ProcessConfigError:
    return ProcessConfigError(
        _("流程中的候选组 %(group)s 无法对应到部门和角色。") % {"group": group}
    )
