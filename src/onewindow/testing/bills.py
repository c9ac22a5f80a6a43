"""Scenes for bill tests: a resident with an account in a fake provider's book, bound."""

from __future__ import annotations

from typing import Any

from onewindow.bills.services import account_normalise, fake_account_register, subscription_bind


def open_account(provider_code: str, account_number: str, holder_name: str) -> None:
    """The provider (a fake) knows ``account_number`` as held by ``holder_name``."""
    fake_account_register(
        provider_code=provider_code,
        account_number=account_normalise(account_number),
        holder_name=holder_name,
    )


def bind(person: Any, provider_code: str, account_number: str, **kwargs: Any) -> Any:
    """Open the account in ``person``'s name at the fake and bind it (the sync runs when the
    caller's transaction commits)."""
    open_account(provider_code, account_number, person.name)
    return subscription_bind(
        user=person.user, provider_code=provider_code, account_number=account_number, **kwargs
    )
