"""Transaction-scoped named locks.

On PostgreSQL a named lock is ``pg_advisory_xact_lock`` on a 63-bit hash of the name, held until
the transaction ends. SQLite runs every write transaction as BEGIN IMMEDIATE (see settings),
so writers are already serialised and nothing more is needed there."""

from __future__ import annotations

import hashlib

from django.db import connection, transaction


def lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def advisory_xact_lock(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advisory_xact_lock must be taken inside transaction.atomic")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
