"""The cases API: idempotent submission, own cases only, withdrawal, the staff inbox and
task completion, errors in the shared format."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case
from onewindow.testing.cases import ANSWERS, PDF

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


def _resident_client(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _body(**changes: Any) -> dict[str, Any]:
    body = {
        "service": CODE,
        "form": dict(ANSWERS),
        "materials": [
            {
                "code": "diploma",
                "filename": "diploma.pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }
    body.update(changes)
    return body


def _post(client: Client, path: str, body: Any, **headers: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            path, data=json.dumps(body), content_type="application/json", headers=headers
        )


def test_submission_is_idempotent_by_key(parallel_service, resident):
    client = _resident_client(resident)
    first = _post(client, "/api/v1/cases", _body(), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    assert first.json()["status"] == "in_progress"
    again = _post(client, "/api/v1/cases", _body(), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["number"] == number
    changed = _post(
        client,
        "/api/v1/cases",
        _body(form={**ANSWERS, "applicant_name": "李娜"}),
        **{"Idempotency-Key": "k-1"},
    )
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["code"] == "idempotency_mismatch"
    # A different body that is also invalid: still the key's conflict, not a form error.
    invalid = _post(
        client,
        "/api/v1/cases",
        _body(form={**ANSWERS, "degree": "phd"}),
        **{"Idempotency-Key": "k-1"},
    )
    assert invalid.status_code == 409
    assert invalid.json()["errors"][0]["code"] == "idempotency_mismatch"
    assert Case.objects.count() == 1
    # Replays took no case number and wrote no second submission to the audit trail.
    fresh = _post(client, "/api/v1/cases", _body(), **{"Idempotency-Key": "k-2"})
    assert int(fresh.json()["number"][-5:]) == int(number[-5:]) + 1
    assert AuditEvent.objects.filter(action="cases.case.submit").count() == 2


def test_submission_needs_the_key_and_valid_data(parallel_service, resident):
    client = _resident_client(resident)
    missing = _post(client, "/api/v1/cases", _body())
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "Idempotency-Key"
    bad = _post(
        client,
        "/api/v1/cases",
        _body(form={**ANSWERS, "degree": "phd"}),
        **{"Idempotency-Key": "k-2"},
    )
    assert bad.status_code == 422
    assert "degree" in {e["field"] for e in bad.json()["errors"]}
    extra = _post(client, "/api/v1/cases", {**_body(), "x": 1}, **{"Idempotency-Key": "k-3"})
    assert extra.status_code == 422
    assert not Case.objects.exists()


def test_cases_are_private_and_can_be_withdrawn(parallel_service, resident):
    from onewindow.testing.factories import PersonFactory

    client = _resident_client(resident)
    number = _post(client, "/api/v1/cases", _body(), **{"Idempotency-Key": "k"}).json()["number"]
    assert [c["number"] for c in client.get("/api/v1/cases").json()] == [number]
    assert client.get(f"/api/v1/cases/{number}").status_code == 200
    other = _resident_client(PersonFactory())
    assert other.get(f"/api/v1/cases/{number}").status_code == 404
    assert other.get("/api/v1/cases").json() == []
    assert _post(other, f"/api/v1/cases/{number}/withdraw", {}).status_code == 404
    done = _post(client, f"/api/v1/cases/{number}/withdraw", {"reason": "不办了"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert _post(client, f"/api/v1/cases/{number}/withdraw", {}).status_code == 409


def test_staff_inbox_claim_and_complete(parallel_service, resident, staff):
    number = _post(
        _resident_client(resident), "/api/v1/cases", _body(), **{"Idempotency-Key": "k"}
    ).json()["number"]
    clerk = _staff_client(staff("rsj_clerk"))
    inbox = clerk.get("/api/v1/tasks").json()
    assert [t["case"] for t in inbox] == [number]
    task_id = inbox[0]["id"]
    assert _post(clerk, f"/api/v1/tasks/{task_id}/claim", {}).status_code == 200
    outsider = _staff_client(staff("gaj_approver"))
    assert outsider.get("/api/v1/tasks").json() == []
    # Another department's task answers exactly as an unknown one (ids not enumerable).
    unknown = _post(clerk, "/api/v1/tasks/999999/complete", {"decision": "approve"})
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == "task_not_found"
    for action, body in (("complete", {"decision": "approve"}), ("claim", {})):
        refused = _post(outsider, f"/api/v1/tasks/{task_id}/{action}", body)
        missing = _post(outsider, f"/api/v1/tasks/999999/{action}", body)
        assert (refused.status_code, refused.json()) == (404, unknown.json()), action
        assert (missing.status_code, missing.json()) == (404, unknown.json()), action
    bad = _post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "maybe"})
    assert bad.status_code == 422
    ok = _post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
    twice = _post(clerk, f"/api/v1/tasks/{task_id}/complete", {"decision": "approve"})
    assert twice.status_code == 409
    assert _resident_client(resident).get("/api/v1/tasks").status_code == 403
