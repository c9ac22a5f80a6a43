"""The audit chain is keyed with a key the database does not hold, and signed checkpoints of its
head kept outside the database catch what the database alone cannot (a tail cut off with the
head rewound). The attacker here can write every table and knows the code, not the key."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from onewindow.audit.checks import audit_key_configured
from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.audit.selectors import audit_chain_verify
from onewindow.audit.services import HASHED_FIELDS, Actor, audit_record
from onewindow.audit.tasks import checkpoint as checkpoint_task
from onewindow.core.crypto.digests import chain_hash
from onewindow.core.crypto.keys import reset_caches

pytestmark = pytest.mark.django_db


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _write(n: int, start: int = 0) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    for i in range(start, start + n):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=Actor(id=7, kind="staff", label="clerk", ip="10.0.0.1"),
                    action="test.thing.update",
                    target_type="test.thing",
                    target_id=str(i),
                    changes={"n": i},
                )
            )
    return events


def _plain(event: AuditEvent) -> str:
    """What an attacker without the key can compute: the published plain row hash."""
    return chain_hash({f: getattr(event, f) for f in HASHED_FIELDS}, HASHED_FIELDS, alg=event.alg)


def _rechain_from(seq: int, **changes: object) -> None:
    """Recompute every row from ``seq`` on with plain hashes and point the head at the last,
    as an attacker with SQL access but without the key would after editing a row."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    last = None
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        for name, value in changes.items():
            setattr(event, name, value)
        event.hash = _plain(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            prev_hash=event.prev_hash, hash=event.hash, **changes
        )
        prev, last = event.hash, event
    assert last is not None
    AuditChainHead.objects.filter(id=1).update(seq=last.seq, hash=last.hash)


def _checkpoint(tmp_path: Path) -> Path:
    out = tmp_path / "audit-checkpoint.json"
    call_command("audit_checkpoint", out=str(out))
    return out


def test_rows_are_keyed_with_the_current_audit_key():
    (event,) = _write(1)
    assert event.kid == "dev"  # the development key, derived from SECRET_KEY
    assert event.hash != _plain(event)


# --- (a) rows cut off the end, head rewound -------------------------------------------------


def test_truncated_tail_with_rewound_head_is_found_against_a_checkpoint(tmp_path, capsys):
    events = _write(5)
    path = _checkpoint(tmp_path)
    AuditEvent.objects.filter(seq__gt=3).delete()
    AuditChainHead.objects.filter(id=1).update(seq=3, hash=events[2].hash)
    # The database alone is consistent again: only the checkpoint remembers row #5.
    assert audit_chain_verify() is None
    with pytest.raises(CommandError, match=r"row #4: chain ends at #3, checkpoint #5 of "):
        call_command("audit_verify", against=str(path))


def test_the_beat_checkpoint_refuses_a_chain_truncated_since_the_last(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    events = _write(4)
    checkpoint_task()
    (first,) = list(tmp_path.glob("audit-*.json"))
    assert json.loads(first.read_text())["seq"] == 4
    AuditEvent.objects.filter(seq=4).delete()
    AuditChainHead.objects.filter(id=1).update(seq=3, hash=events[2].hash)
    with pytest.raises(Exception, match=r"chain broken at row #4: chain ends at #3"):
        checkpoint_task()
    assert list(tmp_path.glob("audit-*.json")) == [first]  # nothing signed over the loss


# --- (b) a row edited and every later hash recomputed without the key -----------------------


def test_edited_row_with_later_hashes_recomputed_plainly_is_found():
    _write(5)
    AuditEvent.objects.filter(seq=2).update(actor_label="someone-else")
    _rechain_from(2)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (2, "row content does not match its hash")
    with pytest.raises(CommandError, match=r"row #2 \(id \d+\): row content does not match"):
        call_command("audit_verify")


def test_edited_row_passed_off_as_written_before_keying_is_found():
    _write(5)
    AuditEvent.objects.filter(seq=2).update(actor_label="someone-else")
    _rechain_from(2, kid="")  # plain rows, as before the chain was keyed
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (2, "row is not keyed (a plain hash)")


# --- (c) the head recomputed -----------------------------------------------------------------


def test_forged_row_appended_with_the_head_recomputed_is_found():
    events = _write(3)
    forged = AuditEvent(
        seq=4,
        at=events[-1].at,
        actor_id=1,
        actor_kind="staff",
        actor_label="forger",
        action="test.thing.delete",
        target_type="test.thing",
        target_id="9",
        changes={},
        alg=events[-1].alg,
        kid=events[-1].kid,
        prev_hash=events[-1].hash,
    )
    forged.hash = _plain(forged)
    forged.save(force_insert=True)
    AuditChainHead.objects.filter(id=1).update(seq=4, hash=forged.hash)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (4, "row content does not match its hash")


def test_whole_chain_rewritten_plainly_with_a_recomputed_head_is_found(tmp_path):
    _write(4)
    path = _checkpoint(tmp_path)
    _rechain_from(1, kid="")
    AuditChainHead.objects.filter(id=1).update(sealed_seq=0, seal="")
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 1 and "not keyed" in problem.reason
    with pytest.raises(CommandError, match=r"row #1 \(id \d+\): row is not keyed"):
        call_command("audit_verify", against=str(path))


def test_head_rewound_over_rows_still_there_is_found():
    events = _write(4)
    AuditChainHead.objects.filter(id=1).update(seq=2, hash=events[1].hash)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (3, "row #3 is beyond the chain's head")


# --- checkpoints -----------------------------------------------------------------------------


def test_intact_chain_holds_its_checkpoint(tmp_path, capsys):
    _write(3)
    path = _checkpoint(tmp_path)
    doc = json.loads(path.read_text())
    assert doc["chain"] == "audit" and doc["seq"] == 3 and doc["kid"] == "dev"
    assert doc["hash"] == AuditChainHead.objects.get().hash
    _write(2, start=3)  # the chain grows past the checkpoint: still fine
    call_command("audit_verify", against=str(path))
    out = capsys.readouterr().out
    assert "audit chain intact: 5 rows; holds checkpoint #3 of " in out


def test_checkpoint_row_replaced_is_found(tmp_path):
    _write(3)
    path = _checkpoint(tmp_path)
    # The attacker cannot make a keyed row, so a replaced checkpointed row is also unkeyed;
    # the checkpoint names the position even if a verifier looked only there.
    AuditEvent.objects.filter(seq=3).update(hash="e" * 64)
    AuditChainHead.objects.filter(id=1).update(hash="e" * 64)
    with pytest.raises(CommandError, match=r"row #3"):
        call_command("audit_verify", against=str(path))


def test_altered_checkpoint_is_refused(tmp_path):
    _write(5)
    path = _checkpoint(tmp_path)
    doc = json.loads(path.read_text())
    doc["seq"] = 2  # make an old checkpoint claim less, to excuse a truncation
    doc["hash"] = AuditEvent.objects.get(seq=2).hash
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit_verify", against=str(path))


def test_checkpoint_of_another_chain_is_refused(tmp_path):
    from onewindow.audit.chain import checkpoint_sign, checkpoint_write

    _write(1)
    head = AuditChainHead.objects.get()
    other = checkpoint_sign(
        chain="exchange.calllog", seq=head.seq, hash=head.hash, at=AuditEvent.objects.get().at
    )
    path = tmp_path / "other.json"
    checkpoint_write(other, path)
    with pytest.raises(CommandError, match=r"chain 'exchange\.calllog', not 'audit'"):
        call_command("audit_verify", against=str(path))


def test_checkpoint_directory_continues_and_skips_an_unmoved_head(tmp_path, settings, capsys):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    _write(2)
    call_command("audit_checkpoint")
    call_command("audit_checkpoint")
    _write(1, start=2)
    call_command("audit_checkpoint")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("audit checkpoint #2 of ")
    assert out[1].startswith("audit head unchanged since checkpoint #2 of ")
    assert out[2].startswith("audit checkpoint #3 of ")
    names = sorted(p.name for p in tmp_path.glob("audit-*.json"))
    assert [n.split("-")[1] for n in names] == ["000000000002", "000000000003"]
    call_command("audit_verify", against=str(tmp_path))  # a directory: its newest
    assert "holds checkpoint #3 of " in capsys.readouterr().out


def test_checkpoint_of_a_broken_chain_is_not_written(tmp_path):
    _write(3)
    AuditEvent.objects.filter(seq=2).update(actor_label="x")
    with pytest.raises(CommandError, match=r"no audit checkpoint written: chain broken at row #2"):
        call_command("audit_checkpoint", out=str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()


# --- keys: rotation, configuration, production ----------------------------------------------


def test_rotated_key_writes_new_rows_and_old_rows_still_verify(settings):
    old = _key()
    settings.AUDIT_KEYS = f"a1:{old}"
    reset_caches()
    _write(2)
    settings.AUDIT_KEYS = f"a2:{_key()},a1:{old}"
    reset_caches()
    events = _write(2, start=2)
    assert [e.kid for e in AuditEvent.objects.order_by("seq")] == ["a1", "a1", "a2", "a2"]
    assert audit_chain_verify() is None
    # A leaked retired key forges no row after the rotation.
    forged = events[-1]
    AuditEvent.objects.filter(pk=forged.pk).update(kid="a1")
    forged.refresh_from_db()
    from onewindow.audit.services import AUDIT_CHAIN

    values = {f: getattr(forged, f) for f in HASHED_FIELDS}
    rehash = AUDIT_CHAIN.row_hash(values, alg=forged.alg, kid="a1")
    AuditEvent.objects.filter(pk=forged.pk).update(hash=rehash)
    AuditChainHead.objects.filter(id=1).update(hash=rehash)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (4, "row is keyed with an older key ('a1') than before")
    # Dropping a key its rows still need leaves them unverifiable, and says so.
    settings.AUDIT_KEYS = f"a2:{_key()}"
    reset_caches()
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (1, "row is keyed with 'a1', which is not configured")


def test_the_chain_key_is_not_the_data_key(settings):
    (before,) = _write(1)
    settings.DATA_KEYS = f"k1:{_key()}"
    settings.INDEX_KEY = _key()
    reset_caches()
    assert audit_chain_verify() is None
    settings.AUDIT_KEYS = f"dev:{_key()}"  # same id, another key: nothing verifies
    reset_caches()
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == before.seq


def test_sm_suite_chains_with_hmac_sm3(settings):
    settings.CRYPTO_SUITE = "sm"
    (event,) = _write(1)
    assert event.alg == "sm3" and event.kid == "dev"
    plain = chain_hash({f: getattr(event, f) for f in HASHED_FIELDS}, HASHED_FIELDS, alg="sm3")
    assert event.hash != plain
    assert audit_chain_verify() is None


def test_deploy_check_refuses_the_development_key_in_production(settings):
    settings.PRODUCTION = True
    settings.AUDIT_KEYS = ""
    reset_caches()
    assert [m.id for m in audit_key_configured(None)] == ["onewindow.E040"]
    from onewindow.core.crypto.keys import audit_dev_key

    settings.AUDIT_KEYS = "a1:" + base64.b64encode(audit_dev_key()).decode()
    reset_caches()
    assert [m.id for m in audit_key_configured(None)] == ["onewindow.E040"]
    settings.AUDIT_KEYS = f"a1:{_key()}"
    reset_caches()
    assert audit_key_configured(None) == []
    settings.AUDIT_KEYS = "a1:not-base64"
    reset_caches()
    assert [m.id for m in audit_key_configured(None)] == ["onewindow.E041"]


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ONEWINDOW_"))}
    env.update(
        ONEWINDOW_ENV="production",
        ONEWINDOW_VAR_DIR=str(tmp_path),
        SECRET_KEY="s" * 50,
        ONEWINDOW_DATA_KEYS=f"k1:{_key()}",
        ONEWINDOW_INDEX_KEY=_key(),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import onewindow.config.base"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ONEWINDOW_AUDIT_KEYS must be set in production" in result.stderr


# --- rows written before the chain was keyed ------------------------------------------------


def _legacy_rows(n: int) -> None:
    """Rows as the code before keying wrote them: no key id, a plain hash."""
    prev = "0" * 64
    AuditChainHead.objects.get_or_create(id=1)
    for i in range(1, n + 1):
        event = AuditEvent(
            seq=i,
            at=AuditEvent._meta.get_field("at").to_python(f"2026-01-0{i}T08:00:00+08:00"),
            actor_kind="system",
            actor_label="system",
            action="legacy.thing",
            changes={"i": i},
            alg="sha256",
            prev_hash=prev,
        )
        event.hash = _plain(event)
        event.save(force_insert=True)
        prev = event.hash
    AuditChainHead.objects.filter(id=1).update(seq=n, hash=prev)


def _seal() -> None:
    from onewindow.audit.chain import seal_value

    head = AuditChainHead.objects.get()
    AuditChainHead.objects.filter(id=1).update(
        sealed_seq=head.seq, seal=seal_value("audit", head.seq, head.hash)
    )


def test_rows_before_keying_still_verify_once_sealed():
    _legacy_rows(3)
    _seal()
    _write(2, start=3)
    assert audit_chain_verify() is None
    assert list(AuditEvent.objects.order_by("seq").values_list("kid", flat=True)) == [
        "",
        "",
        "",
        "dev",
        "dev",
    ]


def test_unsealed_plain_rows_do_not_verify():
    _legacy_rows(2)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (1, "row is not keyed (a plain hash)")


def test_a_row_before_keying_edited_and_rechained_plainly_is_found():
    _legacy_rows(3)
    _seal()
    _write(1, start=3)
    AuditEvent.objects.filter(seq=1).update(actor_label="someone-else")
    # Recompute the plain rows, then the keyed one cannot be recomputed: leave its link.
    prev = "0" * 64
    for event in AuditEvent.objects.filter(seq__lte=3).order_by("seq"):
        event.prev_hash = prev
        event.hash = _plain(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditEvent.objects.filter(seq=4).update(prev_hash=prev)
    problem = audit_chain_verify()
    assert problem is not None
    assert (problem.seq, problem.reason) == (
        3,
        "rows written before keying do not match their seal",
    )


def test_seal_moved_over_later_rows_is_found():
    _legacy_rows(2)
    _seal()
    _write(1, start=2)
    AuditEvent.objects.filter(seq=3).update(kid="")  # pass the keyed row off as old
    AuditChainHead.objects.filter(id=1).update(sealed_seq=3)
    problem = audit_chain_verify()
    assert problem is not None and problem.seq == 3


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_migration_seals_the_rows_written_before_it():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old = executor.loader.project_state([("audit", "0001_initial")]).apps
    OldEvent, OldHead = (
        old.get_model("audit", "AuditEvent"),
        old.get_model("audit", "AuditChainHead"),
    )
    prev = "0" * 64
    for i in (1, 2):
        row = {
            "seq": i,
            "at": AuditEvent._meta.get_field("at").to_python("2026-01-01T08:00:00+08:00"),
            "actor_id": None,
            "actor_kind": "system",
            "actor_label": "system",
            "action": "legacy.thing",
            "target_type": "",
            "target_id": "",
            "outcome": "ok",
            "changes": {},
            "purpose": "",
            "ip": "",
            "request_id": "",
            "alg": "sha256",
            "prev_hash": prev,
        }
        prev = chain_hash(row, HASHED_FIELDS, alg="sha256")
        OldEvent.objects.create(**row, hash=prev)
    OldHead.objects.create(id=1, seq=2, hash=prev)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))
    head = AuditChainHead.objects.get()
    assert head.sealed_seq == 2 and head.seal.startswith("sha256:dev:")
    assert audit_chain_verify() is None
    _write(1)
    assert audit_chain_verify() is None
