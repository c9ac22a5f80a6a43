"""The audit trail is a hash chain: a changed, deleted or inserted row is found and named."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.audit.selectors import audit_chain_verify
from onewindow.audit.services import Actor, audit_record, changed_fields

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    for i in range(n):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=Actor(id=7, kind="staff", label="clerk", ip="10.0.0.1"),
                    action="test.thing.update",
                    target_type="test.thing",
                    target_id=str(i),
                    changes={"status": ["draft", "submitted"], "n": i},
                )
            )
    return events


def test_intact_chain_verifies_and_command_says_so(capsys):
    _write(5)
    assert audit_chain_verify() is None
    call_command("audit_verify")
    assert "intact: 5 rows" in capsys.readouterr().out


def test_rows_link_to_their_predecessor():
    first, second = _write(2)
    assert first.seq == 1 and second.seq == 2
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.get().hash == second.hash


def test_changed_row_is_detected_and_named():
    events = _write(5)
    # Tamper directly in the database, as an attacker with SQL access would.
    AuditEvent.objects.filter(pk=events[2].pk).update(actor_label="someone-else")
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 3 and "hash" in problem.reason
    with pytest.raises(CommandError, match=r"row #3"):
        call_command("audit_verify")


def test_changed_changes_json_is_detected():
    events = _write(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(changes={"status": ["x", "y"]})
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 2


def test_deleted_row_is_detected():
    events = _write(5)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 2 and "missing" in problem.reason
    with pytest.raises(CommandError, match=r"row #2"):
        call_command("audit_verify")


def test_deleted_tail_is_detected_through_the_head():
    events = _write(4)
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 4


def test_inserted_row_is_detected():
    events = _write(3)
    # Make room after row 2 and insert a forged row with a self-consistent hash.
    AuditEvent.objects.filter(seq=3).update(seq=4)
    forged = AuditEvent(
        seq=3,
        at=events[1].at,
        actor_id=1,
        actor_kind="staff",
        actor_label="forger",
        action="test.thing.delete",
        target_type="test.thing",
        target_id="9",
        outcome="ok",
        changes={},
        purpose="",
        ip="",
        request_id="",
        alg=events[1].alg,
        prev_hash=events[1].hash,
        hash="f" * 64,
    )
    forged.save(force_insert=True)
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 3


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    # An audit row written in autocommit could survive a rolled-back change: refuse it.
    with pytest.raises(RuntimeError):
        audit_record(actor=Actor.system(), action="x")
    assert not AuditEvent.objects.exists()


def test_sm3_chain_verifies(settings):
    settings.CRYPTO_SUITE = "sm"
    events = _write(3)
    assert {e.alg for e in events} == {"sm3"}
    settings.CRYPTO_SUITE = "intl"
    _write(1)  # mixed algorithms still verify: each row names its own
    assert audit_chain_verify() is None


def test_changed_fields_hides_secrets():
    diff = changed_fields(
        {"name": "张三", "phone": "13800138000", "same": 1},
        {"name": "张三丰", "phone": "13900139000", "same": 1},
        secret=frozenset({"phone"}),
    )
    assert diff == {"name": ["张三", "张三丰"], "phone": "changed"}


def test_client_ip_trusts_only_the_configured_proxy_hops(rf, settings):
    from onewindow.audit.services import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request) == "10.0.0.5"  # no proxy: a forged header changes nothing
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client wrote
