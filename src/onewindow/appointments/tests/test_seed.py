"""The demo seed gives every ``appointment.resource`` of the demo catalogue a counter with
slots, and can run on every start."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from onewindow.appointments.models import AppointmentResource, Slot
from onewindow.testing.demo_packages import catalog_dir

pytestmark = pytest.mark.django_db


def test_every_catalogue_appointment_resource_is_seeded(city, clock):
    used = set()
    for path in catalog_dir().glob("*/service.yaml"):
        spec = (yaml.safe_load(path.read_text()) or {}).get("appointment")
        if isinstance(spec, dict):  # one office, or a list to choose from
            codes = spec["resource"]
            used.update(codes if isinstance(codes, list) else [codes])
    assert "marriage-registry" in used
    call_command("appointments_seed", days=3, verbosity=0)
    seeded = set(AppointmentResource.objects.values_list("code", flat=True))
    assert used <= seeded
    count = Slot.objects.count()
    assert count > 0
    call_command("appointments_seed", days=3, verbosity=0)
    assert Slot.objects.count() == count
    assert AppointmentResource.objects.get(code="marriage-registry").department.code == "gz-mzj"
