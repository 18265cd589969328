"""Sending progress of an issue, read often by the back office while it sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from newsletter.models import Delivery, DeliveryStatus, Issue

# The rate is measured over the last minute.
RATE_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    queued: int
    sending: int
    cancelled: int
    per_second: float  # over the last minute (or since the start, if sooner)

    @property
    def remaining(self) -> int:
        return self.queued + self.sending

    @property
    def done_percent(self) -> int:
        if not self.total:
            return 0
        return round(100 * (self.sent + self.failed + self.cancelled) / self.total)

    @property
    def eta_seconds(self) -> int | None:
        """Seconds until the end at the current rate; None while nothing moves."""
        if not self.remaining:
            return 0
        if self.per_second <= 0:
            return None
        return round(self.remaining / self.per_second)


def issue_progress(*, issue: Issue) -> Progress:
    """Counts by status and the recent rate, in one query on the issue's index."""
    now = timezone.now()
    started = issue.sending_started_at or now
    window = min(max(now - started, timedelta(seconds=1)), RATE_WINDOW)
    since = now - window
    counts = Delivery.objects.filter(issue=issue).aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=Q(status=DeliveryStatus.SENT, sent_at__gte=since)),
        **{status: Count("pk", filter=Q(status=status)) for status in DeliveryStatus.values},
    )
    return Progress(
        total=counts["total"],
        sent=counts[DeliveryStatus.SENT],
        failed=counts[DeliveryStatus.FAILED],
        queued=counts[DeliveryStatus.QUEUED],
        sending=counts[DeliveryStatus.SENDING],
        cancelled=counts[DeliveryStatus.CANCELLED],
        per_second=counts["recent"] / window.total_seconds(),
    )
