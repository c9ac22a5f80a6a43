"""Natural persons (自然人): registration, updates, real-name levels, audited reveal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, Outcome, audit_record, changed_fields
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.identifiers import (
    citizen_id_birth_date,
    citizen_id_gender,
    citizen_id_region,
    normalize_citizen_id,
    normalize_phone,
)
from onewindow.core.pii import id_number_index, phone_index
from onewindow.identity import audit_events
from onewindow.identity.models import AssuranceLevel, Person, User
from onewindow.identity.providers import get_realname_verifier
from onewindow.identity.providers.base import RealNameUnavailable, RealNameVerifier
from onewindow.identity.services._common import Collector, normalize_person_name

SECRET_FIELDS = frozenset({"id_number", "phone"})
PURPOSE_MAX = 200

DUPLICATE_ID = _("该身份证号码已登记在另一个账号下。")
DUPLICATE_PHONE = _("该手机号码已被另一个账号使用。")


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "gender": person.gender,
        "region_code": person.region_code,
        "assurance": int(person.assurance),
        "user": person.user_id,
    }


def _apply_id_number(person: Person, id_number: str) -> None:
    person.id_number = id_number
    person.id_number_bidx = id_number_index(id_number) if id_number else None
    if id_number:
        person.birth_date = citizen_id_birth_date(id_number)
        person.gender = citizen_id_gender(id_number)
        person.region_code = citizen_id_region(id_number)


def _apply_phone(person: Person, phone: str) -> None:
    person.phone = phone
    person.phone_bidx = phone_index(phone) if phone else None


def _check_unique(errors: Collector, person: Person) -> None:
    others = Person.objects.exclude(pk=person.pk) if person.pk else Person.objects.all()
    if person.id_number_bidx and others.filter(id_number_bidx=person.id_number_bidx).exists():
        errors.add(DUPLICATE_ID, code="duplicate", field="id_number")
    if person.phone_bidx and others.filter(phone_bidx=person.phone_bidx).exists():
        errors.add(DUPLICATE_PHONE, code="duplicate", field="phone")


def _save(person: Person, **kwargs: Any) -> None:
    """Save; a unique-index race becomes the same field error a sequential caller gets."""
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError:
        errors = Collector()
        _check_unique(errors, person)
        if not errors.errors:
            errors.add(_("该信息已被登记。"), code="duplicate", field=None)
        errors.raise_if_any()


@transaction.atomic(durable=True)
def person_register(
    *,
    actor: Actor,
    name: str,
    id_number: str,
    phone: str = "",
    user: User | None = None,
    assurance: int = AssuranceLevel.PHONE,
) -> Person:
    """Register a natural person with a citizen ID (e.g. at a service window)."""
    errors = Collector()
    name = errors.check(normalize_person_name, name) or ""
    id_number = errors.check(normalize_citizen_id, id_number) or ""
    if phone:
        phone = errors.check(normalize_phone, phone) or ""
    errors.raise_if_any()
    person = Person(name=name, user=user, assurance=assurance)
    _apply_id_number(person, id_number)
    _apply_phone(person, phone)
    _check_unique(errors, person)
    errors.raise_if_any()
    _save(person, force_insert=True)
    audit_record(
        actor=actor,
        action=audit_events.PERSON_REGISTER,
        target=person,
        changes=changed_fields({}, _snapshot(person), secret=SECRET_FIELDS),
    )
    return person


@transaction.atomic(durable=True)
def person_update(
    *,
    actor: Actor,
    person: Person,
    name: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
) -> Person:
    """Change a person's name, ID or phone. A changed name or ID is no longer covered by an
    earlier real-name check, so the assurance level falls back to phone-verified."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _snapshot(person)
    errors = Collector()
    if name is not None:
        name = errors.check(normalize_person_name, name)
    if id_number is not None:
        id_number = errors.check(normalize_citizen_id, id_number)
    if phone is not None:
        phone = errors.check(normalize_phone, phone) if phone else ""
    errors.raise_if_any()
    if name is not None:
        person.name = name
    if id_number is not None:
        _apply_id_number(person, id_number)
    if phone is not None:
        _apply_phone(person, phone)
    _check_unique(errors, person)
    errors.raise_if_any()
    if (before["name"] != person.name or before["id_number"] != person.id_number) and (
        person.assurance > AssuranceLevel.PHONE
    ):
        person.assurance = AssuranceLevel.PHONE
    changes = changed_fields(before, _snapshot(person), secret=SECRET_FIELDS)
    if not changes:
        return person
    _save(person)
    audit_record(actor=actor, action=audit_events.PERSON_UPDATE, target=person, changes=changes)
    return person


@transaction.atomic(durable=True)
def person_realname_verify(
    *,
    actor: Actor,
    person: Person,
    name: str,
    id_number: str,
    verifier: RealNameVerifier | None = None,
) -> Person:
    """实名认证: the resident states name + citizen ID; a verification gateway confirms they
    belong together; the person rises to assurance level 2."""
    errors = Collector()
    name = errors.check(normalize_person_name, name) or ""
    id_number = errors.check(normalize_citizen_id, id_number) or ""
    errors.raise_if_any()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if (
        person.id_number
        and person.id_number != id_number
        and (person.assurance >= AssuranceLevel.REAL_NAME)
    ):
        raise ValidationFailed(
            _("您已完成实名认证，如需更改身份证号码请到服务窗口办理。"),
            code="already_verified",
            field="id_number",
        )
    bidx = id_number_index(id_number)
    if Person.objects.exclude(pk=person.pk).filter(id_number_bidx=bidx).exists():
        raise ValidationFailed(DUPLICATE_ID, code="duplicate", field="id_number")
    verifier = verifier or get_realname_verifier()
    try:
        result = verifier.verify(name=name, id_number=id_number)
    except RealNameUnavailable:
        raise ValidationFailed(
            _("实名核验服务暂时不可用，请稍后再试。"), code="unavailable"
        ) from None
    if not result.matched:
        raise ValidationFailed(
            _("姓名与身份证号码不匹配，请核对后重试。"), code="realname_mismatch", field="name"
        )
    before = _snapshot(person)
    person.name = name
    _apply_id_number(person, id_number)
    person.assurance = max(int(person.assurance), int(AssuranceLevel.REAL_NAME))
    _save(person)
    changes = changed_fields(before, _snapshot(person), secret=SECRET_FIELDS)
    changes["verifier"] = verifier.name
    changes["reference"] = result.reference
    audit_record(
        actor=actor, action=audit_events.PERSON_REALNAME_VERIFY, target=person, changes=changes
    )
    return person


@transaction.atomic(durable=True)
def person_assurance_in_person(*, actor: Actor, person: Person) -> Person:
    """Staff at a window have checked the person's ID card face to face: level 3."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.id_number or not person.name:
        raise ValidationFailed(
            _("请先登记姓名和身份证号码，再进行面核。"), code="incomplete", field="id_number"
        )
    before = int(person.assurance)
    person.assurance = AssuranceLevel.IN_PERSON
    person.save(update_fields=["assurance", "updated_at"])
    audit_record(
        actor=actor,
        action=audit_events.PERSON_IN_PERSON_VERIFY,
        target=person,
        changes={"assurance": [before, int(person.assurance)]},
    )
    return person


@transaction.atomic(durable=True)
def person_view_record(*, actor: Actor, person: Person) -> None:
    """A staff member opened a person's (masked) record: every read leaves a row."""
    audit_record(actor=actor, action=audit_events.PERSON_VIEW, target=person)


@dataclass(frozen=True)
class RevealedPerson:
    id_number: str
    phone: str


def person_reveal(
    *, actor_user: User, person: Person, purpose: str, ip: str = ""
) -> RevealedPerson:
    """Show the full ID and phone to a staff member who holds ``identity.view_pii`` and says
    why. Granted and refused attempts are both audited (a refusal is recorded, then raised)."""
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationFailed(_("请填写查看用途。"), code="required", field="purpose")
    if len(purpose) > PURPOSE_MAX:
        raise ValidationFailed(
            _("用途不能超过%(n)d个字符。") % {"n": PURPOSE_MAX}, code="too_long", field="purpose"
        )
    granted = bool(
        actor_user.is_active
        and actor_user.kind in {User.Kind.STAFF, User.Kind.OPERATOR}
        and actor_user.has_perm("identity.view_pii")
    )
    with transaction.atomic(durable=True):
        audit_record(
            actor=Actor.from_user(actor_user, ip=ip),
            action=audit_events.PERSON_REVEAL,
            target=person,
            outcome=Outcome.OK if granted else Outcome.DENIED,
            purpose=purpose,
            changes={"fields": ["id_number", "phone"]},
        )
    if not granted:
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    return RevealedPerson(id_number=person.id_number or "", phone=person.phone or "")


@transaction.atomic(durable=True)
def person_id_card_validity_set(
    *, actor: Actor, person_id: int, valid_until: datetime.date | None
) -> None:
    """Record the last day a person's resident ID card is valid (from the public security
    register, or read at a window); None when unknown or valid for life."""
    person = Person.objects.select_for_update().get(pk=person_id)
    before = person.id_card_valid_until
    if before == valid_until:
        return
    person.id_card_valid_until = valid_until
    person.save(update_fields=["id_card_valid_until", "updated_at"])
    audit_record(
        actor=actor,
        action=audit_events.PERSON_ID_CARD_VALIDITY,
        target=person,
        changes={
            "id_card_valid_until": [
                before.isoformat() if before else None,
                valid_until.isoformat() if valid_until else None,
            ]
        },
    )
