"""Who holds a task as it opens (``keep_holder:`` in service.yaml). A case that stays in one
department does not go back to the pool at every step:

- ``role`` (the default): a task that opens right after a task of the same department and
  role goes to whoever completed that task, without a new claim;
- ``department``: a task of a department the case has already been with goes to whoever
  last completed a task of its role there (the clerk who accepted also concludes), else to
  the holder of the task just completed if they hold its role too;
- ``never``: every task opens in the pool.

Only a single task opening alone is kept (parallel branches open in the pool), and only for
a holder who still holds the task's role (``staff_may_act``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.services._common import event_row

ROLE, DEPARTMENT, NEVER = "role", "department", "never"


def keep_holders(case: Case, created: list[CaseTask]) -> list[CaseEvent]:
    """Claim the newly opened task for its keeper, inside the caller's transaction; the
    internal timeline rows saying so (not saved)."""
    mode = str((case.service_version.definition or {}).get("keep_holder") or ROLE)
    if mode == NEVER or len(created) != 1:
        return []
    row = created[0]
    done = (
        case.tasks.filter(
            status=CaseTask.Status.COMPLETED,
            completed_by__isnull=False,
            department_id=row.department_id,
        )
        .exclude(pk=row.pk)
        .select_related("completed_by")
        .order_by("-completed_at", "-pk")
    )
    last = (
        case.tasks.filter(status=CaseTask.Status.COMPLETED, completed_by__isnull=False)
        .exclude(pk=row.pk)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if last is None or (last.department_id != row.department_id and mode == ROLE):
        return []
    candidates: list[Any] = []
    if mode == ROLE:
        if last.role_code == row.role_code:
            candidates.append(last.completed_by)
    else:
        same_role = done.filter(role_code=row.role_code).first()
        if same_role is not None:
            candidates.append(same_role.completed_by)
        if last.department_id == row.department_id:
            candidates.append(last.completed_by)
    from onewindow.cases.services.tasks import staff_may_act

    holder = next((user for user in candidates if staff_may_act(user, row)), None)
    if holder is None:
        return []
    CaseTask.objects.filter(pk=row.pk).update(status=CaseTask.Status.CLAIMED, claimed_by=holder)
    case_home_changed(case_ids=[row.case_id])
    row.status, row.claimed_by = CaseTask.Status.CLAIMED, holder
    return [
        event_row(
            case,
            "task_claimed",
            user=holder,
            task=row,
            message=_("由同一经办人继续办理：%(step)s") % {"step": row.name},
            public=False,
        )
    ]
