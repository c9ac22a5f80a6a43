"""The gateway's call log is a keyed hash chain of its own, checkpointed outside the database:
an attacker who can write its tables, but has not the key, cannot rewrite it unseen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from onewindow.core.crypto.digests import chain_hash
from onewindow.exchange.calllog import HASHED_FIELDS, calllog_append, calllog_verify
from onewindow.exchange.models import CallLog, CallLogHead
from onewindow.exchange.tasks import calllog_checkpoint

pytestmark = pytest.mark.django_db


def _calls(n: int) -> list[CallLog]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                calllog_append(
                    consumer="gz-mzj-system",
                    resource_code="household.members",
                    outcome="ok" if i % 2 == 0 else "denied",
                    reason="" if i % 2 == 0 else "no_grant",
                    purpose="核验",
                    request_id=f"r{i}",
                    fields=["name"],
                )
            )
    return out


def _plain(row: CallLog) -> str:
    return chain_hash({f: getattr(row, f) for f in HASHED_FIELDS}, HASHED_FIELDS, alg=row.alg)


def _rechain_from(seq: int, **changes: object) -> None:
    prev = CallLog.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    last = None
    for row in CallLog.objects.filter(seq__gte=seq).order_by("seq"):
        row.prev_hash = prev
        for name, value in changes.items():
            setattr(row, name, value)
        row.hash = _plain(row)
        CallLog.objects.filter(pk=row.pk).update(prev_hash=prev, hash=row.hash, **changes)
        prev, last = row.hash, row
    assert last is not None
    CallLogHead.objects.filter(id=1).update(seq=last.seq, hash=last.hash)


def _checkpoint(tmp_path: Path) -> Path:
    out = tmp_path / "calllog.json"
    call_command("calllog_checkpoint", out=str(out))
    return out


def test_calls_are_keyed_and_the_log_holds_its_checkpoint(tmp_path, capsys):
    calls = _calls(3)
    assert {c.kid for c in calls} == {"dev"} and calls[0].hash != _plain(calls[0])
    path = _checkpoint(tmp_path)
    assert json.loads(path.read_text())["chain"] == "exchange.calllog"
    _calls(1)
    call_command("calllog_verify", against=str(path))
    assert "call log chain intact: 4 rows; holds checkpoint #3 of " in capsys.readouterr().out


def test_truncated_calls_with_rewound_head_are_found_against_a_checkpoint(tmp_path):
    calls = _calls(5)
    path = _checkpoint(tmp_path)
    CallLog.objects.filter(seq__gt=2).delete()
    CallLogHead.objects.filter(id=1).update(seq=2, hash=calls[1].hash)
    assert calllog_verify() is None  # the database alone cannot tell
    with pytest.raises(CommandError, match=r"row #3: chain ends at #2, checkpoint #5 of "):
        call_command("calllog_verify", against=str(path))


def test_the_beat_checkpoint_refuses_a_log_truncated_since_the_last(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    calls = _calls(3)
    calllog_checkpoint()
    written = list(tmp_path.glob("exchange.calllog-*.json"))
    assert len(written) == 1
    CallLog.objects.filter(seq=3).delete()
    CallLogHead.objects.filter(id=1).update(seq=2, hash=calls[1].hash)
    with pytest.raises(Exception, match=r"chain broken at row #3: chain ends at #2"):
        calllog_checkpoint()
    assert list(tmp_path.glob("exchange.calllog-*.json")) == written


def test_edited_call_with_later_hashes_recomputed_plainly_is_found():
    _calls(4)
    CallLog.objects.filter(seq=2).update(outcome="ok", reason="")  # hide a refusal
    _rechain_from(2)
    problem = calllog_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (2, "row content does not match its hash")
    with pytest.raises(CommandError, match=r"row #2 \(id \d+\): row content does not match"):
        call_command("calllog_verify")


def test_edited_call_passed_off_as_written_before_keying_is_found():
    _calls(4)
    CallLog.objects.filter(seq=2).update(outcome="ok", reason="")
    _rechain_from(2, kid="")
    problem = calllog_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (2, "row is not keyed (a plain hash)")


def test_forged_call_appended_with_the_head_recomputed_is_found():
    calls = _calls(2)
    last = calls[-1]
    forged = CallLog(
        seq=3,
        at=last.at,
        consumer_id_value="gz-mzj-system",
        resource_code="household.members",
        outcome="ok",
        alg=last.alg,
        kid=last.kid,
        prev_hash=last.hash,
    )
    forged.hash = _plain(forged)
    forged.save(force_insert=True)
    CallLogHead.objects.filter(id=1).update(seq=3, hash=forged.hash)
    problem = calllog_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (3, "row content does not match its hash")


def test_whole_log_rewritten_plainly_with_a_recomputed_head_is_found():
    _calls(3)
    _rechain_from(1, kid="")
    CallLogHead.objects.filter(id=1).update(sealed_seq=0, seal="")
    problem = calllog_verify()
    assert problem is not None and problem.seq == 1 and "not keyed" in problem.reason


def test_an_audit_checkpoint_is_not_accepted_for_the_call_log(tmp_path):
    from onewindow.audit.services import Actor, audit_record

    with transaction.atomic():
        audit_record(actor=Actor.system(), action="test.x")
    path = tmp_path / "audit.json"
    call_command("audit_checkpoint", out=str(path))
    with pytest.raises(CommandError, match=r"chain 'audit', not 'exchange\.calllog'"):
        call_command("calllog_verify", against=str(path))


def test_calls_logged_before_keying_still_verify_once_sealed():
    from onewindow.audit.chain import seal_value

    prev = "0" * 64
    CallLogHead.objects.create(id=1)
    for i in (1, 2):
        row = CallLog(
            seq=i,
            at=CallLog._meta.get_field("at").to_python("2026-01-01T08:00:00+08:00"),
            consumer_id_value="gz-mzj-system",
            resource_code="household.members",
            outcome="ok",
            alg="sha256",
            prev_hash=prev,
        )
        row.hash = _plain(row)
        row.save(force_insert=True)
        prev = row.hash
    CallLogHead.objects.filter(id=1).update(seq=2, hash=prev)
    assert calllog_verify() is not None  # unsealed plain rows are refused
    CallLogHead.objects.filter(id=1).update(
        sealed_seq=2, seal=seal_value("exchange.calllog", 2, prev)
    )
    _calls(2)
    assert calllog_verify() is None
    # The audit trail's seal does not pass for the call log's.
    CallLogHead.objects.filter(id=1).update(seal=seal_value("audit", 2, prev))
    problem = calllog_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (
        2,
        "rows written before keying do not match their seal",
    )
