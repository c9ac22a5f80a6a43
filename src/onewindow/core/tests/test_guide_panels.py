"""The service guide's panel contract: providers registered by key draw a panel each, in the
order registered; one with nothing to show, or that raises, is left out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.core.guide_panels import (
    GuidePanel,
    guide_panel_register,
    guide_panel_unregister,
    guide_panels_for,
)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    for key in ("test-a", "test-b", "test-broken"):
        guide_panel_unregister(key)


def _a(*, service_code: str) -> GuidePanel | None:
    return GuidePanel(key="test-a", template="a.html", values={"code": service_code})


def _b(*, service_code: str) -> GuidePanel | None:
    return None if service_code == "quiet" else GuidePanel(key="test-b", template="b.html")


def _broken(*, service_code: str) -> GuidePanel | None:
    raise RuntimeError("down")


def test_panels_in_the_order_registered_and_the_empty_or_broken_left_out() -> None:
    guide_panel_register("test-a", _a)
    guide_panel_register("test-broken", _broken)
    guide_panel_register("test-b", _b)
    panels = [p for p in guide_panels_for(service_code="x") if p.key.startswith("test-")]
    assert [(p.key, dict(p.values)) for p in panels] == [("test-a", {"code": "x"}), ("test-b", {})]
    quiet = [p.key for p in guide_panels_for(service_code="quiet") if p.key.startswith("test-")]
    assert quiet == ["test-a"]


def test_the_ratings_panel_is_registered_by_its_app() -> None:
    from onewindow.core import guide_panels

    assert "ratings" in guide_panels._registry
