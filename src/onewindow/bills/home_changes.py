"""Whose citizen pages a change in bills alters (``onewindow.core.home``): a binding's and
its bills' owner; a provider's circuit (its outage shows on every subscriber's page) alters
every page when it opens or closes (the sync says so itself). Watched from
``BillsConfig.ready()``; the sync, which changes rows without ``save()``, calls
:func:`subscriptions_home_changed` itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import HomeAudience, home_changed, home_watch


def _of(subscription_ids: Iterable[int]) -> HomeAudience:
    from onewindow.bills.models import Subscription

    rows = list(
        Subscription.objects.filter(pk__in=list(subscription_ids)).values_list(
            "person_id", "user_id"
        )
    )
    return HomeAudience.of(person_ids=[p for p, _ in rows], user_ids=[u for _, u in rows])


def subscriptions_home_changed(*, subscription_ids: Iterable[int]) -> None:
    audience = _of(subscription_ids)
    home_changed(person_ids=audience.person_ids, user_ids=audience.user_ids)


def _subscription(sub: Any) -> HomeAudience:
    return HomeAudience.of(person_ids=[sub.person_id], user_ids=[sub.user_id])


def _bill(bill: Any) -> HomeAudience:
    return _of([bill.subscription_id])


def watch() -> None:
    home_watch("bills.Subscription", _subscription)
    home_watch("bills.Bill", _bill)
