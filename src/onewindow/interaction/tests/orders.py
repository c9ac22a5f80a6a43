"""Orders made for the tests directly with the models (the intake's forms are not needed
to test the loop)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from onewindow.identity.models import Person
from onewindow.interaction.models import Category, Kind, Request, Urgency

_numbers = itertools.count(1)


def make_request(
    *,
    kind: str = Kind.COMPLAINT,
    urgency: str = Urgency.NORMAL,
    category: Category | None = None,
    person: Person | None = None,
    phone: str = "",
    region_code: str = "440106",
    street_code: str = "",
    registered_at: datetime.datetime | None = None,
    **fields: Any,
) -> Request:
    at = registered_at or timezone.now()
    return Request.objects.create(
        number=f"{timezone.localdate(at):%Y%m%d}{next(_numbers):06d}",
        kind=kind,
        channel=Request.Channel.WEB,
        urgency=urgency,
        category=category,
        title="路灯不亮",
        content="天河路口的路灯一周没亮了。",
        region_code=region_code,
        street_code=street_code,
        person=person,
        contact_name=person.name if person is not None else fields.pop("contact_name", ""),
        contact_phone=phone or (str(person.phone) if person is not None else ""),
        registered_at=at,
        **fields,
    )
