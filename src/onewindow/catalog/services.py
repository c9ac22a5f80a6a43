"""Writes of the catalog: publishing service packages.

``service_packages_import`` checks every package first and publishes all of them in one
transaction, so a batch with one broken package publishes nothing. A package whose checksum
is already a version of its service creates no new version; a changed one becomes version
N+1 and the service's ``current``. Earlier versions stay for the cases pinned to them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.catalog import audit_events
from onewindow.catalog.browse import alias_search_words
from onewindow.catalog.models import Service, ServiceVersion, localized
from onewindow.catalog.packages import (
    LoadedPackage,
    PackageSource,
    Problem,
    ValidationContext,
    package_load,
    sources_from_paths,
    sources_from_zip,
)
from onewindow.core.errors import ValidationFailed
from onewindow.identity.selectors import departments_by_codes

if TYPE_CHECKING:
    from onewindow.identity.models import Department, User


class PackageInvalid(ValidationFailed):
    """One or more packages have problems; nothing was published."""

    code = "package_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(gettext_lazy("服务包有问题，未发布任何内容。"))
        self.problems = problems


@dataclass
class ImportResult:
    published: list[ServiceVersion] = field(default_factory=list)
    unchanged: list[ServiceVersion] = field(default_factory=list)


def packages_check(
    sources: Sequence[PackageSource],
    *,
    source_problems: Sequence[Problem] = (),
    context: ValidationContext | None = None,
) -> tuple[list[LoadedPackage], list[Problem]]:
    """Load every package and collect all problems (including codes repeated in the batch
    and a missing process engine, without which nothing can be published)."""
    context = context or ValidationContext.from_database()
    packages = [package_load(source, context) for source in sources]
    problems = list(source_problems)
    seen: dict[str, str] = {}
    for package in packages:
        problems.extend(package.problems)
        if package.engine_missing and not package.problems:
            problems.append(
                Problem(package.source.label, None, _("流程引擎不可用，无法编译流程，不能发布。"))
            )
        code = package.code
        if code in seen:
            problems.append(
                Problem(
                    package.source.label,
                    None,
                    _("服务编码 %(code)s 在本批次中重复（另见 %(other)s）。")
                    % {"code": code, "other": seen[code]},
                )
            )
        seen.setdefault(code, package.source.label)
    if not sources and not problems:
        problems.append(Problem("", None, _("没有找到任何服务包。")))
    return packages, problems


def service_packages_import(
    *,
    actor: Actor,
    paths: Sequence[str | Path] | None = None,
    zip: bytes | None = None,
    zip_label: str = "upload.zip",
    user: User | None = None,
    context: ValidationContext | None = None,
) -> list[ServiceVersion]:
    """Validate all packages, then publish all in one transaction. Returns the versions
    created. Raises ``PackageInvalid`` (nothing written) when any package has a problem."""
    return service_packages_publish(
        actor=actor, paths=paths, zip=zip, zip_label=zip_label, user=user, context=context
    ).published


def service_packages_publish(
    *,
    actor: Actor,
    paths: Sequence[str | Path] | None = None,
    zip: bytes | None = None,
    zip_label: str = "upload.zip",
    user: User | None = None,
    context: ValidationContext | None = None,
) -> ImportResult:
    sources: list[PackageSource] = []
    source_problems: list[Problem] = []
    if paths:
        found, problems = sources_from_paths(list(paths))
        sources += found
        source_problems += problems
    if zip is not None:
        found, problems = sources_from_zip(zip, label=zip_label)
        sources += found
        source_problems += problems
    packages, problems = packages_check(sources, source_problems=source_problems, context=context)
    if problems:
        raise PackageInvalid(problems)
    return _publish(packages, actor=actor, user=user)


@transaction.atomic(durable=True)
def _publish(packages: list[LoadedPackage], *, actor: Actor, user: User | None) -> ImportResult:
    result = ImportResult()
    departments = departments_by_codes(
        codes={str(p.definition.get("department")) for p in packages}
    )
    for package in packages:
        definition = package.definition
        service, _created = Service.objects.select_for_update().get_or_create(
            code=package.code,
            defaults={
                "name": localized_zh(definition.get("name")),
                "kind": definition["kind"],
                "department": departments[definition["department"]],
            },
        )
        _service_update(service, definition, departments[definition["department"]])
        existing = ServiceVersion.objects.filter(service=service, checksum=package.checksum).first()
        if existing is not None:
            if service.current_id != existing.pk:
                service.current = existing
                service.save(update_fields=["current", "updated_at"])
                audit_record(
                    actor=actor,
                    action=audit_events.SERVICE_PUBLISH,
                    target=existing,
                    changes={"service": service.code, "version": existing.number, "restored": True},
                )
                result.published.append(existing)
            else:
                result.unchanged.append(existing)
            continue
        number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ServiceVersion.objects.create(
            service=service,
            number=number,
            definition=definition,
            form_schema=package.form_schema,
            bpmn=package.bpmn,
            bpmn_is_default=package.bpmn_is_default,
            process_spec=package.process_spec,
            user_tasks=package.user_tasks,
            service_tasks=package.service_tasks,
            checksum=package.checksum,
            published_by=user if getattr(user, "pk", None) else None,
        )
        service.current = version
        service.save(update_fields=["current", "updated_at"])
        audit_record(
            actor=actor,
            action=audit_events.SERVICE_PUBLISH,
            target=version,
            changes={"service": service.code, "version": number, "checksum": package.checksum},
        )
        result.published.append(version)
    return result


def localized_zh(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("zh") or "")
    return "" if value is None else str(value)


def _service_update(service: Service, definition: dict[str, Any], department: Department) -> None:
    name = definition.get("name") or {}
    service.name = localized_zh(name)[:200]
    service.name_en = str(name.get("en") or "")[:300] if isinstance(name, dict) else ""
    service.kind = definition["kind"]
    service.department = department
    service.life_events = list(definition.get("life_events") or [])
    service.topics = list(definition.get("topics") or [])
    words = [
        service.code,
        service.name,
        service.name_en,
        localized(definition.get("summary")),
        *[str(tag) for tag in definition.get("tags") or []],
        *alias_search_words(definition),  # other names, such as the programme it replaced
        department.name,
    ]
    service.search_text = " ".join(w for w in words if w).lower()
    service.is_active = True
    service.save()
