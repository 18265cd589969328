"""Checks behind /healthz: each returns None when fine, or a short reason."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.core import heartbeat


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"unreachable ({exc.__class__.__name__})"
    return None


def check_redis() -> str | None:
    try:
        cache.has_key("healthz")  # a round trip to the cache's Redis, through Django's API
    except Exception as exc:
        return f"unreachable ({exc.__class__.__name__})"
    return None


def check_worker() -> str | None:
    try:
        age = heartbeat.age()
    except Exception:
        return "unknown (Redis unreachable)"
    if age is None:
        return "no heartbeat"
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        return f"last heartbeat {int(age)} s ago"
    return None


CHECKS = {"database": check_database, "redis": check_redis, "worker": check_worker}


def run_checks() -> dict[str, str]:
    return {name: (check() or "ok") for name, check in CHECKS.items()}
