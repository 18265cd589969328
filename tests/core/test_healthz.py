import time

import pytest
from django.core.cache import cache

from portal.core import heartbeat


@pytest.mark.django_db
def test_healthz_is_ok_when_database_redis_and_a_worker_answer(client):
    heartbeat.beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_the_worker_when_no_heartbeat_was_seen(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "ok", "worker": "no heartbeat"}


@pytest.mark.django_db
def test_healthz_refuses_a_heartbeat_older_than_a_minute(client):
    cache.set(heartbeat.KEY, time.time() - 90)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"].startswith("last heartbeat 9")


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("unreachable")
    assert body["worker"] != "ok"


@pytest.mark.worker
def test_healthz_sees_a_real_worker(celery_worker, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"
