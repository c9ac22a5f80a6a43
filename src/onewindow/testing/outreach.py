"""Push rules' scenes, for the outreach tests and the browser tests: the rules under
``catalog/push-rules/`` loaded, platform operators, residents whose ID card runs out."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Permission

from onewindow.audit.services import Actor
from onewindow.identity.models import User
from onewindow.outreach.services import push_rules_sync
from onewindow.testing.factories import PersonFactory, StaffFactory


def rules_load() -> None:
    push_rules_sync(actor=Actor.system("test"))


def operator_make(**kwargs: Any) -> User:
    """A platform operator (kind operator, ``identity.operate_platform``, TOTP device)."""
    staff: Any = StaffFactory(**kwargs)
    user: User = staff.user
    user.kind = "operator"
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="operate_platform"))
    return user


def resident_with_id_card(
    valid_until: datetime.date | None, *, region_code: str = "440106", **kwargs: Any
) -> Any:
    person: Any = PersonFactory(region_code=region_code, **kwargs)
    person.id_card_valid_until = valid_until
    person.save(update_fields=["id_card_valid_until"])
    return person


def person_make(**kwargs: Any) -> Any:
    """A resident (a Person with an account; the factory's defaults, district 天河区)."""
    person: Any = PersonFactory(**kwargs)
    return person
