"""Each use case is one outermost durable transaction with one audit row (DESIGN.md §3):
calling one inside another transaction fails loudly, and the API's one-call submission —
which attaches, presents licences and books as steps of its own — still writes one row.

These tests run with ``transaction=True``: an ordinary pytest-django test runs inside an
atomic block that Django exempts from the durability check, so only here does a use case
meet an enclosing transaction as it would in production."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.testing.cases import ANSWERS, PDF

CODE = "grad-employment-test"
NESTED = "durable atomic block cannot be nested"


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.django_db(transaction=True)
def test_attaching_inside_another_transaction_fails_and_keeps_nothing(parallel_service, resident):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    before = _last_seq()
    with pytest.raises(RuntimeError, match=NESTED), transaction.atomic():
        services.case_material_attach(
            user=resident.user,
            case_id=case.pk,
            code="diploma",
            upload=io.BytesIO(PDF),
            filename="毕业证.pdf",
        )
    assert not CaseMaterial.objects.filter(case_id=case.pk).exists()
    assert _last_seq() == before


def _use_licence(user: Any) -> Any:
    return services.case_material_use_licence(user=user, case_id=0, code="x", licence_id=0)


def _book(user: Any) -> Any:
    return services.case_appointment_book(user=user, case_id=0, slot_id=0)


def _create_and_submit(user: Any) -> Any:
    return services.case_create_and_submit(
        user=user, service_code=CODE, form_data=dict(ANSWERS), idempotency_key="nested-1"
    )


@pytest.mark.parametrize("call", [_use_licence, _book, _create_and_submit])
@pytest.mark.django_db(transaction=True)
def test_the_submission_use_cases_refuse_to_run_inside_another_transaction(
    parallel_service, resident, call: Callable[[Any], Any]
):
    with pytest.raises(RuntimeError, match=NESTED), transaction.atomic():
        call(resident.user)
    assert not Case.objects.filter(created_by=resident.user).exists()


@pytest.mark.django_db(transaction=True)
def test_the_api_one_call_submission_writes_one_audit_row(parallel_service, resident):
    client = Client()
    client.force_login(resident.user)
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
    before = _last_seq()
    response = client.post(
        "/api/v1/cases",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "one-row"},
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    material = case.materials.get(code="diploma")
    written = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    # the request's own rows: those of the case and its material, but for what follows the
    # commit (the engine's step, the messages), which writes rows of its own
    after_commit = {"cases.case.advance", "notify.case_news"}
    mine = [
        row
        for row in written
        if (row.target_type, row.target_id)
        in {("cases.case", str(case.pk)), ("cases.casematerial", str(material.pk))}
        and row.action not in after_commit
    ]
    assert [row.action for row in mine] == ["cases.case.submit"]
    assert mine[0].changes["steps"] == [
        {
            "action": "cases.material.attach",
            "target": f"cases.casematerial:{material.pk}",
            "outcome": "ok",
            "changes": {
                "case": case.pk,
                "code": "diploma",
                "size": len(PDF),
                "type": "application/pdf",
            },
        }
    ]
    assert not written.filter(action="cases.material.attach").exists()
