"""The applicant answers a supplement request (补正): corrected form answers and materials go
back, the waiting tasks return to their inboxes, and the process variables follow the
corrected form, so every condition evaluated afterwards uses the new answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import (
    actor_for,
    event,
    lock_case,
    own_case,
)
from onewindow.cases.services.materials import material_errors
from onewindow.cases.services.persons import applicant_fill, applicant_of, merged
from onewindow.cases.services.process import (
    applicant_tasks,
    apply_run,
    enqueue_advance,
    process_context,
    restore,
)
from onewindow.cases.services.submission import applicant_form, changed_fields
from onewindow.core.errors import Conflict, FieldError, ValidationFailed
from onewindow.workflow import ProcessRun

if TYPE_CHECKING:
    from onewindow.identity.models import User


def _errors(case: Case, form_data: dict[str, Any] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if form_data is not None:
        _filled, errors = applicant_form(case.service_version, form_data, applicant_of(case))
        errors = merged(_party_changes(case, form_data), errors)
    errors.extend(material_errors(case))
    return errors


def _party_changes(case: Case, form_data: dict[str, Any]) -> list[FieldError]:
    """A person named on the form stays the person checked (and asked) at submission: their
    citizen ID cannot be changed in a supplement."""
    from onewindow.catalog.forms import property_at, title_of
    from onewindow.catalog.persons import party_specs

    out = []
    for spec in party_specs(case.service_version.definition):
        if form_data.get(spec.id_field) != case.form_data.get(spec.id_field):
            title = title_of(property_at(case.service_version.form_schema, [spec.id_field]))
            out.append(
                FieldError(
                    code="party_locked",
                    message=gettext_lazy(
                        "%(field)s提交后不能在补正中修改；如填写有误，请撤回后重新申请。"
                    )
                    % {"field": title or spec.id_field},
                    field=spec.id_field,
                )
            )
    return out


def sync_variables(run: ProcessRun, form_data: dict[str, Any], changed: list[str]) -> None:
    """The engine sees the corrected answers: changed fields get their new value, fields the
    applicant cleared are dropped (as if they had never been submitted)."""
    if not changed:
        return
    run.set_variables(
        {k: form_data[k] for k in changed if k in form_data},
        remove=tuple(k for k in changed if k not in form_data),
    )


@transaction.atomic(durable=True)
def case_supplement_submit(
    *,
    user: User,
    case_id: int,
    form_data: dict[str, Any] | None = None,
    note: str = "",
    actor: Actor | None = None,
) -> Case:
    """Send the corrected application back: the waiting tasks return to their inboxes (or
    the process's own supplement step is completed), with the process variables updated."""
    case = lock_case(case_id)
    own_case(case, user)
    if case.status != Case.Status.SUPPLEMENT:
        raise Conflict(gettext_lazy("该办件当前不需要补正。"), code="no_supplement")
    errors = _errors(case, form_data)
    if errors:
        raise ValidationFailed(_("补正内容有误，请修改后再提交。"), errors=errors)
    changed: list[str] = []
    if form_data is not None:
        form_data = applicant_fill(case.service_version.form_schema, form_data, applicant_of(case))
        changed = changed_fields(case.form_data, form_data)
        case.form_data = form_data
    waiting = list(case.tasks.filter(status=CaseTask.Status.WAITING))
    for task in waiting:
        task.status = CaseTask.Status.CLAIMED if task.claimed_by_id else CaseTask.Status.OPEN
        task.decision = ""
        task.save(update_fields=["status", "decision"])
    now = timezone.now()
    run = restore(case)
    sync_variables(run, case.form_data, changed)
    pending = applicant_tasks(run)
    data = {**dict(case.form_data), "decision": "", "comment": ""}
    for item in pending:
        run.complete(item.uid, data=data, now=now, context=process_context(case))
    apply_run(case, run, now=now, also=("form_data",))
    if pending:
        enqueue_advance(case)
    event(
        case,
        "supplement_submitted",
        user=user,
        message=(
            _("提交了补正材料，说明：%(note)s") % {"note": note.strip()[:500]}
            if note.strip()
            else _("提交了补正材料。")
        ),
        data={"fields": changed},
    )
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.CASE_SUPPLEMENT,
        target=case,
        changes={"fields": changed, "tasks": [t.pk for t in waiting]},
    )
    return case
