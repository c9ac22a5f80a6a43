"""The knowledge base (知识库): answers kept by departments, searched by operators and offered
to residents before they file. A department's staff with ``interaction.change_knowledgearticle``
keep their own department's answers; a published order's answer may become one."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from onewindow.identity.selectors import staff_permission_department_ids
from onewindow.interaction import audit_events
from onewindow.interaction.models import Category, KnowledgeArticle

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


def article_used(*, article_id: int) -> None:
    """Count one use of an answer (an operator answered with it, a resident found it enough)."""
    KnowledgeArticle.objects.filter(pk=article_id).update(uses=F("uses") + 1)
