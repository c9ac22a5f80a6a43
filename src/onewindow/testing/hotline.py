"""The hotline's test scene: a small category tree, knowledge-base answers, a hotline
operator and a department's knowledge editor (the default tree and the demo city's data are
seeded elsewhere)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from onewindow.identity.models import Department, Role, Staff, User
from onewindow.interaction.models import Category, KnowledgeArticle
from onewindow.testing.factories import DepartmentFactory, StaffFactory

# (code, name, parent code)
TREE = (
    ("city", "城市管理", ""),
    ("city.noise", "噪声扰民", "city"),
    ("city.road", "道路设施", "city"),
    ("housing", "住房保障", ""),
    ("housing.fund", "住房公积金", "housing"),
)


def category_tree() -> dict[str, Category]:
    """The test tree, ``{code: category}``: 城市管理 (噪声扰民, 道路设施), 住房保障 (住房公积金)."""
    made: dict[str, Category] = {}
    for position, (code, name, parent) in enumerate(TREE):
        made[code], _created = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "parent": made.get(parent), "position": position},
        )
    return made


def article_make(
    *,
    title: str,
    answer: str,
    keywords: str = "",
    category: Category | None = None,
    department: Department | None = None,
    published: bool = True,
) -> KnowledgeArticle:
    return KnowledgeArticle.objects.create(
        title=title,
        answer=answer,
        keywords=keywords,
        category=category,
        department=department,
        published=published,
    )


def role_with(code: str, name: str, *permissions: str) -> Role:
    role, _created = Role.objects.get_or_create(code=code, defaults={"name": name})
    for label in permissions:
        app_label, codename = label.split(".")
        role.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return role


def hotline_operator(*, username: str = "hotline_op") -> User:
    """A hotline operator (话务员) of the 12345 centre: ``interaction.add_request``."""
    role = role_with("hotline_operator", "热线话务员", "interaction.add_request")
    centre = DepartmentFactory(code="gz-12345", name="广州市12345热线服务中心")
    staff: Any = StaffFactory(
        user__username=username, user__display_name="李话务", department=centre, roles=[role]
    )
    return staff.user


def knowledge_editor(*, department: Department, username: str = "kb_editor") -> Staff:
    """A department's knowledge-base editor: ``interaction.change_knowledgearticle``."""
    role = role_with("knowledge_editor", "知识库维护人员", "interaction.change_knowledgearticle")
    staff: Any = StaffFactory(user__username=username, department=department, roles=[role])
    return staff
