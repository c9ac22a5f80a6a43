"""Reads of the catalog: search, a service and its current version, package problems, and
form validation against a service's JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.browse import services_sorted
from onewindow.catalog.forms import form_coerce, form_fields, form_normalize, form_validate
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.catalog.packages import (
    Problem,
    ValidationContext,
    package_load,
    sources_from_paths,
    vocabulary_load,
)
from onewindow.catalog.packages.process import resolve_group
from onewindow.core.errors import NotFound

__all__ = [
    "form_coerce",
    "form_fields",
    "form_normalize",
    "form_validate",
    "package_problems",
    "service_get",
    "service_search",
    "service_version_current",
    "service_version_get",
    "services_sorted",
]


def service_search(
    *,
    q: str = "",
    life_event: str = "",
    department: str = "",
    kind: str = "",
    topic: str = "",
) -> QuerySet[Service]:
    """Published, active services matching every given filter. ``q`` matches names, tags
    and codes; ``department`` matches the department or any of its branches."""
    services = Service.objects.filter(is_active=True, current__isnull=False).select_related(
        "department", "current"
    )
    words = [word for word in (q or "").lower().split() if word]
    for word in words:
        services = services.filter(Q(search_text__contains=word) | Q(name__icontains=word))
    if department:
        services = services.filter(
            Q(department__code=department) | Q(department__parent__code=department)
        )
    if kind:
        services = services.filter(kind=kind)
    ids: list[int] | None = None
    if life_event or topic:
        # JSON list membership, the same on SQLite and PostgreSQL.
        ids = [
            pk
            for pk, events, topics in services.values_list("pk", "life_events", "topics")
            if (not life_event or life_event in (events or []))
            and (not topic or topic in (topics or []))
        ]
        services = services.filter(pk__in=ids)
    return services.order_by("name")


def service_get(*, code: str) -> Service:
    service = (
        Service.objects.select_related("department", "current")
        .filter(code=code, is_active=True)
        .first()
    )
    if service is None or service.current is None:
        raise NotFound(_("没有找到该服务事项。"), field="code")
    return service


def service_version_current(*, code: str) -> ServiceVersion:
    service = service_get(code=code)
    assert service.current is not None
    return service.current


def service_version_get(*, code: str, number: int) -> ServiceVersion:
    version = (
        ServiceVersion.objects.select_related("service").filter(service__code=code, number=number)
    ).first()
    if version is None:
        raise NotFound(_("没有找到该服务版本。"))
    return version


def package_problems(
    path: str | Path, *, context: ValidationContext | None = None
) -> list[Problem]:
    """Every problem of the package(s) at ``path`` (empty list: publishable)."""
    sources, problems = sources_from_paths([path])
    context = context or ValidationContext.best_available()
    for source in sources:
        problems.extend(package_load(source, context).problems)
    return problems


def vocabulary_choices(section: str) -> list[tuple[str, str]]:
    return vocabulary_load().choices(section)


def departments_with_services() -> list[tuple[str, str]]:
    from onewindow.identity.selectors import departments_by_ids

    offered = Service.objects.filter(is_active=True, current__isnull=False).values_list(
        "department_id", flat=True
    )
    rows = departments_by_ids(ids=offered)
    return [(d.code, d.name_en if _is_english() and d.name_en else d.name) for d in rows]


def _is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def candidate_group_target(group: str, *, roles: Mapping[str, Any]) -> tuple[str, str] | None:
    """The one rule that maps a BPMN candidate group to (department code, role code): the
    package's ``roles:`` entry (both ``department`` and ``role`` given), else the literal
    ``<department>:<role>``. None when neither places it, and for a company's task
    (``company:<question>``), which no department role holds. The validator, the service
    guide, the dry run and the running case all use it, so they cannot disagree."""
    return resolve_group(group, dict(roles))
