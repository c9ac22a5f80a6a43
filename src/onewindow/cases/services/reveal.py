"""A staff member reveals one personal answer of a case's form (a citizen ID number, phone
number or email address, which the pages and the API show masked). As identity's
``person_reveal``: they must hold ``identity.view_pii`` and state a purpose (用途); here they
must also see the case. Granted and refused attempts are both audited (the refusal is
recorded, then raised), one row naming the case, the field and the purpose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.cases import audit_events
from onewindow.cases.forms import PII_FORMATS, FormField, build_fields, flat_answers
from onewindow.cases.models import Case
from onewindow.cases.selectors import staff_case_visible
from onewindow.cases.services._common import CaseNotFound, actor_for
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from onewindow.identity.models import User

PURPOSE_MAX = 200  # as identity's reveal


@dataclass(frozen=True)
class RevealedAnswer:
    field: str  # the answer's dotted path in the form
    label: str
    value: str


class AnswerNotFound(NotFound):
    code = "answer_not_found"

    def __init__(self) -> None:
        super().__init__(_("申请表中没有该项个人信息。"))


def _personal_answer(case: Case, field: str) -> FormField | None:
    """The answer ``field`` of the case's form if it is a personal one that was given."""
    fields = build_fields(case.service_version.form_schema or {}, case.form_data)
    for answer in flat_answers(fields):
        if answer.name == field and answer.fmt in PII_FORMATS:
            return answer if answer.value not in (None, "", []) else None
    return None


def _clean_purpose(purpose: str) -> str:
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("请填写查看用途。"), code="required", field="purpose")
    if len(purpose) > PURPOSE_MAX:
        raise ValidationFailed(
            _("用途不能超过%(n)d个字符。") % {"n": PURPOSE_MAX}, code="too_long", field="purpose"
        )
    return purpose


def case_answer_reveal(
    *, user: User, case: Case, field: str, purpose: str, actor: Actor | None = None
) -> RevealedAnswer:
    """The full value of the personal answer ``field`` for a staff member who holds
    ``identity.view_pii``, sees the case and says why. Refused: ``CaseNotFound`` when the
    case is not theirs to see (as an unknown case), ``PermissionDenied`` without the
    permission; both after the refusal's audit row."""
    purpose = _clean_purpose(purpose)
    answer = _personal_answer(case, field)
    if answer is None:
        raise AnswerNotFound()
    staff = bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "kind", "") in {"staff", "operator"}
    )
    visible = staff and staff_case_visible(user=user, case=case)
    granted = visible and user.has_perm("identity.view_pii")
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor_for(user, actor),
            action=audit_events.ANSWER_REVEAL,
            target=case,
            outcome=Outcome.OK if granted else Outcome.DENIED,
            purpose=purpose,
            changes={"case": case.number, "field": answer.name},
        )
    if not visible:
        raise CaseNotFound()
    if not granted:
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    value = answer.value
    shown = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return RevealedAnswer(field=answer.name, label=answer.label, value=shown)
