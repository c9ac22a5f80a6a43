"""The demo city's appointment counters, one per ``appointment.resource`` code used in the
demo catalogue, and their slots for the coming working days."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.appointments import audit_events
from onewindow.appointments.models import AppointmentResource, default_hours
from onewindow.appointments.services import slots_generate
from onewindow.audit.services import Actor, audit_record
from onewindow.identity.selectors import department_get

SATURDAY_MORNING = [["09:00", "12:00"]]

RESOURCES: list[dict[str, Any]] = [
    {
        "code": "marriage-registry",
        "name": "广州市天河区婚姻登记处",
        "name_en": "Tianhe District Marriage Registry, Guangzhou",
        "department": "gz-mzj",
        "address": "广州市天河区天河北路 8 号",
        "slot_minutes": 30,
        "capacity": 6,
    },
    # The other marriage registries a couple may choose (demo addresses).
    {
        "code": "marriage-registry-city",
        "name": "广州市婚姻登记处",
        "name_en": "Guangzhou Marriage Registry",
        "department": "gz-mzj",
        "address": "广州市越秀区东风中路 348 号",
        "slot_minutes": 30,
        "capacity": 6,
    },
    {
        "code": "marriage-registry-yuexiu",
        "name": "广州市越秀区婚姻登记处",
        "name_en": "Yuexiu District Marriage Registry, Guangzhou",
        "department": "gz-mzj",
        "address": "广州市越秀区中山六路 66 号",
        "slot_minutes": 30,
        "capacity": 6,
    },
    {
        "code": "marriage-registry-panyu",
        "name": "广州市番禺区婚姻登记处",
        "name_en": "Panyu District Marriage Registry, Guangzhou",
        "department": "gz-mzj",
        "address": "广州市番禺区市桥街清河东路 2 号",
        "slot_minutes": 30,
        "capacity": 6,
    },
    {
        "code": "adoption-registry",
        "name": "广州市民政局收养登记窗口",
        "name_en": "Adoption registration counter, Guangzhou Civil Affairs Bureau",
        "department": "gz-mzj",
        "address": "广州市越秀区豪贤路 193 号",
        "slot_minutes": 60,
        "capacity": 2,
    },
    {
        "code": "exit-entry-counter",
        "name": "广州市公安局出入境管理支队天河受理点",
        "name_en": "Exit-entry counter (Tianhe), Guangzhou Public Security Bureau",
        "department": "gz-gaj",
        "address": "广州市天河区天河南二路 1 号",
        "slot_minutes": 15,
        "capacity": 8,
    },
]


def resources_seed(*, days: int = 10) -> list[AppointmentResource]:
    """Create the demo counters that are missing (departments must exist) and generate
    their slots. Safe to run on every start."""
    made: list[AppointmentResource] = []
    for spec in RESOURCES:
        department = department_get(code=spec["department"])
        if department is None:
            continue
        with transaction.atomic():
            resource, created = AppointmentResource.objects.get_or_create(
                code=spec["code"],
                defaults={
                    **{k: v for k, v in spec.items() if k != "department"},
                    "department": department,
                    "hours": default_hours(),
                },
            )
            if created:
                audit_record(
                    actor=Actor.system("appointments"),
                    action=audit_events.RESOURCE_CREATE,
                    target=resource,
                    changes={"code": resource.code},
                )
        slots_generate(resource=resource, days=days)
        made.append(resource)
    return made
