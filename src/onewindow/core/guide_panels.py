"""Panels on the service guide (办事指南) that other apps fill.

The catalogue draws the guide and imports no app above it; an app that has something to say
about a service (its residents' ratings, 好差评) registers a provider from its
``AppConfig.ready()``::

    class RatingsConfig(AppConfig):
        def ready(self) -> None:
            from onewindow.core.guide_panels import guide_panel_register
            from onewindow.ratings.selectors.stats import service_guide_panel

            guide_panel_register("ratings", service_guide_panel)

A provider is called with the service's code and answers a frozen :class:`GuidePanel` (the
template that draws it and that template's values) or ``None`` when it has nothing to show
for that service. A provider that raises is logged and left out: one broken panel never
breaks the guide.

This module imports no app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuidePanel:
    key: str
    template: str  # the template drawing the panel (one <section>), given ``panel``
    values: Mapping[str, Any] = field(default_factory=dict)


class GuidePanelProvider(Protocol):
    def __call__(self, *, service_code: str) -> GuidePanel | None: ...


_registry: dict[str, GuidePanelProvider] = {}


def guide_panel_register(key: str, provider: GuidePanelProvider) -> None:
    """Let ``provider`` draw the panel ``key`` on every service guide (from ``ready()``);
    registering a key again replaces its provider."""
    _registry[key] = provider


def guide_panel_unregister(key: str) -> None:
    _registry.pop(key, None)


def guide_panels_for(*, service_code: str) -> list[GuidePanel]:
    """The panels of one service's guide, in the order registered; a provider that raises
    or has nothing to show is left out."""
    panels = []
    for key, provider in list(_registry.items()):
        try:
            panel = provider(service_code=service_code)
        except Exception:  # one broken panel must not break the guide
            log.exception("guide panel %s failed for %s", key, service_code)
            continue
        if panel is not None:
            panels.append(panel)
    return panels


__all__ = [
    "GuidePanel",
    "GuidePanelProvider",
    "guide_panel_register",
    "guide_panel_unregister",
    "guide_panels_for",
]
