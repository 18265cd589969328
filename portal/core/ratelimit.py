"""A small fixed-window rate limiter for public forms, kept in the cache.

Each counter is keyed by a keyed hash (HMAC with the secret key) of the value it
counts, an email address or a client IP, so the cache holds no personal data in
clear and a stolen cache dump cannot be reversed with a dictionary. Callers count
only the submissions that would really be acted on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

PREFIX = "ratelimit"
DEFAULT_WINDOW = 3600


def rate_limits(*, setting: str, defaults: dict[str, int]) -> dict[str, int]:
    """The limits of one form: `defaults`, overridden key by key by `settings.<setting>`."""
    return {**defaults, **getattr(settings, setting, {})}


def _cache_key(scope: str, name: str, value: str) -> str:
    digest = salted_hmac(
        f"portal.ratelimit.{scope}.{name}", value.strip().lower(), algorithm="sha256"
    ).hexdigest()
    return f"{PREFIX}:{scope}:{name}:{digest[:40]}"


def rate_allow(
    *, scope: str, keys: dict[str, str], limits: dict[str, int], window: int = DEFAULT_WINDOW
) -> bool:
    """Count one attempt under each of `keys` ({"email": ..., "ip": ...}) for this window.

    Returns False, counting nothing, when any key has already reached its limit in
    `limits` (same names). A key without a limit is not counted. `scope` keeps the
    counters of different forms apart.
    """
    counted = {
        _cache_key(scope, name, value): limits[name]
        for name, value in keys.items()
        if name in limits
    }
    current = cache.get_many(list(counted))
    if any(current.get(key, 0) >= limit for key, limit in counted.items()):
        return False
    for key in counted:
        if cache.add(key, 1, timeout=window):  # the first attempt: one round trip
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
    return True
