"""Celery tasks of the newsletter: thin wrappers around services (ids in)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def campaign_start(issue_id: int) -> int:
    """Create the issue's deliveries in bulk and start its chains of batches."""
    from newsletter.services.campaigns import campaign_prepare

    return campaign_prepare(issue_id=issue_id)


@shared_task(ignore_result=True)
def deliveries_send(issue_id: int, failures: int = 0) -> None:
    """One batch of a chain, then the chain's next step (now, later, or none).

    Not acks_late: a batch lost with its worker keeps its rows "sending" until the
    lease expires, and the sweeper queues them and restarts the chain.
    """
    from newsletter.services.sending import activity_touch, batch_send

    result = batch_send(issue_id=issue_id, failures=failures)
    if result.next_in is None:
        return
    activity_touch(issue_id, seconds=result.next_in)
    deliveries_send.apply_async(
        (issue_id, failures + 1 if result.connection_failed else 0),
        countdown=result.next_in or None,
    )


@shared_task(ignore_result=True)
def scheduled_issues_start() -> list[int]:
    """Beat ("newsletter-scheduled", every minute)."""
    from newsletter.services.campaigns import scheduled_issues_start as start

    return start()


@shared_task(ignore_result=True)
def deliveries_sweep() -> dict:
    """Beat ("newsletter-sweeper", every minute): expired leases, stalled campaigns."""
    from newsletter.services.campaigns import deliveries_sweep as sweep

    return sweep()
