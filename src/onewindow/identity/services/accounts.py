"""Accounts other apps create for their own machine clients (a data-exchange consumer)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict
from onewindow.identity.models import User


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
