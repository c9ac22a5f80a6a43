"""Booking through the API: list a service's open slots, submit with one of them."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client, TestCase

from onewindow.appointments.models import Booking, Slot
from onewindow.audit.models import AuditEvent
from onewindow.cases.services import material_specs
from onewindow.catalog.persons import applicant_fields
from onewindow.testing.demo_packages import sample_answers

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _body(version: Any, **extra: Any) -> dict[str, Any]:
    materials = [
        {
            "code": spec.code,
            "filename": f"{spec.code}.png",
            "content_base64": base64.b64encode(PNG).decode(),
        }
        for spec in material_specs(version.definition)
        if spec.source == "upload" and spec.required
    ]
    return {
        "service": version.service.code,
        # the applicant's own questions are left to their real-name record
        "form": {
            k: v
            for k, v in sample_answers(version.form_schema).items()
            if k not in applicant_fields(version.form_schema).values()
        },
        "materials": materials,
        **extra,
    }


def _post(client: Client, body: Any, key: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/api/v1/cases",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": key},
        )


def test_slots_listed_and_booked_through_the_api(registry, marriage, resident):
    client = Client()
    client.force_login(resident.user)
    listed = client.get(f"/api/v1/services/{marriage.service.code}/slots")
    assert listed.status_code == 200, listed.content
    slots = listed.json()["slots"]
    assert listed.json()["resource"] == "marriage-registry" and slots
    assert all(s["places_left"] > 0 for s in slots)

    refused = _post(client, _body(marriage), "no-slot")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["appointment"]
    assert not Booking.objects.exists()

    chosen = slots[0]["id"]
    before = AuditEvent.objects.count()
    created = _post(client, _body(marriage, appointment_slot=chosen), "with-slot")
    assert created.status_code == 201, created.content
    # one audit row for the request, written last, naming what its parts did (the
    # messages sent after the commit have their own)
    rows = [
        r for r in AuditEvent.objects.order_by("seq")[before:] if r.action != "notify.case_news"
    ]
    assert [row.action for row in rows] == ["cases.case.submit"]
    assert [step["action"] for step in rows[0].changes["steps"]] == [
        *["cases.material.attach"] * len(_body(marriage)["materials"]),
        "appointments.booking.create",
    ]
    again = _post(client, _body(marriage, appointment_slot=chosen), "with-slot")
    assert again.status_code == 200 and again.json()["number"] == created.json()["number"]
    assert Slot.objects.get(pk=chosen).booked == 1


def test_services_without_appointments_have_no_slots(city, resident):
    client = Client()
    client.force_login(resident.user)
    response = client.get("/api/v1/services/no-such-service/slots")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "no_appointment"


def test_slots_need_a_login():
    assert Client().get("/api/v1/services/marriage-registration/slots").status_code == 401
