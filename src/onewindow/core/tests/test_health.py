"""/healthz tells a load balancer whether this node can serve; /metrics feeds Prometheus."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_broker_answer(client, settings, tmp_path) -> None:
    settings.HEALTH_CHECK_BROKER = True
    # The embedded default: kombu's SQLAlchemy transport over a SQLite file.
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True
    assert "mode" not in body["checks"]["queue"]  # the broker was really contacted


def test_healthz_is_503_naming_the_database_when_it_is_down(client) -> None:
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["queue"]["ok"] is True


def test_healthz_is_503_naming_the_queue_when_the_broker_is_unreachable(client, settings) -> None:
    settings.HEALTH_CHECK_BROKER = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["queue"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_healthz_is_503_naming_the_cache_when_redis_is_unreachable(client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_healthz_checks_the_shared_redis_cache(client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"]["ok"] is True
    assert response.json()["checks"]["cache"]["backend"] == "RedisCache"


def test_healthz_does_not_leak_details_of_the_failure(client) -> None:
    secret = "password=hunter2 host=db.internal"
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(secret)):
        response = client.get("/healthz")
    assert "hunter2" not in response.content.decode()


def test_metrics_serves_prometheus_text(client) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total" in text
    assert "# TYPE" in text
