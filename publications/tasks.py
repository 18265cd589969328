"""Celery wrappers around the publications services (ids in, nothing out)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# Idempotent: only scheduled rows whose date has come are claimed (SKIP LOCKED), so a
# re-delivered or overlapping run publishes nothing twice.
@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def publications_publish_due() -> None:
    """Put online the scheduled publications whose date has come (beat schedule)."""
    from publications.services import publications_publish_due as publish

    count = publish()
    if count:
        logger.info("%d scheduled publication(s) put online.", count)
