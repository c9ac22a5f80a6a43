"""The case's appointment: the applicant books a slot for their draft or open case. The case
row is locked while its booking changes — that lock serialises the bookings of one case — and
the appointments app books the place with what it needs of the case (its id, its service's
definition, the person booking)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy

from onewindow.appointments.services import booking_create
from onewindow.audit.services import Actor, AuditEntry
from onewindow.cases.models import Case
from onewindow.cases.services._common import _attach_version, actor_for
from onewindow.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from onewindow.appointments.models import Booking
    from onewindow.identity.models import User

BOOKABLE = (
    Case.Status.DRAFT,
    Case.Status.SUBMITTED,
    Case.Status.IN_PROGRESS,
    Case.Status.SUPPLEMENT,
)


@transaction.atomic(durable=True)
def case_appointment_book(
    *,
    user: User,
    case_id: int,
    slot_id: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book slot ``slot_id`` for a draft or open case of ``user``. Booking another slot
    cancels the case's current booking in the same transaction; the same slot again changes
    nothing (``appointments.services.booking_create``)."""
    booking, audit = appointment_book_step(user=user, case_id=case_id, slot_id=slot_id, now=now)
    for entry in audit:
        entry.record(actor=actor_for(user, actor))
    return booking


def appointment_book_step(
    *, user: User, case_id: int, slot_id: int, now: datetime.datetime | None = None
) -> tuple[Booking, list[AuditEntry]]:
    """:func:`case_appointment_book` in the caller's transaction, without its audit rows: the
    booking and what its rows say (the API's one-call submission puts them in its own)."""
    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None or case.created_by_id != user.pk:
        raise NotFound(gettext_lazy("没有找到该申请。"))
    if case.status not in BOOKABLE:
        raise Conflict(gettext_lazy("该办件已办结，不能再预约。"), code="case_closed")
    _attach_version(case)
    return booking_create(
        user=user,
        case_id=case.pk,
        definition=case.service_version.definition,
        person_id=case.applicant_person_id or case.agent_id,
        slot_id=slot_id,
        now=now,
    )
