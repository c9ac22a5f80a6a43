"""The reads other apps use instead of catalog's models: the version in force of a service,
its id, the services online among some codes, the service issuing a licence type, and the
service's department when it is already loaded."""

from __future__ import annotations

from typing import Any, cast

import pytest

from onewindow.catalog import selectors
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.identity.models import Department
from onewindow.testing.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _service(code: str, *, versions: int = 1, **kwargs: Any) -> Service:
    department = cast(Department, DepartmentFactory(code=f"fd-{code}"))
    service = Service.objects.create(
        code=code, name=code, kind=Service.Kind.PERSONAL, department=department, **kwargs
    )
    for number in range(1, versions + 1):
        definition = {"code": code, "outcome": {"licence_type": f"{code}-licence"}}
        version = ServiceVersion.objects.create(
            service=service, number=number, definition=definition, checksum=f"{code}-{number}"
        )
        service.current = version
    service.save()
    return service


def test_the_version_in_force_of_an_active_published_service() -> None:
    online = _service("fd-online", versions=2)
    _service("fd-draft", versions=0)
    _service("fd-paused", is_active=False)
    version = selectors.service_version_in_force(code="fd-online")
    assert version is not None and version.pk == online.current_id and version.number == 2
    for code in ("fd-draft", "fd-paused", "nowhere"):
        assert selectors.service_version_in_force(code=code) is None


def test_the_id_of_the_version_in_force() -> None:
    online = _service("fd-online", versions=2)
    paused = _service("fd-paused", is_active=False)
    draft = _service("fd-draft", versions=0)
    assert selectors.service_current_id(service_id=online.pk) == online.current_id
    assert selectors.service_current_id(service_id=paused.pk) == paused.current_id  # any state
    assert selectors.service_current_id(service_id=draft.pk) is None
    assert selectors.service_current_id(service_id=0) is None
    assert selectors.service_current_id_by_code(code="fd-online") == online.current_id
    for code in ("fd-paused", "fd-draft", "nowhere"):
        assert selectors.service_current_id_by_code(code=code) is None


def test_the_services_online_among_codes() -> None:
    online = _service("fd-online")
    _service("fd-draft", versions=0)
    _service("fd-paused", is_active=False)
    found = selectors.services_online_by_code(
        codes=["fd-online", "fd-draft", "fd-paused", "nowhere"]
    )
    assert found == {"fd-online": online}
    assert selectors.services_online_by_code(codes=[]) == {}


def test_the_service_issuing_a_licence_type() -> None:
    _service("fd-b")
    issuing = _service("fd-a")
    _service("fd-c", is_active=False)
    assert selectors.service_issuing_licence(licence_type="fd-a-licence") == issuing
    assert selectors.service_issuing_licence(licence_type="fd-c-licence") is None
    assert selectors.service_issuing_licence(licence_type="nothing") is None


def test_the_department_only_when_it_is_loaded(
    django_assert_num_queries: Any,
) -> None:
    service = _service("fd-online")
    bare = Service.objects.get(pk=service.pk)
    with django_assert_num_queries(0):
        assert selectors.service_department_loaded(service=bare) is None
    loaded = Service.objects.select_related("department").get(pk=service.pk)
    with django_assert_num_queries(0):
        department = selectors.service_department_loaded(service=loaded)
    assert department is not None and department.code == "fd-fd-online"
