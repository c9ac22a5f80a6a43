"""Reads of the catalog: search, a service and its current version, package problems, and
form validation against a service's JSON Schema."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from onewindow.identity.models import Department

__all__ = [
    "form_coerce",
    "form_fields",
    "form_normalize",
    "form_validate",
    "package_problems",
    "service_current_id",
    "service_current_id_by_code",
    "service_department_loaded",
    "service_get",
    "service_issuing_licence",
    "service_search",
    "service_version_current",
    "service_version_get",
    "service_version_in_force",
    "services_online_by_code",
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


def service_version_in_force(*, code: str) -> ServiceVersion | None:
    """The version in force of the active service ``code``, or None (no such service, not
    published, or suspended). One query, the service's department read with it (the version's
    ``service`` itself is not attached)."""
    service = Service.objects.select_related("current", "department").filter(code=code).first()
    if service is None or service.current is None or not service.is_active:
        return None
    return service.current


def service_current_id(*, service_id: int) -> int | None:
    """The id of the version of the service in force now (read, not cached; active or not)."""
    return Service.objects.filter(pk=service_id).values_list("current_id", flat=True).first()


def service_current_id_by_code(*, code: str) -> int | None:
    """The id of the version in force of the active service ``code`` (read, not cached): the
    version itself can then come from the worker's cache (``catalog.versions``)."""
    return (
        Service.objects.filter(code=code, is_active=True)
        .values_list("current_id", flat=True)
        .first()
    )


def services_online_by_code(*, codes: Collection[str]) -> dict[str, Service]:
    """The services among ``codes`` that are online now (active and published), by code."""
    return {
        s.code: s
        for s in Service.objects.filter(code__in=codes, is_active=True, current__isnull=False)
    }


def service_issuing_licence(*, licence_type: str) -> Service | None:
    """An online service whose outcome is a licence of this type, if the catalogue has one."""
    return (
        Service.objects.filter(
            is_active=True,
            current__isnull=False,
            current__definition__outcome__licence_type=licence_type,
        )
        .order_by("code")
        .first()
    )


def service_department_loaded(*, service: Service) -> Department | None:
    """The service's department when it is already loaded with the service (no query), else
    None."""
    if Service.department.is_cached(service):
        return service.department
    return None


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
