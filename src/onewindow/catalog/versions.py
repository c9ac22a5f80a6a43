"""A process-local cache of published service versions for the case engine's hot path.

A ``ServiceVersion`` row never changes after publication (a new package is a new version), so
each worker reads a version's definition, form schema and compiled process once instead of
with every task completion. The version's service and the service's department can change
(renamed, moved, a new version in force); they are re-read after ``SERVICE_TTL`` seconds, and
at once in this process when a service, version or department is saved here. Code that needs
the version in force *now* (submitting a draft) reads the service itself.

Departments that processes send tasks to are kept the same way (``departments_by_code``):
their code and id never change, their names may, and are re-read after ``SERVICE_TTL``."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.db.models.signals import post_delete, post_save

from onewindow.catalog.models import Service, ServiceVersion
from onewindow.identity.selectors import departments_by_codes

if TYPE_CHECKING:
    from onewindow.identity.models import Department

SERVICE_TTL = 60.0
MAX_VERSIONS = 512

_lock = threading.Lock()
_versions: OrderedDict[int, tuple[ServiceVersion, float]] = OrderedDict()


def service_version_cached(version_id: int) -> ServiceVersion:
    """The version with ``service`` and ``service.department`` attached. Callers must not
    modify the returned object (it is shared by every case of that version in this process)."""
    now = time.monotonic()
    with _lock:
        hit = _versions.get(version_id)
        if hit is not None and now - hit[1] < SERVICE_TTL:
            _versions.move_to_end(version_id)
            return hit[0]
    if hit is not None:
        version = hit[0]
        fresh = Service.objects.select_related("department").get(pk=version.service_id)
        version = _copy_with_service(version, fresh)
    else:
        version = ServiceVersion.objects.select_related("service__department").get(pk=version_id)
    with _lock:
        _versions[version_id] = (version, now)
        _versions.move_to_end(version_id)
        while len(_versions) > MAX_VERSIONS:
            _versions.popitem(last=False)
    return version


_departments: dict[str, tuple[Department, float]] = {}


def departments_by_code(codes: set[str]) -> dict[str, Department]:
    """Departments by code (unknown codes are left out), the ones not seen in the last
    ``SERVICE_TTL`` seconds read in one query. Callers must not modify them."""
    now = time.monotonic()
    found: dict[str, Department] = {}
    with _lock:
        for code in codes:
            hit = _departments.get(code)
            if hit is not None and now - hit[1] < SERVICE_TTL:
                found[code] = hit[0]
    missing = codes - set(found)
    if missing:
        fetched = departments_by_codes(codes=missing)
        found.update(fetched)
        with _lock:
            if len(_departments) > MAX_VERSIONS:
                _departments.clear()
            _departments.update({code: (d, now) for code, d in fetched.items()})
    return found


def _copy_with_service(version: ServiceVersion, service: Service) -> ServiceVersion:
    copy = ServiceVersion(
        **{f.attname: getattr(version, f.attname) for f in ServiceVersion._meta.concrete_fields}
    )
    copy._state.adding = False
    copy._state.db = version._state.db
    copy.service = service
    return copy


def clear() -> None:
    with _lock:
        _versions.clear()
        _departments.clear()


def _on_change(**kwargs: object) -> None:
    clear()


# Identity's department by its label (a lazy sender): catalog does not import its models.
_SENDERS = (
    (Service, "Service"),
    (ServiceVersion, "ServiceVersion"),
    ("identity.Department", "Department"),
)
for _sender, _name in _SENDERS:
    post_save.connect(_on_change, sender=_sender, dispatch_uid=f"versions-cache-{_name}")
    post_delete.connect(_on_change, sender=_sender, dispatch_uid=f"versions-cache-del-{_name}")
