"""Data exchange in the demo city: the housing bureau's housing-assistance system is a consumer
with an approved grant on the civil affairs bureau's household income check, and has already
made a few signed gateway calls (one asking for a field it was not granted, one refused for a
resource it has no grant on), so the owners' page at ``/exchange/`` (log in as ``mzj_admin``)
shows a grant, the call log and a refusal from the first start.

Everything goes through the exchange's own services and the signed gateway, as a department
system would. Idempotent: a second run finds the consumer, the grant and its calls and does
nothing (and writes no audit row)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from onewindow.audit.services import Actor
from onewindow.demo import data
from onewindow.identity.selectors import (
    department_get,
    person_find_by_phone,
    person_list_with_id_number,
    user_get_by_username,
)

if TYPE_CHECKING:
    from onewindow.exchange.models import Consumer
    from onewindow.identity.models import Person

CONSUMER = "gz-zjj-housing"
CONSUMER_NAME = "住房保障管理信息系统"
CONSUMER_DEPARTMENT = "gz-zjj"
RESOURCE = "gz-mzj.income-assets"
REQUESTED = ["household_size", "monthly_income_per_capita", "financial_assets"]
GRANTED = ["household_size", "monthly_income_per_capita"]
NOT_GRANTED_RESOURCE = "gz-mzj.marital-status"
APPROVER = "mzj_admin"  # the civil affairs bureau's department administrator
PURPOSE = "公共租赁住房保障资格审核"
PATH = "/api/v1/exchange/query"


@dataclass(frozen=True)
class ExchangeSeed:
    consumer_created: bool
    calls: int


def demo_exchange_seed() -> ExchangeSeed:
    """Register the consumer, its approved grant and its first calls (once). Call inside the
    seed's transaction, after the city's departments and staff exist."""
    from onewindow.exchange.selectors import (
        consumer_get,
        consumer_has_calls,
        grant_exists,
        resource_get,
    )
    from onewindow.exchange.services import (
        access_request_create,
        access_request_decide,
        consumer_create,
        resources_sync,
    )

    actor = Actor.system("seed_demo")
    department = department_get(code=CONSUMER_DEPARTMENT)
    approver = user_get_by_username(username=APPROVER)
    if department is None or approver is None:
        return ExchangeSeed(False, 0)  # not the demo city
    if any(resource_get(code=code) is None for code in (RESOURCE, NOT_GRANTED_RESOURCE)):
        resources_sync(actor=actor)
    consumer = consumer_get(code=CONSUMER)
    created = consumer is None
    if consumer is None:
        consumer, _secret = consumer_create(
            actor=actor, code=CONSUMER, name=CONSUMER_NAME, department=department
        )
    resource = resource_get(code=RESOURCE)
    if resource is None:
        raise LookupError(f"the vocabulary has no exchange resource {RESOURCE}")
    if not grant_exists(consumer=consumer, resource=resource):
        request = access_request_create(
            actor=actor, consumer=consumer, resource=resource, purpose=PURPOSE, fields=REQUESTED
        )
        access_request_decide(
            user=approver,
            request_id=request.pk,
            approve=True,
            fields=GRANTED,
            rate_per_minute=120,
            note="仅批准人口与人均收入；金融资产不予共享",
        )
    if consumer_has_calls(code=CONSUMER):
        return ExchangeSeed(created, 0)
    return ExchangeSeed(created, _first_calls(consumer))


def _subjects() -> list[Person]:
    """The printed demo residents (those with a citizen ID), else the first residents."""
    found = (person_find_by_phone(phone=phone) for phone, _name, _code in data.DEMO_RESIDENTS)
    people = sorted((person for person in found if person is not None), key=lambda p: p.pk)
    return people[:3] or person_list_with_id_number(limit=3)


def _first_calls(consumer: Consumer) -> int:
    """Signed calls through the gateway: one per subject, the last also asking for the field
    that was not granted, then one for a resource without a grant (refused, logged)."""
    from onewindow.core.crypto import decrypt
    from onewindow.exchange.gateway import canonical_string, gateway_call, sign_hmac
    from onewindow.exchange.services import secret_aad

    code = consumer.code
    secret = decrypt(consumer.secret_encrypted, aad=secret_aad(code))
    people = _subjects()
    calls: list[tuple[str, Person, list[str] | None]] = [
        (RESOURCE, person, REQUESTED if i == len(people) - 1 else None)
        for i, person in enumerate(people)
    ]
    if people:
        calls.append((NOT_GRANTED_RESOURCE, people[0], None))
    for resource, person, fields in calls:
        doc: dict[str, Any] = {"resource": resource, "subject": {"id_number": person.id_number}}
        if fields:
            doc["fields"] = fields
        body = json.dumps(doc, ensure_ascii=False).encode()
        stamp, request_id, purpose = str(int(time.time())), uuid.uuid4().hex, quote(PURPOSE)
        message = canonical_string(
            path=PATH,
            consumer=code,
            timestamp=stamp,
            request_id=request_id,
            purpose=purpose,
            body=body,
        )
        headers = {
            "X-OW-consumer": code,
            "X-OW-timestamp": stamp,
            "X-OW-request-id": request_id,
            "X-OW-purpose": purpose,
            "X-OW-signature-alg": "hmac-sha256",
            "X-OW-signature": sign_hmac(secret, message),
        }
        gateway_call(path=PATH, headers=headers, body=body, ip="10.20.30.40")
    return len(calls)
