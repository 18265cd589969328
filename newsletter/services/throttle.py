"""A global rate limit for campaign messages, shared by every worker through Redis.

A fixed one-second window: each message takes a slot of the current second; when
the second is full, the sender sleeps until the next one. Simple, and exact enough
for an SMTP relay's "n messages per second".
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

PREFIX = "newsletter:rate"


def rate_limit() -> int:
    """Messages per second across all workers; 0 means no limit."""
    return settings.NEWSLETTER_RATE_PER_SECOND


def throttle_wait() -> None:
    """Return when the current message may go out under the global rate."""
    limit = rate_limit()
    if limit <= 0:
        return
    while True:
        now = time.time()
        key = f"{PREFIX}:{int(now)}"
        cache.add(key, 0, timeout=5)
        try:
            taken = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            continue
        if taken <= limit:
            return
        time.sleep(int(now) + 1 - now)
