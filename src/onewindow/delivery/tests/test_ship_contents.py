"""What a parcel holds, as its waybill and the resident's page say (寄递物品): the licence
the service grants, or the service's decision — not a bare 办理结果."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from onewindow.delivery.actions import _contents
from onewindow.licences.models import LicenceType

pytestmark = pytest.mark.django_db


def _case(outcome: dict[str, Any], name: str = "往来港澳通行证再次签注") -> Any:
    service = SimpleNamespace(name=name)
    return SimpleNamespace(
        service_version=SimpleNamespace(definition={"outcome": outcome}, service=service)
    )


def test_a_licence_outcome_names_the_licence():
    LicenceType.objects.update_or_create(
        code="hk-macau-endorsement", defaults={"name_zh": "往来港澳通行证签注"}
    )
    case = _case({"type": "licence", "licence_type": "hk-macau-endorsement"})
    assert _contents(case) == "往来港澳通行证签注"


def test_a_decision_names_the_service():
    case = _case({"type": "decision"}, name="高校毕业生就业报到")
    assert _contents(case) == "高校毕业生就业报到决定文书"
    assert _contents(None) == "办理结果文书"
