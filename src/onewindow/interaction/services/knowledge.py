"""The knowledge base (知识库): answers kept by departments, searched by operators and offered
to residents before they file. A department's staff with ``interaction.change_knowledgearticle``
keep their own department's answers; a concluded consultation's answer may become one
(``request_publish``: 公开答复), with the requester's personal data masked."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.core.masking import mask_text
from onewindow.identity.selectors import staff_permission_department_ids
from onewindow.interaction import audit_events
from onewindow.interaction.models import Category, KnowledgeArticle, Move, Request
from onewindow.interaction.selectors.public import publishable, requester_names
from onewindow.interaction.services._common import WrongState, lock_request, move_add
from onewindow.interaction.services._loop import DISPATCH

if TYPE_CHECKING:
    from onewindow.identity.models import User

PERMISSION = "interaction.change_knowledgearticle"
TITLE_MAX = 200
ANSWER_MAX = 5000


def article_save(
    *,
    user: User,
    department_id: int,
    title: str,
    answer: str,
    article_id: int | None = None,
    category_code: str = "",
    keywords: str = "",
    published: bool = True,
    valid_until: datetime.date | None = None,
) -> KnowledgeArticle:
    """Write a new answer, or change one of the department's."""
    if department_id not in staff_permission_department_ids(user_id=user.pk, permission=PERMISSION):
        raise PermissionDenied(_("您无权维护该部门的知识库。"))
    title, answer, errors = _texts_checked(title, answer)
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            errors.append(FieldError("unknown", _("没有这个诉求分类。"), "category"))
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    with transaction.atomic(durable=True):
        found = (
            KnowledgeArticle(department_id=department_id)
            if article_id is None
            else KnowledgeArticle.objects.select_for_update()
            .filter(pk=article_id, department_id=department_id)
            .first()
        )
        if found is None:
            raise NotFound(_("该知识条目不存在或不属于您的部门。"))
        article = found
        article.title = title
        article.answer = answer
        article.category = category
        article.keywords = (keywords or "").strip()[:200]
        article.published = published
        article.valid_until = valid_until
        article.updated_by = user
        article.save()
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.ARTICLE_SAVE,
            target=article,
            changes={"title": title, "published": published, "new": article_id is None},
        )
    return article


def _texts_checked(title: str, answer: str) -> tuple[str, str, list[FieldError]]:
    errors: list[FieldError] = []
    title = (title or "").strip()
    answer = (answer or "").strip()
    if not title:
        errors.append(FieldError("required", _("请填写问题。"), "title"))
    elif len(title) > TITLE_MAX:
        errors.append(
            FieldError("too_long", _("问题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}, "title")
        )
    if not answer:
        errors.append(FieldError("required", _("请填写答复。"), "answer"))
    elif len(answer) > ANSWER_MAX:
        errors.append(
            FieldError("too_long", _("答复不能超过 %(n)s 个字。") % {"n": ANSWER_MAX}, "answer")
        )
    return title, answer, errors


def _publishing_department(user: User, request: Request) -> int:
    """The department whose knowledge base gets the answer: one the account keeps answers
    for that had a part in the order (the lead first), else — for the hotline office's
    dispatchers — the office's own."""
    keeps = staff_permission_department_ids(user_id=user.pk, permission=PERMISSION)
    if not keeps:
        raise PermissionDenied(_("您无权维护知识库。"))
    parts = set(request.assignments.values_list("department_id", flat=True))
    if request.department_id is not None and request.department_id in keeps:
        return request.department_id
    if keeps & parts:
        return min(keeps & parts)
    if staff_permission_department_ids(user_id=user.pk, permission=DISPATCH):
        return min(keeps)
    raise PermissionDenied(_("该工单未派给您所在的部门，不能公开其答复。"))


def request_publish(
    *, user: User, request_id: int, title: str = "", answer: str = ""
) -> KnowledgeArticle:
    """Publish a concluded consultation's answer (公开答复) as a knowledge-base answer of the
    publishing department, the question and the answer (as given, else the order's own)
    with the requester's name and any phone, identity or card number masked; the order is
    marked published and its timeline keeps the step."""
    with transaction.atomic(durable=True):
        request = lock_request(request_id)
        department_id = _publishing_department(user, request)
        if request.published:
            raise Conflict(_("该工单的答复已公开到知识库。"), code="already_published")
        if not publishable(request):
            raise WrongState(_("只有已办结、未保密的咨询工单的答复可以公开到知识库。"))
        names = requester_names([request])[request.pk]
        title, answer, errors = _texts_checked(
            mask_text(title or request.title, names=names),
            mask_text(answer or request.answer, names=names),
        )
        if errors:
            raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
        article = KnowledgeArticle.objects.create(
            title=title,
            answer=answer,
            category=request.category,
            department_id=department_id,
            source_request=request,
            published=True,
            updated_by=user,
        )
        request.published = True
        request.save(update_fields=["published", "updated_at"])
        move_add(
            request,
            action=Move.Action.PUBLISH,
            actor=user,
            department_id=department_id,
            data={"article": article.pk},
            public=False,
        )
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.REQUEST_PUBLISH,
            target=request,
            changes={"article": article.pk, "department": department_id, "title": title},
        )
    return article


def article_used(*, article_id: int) -> None:
    """Count one use of an answer (an operator answered with it, a resident found it enough)."""
    KnowledgeArticle.objects.filter(pk=article_id).update(uses=F("uses") + 1)
