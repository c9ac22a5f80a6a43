"""What a parcel holds, as its waybill and the resident's page say (寄递物品): the licence
the service grants, or the service's decision — not a bare 办理结果."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from onewindow.delivery.actions import _contents
from onewindow.licences.models import LicenceType

pytestmark = pytest.mark.django_db


def _version(outcome: dict[str, Any], name: str = "往来港澳通行证再次签注") -> Any:
    """The service version a case runs under (what ``delivery.ship`` reads of its package)."""
    return SimpleNamespace(definition={"outcome": outcome}, service=SimpleNamespace(name=name))


def test_a_licence_outcome_names_the_licence():
    LicenceType.objects.update_or_create(
        code="hk-macau-endorsement", defaults={"name_zh": "往来港澳通行证签注"}
    )
    version = _version({"type": "licence", "licence_type": "hk-macau-endorsement"})
    assert _contents(version) == "往来港澳通行证签注"


def test_a_decision_names_the_service():
    version = _version({"type": "decision"}, name="高校毕业生就业报到")
    assert _contents(version) == "高校毕业生就业报到决定文书"
    assert _contents(None) == "办理结果文书"
