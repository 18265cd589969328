"""A small fixed-window rate limiter for the public request form, kept in the cache.

Counters are keyed by a hash of the email address and of the client IP, so the cache
holds no personal data in clear. Only submissions that would be recorded are counted.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
# Defaults; settings.INFODOC_RATE_LIMITS = {"email": n, "ip": n} overrides them.
DEFAULT_LIMITS = {"email": 3, "ip": 10}
PREFIX = "infodoc:ratelimit"


def _limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "INFODOC_RATE_LIMITS", {})}


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{scope}:{value.strip().lower()}".encode()).hexdigest()
    return f"{PREFIX}:{scope}:{digest[:40]}"


def submission_allow(*, email: str, ip: str) -> bool:
    """Count one submission for this address and IP; False (and nothing counted) if over."""
    limits = _limits()
    keys = {"email": _key("email", email), "ip": _key("ip", ip)}
    counts = cache.get_many(list(keys.values()))
    if any(counts.get(key, 0) >= limits[scope] for scope, key in keys.items()):
        return False
    for key in keys.values():
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
    return True
