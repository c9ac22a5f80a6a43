"""Fixtures of the delivery tests: a department with a service (with or without paper
originals), a resident's submitted case, staff allowed to handle returned mail, and the
courier sandbox served over HTTP on a free port (threaded wsgiref)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.cases.models import Case
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.core.sandbox import sandbox_server
from onewindow.delivery.sandbox import CourierSandbox, CourierSandboxConfig, make_app
from onewindow.identity.models import Department, Person
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory
from onewindow.workflow import compile_process, default_process

MAIL_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mail_address": {"type": "string", "title": "邮寄地址", "maxLength": 200},
        "recipient_phone": {"type": "string", "title": "收件人电话", "format": "phone"},
    },
    "x-order": ["mail_address", "recipient_phone"],
}


def publish(
    department: Department, *, code: str, originals: bool, form: dict[str, Any] | None = None
) -> ServiceVersion:
    materials = [
        {
            "code": "hukou-book",
            "name": {"zh": "户口簿", "en": "Household register"},
            "source": "upload",
            "required": False,
            "original": originals,
        }
    ]
    service = Service.objects.create(
        code=code, name="测试事项", kind="personal", department=department
    )
    compiled = compile_process(default_process(owner_group=f"{department.code}:approver"))
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        definition={"code": code, "kind": "personal", "materials": materials},
        form_schema=form or {"type": "object"},
        process_spec=compiled.spec,
        checksum=code,
    )
    service.current = version
    service.save()
    return version


def submit(person: Person, code: str, key: str = "k1") -> Case:
    from onewindow.cases.services import case_create_and_submit

    case, _created = case_create_and_submit(
        user=person.user, service_code=code, form_data={}, idempotency_key=key
    )
    return case


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


def verified_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


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
