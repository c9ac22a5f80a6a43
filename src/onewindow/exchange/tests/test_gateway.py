"""The signed gateway refuses what it cannot verify, logs every call, and returns only what
the owner granted."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.utils import timezone

from onewindow.core.crypto.signers import Sm2Signer
from onewindow.exchange.calllog import calllog_verify
from onewindow.exchange.gateway import canonical_string
from onewindow.exchange.models import CallLog, Grant
from onewindow.exchange.services import consumer_create

from .conftest import ACTOR, PATH, signed_headers

pytestmark = pytest.mark.django_db

RES = "gz-mzj.marital-status"


def body_for(person: Any, **extra: Any) -> dict[str, Any]:
    return {"resource": RES, "subject": {"id_number": person.id_number}, **extra}


def last() -> CallLog:
    return CallLog.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_granted_call_returns_only_granted_fields(call, consumer, person):
    c, secret = consumer
    res = call(body_for(person), consumer=c.code, secret=secret)
    assert res.status_code == 200, res.content
    data = res.json()
    assert data["found"] is True
    assert set(data["data"]) == {"marital_status"}  # registered_on was not granted
    assert data["data"]["marital_status"] == "未婚"
    assert data["withheld"] == ["registered_on"]
    entry = last()
    assert (entry.outcome, entry.fields, entry.purpose) == (
        "ok",
        ["marital_status"],
        "住房保障资格审核",
    )
    assert person.id_number not in str(entry.__dict__)  # the log never holds the ID number


def test_wrong_signature_refused_and_logged(call, consumer, person):
    c, _secret = consumer
    res = call(body_for(person), consumer=c.code, secret="0" * 64)
    assert res.status_code == 401
    assert res.json()["errors"][0]["code"] == "bad_signature"
    assert (last().outcome, last().reason) == ("denied", "bad_signature")


def test_tampered_body_refused(client, consumer, person):
    import json

    c, secret = consumer
    raw = json.dumps(body_for(person)).encode()
    headers = signed_headers(consumer=c.code, secret=secret, body=raw)
    other = json.dumps(body_for(person, fields=["registered_on"])).encode()
    res = client.post(PATH, data=other, content_type="application/json", **headers)
    assert res.status_code == 401 and last().reason == "bad_signature"


def test_replayed_request_id_refused(call, consumer, person):
    c, secret = consumer
    assert (
        call(body_for(person), consumer=c.code, secret=secret, request_id="req-000001").status_code
        == 200
    )
    res = call(body_for(person), consumer=c.code, secret=secret, request_id="req-000001")
    assert res.status_code == 409 and res.json()["errors"][0]["code"] == "replayed"
    assert last().reason == "replayed"


def test_stale_timestamp_refused(call, consumer, person):
    c, secret = consumer
    for stamp in (int(time.time()) - 301, int(time.time()) + 400):
        res = call(body_for(person), consumer=c.code, secret=secret, timestamp=stamp)
        assert res.status_code == 401 and last().reason == "stale_timestamp"


def test_missing_headers_and_unknown_consumer_refused(client, call, consumer, person):
    res = client.post(PATH, data=b"{}", content_type="application/json")
    assert res.status_code == 401 and last().reason == "malformed_headers"
    res = call(body_for(person), consumer="nobody", secret="x")
    assert res.status_code == 401 and last().reason == "unknown_consumer"


def test_ungranted_resource_refused(call, consumer, person):
    c, secret = consumer
    res = call(
        {"resource": "gz-gaj.household-registration", "subject": {"id_number": person.id_number}},
        consumer=c.code,
        secret=secret,
    )
    assert res.status_code == 403 and last().reason == "no_grant"


def test_expired_grant_refused(call, consumer, person):
    c, secret = consumer
    Grant.objects.filter(consumer=c).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    res = call(body_for(person), consumer=c.code, secret=secret)
    assert res.status_code == 403 and res.json()["errors"][0]["code"] == "grant_expired"


def test_revoked_grant_refused(call, consumer, person):
    c, secret = consumer
    Grant.objects.filter(consumer=c).update(revoked=True)
    assert call(body_for(person), consumer=c.code, secret=secret).status_code == 403


def test_rate_limit_per_minute(call, consumer, person):
    c, secret = consumer  # granted 3 per minute
    codes = [call(body_for(person), consumer=c.code, secret=secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert last().reason == "rate_limited"


def test_malformed_body_refused(call, consumer):
    c, secret = consumer
    res = call({"resource": RES}, consumer=c.code, secret=secret)
    assert res.status_code == 400 and last().reason == "bad_request"


def test_unknown_person_is_not_found_not_an_error(call, consumer):
    c, secret = consumer
    res = call(
        {"resource": RES, "subject": {"id_number": "110101199003070000"}},
        consumer=c.code,
        secret=secret,
    )
    assert res.status_code == 200 and res.json() == {
        "request_id": res.json()["request_id"],
        "resource": RES,
        "found": False,
        "data": {},
        "withheld": ["registered_on"],
    }


def test_sm2_signed_call(client, departments, owner, person):
    import json
    from urllib.parse import quote

    from onewindow.exchange.models import Resource
    from onewindow.exchange.services import access_request_create, access_request_decide

    signer = Sm2Signer.generate()
    c, secret = consumer_create(
        actor=ACTOR,
        code="sm2-sys",
        name="国密系统",
        key_kind="sm2",
        public_key_hex=signer.public_key.hex(),
    )
    assert secret == ""
    req = access_request_create(
        actor=ACTOR,
        consumer=c,
        resource=Resource.objects.get(code=RES),
        purpose="核验",
        fields=["marital_status"],
    )
    access_request_decide(user=owner, request_id=req.pk, approve=True)
    raw = json.dumps(body_for(person)).encode()
    stamp, rid, purpose = str(int(time.time())), "sm2-request-1", quote("核验")
    msg = canonical_string(
        path=PATH, consumer=c.code, timestamp=stamp, request_id=rid, purpose=purpose, body=raw
    )
    headers = {
        "HTTP_X_OW_CONSUMER": c.code,
        "HTTP_X_OW_TIMESTAMP": stamp,
        "HTTP_X_OW_REQUEST_ID": rid,
        "HTTP_X_OW_PURPOSE": purpose,
        "HTTP_X_OW_SIGNATURE_ALG": "sm2",
        "HTTP_X_OW_SIGNATURE": signer.sign(msg).hex(),
    }
    assert (
        client.post(PATH, data=raw, content_type="application/json", **headers).status_code == 200
    )
    headers["HTTP_X_OW_REQUEST_ID"] = "sm2-request-2"  # signature no longer matches
    assert (
        client.post(PATH, data=raw, content_type="application/json", **headers).status_code == 401
    )


def test_call_log_chain_verifies_and_detects_tampering(call, consumer, person):
    c, secret = consumer
    call(body_for(person), consumer=c.code, secret=secret)
    call(body_for(person), consumer=c.code, secret="bad")
    call(body_for(person), consumer=c.code, secret=secret)
    assert CallLog.objects.count() == 3 and calllog_verify() is None
    middle = CallLog.objects.get(seq=2)
    CallLog.objects.filter(pk=middle.pk).update(outcome="ok", reason="")
    problem = calllog_verify()
    assert problem is not None and problem.seq == 2
    CallLog.objects.filter(pk=middle.pk).update(outcome="denied", reason="bad_signature")
    assert calllog_verify() is None
    CallLog.objects.filter(seq=3).delete()
    assert calllog_verify() is not None  # the head remembers #3


def test_only_the_owner_decides_access_requests(departments, consumer):
    from onewindow.core.errors import PermissionDenied
    from onewindow.exchange.models import Resource
    from onewindow.exchange.services import access_request_create, access_request_decide
    from onewindow.testing.factories import StaffFactory

    c, _ = consumer
    req = access_request_create(
        actor=ACTOR,
        consumer=c,
        resource=Resource.objects.get(code="gz-gaj.household-registration"),
        purpose="核验",
        fields=["name"],
    )
    stranger: Any = StaffFactory(department=departments["gz-mzj"]).user
    with pytest.raises(PermissionDenied):
        access_request_decide(user=stranger, request_id=req.pk, approve=True)
    req.refresh_from_db()
    assert req.status == "pending" and not Grant.objects.filter(request=req).exists()
    from onewindow.audit.models import AuditEvent

    refusal = AuditEvent.objects.get(action="exchange.request.decide", target_id=str(req.pk))
    assert refusal.outcome == "denied" and refusal.actor_id == stranger.pk


def test_an_upgrade_that_changes_a_resources_fields_reaches_the_platforms_grant(
    departments, consumer
):
    """After an upgrade the vocabulary may give a resource more fields: the platform's own
    grant follows (audited); grants other departments decided stay as they were."""
    from onewindow.audit.models import AuditEvent
    from onewindow.exchange.models import Grant, Resource
    from onewindow.exchange.services import platform_consumer_ensure, resources_sync

    platform = platform_consumer_ensure(actor=ACTOR)
    resource = Resource.objects.get(code="gz-mzj.marital-status")
    old_fields = list(resource.fields)
    Resource.objects.filter(pk=resource.pk).update(fields=old_fields[:1])  # before the upgrade
    Grant.objects.filter(consumer=platform, resource=resource).update(
        fields=[old_fields[0]["code"]]
    )
    resources_sync(actor=ACTOR)  # the new vocabulary
    platform_consumer_ensure(actor=ACTOR)
    grant = Grant.objects.get(consumer=platform, resource=resource)
    assert grant.fields == [f["code"] for f in old_fields]
    assert AuditEvent.objects.filter(action="exchange.grant.refresh").exists()
    theirs = Grant.objects.get(consumer=consumer[0], resource=resource)
    assert theirs.fields == ["marital_status"]
