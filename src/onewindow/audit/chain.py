"""Keyed hash chains (the audit trail, the exchange's call log), the seal of the rows written
before the chains were keyed, and signed checkpoints of a chain's head kept outside the
database.

A row's hash is the HMAC (SHA-256, or SM3 under the national suite) of its fields as canonical
JSON, with the chain's name and the row's key id, keyed with the audit key the row names in
``kid`` (``ONEWINDOW_AUDIT_KEYS``; the first key writes, all verify). Whoever can write the
tables but does not hold the key cannot recompute a row, so a changed, inserted or renumbered
row shows. Rows written before keying have an empty ``kid`` and a plain hash: the upgrade
sealed them (the head's ``seal`` is the keyed MAC of the last such row's position and hash),
so they still verify, none of them can change, and no later row may be plain.

What the database alone cannot show is rows cut off the end with the head rewound to an
earlier row: that takes a checkpoint (the head's position and hash, the time, keyed MAC)
written somewhere the database's writers cannot reach, and ``verify(checkpoint=...)``.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from onewindow.core.crypto.digests import chain_hash, constant_time_equal, suite_hash_name
from onewindow.core.crypto.keys import audit_key_rank, audit_keys

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
CHECKPOINT_TYPE = "onewindow.chain-checkpoint"
CHECKPOINT_VERSION = 1
_CHECKPOINT_SIGNED = ("type", "version", "chain", "seq", "hash", "at", "alg", "kid")
_SEAL_SIGNED = ("type", "chain", "seq", "hash", "kid")
_HASH_ALGS = frozenset({"sha256", "sm3"})


class CheckpointError(Exception):
    """A checkpoint that cannot be read, is not for this chain, or whose MAC does not verify."""


@dataclass(frozen=True)
class ChainBreak:
    """The first problem found: the row's position, its id when the row exists, and why."""

    seq: int
    row_id: int | None
    reason: str


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: datetime.datetime
    alg: str
    kid: str
    mac: str

    def document(self) -> dict[str, Any]:
        return {
            "type": CHECKPOINT_TYPE,
            "version": CHECKPOINT_VERSION,
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "at": _utc(self.at),
            "alg": self.alg,
            "kid": self.kid,
            "mac": self.mac,
        }

    def filename(self) -> str:
        stamp = self.at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{self.chain}-{self.seq:012d}-{stamp}.json"

    def describe(self) -> str:
        return f"#{self.seq} of {_utc(self.at)}"


def _utc(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _key(kid: str) -> bytes | None:
    for key in audit_keys():
        if key.kid == kid:
            return key.key
    return None


def _mac(values: Mapping[str, Any], names: tuple[str, ...], *, alg: str, kid: str) -> str | None:
    key = _key(kid)
    if key is None or alg not in _HASH_ALGS:
        return None
    return chain_hash(values, names, alg=alg, key=key)


# --- the seal of the rows written before keying ----------------------------------------------


def seal_value(chain: str, seq: int, hash: str) -> str:
    """``alg:kid:mac`` sealing rows 1..seq of a chain whose row ``seq`` has ``hash``, with the
    current key (the upgrade's migrations call this once)."""
    alg, kid = suite_hash_name(), audit_keys()[0].kid
    values = {"type": "onewindow.chain-seal", "chain": chain, "seq": seq, "hash": hash, "kid": kid}
    return f"{alg}:{kid}:{_mac(values, _SEAL_SIGNED, alg=alg, kid=kid)}"


def seal_matches(chain: str, seq: int, hash: str, seal: str) -> bool:
    alg, _, rest = seal.partition(":")
    kid, _, mac = rest.partition(":")
    values = {"type": "onewindow.chain-seal", "chain": chain, "seq": seq, "hash": hash, "kid": kid}
    expected = _mac(values, _SEAL_SIGNED, alg=alg, kid=kid)
    return expected is not None and constant_time_equal(expected, mac)


# --- checkpoints -----------------------------------------------------------------------------


def checkpoint_sign(*, chain: str, seq: int, hash: str, at: datetime.datetime) -> Checkpoint:
    alg, kid = suite_hash_name(), audit_keys()[0].kid
    unsigned = Checkpoint(chain=chain, seq=seq, hash=hash, at=at, alg=alg, kid=kid, mac="")
    mac = _mac(unsigned.document(), _CHECKPOINT_SIGNED, alg=alg, kid=kid)
    assert mac is not None  # the current key is configured by definition
    return Checkpoint(chain=chain, seq=seq, hash=hash, at=at, alg=alg, kid=kid, mac=mac)


def checkpoint_parse(text: str, *, chain: str) -> Checkpoint:
    """The checkpoint in ``text``, its MAC verified; CheckpointError otherwise."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("type") != CHECKPOINT_TYPE:
            raise CheckpointError("not a OneWindow chain checkpoint")
        if doc.get("version") != CHECKPOINT_VERSION:
            raise CheckpointError(f"unknown checkpoint version {doc.get('version')!r}")
        checkpoint = Checkpoint(
            chain=str(doc["chain"]),
            seq=int(doc["seq"]),
            hash=str(doc["hash"]),
            at=datetime.datetime.fromisoformat(str(doc["at"])),
            alg=str(doc["alg"]),
            kid=str(doc["kid"]),
            mac=str(doc["mac"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"unreadable checkpoint ({exc})") from None
    if checkpoint.at.tzinfo is None:
        raise CheckpointError("unreadable checkpoint (its time has no time zone)")
    if checkpoint.chain != chain:
        raise CheckpointError(f"checkpoint is of the chain {checkpoint.chain!r}, not {chain!r}")
    if audit_key_rank(checkpoint.kid) is None:
        raise CheckpointError(f"checkpoint is signed with key {checkpoint.kid!r}, not configured")
    expected = _mac(
        checkpoint.document(), _CHECKPOINT_SIGNED, alg=checkpoint.alg, kid=checkpoint.kid
    )
    if expected is None or not constant_time_equal(expected, checkpoint.mac):
        raise CheckpointError("checkpoint signature does not verify (altered or forged)")
    return checkpoint


def checkpoint_read(path: Path, *, chain: str) -> Checkpoint:
    """The checkpoint in ``path``; a directory gives its newest checkpoint of ``chain``."""
    if path.is_dir():
        newest = _newest_file(path, chain)
        if newest is None:
            raise CheckpointError(f"no checkpoint of {chain!r} in {path}")
        path = newest
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return checkpoint_parse(text, chain=chain)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def _newest_file(directory: Path, chain: str) -> Path | None:
    # Names are chain-<seq, 12 digits>-<time>.json: the last in order is the newest.
    files = sorted(directory.glob(f"{chain}-[0-9]*.json"))
    return files[-1] if files else None


def checkpoint_write(checkpoint: Checkpoint, path: Path) -> None:
    """Write atomically (a reader never sees half a file)."""
    text = json.dumps(checkpoint.document(), indent=2, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- a chain over a row model and a head model -----------------------------------------------


@dataclass(frozen=True)
class Chain:
    """One chain: its name (bound into every MAC, so rows cannot move between chains), the
    fields a legacy row hashed, and its models. Rows have ``seq``, ``alg``, ``kid``,
    ``prev_hash`` and ``hash``; the head (one row, id 1) ``seq``, ``hash``, ``sealed_seq``
    and ``seal``."""

    name: str
    fields: tuple[str, ...]
    row_model: type[models.Model]
    head_model: type[models.Model]

    def current_kid(self) -> str:
        return audit_keys()[0].kid

    def row_hash(self, values: Mapping[str, Any], *, alg: str, kid: str) -> str | None:
        """The row's hash: keyed when ``kid`` names a key, plain for a legacy row (no kid);
        None when the key is not configured."""
        if not kid:
            return chain_hash(values, self.fields, alg=alg)
        keyed = {**values, "chain": self.name, "kid": kid}
        return _mac(keyed, (*self.fields, "chain", "kid"), alg=alg, kid=kid)

    def head(self) -> Any:
        return self.head_model._default_manager.filter(id=1).first()

    def _rows(self, first: int, last: int, batch_size: int) -> Iterator[Any]:
        manager: Any = self.row_model._default_manager
        after = first - 1
        while after < last:
            batch = list(manager.filter(seq__gt=after, seq__lte=last).order_by("seq")[:batch_size])
            if not batch:
                return
            yield from batch
            after = batch[-1].seq

    def verify(
        self, *, checkpoint: Checkpoint | None = None, batch_size: int = 5000
    ) -> ChainBreak | None:
        """Walk the whole chain; with ``checkpoint``, it must also still hold that row with
        that hash. The first problem found, or None."""
        return self._walk(first=1, prev=GENESIS, checkpoint=checkpoint, batch_size=batch_size)

    def _walk(
        self, *, first: int, prev: str | None, checkpoint: Checkpoint | None, batch_size: int
    ) -> ChainBreak | None:
        # The head first, then the rows up to it: a row is committed with the head that
        # counts it, so rows written meanwhile are not mistaken for a broken tail.
        head = self.head()
        head_seq = head.seq if head is not None else 0
        sealed_seq = head.sealed_seq if head is not None else 0
        expected, rank = first, None
        for row in self._rows(first, max(head_seq, sealed_seq), batch_size):
            if row.seq != expected:
                return ChainBreak(
                    expected,
                    None if row.seq > expected else row.pk,
                    f"row #{expected} is missing (found #{row.seq} next)",
                )
            if prev is not None and row.prev_hash != prev:
                return ChainBreak(
                    row.seq, row.pk, "previous-hash link does not match the row before it"
                )
            if row.kid:
                row_rank = audit_key_rank(row.kid)
                if row_rank is None:
                    return ChainBreak(
                        row.seq, row.pk, f"row is keyed with {row.kid!r}, which is not configured"
                    )
                if rank is not None and row_rank > rank:
                    return ChainBreak(
                        row.seq, row.pk, f"row is keyed with an older key ({row.kid!r}) than before"
                    )
                rank = row_rank
            elif row.seq > sealed_seq:
                return ChainBreak(row.seq, row.pk, "row is not keyed (a plain hash)")
            values = {name: getattr(row, name) for name in self.fields}
            if self.row_hash(values, alg=row.alg, kid=row.kid) != row.hash:
                return ChainBreak(row.seq, row.pk, "row content does not match its hash")
            if row.seq == sealed_seq and not seal_matches(self.name, row.seq, row.hash, head.seal):
                return ChainBreak(
                    row.seq, row.pk, "rows written before keying do not match their seal"
                )
            if (
                checkpoint is not None
                and row.seq == checkpoint.seq
                and not constant_time_equal(row.hash, checkpoint.hash)
            ):
                return ChainBreak(
                    row.seq, row.pk, f"row differs from checkpoint {checkpoint.describe()}"
                )
            prev, expected = row.hash, expected + 1
        last = expected - 1
        if sealed_seq > last:
            return ChainBreak(
                last + 1, None, f"chain ends at #{last}, rows before keying ran to #{sealed_seq}"
            )
        if checkpoint is not None and checkpoint.seq > last:
            return ChainBreak(
                last + 1,
                None,
                f"chain ends at #{last}, checkpoint {checkpoint.describe()} records more",
            )
        if head is None:
            if last >= first:
                return ChainBreak(1, None, "rows exist but the chain's head is missing")
            return None
        if head.seq != last or (prev is not None and head.hash != prev):
            return ChainBreak(
                last + 1, None, f"chain ends at #{last} but the head records #{head.seq}"
            )
        # A row after the head: a forged append, unless it was committed (with the head that
        # counts it) since the head was read, so read the head again after the row.
        rows: Any = self.row_model._default_manager
        beyond = rows.filter(seq__gt=last).order_by("seq").first()
        if beyond is not None:
            latest = self.head()
            if latest is None or latest.seq < beyond.seq:
                return ChainBreak(
                    beyond.seq, beyond.pk, f"row #{beyond.seq} is beyond the chain's head"
                )
        return None

    def checkpoint_take(
        self, *, previous: Checkpoint | None = None, batch_size: int = 5000
    ) -> Checkpoint:
        """Sign the current head, after verifying the rows since ``previous`` (the whole chain
        when there is none). Raises ChainBrokenError when they do not verify."""
        head = self.head()
        seq, hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
        if previous is None or previous.seq == 0:
            problem = self._walk(first=1, prev=GENESIS, checkpoint=None, batch_size=batch_size)
        else:
            problem = self._walk(
                first=previous.seq, prev=None, checkpoint=previous, batch_size=batch_size
            )
        if problem is not None:
            raise ChainBrokenError(problem)
        return checkpoint_sign(chain=self.name, seq=seq, hash=hash, at=timezone.now())

    def checkpoint_to_directory(self, directory: Path) -> tuple[Checkpoint, Path | None]:
        """Take a checkpoint continuing the newest one in ``directory`` and write it there;
        the path is None when the head has not moved since (nothing is written)."""
        newest = _newest_file(directory, self.name) if directory.is_dir() else None
        previous = checkpoint_read(newest, chain=self.name) if newest is not None else None
        checkpoint = self.checkpoint_take(previous=previous)
        if previous is not None and (previous.seq, previous.hash) == (
            checkpoint.seq,
            checkpoint.hash,
        ):
            return previous, None
        path = directory / checkpoint.filename()
        checkpoint_write(checkpoint, path)
        logger.info(
            "chain checkpoint written",
            extra={"chain": self.name, "seq": checkpoint.seq, "hash": checkpoint.hash},
        )
        return checkpoint, path


class ChainBrokenError(Exception):
    def __init__(self, problem: ChainBreak) -> None:
        super().__init__(f"chain broken at row #{problem.seq}: {problem.reason}")
        self.problem = problem
