"""The resident's address book: add, edit, delete, choose the default. The phone number is
checked and stored encrypted; the region is a GB/T 2260 code in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, NotFound, ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.delivery import audit_events
from onewindow.delivery.models import Address
from onewindow.delivery.regions import normalize_region_code

if TYPE_CHECKING:
    from onewindow.identity.models import User

MAX_ADDRESSES = 20


def clean_address(*, recipient: str, phone: str, detail: str, region_code: str) -> dict[str, str]:
    """Every field checked at once, so the page can mark each wrong field."""
    errors: list[FieldError] = []
    out: dict[str, str] = {}
    recipient = (recipient or "").strip()
    if not recipient:
        errors.append(FieldError("required", _("请填写收件人。"), "recipient"))
    elif len(recipient) > 64:
        errors.append(FieldError("too_long", _("收件人不能超过64个字。"), "recipient"))
    out["recipient"] = recipient
    try:
        out["phone"] = normalize_phone(phone, field="phone")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        out["region_code"] = normalize_region_code(region_code, required=False)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    detail = " ".join((detail or "").split())
    if len(detail) < 5:
        errors.append(FieldError("required", _("请填写详细地址（街道、门牌号）。"), "detail"))
    elif len(detail) > 200:
        errors.append(FieldError("too_long", _("详细地址不能超过200个字。"), "detail"))
    out["detail"] = detail
    if errors:
        raise ValidationFailed(errors[0].message, field=errors[0].field, errors=errors)
    return out


def _own(user: User, address_id: int) -> Address:
    address = Address.objects.select_for_update().filter(pk=address_id, owner=user).first()
    if address is None:
        raise NotFound(_("没有找到这个地址。"))
    return address


def _make_default(address: Address) -> None:
    Address.objects.filter(owner_id=address.owner_id, is_default=True).exclude(
        pk=address.pk
    ).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])


@transaction.atomic(durable=True)
def address_create(
    *,
    user: User,
    recipient: str,
    phone: str,
    detail: str,
    region_code: str = "",
    is_default: bool = False,
    actor: Actor | None = None,
) -> Address:
    values = clean_address(recipient=recipient, phone=phone, detail=detail, region_code=region_code)
    owned = Address.objects.select_for_update().filter(owner=user)
    count = len(list(owned.values_list("pk", flat=True)))
    if count >= MAX_ADDRESSES:
        raise ValidationFailed(
            _("最多保存%(n)d个地址，请先删除不用的地址。") % {"n": MAX_ADDRESSES},
            code="too_many",
            field="detail",
        )
    address = Address.objects.create(owner=user, **values)
    if is_default or count == 0:
        _make_default(address)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.ADDRESS_CREATE,
        target=address,
        changes={"default": address.is_default},
    )
    return address


@transaction.atomic(durable=True)
def address_update(
    *,
    user: User,
    address_id: int,
    recipient: str,
    phone: str,
    detail: str,
    region_code: str = "",
    is_default: bool = False,
    actor: Actor | None = None,
) -> Address:
    address = _own(user, address_id)
    values = clean_address(recipient=recipient, phone=phone, detail=detail, region_code=region_code)
    changed = sorted(k for k, v in values.items() if getattr(address, k) != v)
    for key, value in values.items():
        setattr(address, key, value)
    address.save()
    if is_default:
        _make_default(address)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.ADDRESS_UPDATE,
        target=address,
        changes={"fields": changed, "default": address.is_default},
    )
    return address


@transaction.atomic(durable=True)
def address_delete(*, user: User, address_id: int, actor: Actor | None = None) -> None:
    """Delete an entry; if it was the default, the most recently used other one becomes it.
    Shipments keep their own copy of the address, so nothing booked changes."""
    address = _own(user, address_id)
    was_default, pk = address.is_default, address.pk
    address.delete()
    if was_default:
        following = Address.objects.filter(owner=user).order_by("-updated_at", "-pk").first()
        if following is not None:
            _make_default(following)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.ADDRESS_DELETE,
        target_type="delivery.address",
        target_id=str(pk),
        changes={"default": was_default},
    )


@transaction.atomic(durable=True)
def address_set_default(*, user: User, address_id: int, actor: Actor | None = None) -> Address:
    address = _own(user, address_id)
    if address.is_default:
        return address
    _make_default(address)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.ADDRESS_DEFAULT,
        target=address,
        changes={"default": True},
    )
    return address
