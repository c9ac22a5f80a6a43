"""The citizen page's section contract: providers registered by key fill a section; a
broken one shows as unreachable, never as an empty list or an error."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.core.home import (
    HomeItem,
    HomeSection,
    Unavailable,
    home_section_collect,
    home_section_register,
    home_section_unregister,
)

NOW = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    home_section_unregister("test-replies")


def _replies(*, user: Any, limit: int) -> HomeSection:
    return HomeSection(
        key="test-replies",
        title="答复",
        items=(
            HomeItem(title="旧答复", at=NOW - datetime.timedelta(days=2)),
            HomeItem(title="新答复", at=NOW),
            HomeItem(title="待评价", at=NOW - datetime.timedelta(days=5), urgent=True),
        ),
        updated_at=NOW,
    )


def _down(*, user: Any, limit: int) -> HomeSection:
    raise ConnectionError("hotline down")


def _stale(*, user: Any, limit: int) -> HomeSection:
    return HomeSection(
        key="test-replies",
        title="答复",
        unavailable=(
            Unavailable(
                source="政务服务便民热线", last_updated_at=NOW - datetime.timedelta(minutes=7)
            ),
        ),
    )


def test_a_section_nobody_provides_is_marked_unavailable_not_empty() -> None:
    section = home_section_collect("test-replies", user=None, limit=5, title="答复")
    assert (section.available, section.items, section.unavailable) == (False, (), ())


def test_registered_items_come_urgent_first_then_newest() -> None:
    home_section_register("test-replies", _replies)
    home_section_register("test-replies", _replies)  # twice: once
    section = home_section_collect("test-replies", user=None, limit=2, title="答复")
    assert section.available
    assert [item.title for item in section.items] == ["待评价", "新答复"]
    assert (section.count, section.urgent, section.updated_at) == (3, 1, NOW)


def test_a_provider_that_raises_is_shown_as_unreachable() -> None:
    home_section_register("test-replies", _replies)
    home_section_register("test-replies", _down, name="12345 热线")
    section = home_section_collect("test-replies", user=None, limit=5, title="答复")
    assert [item.title for item in section.items] == ["待评价", "新答复", "旧答复"]
    assert section.unavailable == (Unavailable(source="12345 热线"),)
    assert section.total is None


def test_an_unreachable_source_says_how_old_its_data_is() -> None:
    home_section_register("test-replies", _stale)
    section = home_section_collect("test-replies", user=None, limit=5, title="答复")
    (down,) = section.unavailable
    assert down.minutes_ago(NOW) == 7
