"""Storing tracking events, from a poll or a push, and what follows from them.

Rules: each event is stored once (shipment, status, time), however often and in whatever
order it arrives; the shipment's status is the status of its newest event by time; a final
status (签收, 退回, 取消) is never undone by an older event arriving late. When a newly stored
event is a failed delivery or a return and is the newest, the resident gets an SMS and the
case timeline says so."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.delivery import audit_events
from onewindow.delivery.models import Shipment, TrackingEvent
from onewindow.delivery.providers.base import TrackingUpdate
from onewindow.delivery.services._common import note_case, tell_resident
from onewindow.delivery.windows import window_label

Status = Shipment.Status
# Within the same second a later step of the route wins.
RANK: dict[str, int] = {
    Status.CREATED: 0,
    Status.COLLECTED: 1,
    Status.IN_TRANSIT: 2,
    Status.OUT_FOR_DELIVERY: 3,
    Status.FAILED: 4,
    Status.DELIVERED: 5,
    Status.RETURNED: 5,
    Status.CANCELLED: 6,
}


def _newest(events: Sequence[TrackingEvent]) -> TrackingEvent:
    return max(events, key=lambda e: (e.at, RANK.get(e.status, 0), e.pk or 0))


@transaction.atomic
def tracking_apply(*, shipment_id: int, updates: Sequence[TrackingUpdate], source: str) -> int:
    """Store the updates not seen before; returns how many were new."""
    shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
    if shipment is None:
        return 0
    existing = list(shipment.events.all())
    known = {(e.status, e.at) for e in existing}
    fresh: list[TrackingEvent] = []
    for update in updates:
        if update.status not in Status.values or update.status == Status.CANCELLED:
            continue
        if (update.status, update.at) in known:
            continue
        known.add((update.status, update.at))
        fresh.append(
            TrackingEvent(
                shipment=shipment,
                at=update.at,
                status=update.status,
                description=update.description[:200],
                location=update.location[:64],
                op_code=update.op_code[:16],
                source=source,
            )
        )
    stored = []
    raced = False
    for event in fresh:
        try:
            with transaction.atomic():  # a concurrent apply may have stored it meanwhile
                event.save()
        except IntegrityError:
            raced = True
            continue
        stored.append(event)
    fresh = stored
    if not fresh:
        return 0
    # The shipment's events are the ones read under its lock plus those just stored; only
    # after a race with another writer are they read again.
    events = list(shipment.events.all()) if raced else existing + fresh
    before = shipment.status
    newest = _newest(events)
    if not shipment.is_final:
        shipment.status = newest.status
    shipment.attempts = sum(1 for e in events if e.status == Status.FAILED)
    shipment.save(update_fields=["status", "attempts", "updated_at"])
    if before not in Shipment.FINAL and newest in fresh:
        _tell(shipment, newest)
    audit_record(
        actor=Actor.system(f"courier:{shipment.carrier}"),
        action=audit_events.SHIPMENT_TRACK,
        target=shipment,
        changes={"status": [before, shipment.status], "added": len(fresh), "source": source},
    )
    return len(fresh)


def _tell(shipment: Shipment, event: TrackingEvent) -> None:
    if event.status == Status.FAILED:
        text = _("证件派送失败（第%(n)d次）：%(reason)s。如地址有误，请登录更正收件地址。") % {
            "n": shipment.attempts,
            "reason": event.description,
        }
        sms = _("快件派送失败，请核对收件地址")
        if shipment.kind == Shipment.Kind.PICKUP:
            text = _("材料送往部门窗口时派送失败：%(reason)s。") % {"reason": event.description}
            sms = _("寄往部门的材料派送失败，部门将与您联系")
        tell_resident(shipment, sms)
        note_case(
            shipment, kind="delivery_failed", message=text, data={"attempt": shipment.attempts}
        )
    elif event.status == Status.RETURNED:
        where = window_label(shipment)
        text = _("快件已退回%(where)s。您可以更正收件地址后重新寄递，或到窗口领取。") % {
            "where": where
        }
        sms = _("快件已退回，可更正地址重新寄递或到窗口领取")
        if shipment.kind == Shipment.Kind.PICKUP:
            text = _("寄往部门的材料已退回取件地址。")
            sms = text
        tell_resident(shipment, sms)
        note_case(shipment, kind="delivery_returned", message=text)
