"""What the GeoReport v2 interface shows the public: no confidential request at all, and
the description with the requester's name and numbers masked; and what it asks of a
filing: a location (coordinates, an address or an address id), the district only if known."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.interaction.models import Move, Request
from onewindow.interaction.tests.orders import make_request
from onewindow.interaction.tests.test_open311 import BASE, key, leaf, post
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db
__all__ = ["key", "leaf"]  # fixtures

TEXT = (
    "我是李娜，身份证44010619900101123X，电话13800000011。"
    "体育西路口每天晚上都有烧烤摊占道经营，油烟很大。"
)
MASKED = (
    "我是李*，身份证4401**********123X，电话138****0011。"
    "体育西路口每天晚上都有烧烤摊占道经营，油烟很大。"
)


def _filed(key: str, commit, **changes: str) -> Request:
    with commit():
        response = Client().post(f"{BASE}/requests.json", post(key, **changes))
    assert response.status_code == 200, response.content
    return Request.objects.get(number=response.json()[0]["service_request_id"])


def test_descriptions_are_masked_in_every_read(leaf, key, commit) -> None:
    filed = _filed(key, commit, description=TEXT)
    assert filed.content == TEXT  # the department reads what was said
    one = Client().get(f"{BASE}/requests/{filed.number}.json").json()[0]
    assert one["description"] == MASKED
    listed = Client().get(f"{BASE}/requests.json").json()
    assert [r["description"] for r in listed] == [MASKED]
    xml = Client().get(f"{BASE}/requests.xml?service_request_id={filed.number}").content
    assert MASKED in xml.decode() and "13800000011" not in xml.decode()


def test_the_account_holders_name_is_masked_too(leaf) -> None:
    person = make_person(name="陈小明", phone="13800138001")
    order = make_request(category=leaf, person=person)
    # the contact left blank: the account's name is the requester's
    Request.objects.filter(pk=order.pk).update(
        contact_name="", content="陈小明反映：楼下烧烤摊每晚占道。"
    )
    got = Client().get(f"{BASE}/requests/{order.number}.json").json()[0]
    assert got["description"] == "陈*明反映：楼下烧烤摊每晚占道。"


def test_confidential_requests_are_never_shown(leaf) -> None:
    hidden = make_request(category=leaf, contact_name="王五", confidential=True)
    shown = make_request(category=leaf, contact_name="赵六")
    Move.objects.create(request=hidden, action=Move.Action.REGISTER, at=timezone.now())
    Move.objects.create(request=shown, action=Move.Action.REGISTER, at=timezone.now())
    listed = Client().get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [shown.number]
    by_id = Client().get(f"{BASE}/requests.json?service_request_id={hidden.number},{shown.number}")
    assert [r["service_request_id"] for r in by_id.json()] == [shown.number]
    assert Client().get(f"{BASE}/requests/{hidden.number}.json").status_code == 404
    assert Client().get(f"{BASE}/tokens/{hidden.number}.json").status_code == 404
    updates = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["service_request_id"] for u in updates] == [shown.number]
    assert hidden.number not in json.dumps(updates)


def test_the_district_is_optional_in_the_definition(leaf) -> None:
    body = Client().get(f"{BASE}/services/urban.vendor.json").json()
    required = {a["code"]: a["required"] for a in body["attributes"]}
    assert required == {"kind": True, "region_code": False}


@pytest.mark.parametrize(
    ("location", "region", "street", "address"),
    [
        # coordinates only: filed city-wide, the dispatcher places it
        ({"lat": "23.135", "long": "113.321"}, "", "", ""),
        # an address naming its district
        (
            {"address_string": "广州市天河区体育西路191号"},
            "440106",
            "",
            "广州市天河区体育西路191号",
        ),
        # an address id that is a street's GB/T 2260 code
        ({"address_id": "440106004"}, "440106", "440106004", "440106004"),
        # an address id of the caller's own: kept for the dispatcher
        ({"address_id": "ADDR-77"}, "", "", "ADDR-77"),
    ],
)
def test_any_location_the_specification_allows_files_without_a_district(
    leaf, key, commit, location, region, street, address
) -> None:
    changes = {"lat": "", "long": "", "address_string": "", "attribute[region_code]": ""}
    filed = _filed(key, commit, **(changes | location))
    assert (filed.region_code, filed.street_code, filed.address) == (region, street, address)
    assert filed.channel == Request.Channel.OPEN311


def test_a_district_given_wins_over_the_address(leaf, key, commit) -> None:
    filed = _filed(
        key, commit, address_string="越秀区北京路", **{"attribute[region_code]": "440106"}
    )
    assert filed.region_code == "440106"


def test_the_web_form_still_needs_a_district(person) -> None:
    from onewindow.core.errors import ValidationFailed
    from onewindow.interaction.services import Filing, Location, request_file

    with pytest.raises(ValidationFailed) as refused:
        request_file(
            user=person.user,
            channel=Request.Channel.WEB,
            filing=Filing(
                kind="complaint",
                content="路口烧烤摊每晚占道经营。",
                location=Location(region_code="", address="体育西路191号"),
            ),
        )
    assert [e.field for e in refused.value.errors] == ["region_code"]
