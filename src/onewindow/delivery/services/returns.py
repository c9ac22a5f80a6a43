"""After a failed delivery or a return: the resident corrects the address; the issuing
department's staff re-ship the returned parcel or hold it at the window, and record when the
resident collected it there. Each use case is audited and safe to repeat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.delivery import audit_events
from onewindow.delivery.models import Shipment
from onewindow.delivery.regions import normalize_region_code, with_region
from onewindow.delivery.services._common import child_key, note_case, tell_resident
from onewindow.delivery.services.shipments import (
    ShipmentSpec,
    courier_cancel,
    shipment_create,
    shipment_mark_cancelled,
)
from onewindow.delivery.windows import window_label

if TYPE_CHECKING:
    from onewindow.identity.models import User

Status = Shipment.Status


def clean_destination(
    *, recipient: str, phone: str, detail: str, region_code: str
) -> tuple[str, str, str, str]:
    """(recipient, phone, full address, region) or ``ValidationFailed`` naming each field."""
    errors: list[FieldError] = []
    recipient = (recipient or "").strip()[:64]
    if not recipient:
        errors.append(FieldError("required", gettext_lazy("请填写收件人。"), "recipient"))
    try:
        phone = normalize_phone(phone, field="phone")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        region_code = normalize_region_code(region_code, required=False)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    detail = " ".join((detail or "").split())
    if len(detail) < 5:
        errors.append(
            FieldError("required", gettext_lazy("请填写详细地址（街道、门牌号）。"), "detail")
        )
    if errors:
        raise ValidationFailed(errors[0].message, field=errors[0].field, errors=errors)
    return recipient, phone, with_region(region_code, detail)[:200], region_code


def _follow_up(shipment: Shipment, *, actor: Actor, suffix: str, dest: tuple[str, ...]) -> Shipment:
    recipient, phone, address, region = dest
    return shipment_create(
        actor=actor,
        spec=ShipmentSpec(
            key=child_key(shipment.idempotency_key, suffix),
            recipient=recipient,
            phone=phone,
            address=address,
            region_code=region,
            contents=shipment.contents,
            case_number=shipment.case_number,
            case_id=shipment.case_id,
            owner=shipment.owner,
            department=shipment.department,
            previous=shipment,
        ),
    )


@transaction.atomic(durable=True)
def shipment_correct_address(
    *,
    user: User,
    tracking_no: str,
    recipient: str,
    phone: str,
    detail: str,
    region_code: str = "",
    actor: Actor | None = None,
) -> Shipment:
    """The resident corrects where their licence goes. Not yet collected by the courier: the
    order is cancelled and booked again to the new address (the new shipment is returned).
    Failed or returned and not yet re-shipped or collected at the window: the correction is
    kept for the department to re-ship to. In transit or delivered: refused."""
    actor = actor or Actor.from_user(user)
    shipment = (
        Shipment.objects.select_for_update()
        .filter(tracking_no=tracking_no, owner=user, kind=Shipment.Kind.DELIVER)
        .first()
    )
    if shipment is None:
        raise NotFound(gettext_lazy("没有找到这个快件。"))
    if shipment.resolution == Shipment.Resolution.RESHIPPED:
        following = shipment.reshipments.order_by("-pk").first()
        if following is not None and shipment.status == Status.CANCELLED:
            return following  # the same correction submitted twice
        raise Conflict(gettext_lazy("快件已重新寄出，请在新运单上查看。"), code="reshipped")
    dest = clean_destination(
        recipient=recipient, phone=phone, detail=detail, region_code=region_code
    )
    if shipment.status == Status.CREATED:
        courier_cancel(shipment)
        shipment_mark_cancelled(shipment, note=_("收件地址已更正，原订单已取消"))
        following = _follow_up(shipment, actor=actor, suffix="addr", dest=dest)
        shipment.resolution = Shipment.Resolution.RESHIPPED
        shipment.resolved_at = timezone.now()
        shipment.save(update_fields=["resolution", "resolved_at", "updated_at"])
        note_case(
            following,
            kind="delivery_address",
            message=_("收件地址已更正，已按新地址重新下单，运单号 %(no)s。")
            % {"no": following.tracking_no},
        )
        audit_record(
            actor=actor,
            action=audit_events.SHIPMENT_CORRECT,
            target=shipment,
            changes={"rebooked": following.tracking_no},
        )
        return following
    waiting = shipment.status in (Status.FAILED, Status.RETURNED)
    if not waiting or shipment.counter_collected_at is not None:
        raise Conflict(
            gettext_lazy("快件正在运送中或已签收，现在不能更改地址；如派送失败，可在此更正。"),
            code="not_correctable",
        )
    recipient, phone, address, _region = dest
    if (shipment.corrected_recipient, shipment.corrected_phone, shipment.corrected_address) == (
        recipient,
        phone,
        address,
    ):
        return shipment
    shipment.corrected_recipient = recipient
    shipment.corrected_phone = phone
    shipment.corrected_address = address
    shipment.corrected_at = timezone.now()
    shipment.save(
        update_fields=[
            "corrected_recipient",
            "corrected_phone",
            "corrected_address",
            "corrected_at",
            "updated_at",
        ]
    )
    message = (
        _("已更正收件地址，部门将按新地址重新寄递。")
        if shipment.status == Status.RETURNED
        else _("已更正收件地址，部门收到退回的快件后将按新地址重新寄递。")
    )
    note_case(shipment, kind="delivery_address", message=message)
    audit_record(
        actor=actor, action=audit_events.SHIPMENT_CORRECT, target=shipment, changes={"kept": True}
    )
    return shipment


def _staff_shipment(user: User, shipment_id: int) -> Shipment:
    from onewindow.delivery.selectors import returns_department_ids

    shipment = (
        Shipment.objects.select_for_update()
        .filter(pk=shipment_id, department_id__in=returns_department_ids(user=user))
        .first()
    )
    if shipment is None:
        raise NotFound(gettext_lazy("没有找到这个快件。"))
    return shipment


@transaction.atomic(durable=True)
def shipment_reship(
    *,
    user: User,
    shipment_id: int,
    recipient: str,
    phone: str,
    detail: str,
    region_code: str = "",
    actor: Actor | None = None,
) -> Shipment:
    """Staff send a returned parcel again, to the corrected address. Returns the new shipment
    (the same one if this was already done)."""
    actor = actor or Actor.from_user(user)
    shipment = _staff_shipment(user, shipment_id)
    if shipment.resolution == Shipment.Resolution.RESHIPPED:
        following = shipment.reshipments.order_by("-pk").first()
        if following is not None:
            return following
    if not shipment.is_open_return:
        raise Conflict(gettext_lazy("只能重新寄递已退回、尚未领取的快件。"), code="not_returned")
    dest = clean_destination(
        recipient=recipient, phone=phone, detail=detail, region_code=region_code
    )
    following = _follow_up(shipment, actor=actor, suffix="reship", dest=dest)
    shipment.resolution = Shipment.Resolution.RESHIPPED
    shipment.resolved_at = timezone.now()
    shipment.save(update_fields=["resolution", "resolved_at", "updated_at"])
    tell_resident(following, _("证件已重新寄出，运单号%(no)s") % {"no": following.tracking_no})
    note_case(
        following,
        kind="delivery_reshipped",
        message=_("退回的快件已重新寄出，运单号 %(no)s，收件地址：%(to)s。")
        % {"no": following.tracking_no, "to": following.address},
    )
    audit_record(
        actor=actor,
        action=audit_events.SHIPMENT_RESHIP,
        target=shipment,
        changes={"reshipped_as": following.tracking_no, "corrected": bool(shipment.corrected_at)},
    )
    return following


@transaction.atomic(durable=True)
def shipment_hold_at_counter(
    *, user: User, shipment_id: int, actor: Actor | None = None
) -> Shipment:
    """Staff keep a returned parcel at the window for the resident to collect."""
    shipment = _staff_shipment(user, shipment_id)
    if shipment.resolution == Shipment.Resolution.COUNTER:
        return shipment
    if not shipment.is_open_return:
        raise Conflict(gettext_lazy("只能处理已退回、尚未领取的快件。"), code="not_returned")
    shipment.resolution = Shipment.Resolution.COUNTER
    shipment.resolved_at = timezone.now()
    shipment.save(update_fields=["resolution", "resolved_at", "updated_at"])
    where = window_label(shipment)
    tell_resident(shipment, _("证件已留存窗口，请携带身份证件到%(where)s领取") % {"where": where})
    note_case(
        shipment,
        kind="delivery_counter",
        message=_("退回的证件已留存%(where)s，请携带身份证件到窗口领取。") % {"where": where},
    )
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.SHIPMENT_HOLD,
        target=shipment,
        changes={"resolution": "counter"},
    )
    return shipment


@transaction.atomic(durable=True)
def shipment_counter_collected(
    *, user: User, shipment_id: int, actor: Actor | None = None
) -> Shipment:
    """Staff record that the resident collected the held parcel at the window."""
    shipment = _staff_shipment(user, shipment_id)
    if shipment.counter_collected_at is not None:
        return shipment
    if shipment.resolution != Shipment.Resolution.COUNTER:
        raise Conflict(gettext_lazy("这个快件没有留存窗口。"), code="not_held")
    shipment.counter_collected_at = timezone.now()
    shipment.save(update_fields=["counter_collected_at", "updated_at"])
    note_case(shipment, kind="delivery_counter", message=_("申请人已在窗口领取证件。"))
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.SHIPMENT_COLLECTED,
        target=shipment,
        changes={"collected": True},
    )
    return shipment
