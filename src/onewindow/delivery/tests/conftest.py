"""Fixtures of the delivery tests: a department with a service (with or without paper
originals), a resident's submitted case, staff allowed to handle returned mail, and the
courier sandbox served over HTTP on a free port (threaded wsgiref)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission

from onewindow.cases.models import Case
from onewindow.core.sandbox import sandbox_server
from onewindow.delivery.sandbox import CourierSandbox, CourierSandboxConfig, make_app
from onewindow.identity.models import Department, Person
from onewindow.testing.delivery import publish, submit
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory


@pytest.fixture
def department() -> Department:
    return cast(Department, DepartmentFactory(code="gz-test-bureau", name="广州市测试局"))


@pytest.fixture
def resident() -> Person:
    return cast(Person, PersonFactory(name="张三"))


@pytest.fixture
def paper_case(department: Department, resident: Person) -> Case:
    publish(department, code="paper-service", originals=True)
    return submit(resident, "paper-service")


def returns_staff(department: Department) -> Any:
    staff: Any = StaffFactory(department=department)
    staff.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="delivery", codename="manage_returns")
    )
    return staff


def advance(box: CourierSandbox, seconds: float) -> None:
    """Move the sandbox's clock (a ``Clock``) on."""
    cast(Clock, box.clock).now += seconds


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sandbox() -> Iterator[tuple[CourierSandbox, str]]:
    """The courier sandbox on a free port: (sandbox, its /std/service URL). Its clock is a
    ``Clock`` the test moves."""
    import time

    box = CourierSandbox(CourierSandboxConfig(step=60), clock=Clock(time.time()), background=False)
    with sandbox_server(make_app(box)).start() as server:
        yield box, server.url("/std/service")
