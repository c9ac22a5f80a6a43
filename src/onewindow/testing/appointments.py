"""Apply for a service that takes an appointment as the pages do: the form (sample answers),
the required uploads, the booking of a slot, then submit."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase

from onewindow.appointments.models import AppointmentResource, Slot
from onewindow.appointments.seed import resources_seed
from onewindow.audit.services import Actor
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.testing.cases import PNG
from onewindow.testing.demo_packages import catalog_dir, sample_answers

CST = ZoneInfo("Asia/Shanghai")
# Monday before the 2026 National Day holiday (10-01 … 10-07; Saturday 10-10 is worked).
MONDAY = datetime.datetime(2026, 9, 28, 10, 0, tzinfo=CST)


# The marriage registry's scene, for the appointments tests and the cases tests of the slot
# step (a plugin the root conftest loads; a test module's own fixture of the same name wins).
@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def registry(city: None, clock: Any) -> AppointmentResource:
    resources_seed(days=6)
    return AppointmentResource.objects.get(code="marriage-registry")


@pytest.fixture
def marriage(city: None) -> ServiceVersion:
    folder = catalog_dir() / "marriage-registration"
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


def apply_with_booking(person: Any, version: Any, slot: Slot) -> Case:
    """``person`` applies for ``version`` booked into ``slot``: the submitted case."""
    user = person.user
    case = case_services.case_draft_start(user=user, service_code=version.service.code)
    data = sample_answers(version.form_schema)
    assert not case_services.case_draft_save_form(user=user, case_id=case.pk, data=data)
    for spec in case_services.material_specs(version.definition):
        if spec.source == "upload" and spec.required:
            case_services.case_material_attach(
                user=user, case_id=case.pk, code=spec.code, upload=io.BytesIO(PNG)
            )
    case_services.case_appointment_book(user=user, case_id=case.pk, slot_id=slot.pk)
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_services.case_submit(user=user, case_id=case.pk, token=case.submit_token)
    case.refresh_from_db()
    return case
