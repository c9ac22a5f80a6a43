"""Health checks for /healthz: the database answers, the task broker accepts a connection."""

from __future__ import annotations

import time
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


def health_report() -> dict[str, Any]:
    checks = {"database": _check_database(), "queue": _check_queue()}
    status = "ok" if all(check["ok"] for check in checks.values()) else "unavailable"
    return {"status": status, "checks": checks}
