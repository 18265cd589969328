"""The Celery worker heartbeat read by /healthz.

A worker bootstep writes the time to Redis every few seconds from the worker's
own timer, so the health check knows a worker is alive without a round trip.
"""

from __future__ import annotations

import time

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache

KEY = "core:worker-heartbeat"
INTERVAL = 15.0


def beat() -> None:
    cache.set(KEY, time.time(), timeout=settings.WORKER_HEARTBEAT_MAX_AGE * 2)


def age() -> float | None:
    """Seconds since the last heartbeat of any worker, or None if none was seen."""
    last = cache.get(KEY)
    return None if last is None else max(0.0, time.time() - float(last))


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_ref = None

    def start(self, parent) -> None:
        beat()
        self.timer_ref = parent.timer.call_repeatedly(INTERVAL, beat, priority=10)

    def stop(self, parent) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
