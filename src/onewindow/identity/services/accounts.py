"""Accounts other apps create: machine clients (a data-exchange consumer), and the resident
account of a real-name record made before its first login (the demo city)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict
from onewindow.identity import audit_events
from onewindow.identity.models import Person, User


class UsernameTaken(Conflict):
    code = "username_taken"

    def __init__(self) -> None:
        super().__init__(_("用户名已存在。"), field="username")


def machine_user_create(*, username: str) -> User:
    """A new machine account (no usable password; it authenticates by its own keys or
    tokens). Raises :class:`UsernameTaken` when the username is in use, also when another
    transaction creates it at the same moment (the insert waits for that one to commit).

    A step of the caller's use case, in the caller's transaction: it writes no audit row (the
    use case records what it created)."""
    user = User(username=username, kind=User.Kind.MACHINE)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise UsernameTaken() from None
    return user


@transaction.atomic
def resident_account_ensure(*, person_id: int, actor: Actor) -> User:
    """The resident account of a real-name record, linked now if the person has none yet
    (as their first SMS login would): the demo city's printed residents find their page
    filled (bills, library, a reminder) the first time they log in. Idempotent; writes the
    link's audit row when it links."""
    from onewindow.identity.services.login import resident_user_new

    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person_id)
    if person.user is not None:
        return person.user
    user = resident_user_new()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit_record(
        actor=actor,
        action=audit_events.PERSON_LINK_USER,
        target=person,
        changes={"via": "account_ensure"},
    )
    return user
