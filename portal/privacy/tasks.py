"""Celery tasks of the privacy app: thin wrappers around its services."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.privacy.retention import RetentionBusy, retention_apply

logger = logging.getLogger(__name__)


# Well under the broker's visibility timeout (2 hours): never re-delivered while it runs.
# Interrupted, a run keeps what it did; the next one (or a second delivery) goes on.
@shared_task(soft_time_limit=50 * 60, time_limit=55 * 60)
def retention_apply_task() -> None:
    """Monthly (beat): apply the retention rules and record the run."""
    try:
        retention_apply()
    except RetentionBusy:
        logger.info("Retention: another run is going on; this one does nothing.")
