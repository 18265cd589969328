"""A year of « Résonances », for the annual report: issues sent, readers, deliveries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsletter.models import Delivery, DeliveryStatus, Issue, IssueStatus, Subscriber

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class NewsletterFigures:
    year: int
    issues_sent: int
    # Subscribers active at the end of the year (confirmed before, not gone before).
    subscribers: int
    previous_subscribers: int
    deliveries: int  # messages handed to the mail server for the year's issues
    delivered: int
    # delivered / (delivered + failed), in %, rounded to 0.1; None when nothing was sent.
    delivery_rate: Decimal | None


def _year_end(year: int) -> datetime.datetime:
    return datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())


def _subscribers_at(moment: datetime.datetime) -> int:
    """Subscribers confirmed before `moment` and not unsubscribed, bounced or erased by then."""
    gone = Q(unsubscribed_at__lt=moment) | Q(
        status__in=["bounced", "complained"], last_event_at__lt=moment
    )
    return Subscriber.objects.filter(confirmed_at__lt=moment).exclude(gone).count()


def newsletter_figures(*, year: int) -> NewsletterFigures:
    """4 queries, whatever the number of deliveries: one aggregate over the year's
    delivery rows, one over its issues (with the outcomes of rows retention deleted)."""
    issues = Issue.objects.filter(status=IssueStatus.SENT, sent_at__year=year)
    rows = Delivery.objects.filter(issue__in=issues).aggregate(
        delivered=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
    )
    archived = issues.aggregate(
        count=Count("pk"),
        delivered=Coalesce(Sum("delivered_archived"), 0),
        failed=Coalesce(Sum("failed_archived"), 0),
    )
    delivered = rows["delivered"] + archived["delivered"]
    attempted = delivered + rows["failed"] + archived["failed"]
    rate = None
    if attempted:
        rate = (Decimal(100 * delivered) / attempted).quantize(TENTH, ROUND_HALF_UP)
    return NewsletterFigures(
        year=year,
        issues_sent=archived["count"],
        subscribers=_subscribers_at(_year_end(year)),
        previous_subscribers=_subscribers_at(_year_end(year - 1)),
        deliveries=attempted,
        delivered=delivered,
        delivery_rate=rate,
    )
