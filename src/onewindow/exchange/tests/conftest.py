from __future__ import annotations

import datetime
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.exchange.gateway import canonical_string, sign_hmac
from onewindow.exchange.models import AccessRequest, Consumer, Resource
from onewindow.exchange.services import (
    access_request_create,
    access_request_decide,
    consumer_create,
    resources_sync,
)
from onewindow.identity.models import Department
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory

PATH = "/api/v1/exchange/query"
ACTOR = Actor.system("test")


@pytest.fixture
def departments(db: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, name in [
        ("gz-gaj", "广州市公安局"),
        ("gz-mzj", "广州市民政局"),
        ("gz-zjj", "广州市住房和城乡建设局"),
    ]:
        out[code] = Department.objects.filter(code=code).first() or DepartmentFactory(
            code=code, name=name, region_code="440100"
        )
    resources_sync(actor=ACTOR)
    return out


@pytest.fixture
def owner(departments: dict[str, Department]) -> Any:
    return StaffFactory(department=departments["gz-mzj"]).user


@pytest.fixture
def consumer(departments: dict[str, Department], owner: Any) -> tuple[Consumer, str]:
    """The housing bureau's system, granted marital status (not the registration date)."""
    consumer, secret = consumer_create(
        actor=ACTOR, code="zjj-housing", name="住房保障系统", department=departments["gz-zjj"]
    )
    request = access_request_create(
        actor=ACTOR,
        consumer=consumer,
        resource=Resource.objects.get(code="gz-mzj.marital-status"),
        purpose="住房保障资格审核",
        fields=["marital_status", "registered_on"],
    )
    access_request_decide(
        user=owner,
        request_id=request.pk,
        approve=True,
        fields=["marital_status"],
        rate_per_minute=3,
    )
    assert AccessRequest.objects.get(pk=request.pk).status == "approved"
    return consumer, secret


@pytest.fixture
def person(db: Any) -> Any:
    return PersonFactory(birth_date=datetime.date(1996, 3, 1))


def signed_headers(
    *,
    consumer: str,
    secret: str,
    body: bytes,
    request_id: str | None = None,
    timestamp: int | None = None,
    purpose: str = "住房保障资格审核",
    alg: str = "hmac-sha256",
    signature: str | None = None,
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    rid = request_id or uuid.uuid4().hex
    enc = quote(purpose)
    msg = canonical_string(
        path=PATH, consumer=consumer, timestamp=stamp, request_id=rid, purpose=enc, body=body
    )
    return {
        "HTTP_X_OW_CONSUMER": consumer,
        "HTTP_X_OW_TIMESTAMP": stamp,
        "HTTP_X_OW_REQUEST_ID": rid,
        "HTTP_X_OW_PURPOSE": enc,
        "HTTP_X_OW_SIGNATURE_ALG": alg,
        "HTTP_X_OW_SIGNATURE": signature or sign_hmac(secret, msg, alg),
    }


@pytest.fixture
def call(client: Client) -> Callable[..., Any]:
    def do(body: dict[str, Any], *, consumer: str, secret: str, **kw: Any) -> Any:
        raw = json.dumps(body).encode()
        headers: Any = signed_headers(consumer=consumer, secret=secret, body=raw, **kw)
        return client.post(PATH, data=raw, content_type="application/json", **headers)

    return do


def now() -> datetime.datetime:
    return timezone.now()
