"""Apply for a service that takes an appointment as the pages do: the form (sample answers),
the required uploads, the booking of a slot, then submit."""

from __future__ import annotations

import io
from typing import Any

from django.test import TestCase

from onewindow.appointments.models import Slot
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.testing.cases import PNG
from onewindow.testing.demo_packages import sample_answers


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
