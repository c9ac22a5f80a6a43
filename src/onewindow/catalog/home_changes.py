"""A service's change alters every citizen page (``onewindow.core.home``): its name is on
the case lines and the recommendations. Rare (a catalogue publication); watched from
``CatalogConfig.ready()``."""

from __future__ import annotations

from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _everyone(row: Any) -> HomeAudience:
    return HomeAudience.of(everyone=True)


def watch() -> None:
    home_watch("catalog.Service", _everyone)
