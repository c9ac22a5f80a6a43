"""A delivery service published straight into the catalog (with or without paper originals,
optionally a mail form) and a resident's case submitted for it: the delivery tests' scene,
and the browser tests'."""

from __future__ import annotations

from typing import Any

from onewindow.cases.models import Case
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.identity.models import Department, Person
from onewindow.testing.factories import user_of
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
        user=user_of(person), service_code=code, form_data={}, idempotency_key=key
    )
    return case
