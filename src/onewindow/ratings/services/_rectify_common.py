"""What the rectification use cases share: who may act, the locked row, the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from onewindow.identity.selectors import staff_permission_department_ids, user_is_staff
from onewindow.ratings.models import Rectification
from onewindow.ratings.rectify_rules import LIVE as LIVE
from onewindow.ratings.rectify_rules import RECTIFY, REVIEW

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from onewindow.identity.models import User

ANSWER_MAX = 2000
NOTE_MAX = 1000


class NotRectifier(PermissionDenied):
    code = "not_rectifier"

    def __init__(self) -> None:
        super().__init__(_("您没有差评整改的权限。"))


class NotReviewer(PermissionDenied):
    code = "not_reviewer"

    def __init__(self) -> None:
        super().__init__(_("您没有复核差评申诉的权限。"))


class RectificationNotFound(NotFound):
    code = "rectification_not_found"

    def __init__(self) -> None:
        super().__init__(_("没有找到这条差评整改。"))


class WrongState(Conflict):
    """The rectification is not in a state that allows this move (the message says why)."""

    code = "wrong_state"


def rectifier_department_ids(user: User) -> set[int]:
    """The departments whose rectifications the account answers (a role granting
    rectify_ratings there; not the departments below them)."""
    if not user_is_staff(user=user):
        return set()
    return staff_permission_department_ids(user_id=user.pk, permission=RECTIFY)


def reviewer_required(user: User) -> None:
    if not user_is_staff(user=user) or not user.has_perm(REVIEW):
        raise NotReviewer()


def lock_for_department(*, user: User, rectification_id: int) -> Rectification:
    """The rectification, locked, if it is one of the account's departments' (NotRectifier
    without the permission anywhere, RectificationNotFound for another department's)."""
    departments = rectifier_department_ids(user)
    if not departments:
        raise NotRectifier()
    row = lock(rectification_id)
    if row.department_id not in departments:
        raise RectificationNotFound()
    return row


def lock(rectification_id: int) -> Rectification:
    row = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating__subject")
        .filter(pk=rectification_id)
        .first()
    )
    if row is None:
        raise RectificationNotFound()
    return row


def text_required(value: str, *, field: str, message: Promise, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, errors=[FieldError("required", message, field)])
    if len(text) > limit:
        too_long = _("内容太长，请不超过 %(limit)s 个字。") % {"limit": limit}
        raise ValidationFailed(too_long, errors=[FieldError("too_long", too_long, field)])
    return text
