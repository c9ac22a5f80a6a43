"""Health checks for /healthz: the database answers, the task broker accepts a connection,
and the cache every node shares (sessions, rate limits, the SMS code counters: Redis at
scale) stores and returns a value."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.conf import settings
from django.db import connection


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_queue() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER and not getattr(settings, "HEALTH_CHECK_BROKER", False):
        return {"ok": True, "mode": "eager"}
    from kombu import Connection

    started = time.perf_counter()
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # the broker is unreachable or misconfigured
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_cache() -> dict[str, Any]:
    """A value written to the default cache is read back. The per-process memory cache of
    the embedded default always answers; with ``REDIS_URL`` this is the shared Redis."""
    from django.core.cache import cache

    started = time.perf_counter()
    key, value = "healthz:probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        if cache.get(key) != value:
            return {"ok": False, "error": "ValueNotStored"}
    except Exception as exc:  # the cache server is unreachable or refuses
        return {"ok": False, "error": type(exc).__name__}
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return {"ok": True, "backend": backend, "ms": round((time.perf_counter() - started) * 1000, 2)}


def health_report() -> dict[str, Any]:
    checks = {"database": _check_database(), "queue": _check_queue(), "cache": _check_cache()}
    status = "ok" if all(check["ok"] for check in checks.values()) else "unavailable"
    return {"status": status, "checks": checks}
