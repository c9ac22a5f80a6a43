"""The working-day limits of rectification (``TimeLimit`` rows, else the national defaults),
which an operator changes (``onewindow ratings_time_limits``): a change applies to the
rectifications opened afterwards; those already open keep their due days."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.ratings import audit_events
from onewindow.ratings.models import TimeLimit
from onewindow.ratings.services._limits import DEFAULT_WORKING_DAYS
from onewindow.ratings.services._limits import due_for as due_for
from onewindow.ratings.services._limits import working_days_for as working_days_for

MAX_WORKING_DAYS = 60


def time_limits_list() -> list[tuple[str, str, int, bool]]:
    """(step, its name, working days, held as a row rather than the default) of each step."""
    held = dict(TimeLimit.objects.values_list("step", "working_days"))
    return [
        (step, str(label), int(held.get(step, DEFAULT_WORKING_DAYS[step])), step in held)
        for step, label in TimeLimit.Step.choices
    ]


@transaction.atomic(durable=True)
def time_limit_save(*, actor: Actor, step: str, working_days: int) -> TimeLimit:
    """Hold a step's limit in working days (1–60); rectifications opened from now on are
    due by it, those already open keep their due days."""
    if step not in TimeLimit.Step.values:
        message = _("没有这个时限环节。")
        raise ValidationFailed(message, errors=[FieldError("invalid", message, "step")])
    if not 1 <= int(working_days) <= MAX_WORKING_DAYS:
        out_of_range = _("工作日数须在 1 到 %(max)s 之间。") % {"max": MAX_WORKING_DAYS}
        raise ValidationFailed(
            out_of_range, errors=[FieldError("invalid", out_of_range, "working_days")]
        )
    before = working_days_for(step)
    TimeLimit.objects.get_or_create(step=step, defaults={"working_days": int(working_days)})
    row = TimeLimit.objects.select_for_update().get(step=step)
    row.working_days = int(working_days)
    row.save(update_fields=["working_days", "updated_at"])
    audit_record(
        actor=actor,
        action=audit_events.TIME_LIMIT_SAVE,
        target=row,
        changes={"step": step, "from": before, "to": row.working_days},
    )
    return row
