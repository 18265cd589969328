"""A small fixed-window rate limiter for public forms, kept in the cache's Redis.

Each counter is keyed by a keyed hash (HMAC with the secret key) of the value it
counts, an email address or a client IP, so the cache holds no personal data in
clear and a stolen cache dump cannot be reversed with a dictionary. Callers count
only the submissions that would really be acted on.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.crypto import salted_hmac

from portal.core import pagecache

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


# Checks each counter against its limit, then counts the attempt under each: one round
# trip, atomic. A counter's first attempt starts its window.
COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then return 0 end
end
for _, key in ipairs(KEYS) do
    if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 1
"""


@functools.cache
def _count_script():
    """COUNT_SCRIPT on the cache's Redis (the page cache's client, one per process)."""
    return pagecache.redis_client().register_script(COUNT_SCRIPT)


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
    if not counted:
        return True
    return bool(_count_script()(keys=list(counted), args=[window, *counted.values()]))
