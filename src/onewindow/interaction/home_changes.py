"""Whose citizen pages a request's change alters (``onewindow.core.home``): its requester's,
and — when it is an order others joined — theirs too (their replies section tells them of
it). Watched from ``InteractionConfig.ready()``."""

from __future__ import annotations

from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _request(request: Any) -> HomeAudience:
    from onewindow.interaction.models import Request

    joined = Request.objects.filter(merged_into_id=request.pk, person__isnull=False)
    return HomeAudience.of(
        person_ids=[request.person_id, *joined.values_list("person_id", flat=True)]
    )


def watch() -> None:
    home_watch("interaction.Request", _request)
